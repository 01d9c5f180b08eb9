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
    /// No response in time; the outcome is still to be reported.
    TimedOut,
    /// The session closed first; the outcome is still to be reported.
    Lost,
}

impl SlotState {
    /// Whether the request ended without a response and its outcome is still to be reported.
    pub(crate) const fn is_ended(self) -> bool {
        matches!(self, SlotState::TimedOut | SlotState::Lost)
    }

    /// The outcome of an ended request.
    pub(crate) const fn outcome(self) -> Option<Outcome> {
        match self {
            SlotState::TimedOut => Some(Outcome::Timeout),
            SlotState::Lost => Some(Outcome::ConnectionLost),
            _ => None,
        }
    }
}

/// A request of the application in the window.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Outstanding {
    pub(crate) seq: u32,
    pub(crate) handle: Handle,
    pub(crate) command: Request,
    pub(crate) deadline: Instant,
    pub(crate) state: SlotState,
    /// The message slot, for a part of a multi-part message.
    pub(crate) group: u16,
    /// The part's number from 1; 0 for a request that is not a part.
    pub(crate) index: u8,
    /// The session's send count when it was (last) sent: orders it against throttling
    /// episodes.
    pub(crate) sent: u32,
    /// Where its encoded octets are kept for a retry (offset, length in the part store; length
    /// 0 when not kept).
    pub(crate) stored: (u16, u16),
}

impl Outstanding {
    /// The message slot and the part number, for a part of a multi-part message.
    pub(crate) const fn part(&self) -> Option<(u16, u8)> {
        if self.index == 0 { None } else { Some((self.group, self.index)) }
    }

    /// Its entry in the part store, if it has one.
    pub(crate) const fn stored(&self) -> Option<(u16, u16)> {
        if self.stored.1 == 0 { None } else { Some(self.stored) }
    }
}

/// The command of an application request, kept in 16 bits: every request an application may
/// send has an id below 0x10000.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Request(u16);

impl Request {
    pub(crate) fn new(id: CommandId) -> Option<Self> {
        u16::try_from(id.raw()).ok().map(Request)
    }

    pub(crate) const fn id(self) -> CommandId {
        CommandId::from_raw(self.0 as u32)
    }
}

/// The window of `W` request slots.
#[derive(Debug)]
pub(crate) struct Window<const W: usize> {
    pub(crate) slots: [Option<Outstanding>; W],
    /// Slots ended without a response, not reported yet (saves scanning).
    pub(crate) unreported: usize,
    /// Slots in use.
    used: usize,
    /// Slots waiting for a response or a retry.
    outstanding: usize,
    /// Slots waiting for a retry.
    retrying: usize,
    next_seq: u32,
    /// Sequence numbers have only gone up since the session began: none in flight can be
    /// the next one, so allocation need not look.
    monotonic: bool,
}

impl<const W: usize> Window<W> {
    pub(crate) const fn new() -> Self {
        Window { slots: [None; W], unreported: 0, used: 0, outstanding: 0, retrying: 0, next_seq: 1, monotonic: true }
    }

    /// Empties every slot, keeping the sequence numbers (a new connection of the same session).
    pub(crate) fn clear(&mut self) {
        self.slots = [None; W];
        self.unreported = 0;
        self.used = 0;
        self.outstanding = 0;
        self.retrying = 0;
    }

    /// Requests awaiting a response (or a retry).
    pub(crate) const fn outstanding(&self) -> usize {
        self.outstanding
    }

    pub(crate) const fn free_slots(&self) -> usize {
        W - self.used
    }

    /// A free slot: the one `seq` maps to when it is free (so that its response is found at
    /// once), else the first free one.
    pub(crate) fn free_slot(&self, seq: u32) -> Option<usize> {
        let hint = (seq as usize) % W.max(1);
        match self.slots.get(hint) {
            Some(None) => Some(hint),
            _ => self.slots.iter().position(Option::is_none),
        }
    }

