//! What the application hands to the runner and gets back: messages, outcomes, receipts,
//! messages from handsets, the state of the link, and the runner's configuration.

use core::fmt;

use embassy_time::Duration;
use smpp_codec::pdu::MESSAGE_ID_MAX;
use smpp_codec::text::gsm7::{self, Tables};
use smpp_codec::text::segment::{Concatenation, Encoding};
use smpp_codec::text::udh::Udh;
use smpp_codec::text::{latin1, ucs2};
use smpp_codec::{Address, CommandStatus, DataCoding, EsmClass, MessageState, Npi, Ton};
use smpp_session::{Backoff, BindKind, CloseReason, CommandError, PartFailure};

/// Longest address the runner keeps: the 20 characters of submit_sm's source_addr and
/// destination_addr (21 octets with the NUL).
pub const ADDRESS_MAX: usize = 20;

/// An address kept by value (the runner cannot borrow the application's strings across tasks).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct OwnedAddress {
    /// Type of number.
    pub ton: Ton,
    /// Numbering plan.
    pub npi: Npi,
    /// Digits or alphanumeric name, at most [`ADDRESS_MAX`] octets.
    pub addr: heapless::Vec<u8, ADDRESS_MAX>,
    /// The address was longer than [`ADDRESS_MAX`] and was cut (only for addresses received).
    pub truncated: bool,
}

impl OwnedAddress {
    /// The empty address.
    pub const fn empty() -> Self {
        OwnedAddress { ton: Ton::UNKNOWN, npi: Npi::UNKNOWN, addr: heapless::Vec::new(), truncated: false }
    }

    /// A copy of `a`; `None` when it is longer than [`ADDRESS_MAX`].
    pub fn new(a: &Address<'_>) -> Option<Self> {
        let mut owned = Self::empty();
        owned.set(a).then_some(owned)
    }

    /// A copy of `a`, cut to [`ADDRESS_MAX`] octets (and flagged) when longer.
    pub fn lossy(a: &Address<'_>) -> Self {
        let mut owned = Self::empty();
        owned.set_lossy(a);
        owned
    }

    /// Becomes a copy of `a`; false (and unchanged) when `a` is longer than [`ADDRESS_MAX`].
    pub(crate) fn set(&mut self, a: &Address<'_>) -> bool {
        if a.addr.as_bytes().len() > ADDRESS_MAX {
            return false;
        }
        self.set_lossy(a);
        true
    }

    /// Becomes a copy of `a`, cut to [`ADDRESS_MAX`] octets.
    pub(crate) fn set_lossy(&mut self, a: &Address<'_>) {
        let bytes = a.addr.as_bytes();
        let n = bytes.len().min(ADDRESS_MAX);
        self.ton = a.ton;
        self.npi = a.npi;
        self.addr.clear();
        let _ = self.addr.extend_from_slice(bytes.get(..n).unwrap_or_default());
        self.truncated = n < bytes.len();
    }

    /// The address as the codec takes it.
    pub fn as_address(&self) -> Address<'_> {
        Address::new(self.ton, self.npi, &self.addr[..])
    }

    /// The address as text (`""` if it is not UTF-8).
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.addr).unwrap_or_default()
    }
}

/// A text to send. The runner splits it into as many parts as it needs (all of them must fit
/// the window at once) with the session's `submit_text`.
#[derive(Copy, Clone, Debug)]
pub struct Text<'t> {
    /// The sender: an alphanumeric name or a number.
    pub from: Address<'t>,
    /// The recipient.
    pub to: Address<'t>,
    /// The text.
    pub text: &'t str,
    /// The encoding; `None` picks GSM 03.38 when every character has a septet, else UCS-2.
    pub encoding: Option<Encoding>,
    /// How the parts of a long text are tied together. Default: an 8-bit reference UDH.
    /// With [`Concatenation::Payload`] the whole encoded text must fit 160 octets.
    pub concatenation: Concatenation,
    /// Ask the SMSC for a delivery receipt.
    pub receipt: bool,
}

impl<'t> Text<'t> {
    /// A text from `from` to `to`, with a receipt requested, the encoding chosen from the text
    /// and an 8-bit UDH for a long one.
    pub fn new(from: Address<'t>, to: Address<'t>, text: &'t str) -> Self {
        Text { from, to, text, encoding: None, concatenation: Concatenation::Udh8, receipt: true }
    }
}

