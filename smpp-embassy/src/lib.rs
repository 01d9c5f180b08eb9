//! embassy-net adapter for the SMPP session.
//!
//! Not implemented yet: reserved for the embassy adapter issue. It exposes nothing.
#![no_std]
#![forbid(unsafe_code)]
