#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod backoff;
mod buffer;
mod config;
mod event;
mod session;
mod time;

pub use backoff::Backoff;
pub use config::{AckMode, Config, Keepalive};
pub use event::{BindFailure, CloseReason, Event, Handle, IncomingToken, Outcome};
pub use session::{BindKind, CommandError, Counters, Role, Session, State};
pub use time::{Duration, Instant};