/// Why a message (or one of its parts) did not reach the SMSC.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Failure {
    /// The SMSC answered with this error status (or a generic_nack with it).
    Status(CommandStatus),
    /// The SMSC's response does not decode.
    InvalidResponse,
    /// No response within the session's response timeout; the SMSC may still have it.
    Timeout,
    /// The connection ended before the response; the SMSC may have it.
    ConnectionLost,
    /// The part was never sent (an earlier part failed first).
    NotSubmitted,
    /// The session refused the request: a text it cannot encode, a message larger than the
    /// window or the transmit buffer, a bind that cannot submit. Sending it again fails again.
    Refused(CommandError),
    /// The runner stopped (unbind, or its reconnection attempts ran out) before the message was
    /// sent.
    Stopped,
}

impl Failure {
    /// Whether sending the message again later may succeed: a transient status (throttled,
    /// queue full, system error), a timeout, a lost connection. After a timeout or a lost
    /// connection the SMSC may already have the message, so a retry can duplicate it.
    pub const fn is_retryable(self) -> bool {
        match self {
            Failure::Status(s) => s.is_transient(),
            Failure::Timeout | Failure::ConnectionLost | Failure::NotSubmitted => true,
            Failure::InvalidResponse | Failure::Refused(_) | Failure::Stopped => false,
        }
    }

    pub(crate) const fn of_part(f: PartFailure) -> Self {
        match f {
            PartFailure::Status(s) => Failure::Status(s),
            PartFailure::InvalidResponse => Failure::InvalidResponse,
            PartFailure::Timeout => Failure::Timeout,
            PartFailure::ConnectionLost => Failure::ConnectionLost,
            PartFailure::NotSubmitted => Failure::NotSubmitted,
        }
    }
}

/// The message ids the SMSC gave a message's parts, packed into `N` octets, with what the
/// receipts said of each. An id that does not fit is not kept (counted in
/// [`MessageIds::dropped`]); its part's receipt then cannot be matched.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageIds<const N: usize> {
    /// Entries of `[part, state, len, id...]`; state 0xFF while no final receipt came.
    buf: heapless::Vec<u8, N>,
    dropped: u8,
}

/// Octets an entry takes before its id.
const ENTRY_HEAD: usize = 3;
/// The state byte of a part whose final receipt has not come.
const NO_RECEIPT: u8 = 0xFF;

impl<const N: usize> MessageIds<N> {
    pub(crate) const fn new() -> Self {
        MessageIds { buf: heapless::Vec::new(), dropped: 0 }
    }

    /// Keeps `id` for `part`; counts it dropped when it does not fit.
    pub(crate) fn push(&mut self, part: u8, id: &[u8]) {
        let fits = id.len() <= MESSAGE_ID_MAX && self.buf.len() + ENTRY_HEAD + id.len() <= N;
        if !fits || id.is_empty() {
            self.dropped = self.dropped.saturating_add(1);
            return;
        }
        // The length fits a u8 (MESSAGE_ID_MAX); the room was checked.
        let head = [part, NO_RECEIPT, id.len() as u8];
        if self.buf.extend_from_slice(&head).is_err() || self.buf.extend_from_slice(id).is_err() {
            self.dropped = self.dropped.saturating_add(1);
        }
    }

