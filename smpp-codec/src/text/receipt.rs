//! Delivery receipts (SMPP-REFERENCE §7): the text of a receipt, merged with its TLVs, and
//! message-id comparison across the forms SMSCs use.
//!
//! The text parser is zero-copy and tolerant: labels are found anywhere and in any order, case
//! does not matter, `_` and a space in a label are the same, unknown `key:` tokens are ignored,
//! dates of 10, 12 or 14 digits are read, and an unknown `stat` is kept as it came.

use crate::{COctetStr, MessageState, NetworkErrorCode};

/// A date in a receipt, in the SMSC's local time (no time zone is given).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ReceiptDate {
    /// Four-digit year (two-digit years are 20xx).
    pub year: u16,
    /// 1–12.
    pub month: u8,
    /// 1–31.
    pub day: u8,
    /// 0–23.
    pub hour: u8,
    /// 0–59.
    pub minute: u8,
    /// 0–59, when the date carries seconds (12 or 14 digits).
    pub second: Option<u8>,
}

impl ReceiptDate {
    /// Reads `YYMMDDhhmm`, `YYMMDDhhmmss` or `YYYYMMDDhhmmss`.
    pub fn parse(digits: &[u8]) -> Option<ReceiptDate> {
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let n = |i: usize, len: usize| -> Option<u16> {
            digits
                .get(i..i + len)?
                .iter()
                .try_fold(0u16, |acc, d| acc.checked_mul(10)?.checked_add(u16::from(d - b'0')))
        };
        let (year, at) = match digits.len() {
            10 | 12 => (2000 + n(0, 2)?, 2),
            14 => (n(0, 4)?, 4),
            _ => return None,
        };
        let date = ReceiptDate {
            year,
            month: n(at, 2)? as u8,
            day: n(at + 2, 2)? as u8,
            hour: n(at + 4, 2)? as u8,
            minute: n(at + 6, 2)? as u8,
            second: if digits.len() > 10 { Some(n(at + 8, 2)? as u8) } else { None },
        };
        let ok = (1..=12).contains(&date.month)
            && (1..=31).contains(&date.day)
            && date.hour <= 23
            && date.minute <= 59
            && date.second.is_none_or(|s| s <= 59);
        ok.then_some(date)
    }
}

/// The `stat` of a receipt.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Stat<'a> {
    /// The text as it came (e.g. `DELIVRD`, `delivrd`, `ACKED`).
    pub raw: &'a [u8],
}

impl Stat<'_> {
    /// The message state the text names; unknown texts (ACKED, BUFFRED, FAILED, ...) map to
    /// `UNKNOWN`, except the buffered ones, which are `ENROUTE` (as Kannel treats them).
    pub fn state(&self) -> MessageState {
        const NAMES: [(&[u8], MessageState); 11] = [
            (b"DELIVRD", MessageState::DELIVERED),
            (b"EXPIRED", MessageState::EXPIRED),
            (b"DELETED", MessageState::DELETED),
            (b"UNDELIV", MessageState::UNDELIVERABLE),
            (b"ACCEPTD", MessageState::ACCEPTED),
            (b"UNKNOWN", MessageState::UNKNOWN),
            (b"REJECTD", MessageState::REJECTED),
            (b"ENROUTE", MessageState::ENROUTE),
            (b"ACKED", MessageState::ENROUTE),
            (b"BUFFRED", MessageState::ENROUTE),
            (b"BUFFERD", MessageState::ENROUTE),
        ];
        NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(self.raw)).map_or(MessageState::UNKNOWN, |(_, s)| *s)
    }
}

/// A date field of a receipt's text as it came; it is read only when asked, so that a program
/// that needs only the id and the state does not carry the date reader.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ReceiptDateText<'a> {
    /// The digits as written.
    pub raw: &'a [u8],
}

impl ReceiptDateText<'_> {
    /// The date, when it is one of the forms [`ReceiptDate::parse`] reads.
    pub fn date(&self) -> Option<ReceiptDate> {
        ReceiptDate::parse(self.raw)
    }
}

/// The fields of a receipt's text. Every field but `id` and `stat` is optional.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ReceiptText<'a> {
    /// The SMSC's message id as written (hex, decimal, or anything).
    pub id: Option<COctetStr<'a>>,
    /// Messages submitted.
    pub sub: Option<u32>,
    /// Messages delivered.
    pub dlvrd: Option<u32>,
    /// Submission time, as written (read it with [`ReceiptDateText::date`]).
    pub submit_date: Option<ReceiptDateText<'a>>,
    /// Time the final state was reached, as written.
    pub done_date: Option<ReceiptDateText<'a>>,
    /// The state.
    pub stat: Option<Stat<'a>>,
    /// Network or SMSC error code, as a string (may be non-numeric).
    pub err: Option<&'a [u8]>,
    /// The start of the original text (everything after `text:`).
    pub text: Option<&'a [u8]>,
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum Key {
    Id,
    Sub,
    Dlvrd,
    SubmitDate,
    DoneDate,
    Stat,
    Err,
    Text,
}

