//! The one error space of the C ABI: the session's errors mapped onto negative codes, and
//! their texts.
#![forbid(unsafe_code)]

use session::{CommandError, ConfigError};
use smpp_codec::text::segment::SegmentError;

use crate::abi::*;

/// The code of a configuration error.
pub(crate) fn config_code(e: ConfigError) -> i32 {
    match e {
        ConfigError::ReceiveBufferTooSmall { .. } => SMPP_ERR_RECEIVE_BUFFER_TOO_SMALL,
        ConfigError::TransmitBufferTooSmall { .. } => SMPP_ERR_TRANSMIT_BUFFER_TOO_SMALL,
        ConfigError::InvalidWindow => SMPP_ERR_INVALID_WINDOW,
        // A newer session's error: the closest the ABI can say.
        _ => SMPP_ERR_BAD_ARGUMENT,
    }
}

/// The code of a command error.
pub(crate) fn command_code(e: CommandError) -> i32 {
    match e {
        CommandError::WindowFull => SMPP_ERR_WINDOW_FULL,
        CommandError::Paused { .. } => SMPP_ERR_PAUSED,
        CommandError::TransmitBufferFull => SMPP_ERR_TRANSMIT_BUFFER_FULL,
        CommandError::InvalidState => SMPP_ERR_INVALID_STATE,
        CommandError::Codec(_) => SMPP_ERR_ENCODE,
        CommandError::NotARequest => SMPP_ERR_NOT_A_REQUEST,
        CommandError::UnknownToken => SMPP_ERR_UNKNOWN_TOKEN,
        CommandError::WrongResponse => SMPP_ERR_WRONG_RESPONSE,
        CommandError::Text(t) => text_code(t),
        CommandError::TooLarge => SMPP_ERR_TOO_LARGE,
        _ => SMPP_ERR_BAD_ARGUMENT,
    }
}

fn text_code(e: SegmentError) -> i32 {
    match e {
        SegmentError::Unrepresentable(_) => SMPP_ERR_TEXT_UNREPRESENTABLE,
        SegmentError::TooManyParts { .. } | SegmentError::TooLong => SMPP_ERR_TEXT_TOO_LONG,
        SegmentError::BufferTooSmall { .. } => SMPP_ERR_SCRATCH_TOO_SMALL,
        _ => SMPP_ERR_BAD_ARGUMENT,
    }
}

/// `0` for success, else the code.
pub(crate) fn status(r: Result<(), i32>) -> i32 {
    match r {
        Ok(()) => SMPP_OK,
        Err(code) => code,
    }
}

/// A static NUL-terminated description of `code`.
pub(crate) fn text(code: i32) -> &'static core::ffi::CStr {
    match code {
        SMPP_OK => c"success",
        SMPP_ERR_NULL_POINTER => c"a required pointer is NULL",
        SMPP_ERR_BAD_ARGUMENT => c"an argument is out of range",
        SMPP_ERR_STORAGE_TOO_SMALL => c"the session storage is smaller than smpp_session_size()",
        SMPP_ERR_STORAGE_MISALIGNED => c"the session storage is not aligned to smpp_session_align()",
        SMPP_ERR_VERSION_MISMATCH => c"smpp.h and the library are of different ABI versions",
        SMPP_ERR_NOT_INITIALIZED => c"the storage holds no live session",
        SMPP_ERR_PANIC => c"a bug in the library was caught; deinitialize the session",
        SMPP_ERR_RECEIVE_BUFFER_TOO_SMALL => c"the receive buffer is smaller than smpp_min_receive_buffer()",
        SMPP_ERR_TRANSMIT_BUFFER_TOO_SMALL => c"the transmit buffer is smaller than smpp_min_transmit_buffer()",
        SMPP_ERR_INVALID_WINDOW => c"the window must be between 1 and 65535",
        SMPP_ERR_WINDOW_FULL => c"window full: wait for an outstanding request to complete",
        SMPP_ERR_PAUSED => c"submissions paused after throttling",
        SMPP_ERR_TRANSMIT_BUFFER_FULL => c"transmit buffer full: send what it holds first",
        SMPP_ERR_INVALID_STATE => c"not allowed in the session's current state or role",
        SMPP_ERR_ENCODE => c"a field cannot be encoded (too long, or a NUL inside)",
        SMPP_ERR_NOT_A_REQUEST => c"not a request this call accepts",
        SMPP_ERR_UNKNOWN_TOKEN => c"no pending peer request with that token",
        SMPP_ERR_WRONG_RESPONSE => c"that response does not answer the request",
        SMPP_ERR_TEXT_UNREPRESENTABLE => c"the text has a character the encoding cannot write",
        SMPP_ERR_TEXT_TOO_LONG => c"the text needs more than 255 parts or is too long for message_payload",
        SMPP_ERR_SCRATCH_TOO_SMALL => c"the scratch buffer cannot hold a part",
        SMPP_ERR_TOO_LARGE => c"the message can never fit the window or the transmit buffer",
        _ => c"unknown error code",
    }
}

/// Whether `code` means "busy": the same call may succeed later.
pub(crate) const fn is_busy(code: i32) -> bool {
    matches!(code, SMPP_ERR_WINDOW_FULL | SMPP_ERR_PAUSED | SMPP_ERR_TRANSMIT_BUFFER_FULL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_own_text() {
        let codes = [
            SMPP_OK,
            SMPP_ERR_NULL_POINTER,
            SMPP_ERR_BAD_ARGUMENT,
            SMPP_ERR_STORAGE_TOO_SMALL,
            SMPP_ERR_STORAGE_MISALIGNED,
            SMPP_ERR_VERSION_MISMATCH,
            SMPP_ERR_NOT_INITIALIZED,
            SMPP_ERR_PANIC,
            SMPP_ERR_RECEIVE_BUFFER_TOO_SMALL,
            SMPP_ERR_TRANSMIT_BUFFER_TOO_SMALL,
            SMPP_ERR_INVALID_WINDOW,
            SMPP_ERR_WINDOW_FULL,
            SMPP_ERR_PAUSED,
            SMPP_ERR_TRANSMIT_BUFFER_FULL,
            SMPP_ERR_INVALID_STATE,
            SMPP_ERR_ENCODE,
            SMPP_ERR_NOT_A_REQUEST,
            SMPP_ERR_UNKNOWN_TOKEN,
            SMPP_ERR_WRONG_RESPONSE,
            SMPP_ERR_TEXT_UNREPRESENTABLE,
            SMPP_ERR_TEXT_TOO_LONG,
            SMPP_ERR_SCRATCH_TOO_SMALL,
            SMPP_ERR_TOO_LARGE,
        ];
        let unknown = text(1);
        for (i, a) in codes.iter().enumerate() {
            assert_ne!(text(*a), unknown, "code {a}");
            for b in &codes[i + 1..] {
                assert_ne!(a, b);
                assert_ne!(text(*a), text(*b));
            }
        }
    }

    #[test]
    fn busy_codes_are_the_session_busy_errors() {
        for e in [CommandError::WindowFull, CommandError::TransmitBufferFull, CommandError::InvalidState] {
            assert_eq!(is_busy(command_code(e)), e.is_busy());
        }
    }
}
