//! The logic of the session fuzz targets (`session_esme`, `session_smsc`), as a library so that
//! the targets stay one call each and a test can write and check their seeds.
//!
//! Each target plays its input against one session driven by `smpp_tests::Lone` (input fed in
//! random chunks through `receive_buffer`/`commit` or `handle_input`, octets taken in random
//! partial `transmitted(n)` writes, deadlines fired one by one) under `smpp_tests::Watch`, which
//! checks the oracles at every step. Then the same input is played in small chunks (invariant 4:
//! the same events and octets) and once more (invariant 6: determinism).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

pub mod encode;
pub mod esme;
pub mod smsc;

use smpp_codec::{CommandStatus, Header, Pdu};
use smpp_session::Event;
use smpp_tests::Seen;

/// What a run produced.
#[derive(Debug, PartialEq, Eq)]
pub struct Run {
    pub events: Vec<Event>,
    pub seen: Vec<Seen>,
    /// Every octet the session sent.
    pub wire: Vec<u8>,
}

/// Invariants 4 and 6: the run in chunks and the run again give what the whole run gave.
pub fn compare(whole: &Run, chunked: Run, again: &Run) {
    assert_eq!(again, whole, "invariant 6: the same input gave other outputs");
    assert_eq!(chunked.events, whole.events, "invariant 4: chunking changed the events");
    assert_eq!(chunked.seen, whole.seen, "invariant 4: chunking changed the PDUs behind the events");
    assert_eq!(chunked.wire, whole.wire, "invariant 4: chunking changed the octets sent");
}

/// Encodes a PDU.
pub fn emit(pdu: &Pdu<'_>, seq: u32, status: CommandStatus) -> Vec<u8> {
    let mut buf = vec![0u8; pdu.encoded_len()];
    pdu.emit(seq, status, &mut buf).expect("a valid PDU");
    buf
}

/// The sequence numbers of the requests in `wire`, oldest first.
pub fn requests_sent(wire: &[u8]) -> Vec<u32> {
    let mut seqs = Vec::new();
    let mut rest = wire;
    while let Ok(h) = Header::parse(rest) {
        if !h.command_id.is_response() {
            seqs.push(h.sequence_number);
        }
        rest = &rest[(h.command_length as usize).clamp(16, rest.len())..];
    }
    seqs
}

/// The sequence number of the `back`-th last request in `wire`, or `back` itself when there are
/// not so many.
pub fn answering(wire: &[u8], back: u8) -> u32 {
    requests_sent(wire).iter().rev().nth(usize::from(back % 4)).copied().unwrap_or(u32::from(back))
}

/// A status, mostly ESME_ROK, often throttling or another transient error.
pub fn status(n: u8) -> CommandStatus {
    match n % 16 {
        0..=5 => CommandStatus::OK,
        6 => CommandStatus::THROTTLED,
        7 => CommandStatus::MESSAGE_QUEUE_FULL,
        8 => CommandStatus::SYSTEM_ERROR,
        9 => CommandStatus::SUBMIT_FAILED,
        10 => CommandStatus::INVALID_DESTINATION_ADDRESS,
        11 => CommandStatus::BIND_FAILED,
        12 => CommandStatus::from_raw(0x64),
        _ => CommandStatus::from_raw(u32::from(n)),
    }
}

/// Receive and transmit buffer sizes: from the smallest the session accepts (with a window of 4)
/// to roomy.
pub fn buffers(n: u8, min_transmit: usize) -> (usize, usize) {
    let rx = [128, 256, 1024][usize::from(n % 3)];
    let tx = [min_transmit, min_transmit + 64, 1024, 4096][usize::from(n / 3 % 4)];
    (rx, tx)
}
