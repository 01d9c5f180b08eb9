//! The session's timers as one table: every deadline `poll_timeout` reports is in it.

use crate::time::Instant;

/// The session's timers.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Timer {
    /// ESME: bind_resp due.
    Bind,
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

/// Marks a stopped timer (no deadline is that late).
const STOPPED: u64 = u64::MAX;

/// One deadline per [`Timer`], in milliseconds, each stored plus one (wrapping) so that a table
/// of stopped timers is all zeros: clearing it needs no `memset` of its own on a Cortex-M
/// (clearing memory is linked anyway). Named fields rather than an array: a timer is reached
/// without an index check (a few hundred octets of code on a Cortex-M).
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct TimerTable {
    bind: u64,
    unbind: u64,
    session_init: u64,
    keepalive: u64,
    keepalive_response: u64,
    throttle_pause: u64,
    response: u64,
    peer_keepalive: u64,
}

impl TimerTable {
    fn slot(&mut self, timer: Timer) -> &mut u64 {
        match timer {
            Timer::Bind => &mut self.bind,
            Timer::Unbind => &mut self.unbind,
            Timer::SessionInit => &mut self.session_init,
            Timer::Keepalive => &mut self.keepalive,
            Timer::KeepaliveResponse => &mut self.keepalive_response,
            Timer::ThrottlePause => &mut self.throttle_pause,
            Timer::Response => &mut self.response,
            Timer::PeerKeepalive => &mut self.peer_keepalive,
        }
    }

    /// The deadline of `timer`, [`STOPPED`] when not running.
    fn value(&self, timer: Timer) -> u64 {
        let stored = match timer {
            Timer::Bind => self.bind,
            Timer::Unbind => self.unbind,
            Timer::SessionInit => self.session_init,
            Timer::Keepalive => self.keepalive,
            Timer::KeepaliveResponse => self.keepalive_response,
            Timer::ThrottlePause => self.throttle_pause,
            Timer::Response => self.response,
            Timer::PeerKeepalive => self.peer_keepalive,
        };
        stored.wrapping_sub(1)
    }

    pub(crate) fn set(&mut self, timer: Timer, at: Instant) {
        // A deadline of u64::MAX would read as stopped; one millisecond earlier is the same.
        let at = if at.0 == STOPPED { STOPPED - 1 } else { at.0 };
        *self.slot(timer) = at.wrapping_add(1);
    }

    pub(crate) fn set_opt(&mut self, timer: Timer, at: Option<Instant>) {
        match at {
            Some(at) => self.set(timer, at),
            None => self.stop(timer),
        }
    }

    pub(crate) fn stop(&mut self, timer: Timer) {
        *self.slot(timer) = STOPPED.wrapping_add(1);
    }

    pub(crate) fn get(&self, timer: Timer) -> Option<Instant> {
        let t = self.value(timer);
        if t == STOPPED { None } else { Some(Instant(t)) }
    }

    /// Whether `timer` is set and due at `now`.
    pub(crate) fn is_due(&self, timer: Timer, now: Instant) -> bool {
        // A stopped timer is never due: STOPPED is above any `now` the session keeps.
        self.value(timer) <= now.0 && self.value(timer) != STOPPED
    }

    pub(crate) fn stop_all(&mut self) {
        *self = TimerTable::default();
    }

    /// The earliest deadline.
    pub(crate) fn next(&self) -> Option<Instant> {
        let t = [
            self.bind,
            self.unbind,
            self.session_init,
            self.keepalive,
            self.keepalive_response,
            self.throttle_pause,
            self.response,
            self.peer_keepalive,
        ]
        .into_iter()
        .fold(STOPPED, |earliest, stored| earliest.min(stored.wrapping_sub(1)));
        if t == STOPPED { None } else { Some(Instant(t)) }
    }
}
