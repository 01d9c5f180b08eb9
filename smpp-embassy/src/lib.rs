#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

// The unit tests only: the library itself links neither std nor alloc (CI builds it for
// thumbv6m and thumbv7em).
#[cfg(test)]
extern crate std;

#[macro_use]
mod fmt;

mod client;
mod connect;
mod runner;
mod state;
mod time;
mod types;

#[cfg(feature = "tls")]
pub mod tls;

pub use client::{Client, Error, Ticket};
pub use connect::Connect;
#[cfg(feature = "embassy-net")]
pub use connect::{Remote, TcpConnectError, TcpConnector};
pub use runner::{Buffers, RunError, Runner, new};
pub use state::State;
pub use types::{
    ADDRESS_MAX, Config, Failure, LinkState, LinkStatus, MessageIds, MessageOutcome, MessageReceipt, MoMessage,
    OwnedAddress, ReceiptError, Resubmit, Text,
};

// What applications need from the crates below, so that one dependency is enough.
pub use smpp_codec;
pub use smpp_session;
