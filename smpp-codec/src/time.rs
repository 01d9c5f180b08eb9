//! The SMPP time format `YYMMDDhhmmsstnnp` (SMPP-REFERENCE §6.8): absolute and relative.

use core::fmt;

use crate::Error;
use crate::Field;

/// Octets of a formatted time, without the NUL.
pub const TIME_LEN: usize = 16;

/// An SMPP time value, as used by schedule_delivery_time, validity_period and final_date.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SmppTime {
    /// A point in time, local to the sender, with its offset from UTC.
    Absolute {
        /// Two-digit year (00–99).
        year: u8,
        /// 1–12.
        month: u8,
        /// 1–31.
        day: u8,
        /// 0–23.
        hour: u8,
        /// 0–59.
        minute: u8,
        /// 0–59.
        second: u8,
        /// Tenths of a second, 0–9.
        tenths: u8,
        /// Offset from UTC in quarter hours, −48..=48 (negative: local time behind UTC).
        utc_offset_quarters: i8,
    },
    /// A duration from the SMSC's current time (`p = R`).
    Relative {
        /// 0–99.
        years: u8,
        /// 0–99.
        months: u8,
        /// 0–99.
        days: u8,
        /// 0–99.
        hours: u8,
        /// 0–99.
        minutes: u8,
        /// 0–99.
        seconds: u8,
    },
}

fn two(b: &[u8], at: usize, field: Field) -> Result<u8, Error> {
    match (b.get(at), b.get(at + 1)) {
        (Some(h @ b'0'..=b'9'), Some(l @ b'0'..=b'9')) => Ok((h - b'0') * 10 + (l - b'0')),
        _ => Err(Error::InvalidValue { field }),
    }
}

impl SmppTime {
    /// Parses the 16-character form (without NUL). `field` names the PDU field for errors.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] when the text is not a valid SMPP time.
    ///
    /// # Example
    /// ```
    /// use smpp_codec::{SmppTime, Field};
    /// let t = SmppTime::parse(b"000001000000000R", Field::ValidityPeriod).unwrap();
    /// assert_eq!(t.relative_seconds(), Some(86_400));
    /// ```
    pub fn parse(text: &[u8], field: Field) -> Result<SmppTime, Error> {
        let bad = Error::InvalidValue { field };
        if text.len() != TIME_LEN {
            return Err(bad);
        }
        let d = |at| two(text, at, field);
        let (yy, mo, dd, hh, mi, ss) = (d(0)?, d(2)?, d(4)?, d(6)?, d(8)?, d(10)?);
        let tenths = match text.get(12) {
            Some(t @ b'0'..=b'9') => t - b'0',
            _ => return Err(bad),
        };
        let nn = d(13)?;
        match text.get(15) {
            Some(b'R') => {
                if tenths != 0 || nn != 0 {
                    return Err(bad);
                }
                Ok(SmppTime::Relative { years: yy, months: mo, days: dd, hours: hh, minutes: mi, seconds: ss })
            }
            Some(sign @ (b'+' | b'-')) => {
                let valid =
                    (1..=12).contains(&mo) && (1..=31).contains(&dd) && hh <= 23 && mi <= 59 && ss <= 59 && nn <= 48;
                if !valid {
                    return Err(bad);
                }
                let q = nn as i8;
                Ok(SmppTime::Absolute {
                    year: yy,
                    month: mo,
                    day: dd,
                    hour: hh,
                    minute: mi,
                    second: ss,
                    tenths,
                    utc_offset_quarters: if *sign == b'-' { -q } else { q },
                })
            }
            _ => Err(bad),
        }
    }

    /// Formats into the 16-character wire form (without NUL).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] (naming `field`) when a component is out of range.
    pub fn format(&self, field: Field) -> Result<[u8; TIME_LEN], Error> {
        let bad = Error::InvalidValue { field };
        let mut out = [b'0'; TIME_LEN];
        let (parts, tenths, nn, p) = match *self {
            SmppTime::Absolute { year, month, day, hour, minute, second, tenths, utc_offset_quarters } => {
                let ok = year <= 99
                    && (1..=12).contains(&month)
                    && (1..=31).contains(&day)
                    && hour <= 23
                    && minute <= 59
                    && second <= 59
                    && tenths <= 9
                    && (-48..=48).contains(&utc_offset_quarters);
                if !ok {
                    return Err(bad);
                }
                let p = if utc_offset_quarters < 0 { b'-' } else { b'+' };
                ([year, month, day, hour, minute, second], tenths, utc_offset_quarters.unsigned_abs(), p)
            }
            SmppTime::Relative { years, months, days, hours, minutes, seconds } => {
                let parts = [years, months, days, hours, minutes, seconds];
                if parts.iter().any(|&v| v > 99) {
                    return Err(bad);
                }
                (parts, 0, 0, b'R')
            }
        };
        for (pair, v) in out.chunks_exact_mut(2).zip(parts) {
            pair.copy_from_slice(&[b'0' + v / 10, b'0' + v % 10]);
        }
        if let Some(tail) = out.get_mut(12..) {
            tail.copy_from_slice(&[b'0' + tenths, b'0' + nn / 10, b'0' + nn % 10, p]);
        }
        Ok(out)
    }

    /// For a relative time, the duration in seconds, with a month as 30 days and a year as 365
    /// days (SMSCs differ; this is the common approximation).
    pub const fn relative_seconds(&self) -> Option<u64> {
        match *self {
            SmppTime::Relative { years, months, days, hours, minutes, seconds } => Some(
                years as u64 * 365 * 86_400
                    + months as u64 * 30 * 86_400
                    + days as u64 * 86_400
                    + hours as u64 * 3_600
                    + minutes as u64 * 60
                    + seconds as u64,
            ),
            SmppTime::Absolute { .. } => None,
        }
    }

    /// A relative time from a number of seconds (days, hours, minutes and seconds only; at most
    /// 99 days and 23:59:59).
    pub const fn relative_from_seconds(total: u32) -> Option<SmppTime> {
        let days = total / 86_400;
        if days > 99 {
            return None;
        }
        let rest = total % 86_400;
        Some(SmppTime::Relative {
            years: 0,
            months: 0,
            days: days as u8,
            hours: (rest / 3_600) as u8,
            minutes: (rest % 3_600 / 60) as u8,
            seconds: (rest % 60) as u8,
        })
    }

    /// The four-digit year of an absolute time, with the 3.4 pivot (00–37 → 20xx, 38–99 → 19xx).
    pub const fn full_year(&self) -> Option<u16> {
        match *self {
            SmppTime::Absolute { year, .. } => Some(if year <= 37 { 2000 + year as u16 } else { 1900 + year as u16 }),
            SmppTime::Relative { .. } => None,
        }
    }
}

impl fmt::Display for SmppTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.format(Field::Body) {
            Ok(b) => b.iter().try_for_each(|&c| write!(f, "{}", c as char)),
            Err(_) => f.write_str("<invalid time>"),
        }
    }
}
