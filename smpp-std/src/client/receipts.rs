//! Finding the message a receipt is about, among every message still waiting for one.
//!
//! The session remembers a fixed number of recent ids (it cannot allocate); a client that sends
//! thousands of messages before their receipts come, over several connections, needs all of
//! them. Ids are compared by the session's own rule (`smpp_codec::text::receipt::ids_match`):
//! exactly or ignoring case through the map, tolerant forms by a scan when those miss.

use std::collections::{HashMap, VecDeque};

use smpp_codec::text::receipt::{IdMatch, ids_match};
use smpp_session::Instant;

use super::types::{MessageId, MessageKey};

/// How long an accepted id waits for its receipt (milliseconds).
const TTL: u64 = 24 * 3600 * 1000;

#[derive(Debug)]
pub(crate) struct ReceiptIndex {
    mode: IdMatch,
    /// Lowercased id → the message and part.
    by_id: HashMap<Vec<u8>, (MessageKey, u8, Vec<u8>)>,
    /// Insertion order, for expiry.
    order: VecDeque<(u64, Vec<u8>)>,
}

impl ReceiptIndex {
    pub(crate) fn new(mode: IdMatch) -> Self {
        ReceiptIndex { mode, by_id: HashMap::new(), order: VecDeque::new() }
    }

    pub(crate) fn insert(&mut self, id: &MessageId, key: MessageKey, part: u8, now: Instant) {
        self.expire(now);
        let lower = id.as_bytes().to_ascii_lowercase();
        self.order.push_back((now.0, lower.clone()));
        self.by_id.insert(lower, (key, part, id.as_bytes().to_vec()));
    }

    fn expire(&mut self, now: Instant) {
        while let Some((at, _)) = self.order.front() {
            if now.0.saturating_sub(*at) < TTL {
                break;
            }
            if let Some((_, id)) = self.order.pop_front() {
                self.by_id.remove(&id);
            }
        }
    }

    /// The message and part whose id matches the receipt's `id`.
    pub(crate) fn find(&self, id: &[u8], _now: Instant) -> Option<(MessageKey, u8)> {
        if let Some((k, p, original)) = self.by_id.get(&id.to_ascii_lowercase()) {
            if ids_match(original, id, self.mode) {
                return Some((*k, *p));
            }
        }
        if matches!(self.mode, IdMatch::Numeric { .. }) {
            return self
                .by_id
                .values()
                .find(|(_, _, original)| ids_match(original, id, self.mode))
                .map(|(k, p, _)| (*k, *p));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smpp_codec::text::receipt::Base;

    #[test]
    fn ids_are_matched_by_the_configured_rule() {
        let mut ix = ReceiptIndex::new(IdMatch::Exact);
        ix.insert(&MessageId::new(b"AbC1"), MessageKey(1), 1, Instant(0));
        assert_eq!(ix.find(b"AbC1", Instant(0)), Some((MessageKey(1), 1)));
        assert_eq!(ix.find(b"abc1", Instant(0)), None, "exact");
        let mut ix = ReceiptIndex::new(IdMatch::CaseInsensitive);
        ix.insert(&MessageId::new(b"AbC1"), MessageKey(1), 2, Instant(0));
        assert_eq!(ix.find(b"abc1", Instant(0)), Some((MessageKey(1), 2)));
        let mut ix = ReceiptIndex::new(IdMatch::Numeric { submit: Base::Hex, receipt: Base::Decimal });
        ix.insert(&MessageId::new(b"1a2b"), MessageKey(3), 1, Instant(0));
        assert_eq!(ix.find(b"6699", Instant(0)), Some((MessageKey(3), 1)));
        // Expired after a day.
        ix.insert(&MessageId::new(b"ff"), MessageKey(4), 1, Instant(TTL + 1));
        assert_eq!(ix.find(b"6699", Instant(TTL + 1)), None);
    }
}
