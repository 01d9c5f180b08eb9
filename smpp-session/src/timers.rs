//! The session's timers as one table: every deadline `poll_timeout` reports is in it.

use crate::time::Instant;

/// The session's timers.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Timer {
    /// ESME: bind_resp due.
    Bind = 0,
    /// unbind_resp due.
    Unbind,
    /// SMSC: a bind (and the application's decision) due.
    SessionInit,
    /// When to send the next enquire_link.
    Keepalive,
    /// enquire_link_resp due.
    KeepaliveResponse,
    /// The pause after throttling ends.
    ThrottlePause,
    /// The earliest response deadline of the window.
    Response,
    /// The peer's enquire_link due (its keepalive, when required).
    PeerKeepalive,
}

const COUNT: usize = Timer::PeerKeepalive as usize + 1;

/// Marks a stopped timer (no deadline is that late).
const STOPPED: u64 = u64::MAX;

/// One optional deadline per [`Timer`], in milliseconds, [`STOPPED`] when not running.
#[derive(Copy, Clone, Debug)]
pub(crate) struct TimerTable([u64; COUNT]);

impl Default for TimerTable {
    fn default() -> Self {
        TimerTable([STOPPED; COUNT])
    }
}

impl TimerTable {
    pub(crate) fn set(&mut self, timer: Timer, at: Instant) {
        if let Some(slot) = self.0.get_mut(timer as usize) {
            *slot = at.0.min(STOPPED - 1);
        }
    }

    pub(crate) fn set_opt(&mut self, timer: Timer, at: Option<Instant>) {
        match at {
            Some(at) => self.set(timer, at),
            None => self.stop(timer),
        }
    }

    pub(crate) fn stop(&mut self, timer: Timer) {
        if let Some(slot) = self.0.get_mut(timer as usize) {
            *slot = STOPPED;
        }
    }

    pub(crate) fn get(&self, timer: Timer) -> Option<Instant> {
        self.0.get(timer as usize).copied().filter(|t| *t != STOPPED).map(Instant)
    }

    /// Whether `timer` is set and due at `now`.
    pub(crate) fn is_due(&self, timer: Timer, now: Instant) -> bool {
        self.get(timer).is_some_and(|t| t <= now)
    }

    pub(crate) fn stop_all(&mut self) {
        self.0 = [STOPPED; COUNT];
    }

    /// The earliest deadline.
    pub(crate) fn next(&self) -> Option<Instant> {
        self.0.iter().copied().min().filter(|t| *t != STOPPED).map(Instant)
    }
}
