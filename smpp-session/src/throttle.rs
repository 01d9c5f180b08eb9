//! Throttling (SMPP-REFERENCE §10.6): ESME_RTHROTTLED and ESME_RMSGQFUL pause all submissions
//! and narrow the window, once per episode.
//!
//! An episode starts with the first throttling response to a request sent after the previous
//! episode started. Responses to requests that were already in flight then belong to an episode
//! already counted, whenever they come: eight throttled responses to eight requests in flight
//! are one decrease and one pause. The pause doubles (up to the maximum) when throttling repeats
//! before any request sent since the last episode began succeeds; such a success resets it. The
//! window grows back by one after each window-full of successes.

use crate::time::{Duration, Instant};

#[derive(Copy, Clone, Debug)]
pub(crate) struct Throttle {
    /// The window as narrowed (1..=W).
    pub(crate) limit: u16,
    /// Successes since the window last grew.
    streak: u16,
    /// Whether an episode ever started (`start` is meaningful).
    started: bool,
    /// The send count when the latest episode started.
    start: u32,
    /// The pause the next episode takes.
    pause: Duration,
    /// Submissions are paused until then (0: not paused).
    until: Instant,
}

/// Whether send count `a` comes before `b` (wrapping).
const fn before(a: u32, b: u32) -> bool {
    b.wrapping_sub(a) as i32 > 0
}

impl Throttle {
    pub(crate) const fn new(window: u16, pause: Duration) -> Self {
        Throttle { limit: window, streak: 0, started: false, start: 0, pause, until: Instant(0) }
    }

    /// A throttling response to a request sent at send count `sent`, with `sends` sent so far.
    /// Returns the end of the pause when this starts a new episode.
    pub(crate) fn throttled(&mut self, sent: u32, sends: u32, now: Instant, max_pause: Duration) -> Option<Instant> {
        if self.started && before(sent, self.start) {
            return None;
        }
        self.limit = (self.limit / 2).max(1);
        self.streak = 0;
        let until = now + self.pause;
        self.until = until;
        self.pause = Duration(self.pause.0.saturating_mul(2).min(max_pause.0.max(self.pause.0)));
        self.started = true;
        self.start = sends;
        Some(until)
    }

    /// A successful response to a request sent at send count `sent`.
    pub(crate) fn succeeded(&mut self, sent: u32, window: u16, first_pause: Duration) {
        if !(self.started && before(sent, self.start)) {
            self.pause = first_pause;
        }
        self.streak = self.streak.saturating_add(1);
        if self.streak >= self.limit && self.limit < window {
            self.limit += 1;
            self.streak = 0;
        }
    }

    /// The pause in force at `now`, if any.
    pub(crate) fn paused(&self, now: Instant) -> Option<Instant> {
        (self.until > now).then_some(self.until)
    }

    /// The end of the last pause.
    pub(crate) const fn until(&self) -> Instant {
        self.until
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_decrease_per_episode_and_doubling_only_on_repeat() {
        let max = Duration::from_secs(30);
        let mut t = Throttle::new(8, Duration::from_secs(1));
        // Eight requests in flight (sent 0..8), all throttled: one episode.
        assert_eq!(t.throttled(0, 8, Instant(100), max), Some(Instant(1100)));
        for sent in 1..8 {
            assert_eq!(t.throttled(sent, 8, Instant(100 + u64::from(sent)), max), None);
        }
        assert_eq!(t.limit, 4);
        // A request sent after the episode began is throttled again: a new episode, doubled.
        assert_eq!(t.throttled(8, 9, Instant(2000), max), Some(Instant(4000)));
        assert_eq!(t.limit, 2);
        // A success of a request sent after that resets the pause.
        t.succeeded(9, 8, Duration::from_secs(1));
        assert_eq!(t.throttled(10, 11, Instant(5000), max), Some(Instant(6000)));
    }

    #[test]
    fn a_late_success_of_an_old_request_does_not_end_the_episode() {
        let max = Duration::from_secs(30);
        let mut t = Throttle::new(4, Duration::from_secs(1));
        assert!(t.throttled(5, 10, Instant(0), max).is_some());
        t.succeeded(3, 4, Duration::from_secs(1));
        assert_eq!(t.throttled(11, 12, Instant(1000), max), Some(Instant(3000)), "pause doubled");
    }
}