const KEYS: [(&[u8], Key); 8] = [
    (b"id:", Key::Id),
    (b"sub:", Key::Sub),
    (b"dlvrd:", Key::Dlvrd),
    (b"submit date:", Key::SubmitDate),
    (b"done date:", Key::DoneDate),
    (b"stat:", Key::Stat),
    (b"err:", Key::Err),
    (b"text:", Key::Text),
];

/// Whether `label` starts `s`, ignoring case and treating `_` as a space.
fn label_at(s: &[u8], label: &[u8]) -> bool {
    s.len() >= label.len() && s.iter().zip(label).all(|(&a, &b)| a.eq_ignore_ascii_case(&b) || (a == b'_' && b == b' '))
}

fn number(v: &[u8]) -> Option<u32> {
    if v.is_empty() || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    v.iter().try_fold(0u32, |acc, d| acc.checked_mul(10)?.checked_add(u32::from(d - b'0')))
}

impl<'a> ReceiptText<'a> {
    /// Parses a receipt text. Returns `None` unless at least an id or a stat is found.
    ///
    /// # Example
    /// ```
    /// use smpp_codec::text::receipt::ReceiptText;
    /// use smpp_codec::MessageState;
    /// let r = ReceiptText::parse(b"id:68090a534e551 submit date:2504231542 done date:2504231543 stat:DELIVRD err:000").unwrap();
    /// assert_eq!(r.id.unwrap(), "68090a534e551");
    /// assert_eq!(r.stat.unwrap().state(), MessageState::DELIVERED);
    /// assert_eq!(r.done_date.unwrap().date().unwrap().minute, 43);
    /// ```
    pub fn parse(text: &'a [u8]) -> Option<ReceiptText<'a>> {
        let mut r = ReceiptText::default();
        let mut i = 0;
        while i < text.len() {
            let at_word = i == 0 || text.get(i - 1) == Some(&b' ');
            let rest = text.get(i..).unwrap_or(&[]);
            let found = if at_word { KEYS.iter().find(|(l, _)| label_at(rest, l)) } else { None };
            let Some((label, key)) = found else {
                i += 1;
                continue;
            };
            let value_start = i + label.len();
            let after = text.get(value_start..).unwrap_or(&[]);
            if *key == Key::Text {
                r.text = Some(after);
                break;
            }
            // Other values run to the next space (dates and ids have none).
            let end = after.iter().position(|&b| b == b' ').unwrap_or(after.len());
            let value = after.get(..end).unwrap_or(&[]);
            match key {
                Key::Id => r.id = Some(COctetStr::new(value)),
                Key::Sub => r.sub = number(value),
                Key::Dlvrd => r.dlvrd = number(value),
                Key::SubmitDate => r.submit_date = Some(ReceiptDateText { raw: value }),
                Key::DoneDate => r.done_date = Some(ReceiptDateText { raw: value }),
                Key::Stat => r.stat = Some(Stat { raw: value }),
                Key::Err => r.err = Some(value),
                Key::Text => {}
            }
            i = value_start + end;
        }
        (r.id.is_some() || r.stat.is_some()).then_some(r)
    }
}

/// A receipt from its text and its TLVs together; the TLV wins where both are present.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DeliveryReceipt<'a> {
    /// The receipted message's id (receipted_message_id, else the text's id).
    pub message_id: Option<COctetStr<'a>>,
    /// Its state (message_state, else the text's stat; `UNKNOWN` when neither says).
    pub state: MessageState,
    /// The network error (network_error_code TLV).
    pub network_error: Option<NetworkErrorCode>,
    /// What the text said, if it parsed.
    pub text: Option<ReceiptText<'a>>,
}

