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
}

const COUNT: usize = Timer::Response as usize + 1;

/// One optional deadline per [`Timer`].
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct TimerTable([Option<Instant>; COUNT]);

impl TimerTable {
    pub(crate) fn set(&mut self, timer: Timer, at: Instant) {
        if let Some(slot) = self.0.get_mut(timer as usize) {
            *slot = Some(at);
        }
    }

    pub(crate) fn set_opt(&mut self, timer: Timer, at: Option<Instant>) {
        if let Some(slot) = self.0.get_mut(timer as usize) {
            *slot = at;
        }
    }

    pub(crate) fn stop(&mut self, timer: Timer) {
        self.set_opt(timer, None);
    }

    pub(crate) fn get(&self, timer: Timer) -> Option<Instant> {
        self.0.get(timer as usize).copied().flatten()
    }

    /// Whether `timer` is set and due at `now`.
    pub(crate) fn is_due(&self, timer: Timer, now: Instant) -> bool {
        self.get(timer).is_some_and(|t| t <= now)
    }

    pub(crate) fn stop_all(&mut self) {
        self.0 = [None; COUNT];
    }

    /// The earliest deadline.
    pub(crate) fn next(&self) -> Option<Instant> {
        self.0.iter().flatten().min().copied()
    }
}