    /// The ids kept, with their part numbers (from 1), in the order they came.
    pub fn iter(&self) -> impl Iterator<Item = (u8, &str)> + '_ {
        self.entries().map(|(at, part, _, id)| {
            let _ = at;
            (part, core::str::from_utf8(id).unwrap_or_default())
        })
    }

    /// The id of `part` (from 1), if it was kept.
    pub fn get(&self, part: u8) -> Option<&str> {
        self.iter().find(|(p, _)| *p == part).map(|(_, id)| id)
    }

    /// Ids given by the SMSC that did not fit.
    pub const fn dropped(&self) -> u8 {
        self.dropped
    }

    /// Number of ids kept.
    pub fn len(&self) -> usize {
        self.entries().count()
    }

    /// Whether no id was kept.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// (offset, part, state, id) of each entry.
    fn entries(&self) -> impl Iterator<Item = (usize, u8, u8, &[u8])> + '_ {
        let mut at = 0;
        core::iter::from_fn(move || {
            let head = self.buf.get(at..at + ENTRY_HEAD)?;
            let (part, state, len) = (*head.first()?, *head.get(1)?, usize::from(*head.get(2)?));
            let id = self.buf.get(at + ENTRY_HEAD..at + ENTRY_HEAD + len)?;
            let here = at;
            at += ENTRY_HEAD + len;
            Some((here, part, state, id))
        })
    }

    /// The entry whose id matches `id`: byte for byte first, then by `mode`.
    pub(crate) fn find(&self, id: &[u8], mode: smpp_codec::text::receipt::IdMatch) -> Option<usize> {
        self.entries()
            .find(|(_, _, _, e)| *e == id)
            .or_else(|| self.entries().find(|(_, _, _, e)| smpp_codec::text::receipt::ids_match(e, id, mode)))
            .map(|(at, ..)| at)
    }

    /// Records the final state of the entry at `at`; false when it already had one.
    pub(crate) fn set_state(&mut self, at: usize, state: MessageState) -> bool {
        match self.buf.get_mut(at + 1) {
            Some(s) if *s == NO_RECEIPT => {
                // MessageState values are 0..=9 on the wire; anything else is kept as Unknown.
                *s = if state.raw() == NO_RECEIPT { MessageState::UNKNOWN.raw() } else { state.raw() };
                true
            }
            _ => false,
        }
    }

    /// (final receipts, delivered, first part not delivered and its state).
    pub(crate) fn receipts(&self) -> (u8, u8, Option<(u8, MessageState)>) {
        let (mut done, mut delivered, mut worst) = (0u8, 0u8, None::<(u8, MessageState)>);
        for (_, part, state, _) in self.entries() {
            if state == NO_RECEIPT {
                continue;
            }
            done = done.saturating_add(1);
            let s = MessageState::from_raw(state);
            if s == MessageState::DELIVERED {
                delivered = delivered.saturating_add(1);
            } else if worst.is_none_or(|(p, _)| part < p) {
                worst = Some((part, s));
            }
        }
        (done, delivered, worst)
    }
}

#[cfg(feature = "defmt")]
impl<const N: usize> defmt::Format for MessageIds<N> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "[");
        for (part, id) in self.iter() {
            defmt::write!(f, " {}:{=str}", part, id);
        }
        defmt::write!(f, " ]");
    }
}

/// How a message ended at the SMSC: one per message, however many parts it has.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MessageOutcome<const IDS: usize> {
    /// Parts the message was split into (0 when it was never split: refused or stopped first).
    pub parts: u8,
    /// Parts the SMSC accepted.
    pub accepted: u8,
    /// The first part that failed and how; `None` when every part was accepted.
    pub failed: Option<(u8, Failure)>,
    /// The SMSC's message id of each accepted part.
    pub ids: MessageIds<IDS>,
}

impl<const IDS: usize> MessageOutcome<IDS> {
    pub(crate) const fn new() -> Self {
        MessageOutcome { parts: 0, accepted: 0, failed: None, ids: MessageIds::new() }
    }

    /// Whether every part was accepted.
    pub fn is_accepted(&self) -> bool {
        self.failed.is_none() && self.parts > 0 && self.accepted == self.parts
    }

    /// How the message failed, if it did.
    pub fn failure(&self) -> Option<Failure> {
        self.failed.map(|(_, f)| f)
    }

    /// The id of the first part (the whole message's id when it has one part).
    pub fn message_id(&self) -> Option<&str> {
        self.ids.get(1)
    }

    // Out of line: called from several places (measured smaller on a Cortex-M).
    #[inline(never)]
    pub(crate) fn fail(&mut self, part: u8, failure: Failure) {
        if self.failed.is_none_or(|(p, _)| part < p) {
            self.failed = Some((part, failure));
        }
    }
}

/// What the delivery receipts say of a message: complete once every accepted part with a kept
/// id has a final receipt.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MessageReceipt {
    /// [`MessageState::DELIVERED`] when every part was delivered; otherwise the final state of
    /// the first part that was not (EXPIRED, UNDELIV, REJECTD...).
    pub state: MessageState,
    /// Parts with a final receipt.
    pub parts: u8,
    /// Parts delivered.
    pub delivered: u8,
    /// The receipt's `err:` code (or network error) of the first part not delivered, when it
    /// gave one.
    pub error: Option<u16>,
}

impl MessageReceipt {
    /// Whether the whole message reached the handset.
    pub fn is_delivered(&self) -> bool {
        self.state == MessageState::DELIVERED
    }
}

/// Why [`Ticket::receipt`](crate::Ticket::receipt) has no receipt to wait for.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ReceiptError {
    /// The message asked for no receipt.
    NotRequested,
    /// The SMSC did not accept the message (see its outcome).
    NotAccepted,
    /// The runner stopped; no receipt will be matched any more.
    Stopped,
}