impl<'a> DeliveryReceipt<'a> {
    /// Merges the receipt's text (short_message or message_payload) with the values of its
    /// receipted_message_id, message_state and network_error_code TLVs. Returns `None` when
    /// neither carries an id or a state.
    ///
    /// # Example
    /// ```
    /// use smpp_codec::text::receipt::DeliveryReceipt;
    /// use smpp_codec::{COctetStr, MessageState};
    /// let r = DeliveryReceipt::merge(b"id:1 stat:UNDELIV err:001", Some("abc".into()), Some(MessageState::DELIVERED), None)
    ///     .unwrap();
    /// assert_eq!(r.message_id.unwrap(), "abc"); // the TLV wins
    /// assert_eq!(r.state, MessageState::DELIVERED);
    /// assert_eq!(r.text.unwrap().err, Some(&b"001"[..]));
    /// ```
    pub fn merge(
        text: &'a [u8],
        receipted_message_id: Option<COctetStr<'a>>,
        message_state: Option<MessageState>,
        network_error_code: Option<NetworkErrorCode>,
    ) -> Option<DeliveryReceipt<'a>> {
        let parsed = ReceiptText::parse(text);
        let message_id = receipted_message_id.or_else(|| parsed.and_then(|p| p.id));
        let state = message_state.or_else(|| parsed.and_then(|p| p.stat).map(|s| s.state()));
        if message_id.is_none() && state.is_none() {
            return None;
        }
        Some(DeliveryReceipt {
            message_id,
            state: state.unwrap_or(MessageState::UNKNOWN),
            network_error: network_error_code,
            text: parsed,
        })
    }

    /// The receipt of a deliver_sm or data_sm body (TLVs and text). A TLV whose value cannot be
    /// read is ignored, and the text is used instead.
    pub fn from_sm(sm: &crate::pdu::Sm<'a>) -> Option<DeliveryReceipt<'a>> {
        let id = sm.tlvs.receipted_message_id().ok().flatten();
        let state = sm.tlvs.message_state().ok().flatten();
        let err = sm.tlvs.network_error_code().ok().flatten();
        DeliveryReceipt::merge(sm.message(), id, state, err)
    }
}

/// How message ids from submit_sm_resp and from receipts are compared.
///
/// The default is [`IdMatch::CaseInsensitive`]: exact, then ignoring ASCII case. Reading ids as
/// numbers is a setting to choose for an SMSC known to write the two ids in different forms
/// (hexadecimal in submit_sm_resp, decimal in the receipt, or zero-padded), because it makes
/// distinct ids equal: read in both bases, "64" (hexadecimal 0x64) and "100" name the same
/// message, so a late receipt for an old message "64" would be taken for a new message "100".
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum IdMatch {
    /// Byte for byte.
    Exact,
    /// Exact, then ignoring ASCII case (hexadecimal ids are written in either case).
    #[default]
    CaseInsensitive,
    /// Exact, then ignoring case, then as numbers (leading zeros ignored) with each side read
    /// in its base: `submit` for the submit_sm_resp id, `receipt` for the receipt's. Choose the
    /// bases the SMSC uses; [`Base::Auto`] on either side makes ids of different numbers match
    /// (see the type's documentation).
    Numeric {
        /// Base of the ids in submit_sm_resp.
        submit: Base,
        /// Base of the ids in receipts.
        receipt: Base,
    },
}

/// The base of a numeric id.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Base {
    /// Hexadecimal.
    Hex,
    /// Decimal.
    Decimal,
    /// Either: the id is read in decimal when every digit is decimal, and in hexadecimal as
    /// well, and matches when either reading does.
    Auto,
}

fn value(id: &[u8], radix: u32) -> Option<u128> {
    let digits = id.iter().skip_while(|&&b| b == b'0');
    let mut v: u128 = 0;
    let mut any = false;
    for &b in digits {
        let d = char::from(b).to_digit(radix)?;
        v = v.checked_mul(u128::from(radix))?.checked_add(u128::from(d))?;
        any = true;
    }
    if any || !id.is_empty() { Some(v) } else { None }
}

fn values(id: &[u8], base: Base) -> [Option<u128>; 2] {
    match base {
        Base::Hex => [value(id, 16), None],
        Base::Decimal => [value(id, 10), None],
        Base::Auto => [value(id, 10), value(id, 16)],
    }
}

/// Whether `submitted` (from submit_sm_resp) and `receipted` (from a receipt) name the same
/// message under `mode`.
///
/// # Example
/// ```
/// use smpp_codec::text::receipt::{ids_match, Base, IdMatch};
/// assert!(ids_match(b"68090A534E551", b"68090a534e551", IdMatch::default()));
/// assert!(!ids_match(b"68090A534E551", b"68090a534e551", IdMatch::Exact));
/// // An SMSC that answers in hexadecimal and writes receipts in decimal:
/// let hex_then_decimal = IdMatch::Numeric { submit: Base::Hex, receipt: Base::Decimal };
/// assert!(ids_match(b"0000000012345678", b"305419896", hex_then_decimal)); // 0x12345678
/// assert!(!ids_match(b"0000000012345678", b"305419896", IdMatch::default()));
/// ```
pub fn ids_match(submitted: &[u8], receipted: &[u8], mode: IdMatch) -> bool {
    if submitted == receipted {
        return true;
    }
    match mode {
        IdMatch::Exact => false,
        IdMatch::CaseInsensitive => submitted.eq_ignore_ascii_case(receipted),
        IdMatch::Numeric { submit, receipt } => {
            if submitted.eq_ignore_ascii_case(receipted) {
                return true;
            }
            let a = values(submitted, submit);
            let b = values(receipted, receipt);
            a.iter().flatten().any(|x| b.iter().flatten().any(|y| x == y))
        }
    }
}

