//! std adapter for the SMPP session: blocking client, `smpp` CLI and SMSC simulator.
//!
//! Not implemented yet: reserved for the std adapter issue. It exposes nothing.
#![forbid(unsafe_code)]
