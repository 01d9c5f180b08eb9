//! `--validity` and `--schedule`: a relative duration (`10m`, `2h`, `1d12h`) or an absolute time
//! (`2025-04-23T15:42:00+02:00`), written as an SMPP time (SMPP-REFERENCE §6.8).

use smpp_codec::{Field, SmppTime};

/// The SMPP time (16 characters) for `s`: a duration is written in the relative form, an
/// absolute time with its UTC offset (UTC when it gives none), and a 16-character SMPP time is
/// taken as it is.
///
/// # Errors
/// What is wrong with `s`, in words.
pub fn smpp_time(s: &str, what: &str) -> Result<String, String> {
    let s = s.trim();
    if s.len() == 16 && SmppTime::parse(s.as_bytes(), Field::ValidityPeriod).is_ok() {
        return Ok(s.to_owned());
    }
    let t = if s.starts_with(|c: char| c.is_ascii_digit()) && s.contains('-') {
        absolute(s).map_err(|e| format!("{what} {s:?}: {e}"))?
    } else {
        let secs = duration(s).map_err(|e| format!("{what} {s:?}: {e}"))?;
        let secs = u32::try_from(secs).ok().filter(|&n| n > 0);
        secs.and_then(SmppTime::relative_from_seconds)
            .ok_or_else(|| format!("{what} {s:?}: give between 1 second and 99 days"))?
    };
    let field = if what == "--schedule" { Field::ScheduleDeliveryTime } else { Field::ValidityPeriod };
    let bytes = t.format(field).map_err(|e| format!("{what} {s:?}: {e}"))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Seconds in `10m`, `2h`, `1d12h`, `90s`, `1w` (a bare number is seconds).
///
/// # Errors
/// An unknown unit or no number.
pub fn duration(s: &str) -> Result<u64, String> {
    if s.is_empty() {
        return Err("empty duration".into());
    }
    if let Ok(n) = s.parse::<u64>() {
        return Ok(n);
    }
    let mut total = 0u64;
    let mut number = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: u64 = number.parse().map_err(|_| format!("a number must come before {c:?} (as in 10m, 2h, 1d12h)"))?;
        number.clear();
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            other => return Err(format!("unknown unit {other:?}: use s, m, h, d or w")),
        };
        total = n.checked_mul(unit).and_then(|v| total.checked_add(v)).ok_or("too long")?;
    }
    if !number.is_empty() {
        return Err(format!("{number} has no unit (s, m, h, d or w)"));
    }
    Ok(total)
}

fn num(s: &str, what: &str, range: std::ops::RangeInclusive<u32>) -> Result<u32, String> {
    s.parse::<u32>().ok().filter(|n| range.contains(n)).ok_or_else(|| format!("{what} {s:?} is out of range"))
}

/// `YYYY-MM-DD[T ]hh:mm[:ss][Z|±hh:mm]`.
fn absolute(s: &str) -> Result<SmppTime, String> {
    let form = "write it as 2025-04-23T15:42[:00][Z|+02:00]";
    let (date, rest) = s.split_at(s.find(['T', ' ']).ok_or(form)?);
    let rest = rest.get(1..).unwrap_or("");
    let mut d = date.split('-');
    let (Some(y), Some(mo), Some(dd), None) = (d.next(), d.next(), d.next(), d.next()) else { return Err(form.into()) };
    let (time, offset) = match rest.find(['Z', 'z', '+', '-']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let mut t = time.split(':');
    let (Some(h), Some(mi)) = (t.next(), t.next()) else { return Err(form.into()) };
    let sec = t.next().unwrap_or("0");
    if t.next().is_some() {
        return Err(form.into());
    }
    let year = num(y, "year", 2000..=2099)?;
    let quarters: i32 = match offset {
        "" | "Z" | "z" => 0,
        o => {
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let body = o.get(1..).unwrap_or("");
            let (oh, om) = body.split_once(':').unwrap_or((body.get(..2).unwrap_or(""), body.get(2..).unwrap_or("0")));
            let minutes = num(oh, "UTC offset hours", 0..=12)? * 60 + num(om, "UTC offset minutes", 0..=59)?;
            if minutes % 15 != 0 {
                return Err("an SMPP time's UTC offset is in quarter hours".into());
            }
            sign * (minutes / 15) as i32
        }
    };
    let (second, tenths) = match sec.split_once('.') {
        Some((s, frac)) => (s, frac.get(..1).unwrap_or("0")),
        None => (sec, "0"),
    };
    Ok(SmppTime::Absolute {
        year: (year % 100) as u8,
        month: num(mo, "month", 1..=12)? as u8,
        day: num(dd, "day", 1..=31)? as u8,
        hour: num(h, "hour", 0..=23)? as u8,
        minute: num(mi, "minute", 0..=59)? as u8,
        second: num(second, "second", 0..=59)? as u8,
        tenths: num(tenths, "tenths", 0..=9)? as u8,
        utc_offset_quarters: quarters as i8,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn durations_become_relative_times() {
        assert_eq!(smpp_time("10m", "--validity").unwrap(), "000000001000000R");
        assert_eq!(smpp_time("2h", "--validity").unwrap(), "000000020000000R");
        assert_eq!(smpp_time("1d12h30s", "--validity").unwrap(), "000001120030000R");
        assert_eq!(smpp_time("90", "--validity").unwrap(), "000000000130000R");
        assert!(smpp_time("100d", "--validity").is_err());
        assert!(smpp_time("10x", "--validity").unwrap_err().contains("unknown unit"));
        assert!(smpp_time("m", "--validity").is_err());
        assert!(smpp_time("0s", "--validity").is_err());
    }

    #[test]
    fn absolute_times_keep_their_offset() {
        assert_eq!(smpp_time("2025-04-23T15:42:00Z", "--schedule").unwrap(), "250423154200000+");
        assert_eq!(smpp_time("2025-04-23 15:42+02:00", "--schedule").unwrap(), "250423154200008+");
        assert_eq!(smpp_time("2025-12-31T23:59:59.5-05:30", "--schedule").unwrap(), "251231235959522-");
        assert_eq!(smpp_time("250423154200008+", "--schedule").unwrap(), "250423154200008+");
        assert!(smpp_time("2025-13-01T00:00", "--schedule").is_err());
        assert!(smpp_time("2025-01-01T00:00+01:10", "--schedule").is_err());
    }
}
