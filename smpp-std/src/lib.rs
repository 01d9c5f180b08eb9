//! SMPP over std: a pipelined blocking client, an SMSC server and simulator, and the `smpp`
//! command-line tool, around the sans-IO [`smpp_session::Session`].
//!
//! The adapter holds no protocol logic: sockets, threads and clocks around the session. Each
//! connection is driven by one thread that sleeps in a poll until the socket, the application
//! or the session's next deadline needs it, reads straight into the session's receive buffer and
//! writes straight from its transmit buffer, many PDUs per system call.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod client;
pub mod clock;
mod conn;
mod error;
mod secret;
pub mod server;
pub mod text;
#[cfg(feature = "tls")]
pub mod tls;
pub mod transport;

pub use client::{
    AckToken, Addr, Client, ClientConfig, ClientEvent, Completion, Disconnect, Failure, MessageId, MessageKey,
    MessageOutcome, MoMessage, Pending, QueryAnswer, Receipt, Reconnect, TextEncoding, TextMessage,
};
pub use error::Error;
pub use secret::Password;
pub use server::{Profile, Server, ServerConfig};
