#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[macro_use]
mod macros;
#[macro_use]
mod wire;

mod error;
mod header;
pub mod pdu;
mod status;
pub mod text;
mod time;
mod tlv;
mod types;

pub use error::{Error, Field};
pub use header::{CommandId, DEFAULT_MAX_COMMAND_LENGTH, Frame, HEADER_LEN, Header, RESPONSE_BIT, frame_len};
pub use pdu::Pdu;
pub use status::CommandStatus;
pub use time::{SmppTime, TIME_LEN};
pub use tlv::{NetworkErrorCode, TLV_HEADER_LEN, TLV_MAX_VALUE_LEN, Tlv, TlvIter, TlvTag, TlvValue, Tlvs};
pub use types::{
    Address, Alphabet, DataCoding, EsmClass, MessageState, MessageType, MessagingMode, Npi, Priority, ReceiptRequest,
    RegisteredDelivery, Ton, interface_version,
};
pub use wire::COctetStr;
