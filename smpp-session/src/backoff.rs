//! Reconnection policy: exponential backoff with jitter, as pure code the adapters call.

use crate::time::Duration;

/// Exponential backoff with equal jitter, a maximum delay and an optional attempt limit.
///
/// The caller supplies the randomness (a `u32` from its RNG) so the policy is deterministic and
/// testable without sleeping.
///
/// ```
/// use smpp_session::{Backoff, Duration};
/// let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(60), Some(3));
/// // With the random value at its maximum the delay is the full exponential step.
/// assert_eq!(b.next_delay(u32::MAX), Some(Duration::from_secs(1)));
/// assert_eq!(b.next_delay(u32::MAX), Some(Duration::from_secs(2)));
/// assert_eq!(b.next_delay(0), Some(Duration::from_secs(2))); // half the step at least
/// assert_eq!(b.next_delay(0), None); // attempts exhausted
/// b.reset();
/// assert_eq!(b.attempts(), 0);
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    max_attempts: Option<u32>,
    attempts: u32,
}

impl Backoff {
    /// A policy starting at `initial`, doubling up to `max`, giving up after `max_attempts`
    /// (never, with `None`).
    pub const fn new(initial: Duration, max: Duration, max_attempts: Option<u32>) -> Self {
        Backoff { initial, max, max_attempts, attempts: 0 }
    }

    /// The delay before the next attempt, or `None` when attempts are exhausted.
    ///
    /// The delay lies between half and all of `min(initial × 2^attempts, max)`, placed by
    /// `random` ("equal jitter": never hammering, never synchronised across devices).
    pub fn next_delay(&mut self, random: u32) -> Option<Duration> {
        if let Some(limit) = self.max_attempts {
            if self.attempts >= limit {
                return None;
            }
        }
        let step = self.initial.0.saturating_mul(1u64 << self.attempts.min(32)).min(self.max.0);
        self.attempts = self.attempts.saturating_add(1);
        let half = step / 2;
        let span = step - half;
        // span × random / u32::MAX without 128-bit arithmetic (a library call on a Cortex-M):
        // exact below 2^32 ms (49 days), and 2^-32 short of it beyond.
        let jitter = match u32::try_from(span) {
            Ok(s) => u64::from(s) * u64::from(random) / u64::from(u32::MAX),
            Err(_) => (span >> 32).saturating_mul(u64::from(random)),
        };
        Some(Duration(half + jitter))
    }

    /// Attempts made since the last reset.
    pub const fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Call after a successful bind.
    pub fn reset(&mut self) {
        self.attempts = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_spans_half_to_all_of_the_step_even_for_long_steps() {
        for (initial, max) in [(1_000, 60_000), (1 << 40, 1 << 41), (u64::MAX / 4, u64::MAX / 2)] {
            let mut low = Backoff::new(Duration(initial), Duration(max), None);
            let mut high = low;
            assert_eq!(low.next_delay(0), Some(Duration(initial / 2)));
            let top = high.next_delay(u32::MAX).map(|d| d.0).unwrap_or(0);
            assert!(top <= initial && top >= initial - (initial >> 31).max(1), "{initial}: {top}");
        }
    }
}
