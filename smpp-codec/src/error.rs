//! The codec's one error type.

use core::fmt;

/// Which field of a PDU an [`Error`] is about.
///
/// Names follow the SMPP specification's field names.
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[allow(missing_docs)]
pub enum Field {
    CommandLength,
    CommandId,
    CommandStatus,
    SequenceNumber,
    SystemId,
    Password,
    SystemType,
    InterfaceVersion,
    AddrTon,
    AddrNpi,
    AddressRange,
    ServiceType,
    SourceAddrTon,
    SourceAddrNpi,
    SourceAddr,
    DestAddrTon,
    DestAddrNpi,
    DestinationAddr,
    EsmClass,
    ProtocolId,
    PriorityFlag,
    ScheduleDeliveryTime,
    ValidityPeriod,
    RegisteredDelivery,
    ReplaceIfPresentFlag,
    DataCoding,
    SmDefaultMsgId,
    SmLength,
    ShortMessage,
    MessageId,
    FinalDate,
    MessageState,
    ErrorCode,
    NumberOfDests,
    DestFlag,
    DlName,
    NoUnsuccess,
    ErrorStatusCode,
    EsmeAddrTon,
    EsmeAddrNpi,
    EsmeAddr,
    /// The TLV stream after the mandatory fields.
    Tlvs,
    /// A TLV's value.
    TlvValue,
    /// The whole body (for example bytes left over after the last field).
    Body,
}

