//! The session's time from the system's monotonic clock.

use std::time::{Duration, Instant};

/// Milliseconds since the clock was made, as the session counts time.
#[derive(Copy, Clone, Debug)]
pub struct Clock {
    start: Instant,
}

impl Clock {
    /// A clock whose epoch is now.
    pub fn new() -> Self {
        Clock { start: Instant::now() }
    }

    /// Now, in the session's terms.
    pub fn now(&self) -> smpp_session::Instant {
        smpp_session::Instant(u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX))
    }

    /// How long from now until `deadline` (rounded up to the millisecond, so that the deadline
    /// has passed when a sleep of that length ends); zero when it has passed.
    pub fn until(&self, deadline: smpp_session::Instant) -> Duration {
        let target = self.start + Duration::from_millis(deadline.0);
        target.saturating_duration_since(Instant::now()) + Duration::from_micros(999)
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

/// A session duration as a std one.
pub fn to_std(d: smpp_session::Duration) -> Duration {
    Duration::from_millis(d.0)
}

/// A std duration as a session one.
pub fn from_std(d: Duration) -> smpp_session::Duration {
    smpp_session::Duration(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