/// A message id reduced to 32 octets for matching under an [`IdMatch`], so that a table of ids
/// awaiting receipts need not keep up to 64 octets of text for each.
///
/// Two prints match as their ids would under [`ids_match`], except that distinct ids collide
/// with a probability of about 2⁻⁶⁴ per comparison (64-bit FNV-1a of the id, of the id in
/// ASCII lower case and of each numeric reading). FNV is not collision-resistant against ids
/// chosen to collide; only the SMSC chooses ids, and it could mislabel receipts anyway.
///
/// # Example
/// ```
/// use smpp_codec::text::receipt::{Base, IdMatch, IdPrint};
/// let mode = IdMatch::default();
/// let sent = IdPrint::submitted(b"68090A534E551", mode);
/// assert!(sent.matches(&IdPrint::receipted(b"68090a534e551", mode), mode));
/// assert!(!sent.is_exact(&IdPrint::receipted(b"68090a534e551", mode)));
/// let hex_then_decimal = IdMatch::Numeric { submit: Base::Hex, receipt: Base::Decimal };
/// let sent = IdPrint::submitted(b"0000000012345678", hex_then_decimal);
/// assert!(sent.matches(&IdPrint::receipted(b"305419896", hex_then_decimal), hex_then_decimal));
/// ```
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IdPrint {
    exact: u64,
    folded: u64,
    /// The numeric readings (only under [`IdMatch::Numeric`]); 0 for none (a reading that
    /// hashes to 0 is kept as 1).
    numbers: [u64; 2],
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(FNV_PRIME)
}

impl IdPrint {
    /// The print of an id from a submit_sm_resp (or data_sm_resp, submit_multi_resp).
    pub fn submitted(id: &[u8], mode: IdMatch) -> IdPrint {
        Self::new(id, mode, |m| m.0)
    }

    /// The print of an id from a delivery receipt.
    pub fn receipted(id: &[u8], mode: IdMatch) -> IdPrint {
        Self::new(id, mode, |m| m.1)
    }

    fn new(id: &[u8], mode: IdMatch, side: fn((Base, Base)) -> Base) -> IdPrint {
        let (mut exact, mut folded) = (FNV_OFFSET, FNV_OFFSET);
        for &b in id {
            exact = fnv(exact, b);
            folded = fnv(folded, b.to_ascii_lowercase());
        }
        let mut numbers = [0; 2];
        if let IdMatch::Numeric { submit, receipt } = mode {
            for (slot, v) in numbers.iter_mut().zip(values(id, side((submit, receipt)))) {
                if let Some(v) = v {
                    // Two 64-bit FNV rounds, one per half: one-to-one below 2⁶⁴ (as FNV's
                    // multiplier is odd), but for a hash of 0, kept as 1.
                    let h = (FNV_OFFSET ^ v as u64).wrapping_mul(FNV_PRIME);
                    *slot = ((h ^ (v >> 64) as u64).wrapping_mul(FNV_PRIME)).max(1);
                }
            }
        }
        IdPrint { exact, folded, numbers }
    }

    /// Whether the two ids are the same octets.
    pub fn is_exact(&self, other: &IdPrint) -> bool {
        self.exact == other.exact
    }

    /// Whether this print (of a submitted id) and `receipted` name the same message under
    /// `mode`, as [`ids_match`] says of the ids. Both prints must have been made with `mode`.
    pub fn matches(&self, receipted: &IdPrint, mode: IdMatch) -> bool {
        if self.is_exact(receipted) {
            return true;
        }
        match mode {
            IdMatch::Exact => false,
            IdMatch::CaseInsensitive => self.folded == receipted.folded,
            IdMatch::Numeric { .. } => {
                self.folded == receipted.folded || self.readings().any(|a| receipted.readings().any(|b| a == b))
            }
        }
    }

    fn readings(&self) -> impl Iterator<Item = u64> + '_ {
        self.numbers.iter().copied().filter(|&v| v != 0)
    }
}