    /// The earliest response deadline.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.slots.iter().flatten().filter(|o| o.state == SlotState::Waiting).map(|o| o.deadline).min()
    }

    /// The slot waiting for the response `id` with sequence number `seq` (a generic_nack
    /// answers any request).
    pub(crate) fn find_waiting(&self, seq: u32, id: CommandId) -> Option<usize> {
        let answers = |o: &Option<Outstanding>| {
            o.is_some_and(|o| {
                o.state == SlotState::Waiting
                    && o.seq == seq
                    && (id == CommandId::GENERIC_NACK || o.command.id().response_id() == Some(id))
            })
        };
        let hint = (seq as usize) % W.max(1);
        match self.slots.get(hint) {
            Some(o) if answers(o) => Some(hint),
            _ => self.slots.iter().position(answers),
        }
    }

    pub(crate) fn get(&self, i: usize) -> Option<&Outstanding> {
        self.slots.get(i)?.as_ref()
    }

    pub(crate) fn get_mut(&mut self, i: usize) -> Option<&mut Outstanding> {
        self.slots.get_mut(i)?.as_mut()
    }

    pub(crate) fn take(&mut self, i: usize) -> Option<Outstanding> {
        let o = self.slots.get_mut(i)?.take()?;
        self.used -= 1;
        match o.state {
            SlotState::TimedOut | SlotState::Lost => self.unreported = self.unreported.saturating_sub(1),
            SlotState::RetryWait => {
                self.retrying -= 1;
                self.outstanding -= 1;
            }
            SlotState::Waiting => self.outstanding -= 1,
        }
        Some(o)
    }

    /// Puts a new request (waiting for its response) in free slot `i`.
    pub(crate) fn put(&mut self, i: usize, o: Outstanding) {
        if let Some(slot @ None) = self.slots.get_mut(i) {
            *slot = Some(o);
            self.used += 1;
            self.outstanding += 1;
        }
    }

    /// Ends slot `i` without a response (`TimedOut` or `Lost`), to be reported by `poll_event`.
    pub(crate) fn end(&mut self, i: usize, state: SlotState) {
        if let Some(Some(o)) = self.slots.get_mut(i) {
            if !o.state.is_ended() {
                if o.state == SlotState::RetryWait {
                    self.retrying -= 1;
                }
                o.state = state;
                self.unreported += 1;
                self.outstanding -= 1;
            }
        }
    }

    /// Slot `i`, waiting for its response, waits for a retry instead.
    pub(crate) fn wait_retry(&mut self, i: usize) {
        if let Some(Some(o)) = self.slots.get_mut(i) {
            if o.state == SlotState::Waiting {
                o.state = SlotState::RetryWait;
                self.retrying += 1;
            }
        }
    }

    /// Slot `i`, waiting for a retry, was sent again with `seq` and waits for its response.
    pub(crate) fn resent(&mut self, i: usize, seq: u32, deadline: Instant, sent: u32) {
        if let Some(Some(o)) = self.slots.get_mut(i) {
            if o.state == SlotState::RetryWait {
                o.state = SlotState::Waiting;
                o.seq = seq;
                o.deadline = deadline;
                o.sent = sent;
                self.retrying -= 1;
            }
        }
    }

    /// Whether some slot waits for a retry.
    pub(crate) const fn has_retries(&self) -> bool {
        self.retrying > 0
    }

    /// The next ended slot to report.
    pub(crate) fn next_ended(&self) -> Option<usize> {
        if self.unreported == 0 {
            return None;
        }
        self.slots.iter().position(|o| o.is_some_and(|o| o.state.is_ended()))
    }

    /// Whether a slot holds `seq` (a timed-out request still does until reported: its late
    /// response must not be taken for another's).
    pub(crate) fn uses_seq(&self, seq: u32) -> bool {
        self.slots.iter().flatten().any(|o| o.seq == seq)
    }

    pub(crate) const fn next_seq(&self) -> u32 {
        self.next_seq
    }

    /// Sets the next sequence number (the application's choice: allocation looks for numbers
    /// in flight from then on).
    pub(crate) fn set_next_seq(&mut self, seq: u32) {
        self.next_seq = seq.clamp(1, MAX_SEQUENCE);
        self.monotonic = false;
    }

    /// Goes back to `seq` after an undone command (the numbers it took were never sent).
    pub(crate) fn restore_seq(&mut self, seq: u32) {
        self.next_seq = seq;
    }

    /// Moves past `seq`, just allocated.
    pub(crate) fn advance_seq(&mut self, seq: u32) {
        self.next_seq = after(seq);
        if self.next_seq == 1 {
            self.monotonic = false;
        }
    }

    /// Whether `seq` may be in flight (always false while numbers only went up).
    pub(crate) fn may_use_seq(&self, seq: u32) -> bool {
        !self.monotonic && self.uses_seq(seq)
    }
}

/// The sequence number after `seq` (wrapping 0x7FFFFFFF → 1).
pub(crate) const fn after(seq: u32) -> u32 {
    if seq >= MAX_SEQUENCE { 1 } else { seq + 1 }
}
