//! What the panel is told at build time. Every value can be set through the environment when
//! building (`ALARM_SMSC=smpp.example.com ALARM_TO=34600000001,34600000002 cargo build --release`)
//! or edited here.
#![cfg_attr(not(feature = "smpp"), allow(dead_code))]

use embassy_time::Duration;

/// `value`, or `default` when the variable was not set at build time.
const fn or(value: Option<&'static str>, default: &'static str) -> &'static str {
    match value {
        Some(v) => v,
        None => default,
    }
}

/// The decimal port in `s`; `default` when it is not one.
const fn port(s: Option<&'static str>, default: u16) -> u16 {
    let Some(s) = s else { return default };
    let digits = s.as_bytes();
    if digits.is_empty() || digits.len() > 5 {
        return default;
    }
    let mut value: u32 = 0;
    let mut i = 0;
    while i < digits.len() {
        let d = digits[i];
        if !d.is_ascii_digit() {
            return default;
        }
        value = value * 10 + (d - b'0') as u32;
        i += 1;
    }
    if value == 0 || value > 65_535 { default } else { value as u16 }
}

/// The SMSC: a name (resolved through the DHCP server's DNS) or an IPv4 address. For a first
/// test, the address of a computer on the same network running `smpp sim`.
pub const SMSC_HOST: &str = or(option_env!("ALARM_SMSC"), "192.168.1.10");
/// The SMSC's port (2775 is SMPP's and LabsMobile's).
pub const SMSC_PORT: u16 = port(option_env!("ALARM_SMSC_PORT"), 2775);
/// The SMPP account.
pub const SYSTEM_ID: &str = or(option_env!("ALARM_SYSTEM_ID"), "panel01");
/// Its password (never logged).
pub const PASSWORD: &str = or(option_env!("ALARM_PASSWORD"), "secret");
/// The sender the recipients see (alphanumeric, at most 11 characters).
pub const SENDER: &str = or(option_env!("ALARM_SENDER"), "Alarm");
/// Who gets the alarm: international numbers without '+', separated by commas, at most
/// [`RECIPIENTS_MAX`].
pub const RECIPIENTS: &str = or(option_env!("ALARM_TO"), "34600000001,34600000002,34600000003");
/// The most recipients the panel notifies at once.
pub const RECIPIENTS_MAX: usize = 4;
/// [`RECIPIENTS`] cut at its commas, without the blanks around each number, then `""`s. Split
/// at build time: a list longer than [`RECIPIENTS_MAX`] does not build.
pub const RECIPIENT_LIST: [&str; RECIPIENTS_MAX] = split_list(RECIPIENTS);

const fn split_list(list: &'static str) -> [&'static str; RECIPIENTS_MAX] {
    let mut out = [""; RECIPIENTS_MAX];
    let mut n = 0;
    let mut rest = list.as_bytes();
    while !rest.is_empty() {
        let mut end = 0;
        while end < rest.len() && rest[end] != b',' {
            end += 1;
        }
        let (item, tail) = rest.split_at(end);
        rest = match tail {
            [_, after @ ..] => after,
            [] => tail,
        };
        let item = trim(item);
        if !item.is_empty() {
            assert!(n < RECIPIENTS_MAX, "ALARM_TO lists more numbers than RECIPIENTS_MAX");
            out[n] = match core::str::from_utf8(item) {
                Ok(number) => number,
                Err(_) => panic!("ALARM_TO is not UTF-8"),
            };
            n += 1;
        }
    }
    out
}

// The splitting, checked when building.
const _: () = {
    let list = split_list(" 1 ,\t22,, 333 ");
    assert!(same(list[0], "1") && same(list[1], "22") && same(list[2], "333") && same(list[3], ""));
};

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn trim(mut bytes: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = bytes {
        if !first.is_ascii_whitespace() {
            break;
        }
        bytes = rest;
    }
    while let [rest @ .., last] = bytes {
        if !last.is_ascii_whitespace() {
            break;
        }
        bytes = rest;
    }
    bytes
}
/// The alarm's text: one SMS, so at most 160 GSM characters (70 with a character outside GSM
/// 03.38); the session's transmit buffer is sized for one part.
pub const ALARM_TEXT: &str = or(option_env!("ALARM_TEXT"), "ALARM panel 01: zone 1 (front door) triggered");

/// How long the panel waits for the delivery receipts before it sends the alarm again to those
/// without one.
pub const RECEIPT_WAIT: Duration = Duration::from_secs(120);
/// Pauses between rounds for the recipients without a delivery: from the first to the longest,
/// and how many rounds in all after the first.
pub const RETRY_FIRST_MS: u64 = 30_000;
pub const RETRY_MAX_MS: u64 = 600_000;
pub const RETRY_ATTEMPTS: u32 = 6;

/// The board's MAC address: locally administered, the rest from the chip's unique id.
pub fn mac_address() -> [u8; 6] {
    let uid = embassy_stm32::uid::uid();
    let mut mac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x00];
    for (i, b) in uid.iter().enumerate() {
        mac[1 + i % 5] ^= b;
    }
    mac
}
