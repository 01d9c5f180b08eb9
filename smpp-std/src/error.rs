//! The client's errors, each with a message that says what to do.

use std::{fmt, io};

use smpp_codec::CommandStatus;

/// Why the client could not connect, bind or take a request.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The TCP (or TLS) connection could not be made.
    Connect(io::Error),
    /// The SMSC refused the bind with this status (wrong credentials, not allowed, ...).
    BindRefused(CommandStatus),
    /// The SMSC did not answer the bind in time, or closed the connection instead.
    BindFailed(String),
    /// The connection failed after it was made.
    Io(io::Error),
    /// The client is closed.
    Closed,
    /// The configuration cannot work (say which part).
    Config(String),
    /// The text cannot be sent as asked (a character outside the chosen alphabet, too long).
    Text(String),
    /// A waiting call ran out of time; what it waited for may still come.
    Timeout,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Connect(e) => write!(f, "cannot connect: {e}"),
            Error::BindRefused(s) => {
                write!(f, "the SMSC refused the bind: {s} ({})", s.description().unwrap_or("no description"))
            }
            Error::BindFailed(why) => write!(f, "the bind failed: {why}"),
            Error::Io(e) => write!(f, "connection error: {e}"),
            Error::Closed => f.write_str("the client is closed"),
            Error::Config(why) => write!(f, "invalid configuration: {why}"),
            Error::Text(why) => write!(f, "cannot send the text: {why}"),
            Error::Timeout => f.write_str("timed out waiting"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Connect(e) | Error::Io(e) => Some(e),
            _ => None,
        }
    }
}
