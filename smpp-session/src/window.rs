//! The window: the application's requests awaiting a response, and the sequence numbers.

use smpp_codec::CommandId;

use crate::event::{Handle, Outcome};
use crate::time::Instant;

/// Highest sequence number (SMPP-REFERENCE §1.1).
pub(crate) const MAX_SEQUENCE: u32 = 0x7FFF_FFFF;

/// Where a request of the window stands.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum SlotState {
    /// Sent; its response is due by the deadline.
    Waiting,
    /// Throttled part, to be sent again when the pause ends.
    RetryWait,
    /// Ended without a response; the outcome is still to be reported.
    Ended(Outcome),
}

/// A request of the application in the window.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Outstanding {
    pub(crate) seq: u32,
    pub(crate) handle: Handle,
    pub(crate) command: CommandId,
    pub(crate) deadline: Instant,
    pub(crate) state: SlotState,
    /// The message slot and the part number, for parts of a multi-part message.
    pub(crate) part: Option<(u16, u8)>,
    /// The session's send count when it was (last) sent: orders it against throttling
    /// episodes.
    pub(crate) sent: u32,
    /// Times it was sent again after throttling.
    pub(crate) retries: u8,
    /// Where its encoded octets are kept for a retry (offset, length in the part store).
    pub(crate) stored: Option<(u32, u32)>,
}

/// The window of `W` request slots.
#[derive(Debug)]
pub(crate) struct Window<const W: usize> {
    pub(crate) slots: [Option<Outstanding>; W],
    /// Slots in state `Ended`, not reported yet (saves scanning).
    pub(crate) unreported: usize,
    next_seq: u32,
}

impl<const W: usize> Window<W> {
    pub(crate) const fn new() -> Self {
        Window { slots: [None; W], unreported: 0, next_seq: 1 }
    }

    /// Requests awaiting a response (or a retry).
    pub(crate) fn outstanding(&self) -> usize {
        self.slots.iter().flatten().filter(|o| matches!(o.state, SlotState::Waiting | SlotState::RetryWait)).count()
    }

    pub(crate) fn free_slots(&self) -> usize {
        self.slots.iter().filter(|o| o.is_none()).count()
    }

    pub(crate) fn free_slot(&self) -> Option<usize> {
        self.slots.iter().position(Option::is_none)
    }

    /// The earliest response deadline.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.slots.iter().flatten().filter(|o| o.state == SlotState::Waiting).map(|o| o.deadline).min()
    }

    /// The slot waiting for the response `id` with sequence number `seq` (a generic_nack
    /// answers any request).
    pub(crate) fn find_waiting(&self, seq: u32, id: CommandId) -> Option<usize> {
        self.slots.iter().position(|o| {
            o.is_some_and(|o| {
                o.state == SlotState::Waiting
                    && o.seq == seq
                    && (id == CommandId::GenericNack || o.command.response_id() == Some(id))
            })
        })
    }

    pub(crate) fn get(&self, i: usize) -> Option<&Outstanding> {
        self.slots.get(i)?.as_ref()
    }

    pub(crate) fn get_mut(&mut self, i: usize) -> Option<&mut Outstanding> {
        self.slots.get_mut(i)?.as_mut()
    }

    pub(crate) fn take(&mut self, i: usize) -> Option<Outstanding> {
        let o = self.slots.get_mut(i)?.take()?;
        if matches!(o.state, SlotState::Ended(_)) {
            self.unreported = self.unreported.saturating_sub(1);
        }
        Some(o)
    }

    pub(crate) fn put(&mut self, i: usize, o: Outstanding) {
        if let Some(slot) = self.slots.get_mut(i) {
            *slot = Some(o);
        }
    }

    /// Ends slot `i` with `outcome`, to be reported by `poll_event`.
    pub(crate) fn end(&mut self, i: usize, outcome: Outcome) {
        if let Some(o) = self.get_mut(i) {
            if !matches!(o.state, SlotState::Ended(_)) {
                o.state = SlotState::Ended(outcome);
                self.unreported += 1;
            }
        }
    }

    /// The next ended slot to report.
    pub(crate) fn next_ended(&self) -> Option<usize> {
        if self.unreported == 0 {
            return None;
        }
        self.slots.iter().position(|o| o.is_some_and(|o| matches!(o.state, SlotState::Ended(_))))
    }

    /// Whether a slot holds `seq` (a timed-out request still does until reported: its late
    /// response must not be taken for another's).
    pub(crate) fn uses_seq(&self, seq: u32) -> bool {
        self.slots.iter().flatten().any(|o| o.seq == seq)
    }

    pub(crate) const fn next_seq(&self) -> u32 {
        self.next_seq
    }

    pub(crate) fn set_next_seq(&mut self, seq: u32) {
        self.next_seq = seq.clamp(1, MAX_SEQUENCE);
    }
}

/// The sequence number after `seq` (wrapping 0x7FFFFFFF → 1).
pub(crate) const fn after(seq: u32) -> u32 {
    if seq >= MAX_SEQUENCE { 1 } else { seq + 1 }
}