impl Field {
    /// The field's name as the specification writes it.
    pub const fn name(self) -> &'static str {
        match self {
            Field::CommandLength => "command_length",
            Field::CommandId => "command_id",
            Field::CommandStatus => "command_status",
            Field::SequenceNumber => "sequence_number",
            Field::SystemId => "system_id",
            Field::Password => "password",
            Field::SystemType => "system_type",
            Field::InterfaceVersion => "interface_version",
            Field::AddrTon => "addr_ton",
            Field::AddrNpi => "addr_npi",
            Field::AddressRange => "address_range",
            Field::ServiceType => "service_type",
            Field::SourceAddrTon => "source_addr_ton",
            Field::SourceAddrNpi => "source_addr_npi",
            Field::SourceAddr => "source_addr",
            Field::DestAddrTon => "dest_addr_ton",
            Field::DestAddrNpi => "dest_addr_npi",
            Field::DestinationAddr => "destination_addr",
            Field::EsmClass => "esm_class",
            Field::ProtocolId => "protocol_id",
            Field::PriorityFlag => "priority_flag",
            Field::ScheduleDeliveryTime => "schedule_delivery_time",
            Field::ValidityPeriod => "validity_period",
            Field::RegisteredDelivery => "registered_delivery",
            Field::ReplaceIfPresentFlag => "replace_if_present_flag",
            Field::DataCoding => "data_coding",
            Field::SmDefaultMsgId => "sm_default_msg_id",
            Field::SmLength => "sm_length",
            Field::ShortMessage => "short_message",
            Field::MessageId => "message_id",
            Field::FinalDate => "final_date",
            Field::MessageState => "message_state",
            Field::ErrorCode => "error_code",
            Field::NumberOfDests => "number_of_dests",
            Field::DestFlag => "dest_flag",
            Field::DlName => "dl_name",
            Field::NoUnsuccess => "no_unsuccess",
            Field::ErrorStatusCode => "error_status_code",
            Field::EsmeAddrTon => "esme_addr_ton",
            Field::EsmeAddrNpi => "esme_addr_npi",
            Field::EsmeAddr => "esme_addr",
            Field::Tlvs => "TLVs",
            Field::TlvValue => "TLV value",
            Field::Body => "body",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything that can go wrong while framing, parsing or emitting a PDU.
///
/// Each variant says what was wrong and, where it applies, which field. A non-zero
/// `command_status` from the peer is *not* an error: it is data in the parsed header.
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Error {
    /// The input ended inside `field`.
    Truncated {
        /// The field being read.
        field: Field,
    },
    /// `command_length` is below 16 or above the configured maximum; the stream cannot be
    /// resynchronised.
    InvalidCommandLength {
        /// The value read from the header.
        length: u32,
    },
    /// The buffer holds a different number of bytes than `command_length` says.
    LengthMismatch {
        /// The value read from the header.
        command_length: u32,
        /// The bytes actually handed to the parser.
        actual: usize,
    },
    /// The `command_id` is not one this codec knows.
    UnknownCommandId {
        /// The value read from the header.
        command_id: u32,
    },
    /// A C-Octet String has no terminating NUL within its maximum length.
    Unterminated {
        /// The field being read.
        field: Field,
    },
    /// A value is longer than the field allows (for C-Octet Strings `max` includes the NUL).
    TooLong {
        /// The offending field.
        field: Field,
        /// The field's maximum, in octets.
        max: u16,
    },
    /// A C-Octet String to be encoded contains a NUL octet.
    ContainsNul {
        /// The offending field.
        field: Field,
    },
    /// A value outside what the field allows (for example an unknown `dest_flag`).
    InvalidValue {
        /// The offending field.
        field: Field,
    },
    /// The TLV stream is corrupt: 1–3 stray octets, or a TLV length running past the end.
    InvalidTlvStream,
    /// A TLV's value has a length its tag does not allow.
    InvalidTlvLength {
        /// The TLV's tag.
        tag: u16,
    },
    /// Both `short_message` and the `message_payload` TLV carry data.
    PayloadConflict,
    /// On encode: `field` is [absent](crate::COctetStr::ABSENT), but the body cannot stop
    /// before it (it is not a field the leniency rule lets a body stop before), or a later field
    /// carries a value.
    Absent {
        /// The absent field.
        field: Field,
    },
    /// Bytes are left after the last field of a PDU that carries no TLVs.
    TrailingBytes,
    /// The output buffer is too small.
    BufferTooSmall {
        /// Octets needed.
        needed: usize,
    },
}

impl Error {
    /// The `command_status` a receiver should answer with when a request fails this way
    /// (SMPP-REFERENCE §10.4).
    pub const fn command_status(&self) -> crate::CommandStatus {
        use crate::CommandStatus as S;
        match *self {
            Error::InvalidCommandLength { .. } | Error::LengthMismatch { .. } => S::INVALID_COMMAND_LENGTH,
            Error::UnknownCommandId { .. } => S::INVALID_COMMAND_ID,
            Error::InvalidTlvStream => S::INVALID_TLV_STREAM,
            Error::InvalidTlvLength { .. } => S::INVALID_TLV_LENGTH,
            Error::PayloadConflict => S::INVALID_TLV_VALUE,
            Error::Truncated { field }
            | Error::Unterminated { field }
            | Error::TooLong { field, .. }
            | Error::ContainsNul { field }
            | Error::Absent { field }
            | Error::InvalidValue { field } => match field {
                Field::SourceAddr | Field::SourceAddrTon | Field::SourceAddrNpi => S::INVALID_SOURCE_ADDRESS,
                Field::DestinationAddr | Field::DestAddrTon | Field::DestAddrNpi => S::INVALID_DESTINATION_ADDRESS,
                Field::SmLength | Field::ShortMessage => S::INVALID_MESSAGE_LENGTH,
                Field::ServiceType => S::INVALID_SERVICE_TYPE,
                Field::EsmClass => S::INVALID_ESM_CLASS,
                Field::PriorityFlag => S::INVALID_PRIORITY_FLAG,
                Field::RegisteredDelivery => S::INVALID_REGISTERED_DELIVERY_FLAG,
                Field::ScheduleDeliveryTime => S::INVALID_SCHEDULED_DELIVERY_TIME,
                Field::ValidityPeriod => S::INVALID_VALIDITY_PERIOD,
                Field::MessageId => S::INVALID_MESSAGE_ID,
                Field::SystemId => S::INVALID_SYSTEM_ID,
                Field::Password => S::INVALID_PASSWORD,
                Field::SystemType => S::INVALID_SYSTEM_TYPE,
                Field::NumberOfDests => S::INVALID_NUMBER_OF_DESTINATIONS,
                Field::DestFlag => S::INVALID_DEST_FLAG,
                Field::DlName => S::INVALID_DISTRIBUTION_LIST_NAME,
                Field::ReplaceIfPresentFlag => S::INVALID_REPLACE_IF_PRESENT_FLAG,
                Field::SmDefaultMsgId => S::INVALID_DEFAULT_MESSAGE_ID,
                Field::Tlvs | Field::TlvValue => S::INVALID_TLV_STREAM,
                Field::CommandLength | Field::Body => S::INVALID_COMMAND_LENGTH,
                _ => S::SYSTEM_ERROR,
            },
            Error::TrailingBytes => S::INVALID_COMMAND_LENGTH,
            Error::BufferTooSmall { .. } => S::SYSTEM_ERROR,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::Truncated { field } => write!(f, "{field}: input ends inside the field"),
            Error::InvalidCommandLength { length } => {
                write!(f, "command_length {length} is outside the accepted range")
            }
            Error::LengthMismatch { command_length, actual } => {
                write!(f, "command_length says {command_length} octets but {actual} were given")
            }
            Error::UnknownCommandId { command_id } => write!(f, "unknown command_id 0x{command_id:08X}"),
            Error::Unterminated { field } => {
                write!(f, "{field}: C-Octet String has no NUL within its maximum length")
            }
            Error::TooLong { field, max } => write!(f, "{field}: longer than the maximum of {max} octets"),
            Error::ContainsNul { field } => write!(f, "{field}: C-Octet String contains a NUL octet"),
            Error::InvalidValue { field } => write!(f, "{field}: value not allowed"),
            Error::InvalidTlvStream => f.write_str("TLV stream is corrupt (stray octets or length past the end)"),
            Error::InvalidTlvLength { tag } => write!(f, "TLV 0x{tag:04X}: length not allowed for this tag"),
            Error::PayloadConflict => {
                f.write_str("short_message and message_payload both carry data; use one or the other")
            }
            Error::Absent { field } => {
                write!(f, "{field}: absent, but the body cannot stop before it or has values after it")
            }
            Error::TrailingBytes => f.write_str("octets left after the last field of the body"),
            Error::BufferTooSmall { needed } => write!(f, "output buffer too small: {needed} octets needed"),
        }
    }
}

impl core::error::Error for Error {}