/// A message from a handset (a deliver_sm that is not a receipt, or a data_sm), copied out of
/// the session. The user data is kept as it came (UDH included), cut to `N` octets.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MoMessage<const N: usize> {
    /// The handset.
    pub from: OwnedAddress,
    /// The address it wrote to.
    pub to: OwnedAddress,
    /// esm_class (UDHI tells whether `data` starts with a UDH).
    pub esm_class: EsmClass,
    /// data_coding.
    pub data_coding: DataCoding,
    /// The user data.
    pub data: heapless::Vec<u8, N>,
    /// The user data was longer than `N` and was cut.
    pub truncated: bool,
}

impl<const N: usize> MoMessage<N> {
    pub(crate) const fn empty() -> Self {
        MoMessage {
            from: OwnedAddress::empty(),
            to: OwnedAddress::empty(),
            esm_class: EsmClass(0),
            data_coding: DataCoding(0),
            data: heapless::Vec::new(),
            truncated: false,
        }
    }

    /// The user data header, when esm_class says there is one and it reads.
    pub fn udh(&self) -> Option<Udh> {
        match self.esm_class.udhi() {
            true => Udh::split(&self.data).ok().map(|(u, _)| u),
            false => None,
        }
    }

    /// The user data after the UDH.
    pub fn payload(&self) -> &[u8] {
        match self.esm_class.udhi() {
            true => Udh::split(&self.data).map_or(&self.data[..], |(_, rest)| rest),
            false => &self.data,
        }
    }

    /// The text, decoded by data_coding: GSM 03.38 (with the UDH's national tables), IA5,
    /// Latin-1 or UCS-2; what does not decode becomes U+FFFD; 8-bit data gives no characters.
    pub fn chars(&self) -> impl Iterator<Item = char> + '_ {
        let payload = self.payload();
        let tables = self.udh().map_or(Tables::DEFAULT, |u| u.tables());
        let dc = self.data_coding.0;
        let gsm = matches!(dc, 0x00 | 0xF0..=0xF3).then(|| gsm7::decode(payload, tables));
        let ascii =
            (dc == 0x01).then(|| payload.iter().map(|&b| if b.is_ascii() { char::from(b) } else { '\u{FFFD}' }));
        let latin = (dc == 0x03).then(|| latin1::decode(payload));
        let wide = (dc == 0x08).then(|| ucs2::decode(payload).map(|c| c.unwrap_or('\u{FFFD}')));
        gsm.into_iter()
            .flatten()
            .chain(ascii.into_iter().flatten())
            .chain(latin.into_iter().flatten())
            .chain(wide.into_iter().flatten())
    }
}

/// Where the link stands.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum LinkState {
    /// Not connected: before the first attempt, and between attempts (after the back-off's
    /// pause the next one starts).
    Disconnected,
    /// Connecting (or resolving the SMSC's name).
    Connecting,
    /// Connected; bind sent.
    Binding,
    /// Bound: messages go out.
    Bound(BindKind),
    /// The runner has stopped (unbind, attempts exhausted, or its future was dropped).
    Stopped,
}

/// The link's state and what happened to it so far.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LinkStatus {
    /// Where the link stands.
    pub state: LinkState,
    /// Successful binds so far.
    pub binds: u32,
    /// Connection attempts that did not end bound (refused, timed out, bind failed).
    pub failed_attempts: u32,
    /// Messages in flight when a connection ended (their outcome says
    /// [`Failure::ConnectionLost`]), over the runner's life.
    pub lost: u32,
    /// Messages lost with the last connection that ended.
    pub lost_last: u16,
    /// Why the last session closed.
    pub last_close: Option<CloseReason>,
}

impl LinkStatus {
    pub(crate) const fn new() -> Self {
        LinkStatus {
            state: LinkState::Disconnected,
            binds: 0,
            failed_attempts: 0,
            lost: 0,
            lost_last: 0,
            last_close: None,
        }
    }
}

/// When [`Client::send_text`](crate::Client::send_text) submits a message again.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Resubmit {
    /// Times a message is submitted again after a retryable failure ([`Failure::is_retryable`]:
    /// lost with the connection, timed out, a transient status). 0 never resubmits. A message
    /// lost or timed out may already be at the SMSC: resubmitting can deliver it twice, which an
    /// alarm prefers to not delivering it.
    pub attempts: u8,
    /// Pause before submitting again after a transient status or a timeout (a lost message waits
    /// for the next bind instead).
    pub pause: Duration,
}

impl Default for Resubmit {
    fn default() -> Self {
        Resubmit { attempts: 2, pause: Duration::from_secs(1) }
    }
}

