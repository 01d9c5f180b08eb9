//! Faults the server can inject, each a setting, to test how clients cope. Counts are per
//! connection, so each new connection (a reconnect) starts afresh.

use std::time::Duration;

/// The faults a server injects; [`Faults::default`] injects none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    /// Answer every k-th submit_sm of a connection with ESME_RTHROTTLED (the message is not
    /// accepted). `Some(1)` throttles every one; `None` and `Some(0)` none.
    pub throttle_every: Option<u32>,
    /// Hold every answer to submit_sm, query_sm and cancel_sm this long before sending it
    /// (the session answers enquire_link and unbind itself, at once). Answers held are bounded
    /// by the session's window: beyond it the session answers ESME_RTHROTTLED.
    pub response_delay: Duration,
    /// Once this many submit_sm of a connection have been answered (and the answers written),
    /// close the connection without unbind: later requests in flight get no answer.
    pub drop_after: Option<u32>,
    /// Once this many submit_sm of a connection have been answered, stop answering: read and
    /// discard whatever the client sends, send nothing (no enquire_link, no receipts, no
    /// unbind), and keep the connection open until the client closes it or the server stops.
    /// `Some(0)` goes silent right after the bind.
    pub half_open_after: Option<u32>,
    /// Write at most this many octets per write (a PDU then leaves in pieces).
    pub write_chunk: Option<usize>,
    /// With `write_chunk`, wait this long between two pieces, so that the client reads them
    /// apart.
    pub chunk_pause: Duration,
}

impl Faults {
    /// Whether the `n`-th submit_sm (from 1) of a connection is throttled.
    pub(crate) fn throttles(&self, n: u32) -> bool {
        matches!(self.throttle_every, Some(k) if k > 0 && n.is_multiple_of(k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kth_submit_is_throttled() {
        let f = Faults { throttle_every: Some(3), ..Faults::default() };
        let hits: Vec<u32> = (1..=9).filter(|&n| f.throttles(n)).collect();
        assert_eq!(hits, [3, 6, 9]);
        assert!(!Faults { throttle_every: Some(0), ..Faults::default() }.throttles(1));
        assert!(!Faults::default().throttles(1));
    }
}
