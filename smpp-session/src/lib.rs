//! Sans-IO SMPP session state machine (ESME and SMSC roles).
//!
//! Not implemented yet: this crate is reserved for the session issue. It exposes nothing so that
//! nothing pretends to work before it does.
#![no_std]
#![forbid(unsafe_code)]
