#![doc = include_str!("../README.md")]
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
