//! Errors, grouped by who is at fault: the configuration (at construction), the application's
//! command (wrong for the state, or not encodable), or a resource that is busy right now.
//!
//! What the peer does wrong is never a Rust error: it is answered on the wire, counted in
//! [`Counters`](crate::Counters) and, when it ends the session, given as the
//! [`CloseReason`](crate::CloseReason).

use crate::Instant;

/// Why [`Session::new`](crate::Session::new) refused its buffers: the session could stall with
/// them, unable to send what it must always be able to send.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ConfigError {
    /// The receive buffer cannot hold the largest response the session must read.
    ReceiveBufferTooSmall {
        /// Octets needed at least.
        needed: usize,
        /// Octets given.
        given: usize,
    },
    /// The transmit buffer cannot hold the largest response plus the room kept for
    /// enquire_link, unbind and an answer to every peer request the window admits.
    TransmitBufferTooSmall {
        /// Octets needed at least.
        needed: usize,
        /// Octets given.
        given: usize,
    },
    /// The window `W` is 0 or larger than 65 535.
    InvalidWindow,
}

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ConfigError::ReceiveBufferTooSmall { needed, given } => {
                write!(f, "receive buffer of {given} octets is too small: at least {needed} needed")
            }
            ConfigError::TransmitBufferTooSmall { needed, given } => {
                write!(f, "transmit buffer of {given} octets is too small: at least {needed} needed")
            }
            ConfigError::InvalidWindow => f.write_str("the window must be between 1 and 65535"),
        }
    }
}

impl core::error::Error for ConfigError {}

/// Why a command of the application was refused. Nothing was sent and nothing will be reported
/// for it; the application still holds its PDU and may try again.
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CommandError {
    // Busy: the same command may succeed later (see `is_busy`).
    /// The window (possibly narrowed by throttling) is full: wait for an outcome.
    WindowFull,
    /// Submissions are paused after throttling until this instant.
    Paused {
        /// When to try again.
        until: Instant,
    },
    /// The transmit buffer is full: send what [`transmit`](crate::Session::transmit) holds
    /// first.
    TransmitBufferFull,

    // The application's mistake: the same command will fail again.
    /// Not allowed in this state or role (for example submit before bind, or on a receiver
    /// bind).
    InvalidState,
    /// The PDU cannot be encoded.
    Codec(smpp_codec::Error),
    /// The PDU is not a request this call accepts.
    NotARequest,
    /// The token does not name a pending request of the peer (already answered, or issued by
    /// an earlier session).
    UnknownToken,
    /// The response does not answer that request.
    WrongResponse,
    /// The text cannot be encoded or split as asked.
    Text(smpp_codec::text::segment::SegmentError),
    /// The message does not fit: more parts than the window, or a part larger than the
    /// transmit buffer can ever hold.
    TooLarge,
}

impl CommandError {
    /// Whether the same command may succeed later, once outcomes come in, the pause ends or the
    /// transmit buffer drains.
    pub const fn is_busy(&self) -> bool {
        matches!(self, CommandError::WindowFull | CommandError::Paused { .. } | CommandError::TransmitBufferFull)
    }
}

impl core::fmt::Display for CommandError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            CommandError::WindowFull => f.write_str("window full: wait for an outstanding request to complete"),
            CommandError::Paused { until } => write!(f, "submissions paused after throttling until {} ms", until.0),
            CommandError::TransmitBufferFull => f.write_str("transmit buffer full: send what it holds first"),
            CommandError::InvalidState => f.write_str("not allowed in the session's current state"),
            CommandError::Codec(e) => write!(f, "cannot encode: {e}"),
            CommandError::NotARequest => f.write_str("not a request this call accepts"),
            CommandError::UnknownToken => f.write_str("no pending peer request with that token"),
            CommandError::WrongResponse => f.write_str("that response does not answer the request"),
            CommandError::Text(e) => write!(f, "text: {e}"),
            CommandError::TooLarge => f.write_str("the message can never fit the window or the transmit buffer"),
        }
    }
}

impl core::error::Error for CommandError {}

impl From<smpp_codec::Error> for CommandError {
    fn from(e: smpp_codec::Error) -> Self {
        CommandError::Codec(e)
    }
}
