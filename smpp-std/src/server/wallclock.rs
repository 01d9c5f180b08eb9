//! Calendar time for what the server writes (receipt dates, final_date) and reads (absolute
//! validity_period and schedule_delivery_time), beside the monotonic clock its sessions run on.
//!
//! Everything the server writes is in UTC. An absolute SMPP time is turned into UTC with its
//! quarter-hour offset; a relative one is counted from the moment the PDU arrived.

use std::time::{SystemTime, UNIX_EPOCH};

use smpp_codec::SmppTime;
use smpp_session::Instant;

use crate::clock::Clock;

/// The server's clocks: monotonic milliseconds for timers, and the Unix time they started at.
#[derive(Copy, Clone, Debug)]
pub(crate) struct WallClock {
    mono: Clock,
    start_unix_ms: i64,
}

impl WallClock {
    pub(crate) fn new() -> Self {
        let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        WallClock { mono: Clock::new(), start_unix_ms: i64::try_from(since.as_millis()).unwrap_or(0) }
    }

    /// Now, on the monotonic clock.
    pub(crate) fn now(&self) -> Instant {
        self.mono.now()
    }

    /// The monotonic clock itself (for sleeping until a deadline).
    pub(crate) fn mono(&self) -> &Clock {
        &self.mono
    }

    /// Unix milliseconds of a monotonic instant.
    pub(crate) fn unix_ms(&self, at: Instant) -> i64 {
        self.start_unix_ms.saturating_add(i64::try_from(at.0).unwrap_or(i64::MAX))
    }

    /// The monotonic instant of a Unix time (the clock's start for times before it).
    pub(crate) fn instant_of(&self, unix_ms: i64) -> Instant {
        Instant(u64::try_from(unix_ms.saturating_sub(self.start_unix_ms)).unwrap_or(0))
    }

    /// When an SMPP time falls, given that the PDU carrying it arrived at `now`.
    pub(crate) fn resolve(&self, time: &SmppTime, now: Instant) -> Instant {
        match time.relative_seconds() {
            Some(secs) => now + smpp_session::Duration(secs.saturating_mul(1000)),
            None => self.instant_of(absolute_unix_ms(time).unwrap_or(0)),
        }
    }
}

/// A calendar date and time of day (UTC).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Civil {
    pub(crate) year: i64,
    pub(crate) month: u8,
    pub(crate) day: u8,
    pub(crate) hour: u8,
    pub(crate) minute: u8,
    pub(crate) second: u8,
    pub(crate) tenths: u8,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1–12; a day past the month's end
/// runs into the next month).
fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The UTC calendar time of Unix milliseconds.
pub(crate) fn civil(unix_ms: i64) -> Civil {
    let days = unix_ms.div_euclid(86_400_000);
    let ms = unix_ms.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        hour: (ms / 3_600_000) as u8,
        minute: (ms / 60_000 % 60) as u8,
        second: (ms / 1000 % 60) as u8,
        tenths: (ms / 100 % 10) as u8,
    }
}

/// Unix milliseconds of an absolute SMPP time (`None` for a relative one).
pub(crate) fn absolute_unix_ms(time: &SmppTime) -> Option<i64> {
    let SmppTime::Absolute { month, day, hour, minute, second, tenths, utc_offset_quarters, .. } = *time else {
        return None;
    };
    let year = i64::from(time.full_year()?);
    let local = days_from_civil(year, month, day) * 86_400_000
        + i64::from(hour) * 3_600_000
        + i64::from(minute) * 60_000
        + i64::from(second) * 1000
        + i64::from(tenths) * 100;
    // Local time ahead of UTC (+) means UTC is earlier.
    Some(local - i64::from(utc_offset_quarters) * 15 * 60_000)
}

/// `YYMMDDhhmm`, as receipt texts write their dates.
pub(crate) fn receipt_date(unix_ms: i64) -> String {
    let c = civil(unix_ms);
    format!("{:02}{:02}{:02}{:02}{:02}", c.year.rem_euclid(100), c.month, c.day, c.hour, c.minute)
}

/// The absolute SMPP time (UTC, offset 00) of Unix milliseconds: `YYMMDDhhmmsst00+`.
pub(crate) fn smpp_time(unix_ms: i64) -> String {
    let c = civil(unix_ms);
    format!(
        "{:02}{:02}{:02}{:02}{:02}{:02}{}00+",
        c.year.rem_euclid(100),
        c.month,
        c.day,
        c.hour,
        c.minute,
        c.second,
        c.tenths
    )
}

/// ISO 8601 UTC with milliseconds, for the log.
pub(crate) fn iso8601(unix_ms: i64) -> String {
    let c = civil(unix_ms);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        c.year,
        c.month,
        c.day,
        c.hour,
        c.minute,
        c.second,
        unix_ms.rem_euclid(1000)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use smpp_codec::Field;

    #[test]
    fn calendar_round_trips() {
        for days in [-800_000, -1, 0, 1, 59, 365, 10_957, 11_016, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(days_from_civil(2025, 4, 23), 20_201);
    }

    #[test]
    fn absolute_times_convert_with_their_offset() {
        // 2025-04-23 15:42:00 local at UTC+1 is 14:42:00 UTC.
        let t = SmppTime::parse(b"250423154200004+", Field::ValidityPeriod).unwrap_or_else(|e| panic!("{e}"));
        let ms = absolute_unix_ms(&t).unwrap_or_default();
        assert_eq!(iso8601(ms), "2025-04-23T14:42:00.000Z");
        let behind = SmppTime::parse(b"250423154200520-", Field::ValidityPeriod).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(iso8601(absolute_unix_ms(&behind).unwrap_or_default()), "2025-04-23T20:42:00.500Z");
        assert_eq!(receipt_date(ms), "2504231442");
        assert_eq!(smpp_time(ms + 300), "250423144200300+");
    }

    #[test]
    fn relative_times_count_from_arrival() {
        let clock = WallClock::new();
        let t = SmppTime::parse(b"000000000130000R", Field::ValidityPeriod).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(clock.resolve(&t, Instant(5_000)), Instant(95_000));
        let past = SmppTime::parse(b"010101000000000+", Field::ValidityPeriod).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(clock.resolve(&past, Instant(5_000)), Instant(0), "a time before the start is the start");
    }
}
