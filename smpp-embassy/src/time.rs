//! The one place where embassy-time meets the session's clock: milliseconds since boot.

use embassy_time::{Duration as EmbassyDuration, Instant as EmbassyInstant};
use smpp_session::{Duration, Instant};

/// Now, as the session counts time.
pub(crate) fn now() -> Instant {
    Instant(EmbassyInstant::now().as_millis())
}

/// A session deadline as an embassy-time instant. Waking at it (or later) always finds
/// [`now`] at or past the deadline, so the runner never spins on a deadline it cannot act on.
// Out of line: called from the runner's loop and its writes; the u64 conversion is longer than a
// call.
#[inline(never)]
pub(crate) fn to_embassy(at: Instant) -> EmbassyInstant {
    EmbassyInstant::try_from_millis(at.0).unwrap_or(EmbassyInstant::MAX)
}

/// A session duration as an embassy-time duration.
pub(crate) fn to_embassy_duration(d: Duration) -> EmbassyDuration {
    EmbassyDuration::from_millis(d.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_trip_in_milliseconds() {
        assert_eq!(to_embassy(Instant(1500)).as_millis(), 1500);
        assert_eq!(to_embassy(Instant(u64::MAX)), EmbassyInstant::MAX);
        assert_eq!(to_embassy_duration(Duration(250)).as_millis(), 250);
    }
}
