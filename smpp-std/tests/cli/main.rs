//! The `smpp` binary itself, run as a user runs it, against the SMSC server started in the
//! test on loopback (and against a scripted SMSC where the server cannot say what is needed).
#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod codec;
mod common;
mod connect;
mod listen;
mod sim;
#[cfg(feature = "tls")]
mod tls;