/// How the runner connects, binds and recovers.
#[derive(Copy, Clone)]
pub struct Config<'a> {
    /// The account (system_id), at most 15 characters.
    pub system_id: &'a str,
    /// Its password, at most 8 characters. Never logged.
    pub password: &'a str,
    /// system_type, usually empty.
    pub system_type: &'a str,
    /// The bind. Default: transceiver (the receipts come on the same connection).
    pub bind: BindKind,
    /// The session's timers, keepalive, window and throttling. The runner acknowledges
    /// messages and receipts itself (it answers a message with ESME_RX_T_APPN, "try later",
    /// while the application's queue is full), whatever `ack_mode` says.
    pub session: smpp_session::Config,
    /// How long connecting may take (name resolution included).
    pub connect_timeout: Duration,
    /// Pauses between connection attempts; reset after each successful bind. With an attempt
    /// limit, [`Runner::run`](crate::Runner::run) returns an error once it is reached.
    pub backoff: Backoff,
    /// What [`Client::send_text`](crate::Client::send_text) does with a message lost or
    /// refused for a transient reason.
    pub resubmit: Resubmit,
    /// Seed of the back-off's jitter: something that differs between devices (a serial
    /// number, a hardware random number), so that a fleet does not reconnect in step.
    pub seed: u32,
}

impl<'a> Config<'a> {
    /// A transceiver bind with `system_id` and `password`; the session's defaults (enquire_link
    /// after 30 s of silence, 30 s response timeout); connect timeout 10 s; back-off from 1 s to
    /// 60 s, never giving up; two resubmissions.
    pub fn new(system_id: &'a str, password: &'a str) -> Self {
        Config {
            system_id,
            password,
            system_type: "",
            bind: BindKind::Transceiver,
            session: smpp_session::Config::default(),
            connect_timeout: Duration::from_secs(10),
            backoff: Backoff::new(smpp_session::Duration::from_secs(1), smpp_session::Duration::from_secs(60), None),
            resubmit: Resubmit::default(),
            seed: 0x5EED_5EED,
        }
    }
}

impl fmt::Debug for Config<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("system_id", &self.system_id)
            .field("password", &"<redacted>")
            .field("system_type", &self.system_type)
            .field("bind", &self.bind)
            .field("session", &self.session)
            .field("connect_timeout", &self.connect_timeout)
            .field("backoff", &self.backoff)
            .field("resubmit", &self.resubmit)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Config<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "Config {{ system_id: {=str}, password: <redacted>, bind: {}, session: {}, backoff: {}, resubmit: {} }}",
            self.system_id,
            self.bind,
            self.session,
            self.backoff,
            self.resubmit
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smpp_codec::text::receipt::IdMatch;

    #[test]
    fn ids_pack_find_and_record_receipts() {
        let mut ids: MessageIds<24> = MessageIds::new();
        ids.push(1, b"68090a534e551");
        ids.push(2, b"abc");
        ids.push(3, b"too-long-for-what-is-left");
        assert_eq!(ids.len(), 2);
        assert_eq!(ids.dropped(), 1);
        assert_eq!(ids.get(2), Some("abc"));
        let at = ids.find(b"ABC", IdMatch::CaseInsensitive).unwrap();
        assert!(ids.set_state(at, MessageState::UNDELIVERABLE));
        assert!(!ids.set_state(at, MessageState::DELIVERED), "a part's final state is kept once");
        let first = ids.find(b"68090a534e551", IdMatch::Exact).unwrap();
        assert!(ids.set_state(first, MessageState::DELIVERED));
        assert_eq!(ids.receipts(), (2, 1, Some((2, MessageState::UNDELIVERABLE))));
    }

    #[test]
    fn mo_text_decodes_by_data_coding_after_the_udh() {
        let mut m = MoMessage::<32> {
            from: OwnedAddress::lossy(&Address::international("34600000000")),
            to: OwnedAddress::default(),
            esm_class: EsmClass(0).with_udhi(true),
            data_coding: DataCoding(8),
            data: heapless::Vec::from_slice(&[5, 0, 3, 1, 2, 1, 0, b'H', 0xD8, 0x3D, 0xDE, 0x00]).unwrap(),
            truncated: false,
        };
        assert!(m.chars().eq("H\u{1F600}".chars()));
        m.esm_class = EsmClass(0);
        m.data_coding = DataCoding(0);
        m.data = heapless::Vec::from_slice(b"ARM 1").unwrap();
        assert!(m.chars().eq("ARM 1".chars()));
    }

    #[test]
    fn the_password_is_never_printed() {
        use std::format;
        let c = Config::new("panel", "s3cret");
        let shown = format!("{c:?}");
        assert!(shown.contains("panel") && !shown.contains("s3cret"), "{shown}");
    }
}
