#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod backoff;
mod buffer;
mod commands;
mod config;
mod dispatch;
mod error;
mod event;
mod incoming;
mod message;
mod receipts;
mod session;
mod throttle;
mod time;
mod timers;
mod window;

pub use backoff::Backoff;
pub use commands::{MessageBuilder, TextOptions};
pub use config::{AckMode, Config, Keepalive};
pub use error::{CommandError, ConfigError};
pub use event::{BindFailure, CloseReason, Event, Handle, IncomingToken, Outcome, PartFailure, PartOf};
pub use session::{BindKind, Counters, MIN_RECEIVE_BUFFER, Role, Session, State};
pub use time::{Duration, Instant};

// The memory budget of an ESME session with a window of 8 is 2 KiB on 32-bit MCUs, excluding the
// caller's buffers; checked when building for them.
#[cfg(target_pointer_width = "32")]
const _: () = assert!(core::mem::size_of::<Session<'static, 8>>() <= 2048);
#[cfg(all(target_pointer_width = "32", feature = "size-report"))]
const _: [(); 0] = [(); core::mem::size_of::<Session<'static, 8>>()];
