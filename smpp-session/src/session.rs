//! The session state machine.

use smpp_codec::pdu::{Bind, BindResp, MessageIdResp};
use smpp_codec::text::receipt::{DeliveryReceipt, ids_match};
use smpp_codec::{CommandId, CommandStatus, Error as CodecError, HEADER_LEN, Header, Pdu, Tlv, Tlvs};

use crate::buffer::{RxBuf, TxBuf};
use crate::event::{BindFailure, CloseReason, Event, Handle, IncomingToken, Outcome, PartFailure, PartOf};
use crate::{AckMode, Config, Duration, Instant, Keepalive};

/// Which end of the connection this session is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Role {
    /// The application: binds, submits, receives deliveries.
    Esme,
    /// The message centre: accepts binds, receives submissions, delivers.
    Smsc,
}

/// The three bind types.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum BindKind {
    /// bind_transmitter: submit only.
    Transmitter,
    /// bind_receiver: receive only.
    Receiver,
    /// bind_transceiver: both.
    Transceiver,
}

impl BindKind {
    /// The bind request's command id.
    pub const fn command_id(self) -> CommandId {
        match self {
            BindKind::Transmitter => CommandId::BIND_TRANSMITTER,
            BindKind::Receiver => CommandId::BIND_RECEIVER,
            BindKind::Transceiver => CommandId::BIND_TRANSCEIVER,
        }
    }

    /// The bind type of a bind request or response id.
    pub const fn from_command_id(id: CommandId) -> Option<BindKind> {
        match id.raw() & !smpp_codec::RESPONSE_BIT {
            0x02 => Some(BindKind::Transmitter),
            0x01 => Some(BindKind::Receiver),
            0x09 => Some(BindKind::Transceiver),
            _ => None,
        }
    }

    /// Whether the ESME may submit on this bind.
    pub const fn can_transmit(self) -> bool {
        matches!(self, BindKind::Transmitter | BindKind::Transceiver)
    }

    /// Whether the SMSC may deliver on this bind.
    pub const fn can_receive(self) -> bool {
        matches!(self, BindKind::Receiver | BindKind::Transceiver)
    }
}

/// Where the session stands.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum State {
    /// Connected, not bound.
    Open,
    /// ESME: bind sent, waiting for bind_resp. SMSC: bind received, waiting for the
    /// application's decision.
    Binding(BindKind),
    /// Bound.
    Bound(BindKind),
    /// unbind sent, waiting for unbind_resp.
    Unbinding,
    /// Closed: flush the transmit buffer and close the connection.
    Closed,
}

/// Why a command of the application was refused. Nothing was sent; the application still holds
/// its PDU and may try again.
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CommandError {
    /// Not allowed in this state or role (for example submit before bind, or on a receiver
    /// bind).
    InvalidState,
    /// The window (possibly narrowed by throttling) is full: wait for an outcome.
    WindowFull,
    /// Submissions are paused after throttling until this instant.
    Paused {
        /// When to try again.
        until: Instant,
    },
    /// The transmit buffer is full: drain `poll_transmit` first.
    TransmitBufferFull,
    /// The PDU cannot be encoded.
    Codec(CodecError),
    /// The PDU is not a request this call accepts.
    NotARequest,
    /// The token does not name a pending request of the peer (already answered?).
    UnknownToken,
    /// The response does not answer that request.
    WrongResponse,
    /// The text cannot be encoded or split as asked.
    Text(smpp_codec::text::segment::SegmentError),
}

impl core::fmt::Display for CommandError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            CommandError::InvalidState => f.write_str("not allowed in the session's current state"),
            CommandError::WindowFull => f.write_str("window full: wait for an outstanding request to complete"),
            CommandError::Paused { until } => write!(f, "submissions paused after throttling until {} ms", until.0),
            CommandError::TransmitBufferFull => f.write_str("transmit buffer full: drain poll_transmit"),
            CommandError::Codec(e) => write!(f, "cannot encode: {e}"),
            CommandError::NotARequest => f.write_str("not a request this call accepts"),
            CommandError::UnknownToken => f.write_str("no pending peer request with that token"),
            CommandError::WrongResponse => f.write_str("that response does not answer the request"),
            CommandError::Text(e) => write!(f, "text: {e}"),
        }
    }
}

impl core::error::Error for CommandError {}

impl From<CodecError> for CommandError {
    fn from(e: CodecError) -> Self {
        CommandError::Codec(e)
    }
}

/// How [`Session::submit_text`] encodes and splits a text.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TextOptions {
    /// The encoding (see [`choose`](smpp_codec::text::segment::choose)).
    pub encoding: smpp_codec::text::segment::Encoding,
    /// How the parts are tied together.
    pub concatenation: smpp_codec::text::segment::Concatenation,
    /// The concatenation reference (the caller's counter; the low 8 bits with an 8-bit UDH).
    pub reference: u16,
}

/// A multi-part message being submitted, from [`Session::begin_message`].
#[derive(Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MessageBuilder {
    slot: u8,
    handle: Handle,
}

impl MessageBuilder {
    /// The message's handle, which its [`Event::MessageDone`] carries.
    pub const fn handle(&self) -> Handle {
        self.handle
    }
}

/// Counters for monitoring.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Counters {
    /// PDUs received.
    pub pdus_received: u32,
    /// PDUs queued for sending.
    pub pdus_sent: u32,
    /// Responses that matched no outstanding request (late, after a timeout, or bogus).
    pub unexpected_responses: u32,
    /// PDUs from the peer that did not decode.
    pub malformed: u32,
    /// Throttling responses (ESME_RTHROTTLED, ESME_RMSGQFUL).
    pub throttled: u32,
    /// Peer requests refused because every incoming slot was taken.
    pub refused_busy: u32,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Slot {
    Waiting,
    TimedOut,
    Lost,
}

#[derive(Copy, Clone, Debug)]
struct Outstanding {
    seq: u32,
    handle: Handle,
    command: CommandId,
    deadline: Instant,
    slot: Slot,
    /// The group slot and the part number, for parts of a multi-part message.
    part: Option<(u8, u8)>,
}

/// A multi-part message: its parts go through the window like any request; the group counts
/// their outcomes.
#[derive(Copy, Clone, Debug)]
struct Group {
    handle: Handle,
    total: u8,
    submitted: u8,
    completed: u8,
    accepted: u8,
    failed: Option<(u8, PartFailure)>,
    /// No more parts will be submitted (abandoned, or the session closed).
    closed: bool,
}

impl Group {
    fn is_done(&self) -> bool {
        self.completed == self.submitted && (self.submitted == self.total || self.closed)
    }

    fn record(&mut self, index: u8, result: Result<(), PartFailure>) {
        self.completed = self.completed.saturating_add(1);
        match result {
            Ok(()) => self.accepted = self.accepted.saturating_add(1),
            Err(f) => {
                if self.failed.is_none_or(|(i, _)| index < i) {
                    self.failed = Some((index, f));
                }
            }
        }
    }
}

#[derive(Copy, Clone, Debug)]
struct Incoming {
    seq: u32,
    command: CommandId,
}

/// A received frame kept in the receive buffer until its event has been polled.
#[derive(Copy, Clone, Debug)]
struct Held {
    kind: HeldKind,
    reported: bool,
}

#[derive(Copy, Clone, Debug)]
enum HeldKind {
    Bound(BindKind),
    Outcome { handle: Handle, command: CommandId, part: Option<(u8, u8)> },
    Incoming(Option<IncomingToken>),
}

/// Longest message id remembered for receipt correlation (SMPP's 65 with the NUL).
const ID_MAX: usize = 64;

/// A recently accepted submission, for matching receipts to it.
#[derive(Clone, Debug)]
struct RecentId {
    handle: Handle,
    id: heapless::Vec<u8, ID_MAX>,
}

#[derive(Copy, Clone, Debug)]
struct Throttle {
    limit: usize,
    streak: usize,
    pause: Duration,
    until: Option<Instant>,
}

/// Responses with room for a message_id fit in this much; the session keeps it free for
/// answering the peer.
const RESPONSE_RESERVE: usize = HEADER_LEN + smpp_codec::pdu::MESSAGE_ID_MAX + 16;

/// Highest sequence number (SMPP-REFERENCE §1.1).
const MAX_SEQUENCE: u32 = 0x7FFF_FFFF;

/// One SMPP connection in the ESME or the SMSC role, as a sans-IO state machine.
///
/// `W` is the window: the most application requests awaiting a response at once, and the most
/// peer requests awaiting the application's answer. The receive and transmit buffers are the
/// caller's; the receive buffer must hold the largest PDU to accept.
///
/// # The one rule
/// After every call that changes the session (`handle_*` and every command), drain the outputs:
/// `poll_transmit` until it returns 0, `poll_event` until `None`, then ask `poll_timeout` for the
/// next deadline. If `handle_input` returns less than it was given, drain and call it again with
/// the rest.
///
/// ```
/// use smpp_session::{BindKind, Config, Event, Instant, Role, Session};
/// use smpp_codec::pdu::{Bind, SubmitSm};
/// use smpp_codec::Address;
///
/// let (mut rx, mut tx) = ([0u8; 512], [0u8; 512]);
/// let mut esme: Session<'_, 4> = Session::new(Role::Esme, Config::default(), &mut rx, &mut tx, Instant(0));
/// esme.bind(Instant(0), BindKind::Transceiver, &Bind::new("user", "secret")).unwrap();
/// let mut wire = [0u8; 512];
/// let n = esme.poll_transmit(&mut wire);
/// assert_eq!(&wire[4..8], &[0, 0, 0, 9]); // bind_transceiver
///
/// // The SMSC answers bind_transceiver_resp OK (seq 1, system_id "SMSC").
/// let resp = [0, 0, 0, 21, 0x80, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 1, b'S', b'M', b'S', b'C', 0];
/// assert_eq!(esme.handle_input(Instant(5), &resp), resp.len());
/// assert!(matches!(esme.poll_event(), Some(Event::Bound { .. })));
///
/// let sm = SubmitSm::new(Address::alphanumeric("Test"), Address::international("447700900123"), b"Hi");
/// let handle = esme.submit(Instant(6), &sm).unwrap();
/// assert!(esme.poll_transmit(&mut wire) > 0);
/// assert_eq!(esme.outstanding(), 1);
/// # let _ = (n, handle);
/// ```
#[derive(Debug)]
pub struct Session<'b, const W: usize> {
    role: Role,
    config: Config,
    state: State,
    rx: RxBuf<'b>,
    tx: TxBuf<'b>,
    held: Option<Held>,
    next_seq: u32,
    next_handle: u32,
    window: [Option<Outstanding>; W],
    groups: [Option<Group>; W],
    incoming: [Option<Incoming>; W],
    recent: [Option<RecentId>; W],
    recent_next: usize,
    /// Window slots timed out or lost and not reported yet (saves scanning the window).
    unreported: usize,
    /// Whether a group may have become done since the last scan.
    groups_dirty: bool,
    bind: Option<(u32, Instant)>,
    unbind: Option<(u32, Instant)>,
    keepalive: Option<(u32, Instant)>,
    last_rx: Instant,
    last_tx: Instant,
    last_enquire: Instant,
    opened: Instant,
    throttle: Throttle,
    bind_failure: Option<BindFailure>,
    closed: Option<(CloseReason, bool)>,
    throttled_notice: Option<Instant>,
    counters: Counters,
}

impl<'b, const W: usize> Session<'b, W> {
    /// A session for a connection that has just opened at `now`.
    ///
    /// `rx` must hold the largest PDU to accept (`max_command_length` is capped by its size);
    /// `tx` the largest PDU to send plus room for responses.
    pub fn new(role: Role, config: Config, rx: &'b mut [u8], tx: &'b mut [u8], now: Instant) -> Self {
        Session {
            role,
            config,
            state: State::Open,
            rx: RxBuf::new(rx),
            tx: TxBuf::new(tx),
            held: None,
            next_seq: 1,
            next_handle: 0,
            window: [None; W],
            groups: [None; W],
            incoming: [None; W],
            recent: core::array::from_fn(|_| None),
            recent_next: 0,
            unreported: 0,
            groups_dirty: false,
            bind: None,
            unbind: None,
            keepalive: None,
            last_rx: now,
            last_tx: now,
            last_enquire: now,
            opened: now,
            throttle: Throttle { limit: W.max(1), streak: 0, pause: config.throttle_pause, until: None },
            bind_failure: None,
            closed: None,
            throttled_notice: None,
            counters: Counters::default(),
        }
    }

    // ---- getters -------------------------------------------------------------------------

    /// The role.
    pub const fn role(&self) -> Role {
        self.role
    }

    /// The state.
    pub const fn state(&self) -> State {
        self.state
    }

    /// Whether the session is closed (the adapter should flush and close the connection).
    pub fn is_closed(&self) -> bool {
        self.state == State::Closed
    }

    /// Application requests awaiting a response.
    pub fn outstanding(&self) -> usize {
        self.window.iter().flatten().filter(|o| o.slot == Slot::Waiting).count()
    }

    /// The window as narrowed by throttling (at most `W`).
    pub const fn effective_window(&self) -> usize {
        self.throttle.limit
    }

    /// Peer requests awaiting the application's answer.
    pub fn pending_incoming(&self) -> usize {
        self.incoming.iter().flatten().count()
    }

    /// Octets waiting in the transmit buffer.
    pub fn pending_transmit(&self) -> usize {
        self.tx.len()
    }

    /// Counters for monitoring.
    pub const fn counters(&self) -> Counters {
        self.counters
    }

    /// Sets the sequence number the next request will use (1..=0x7FFFFFFF; others are
    /// clamped into that range). For SMSCs that expect numbers to continue across connections.
    pub fn set_next_sequence_number(&mut self, seq: u32) {
        self.next_seq = seq.clamp(1, MAX_SEQUENCE);
    }

    // ---- outputs -------------------------------------------------------------------------

    /// Copies queued octets into `out` and returns how many; 0 when nothing is queued.
    pub fn poll_transmit(&mut self, out: &mut [u8]) -> usize {
        self.tx.drain_into(out)
    }

    /// The next deadline at which [`handle_timeout`](Self::handle_timeout) has work, if any.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.state == State::Closed {
            return None;
        }
        let mut next: Option<Instant> = None;
        let mut take = |t: Instant| next = Some(next.map_or(t, |n| n.min(t)));
        for o in self.window.iter().flatten().filter(|o| o.slot == Slot::Waiting) {
            take(o.deadline);
        }
        if let Some((_, d)) = self.bind {
            take(d);
        }
        if let Some((_, d)) = self.unbind {
            take(d);
        }
        if self.awaiting_bind() {
            take(self.opened + self.config.session_init_timeout);
        }
        if let Some(t) = self.throttle.until {
            take(t);
        }
        if let State::Bound(_) = self.state {
            match self.keepalive {
                Some((_, d)) => take(d),
                None => {
                    if let Some(t) = self.next_enquire_at() {
                        take(t);
                    }
                }
            }
        }
        next
    }

    /// The next event, if any. Outcomes of timed-out or lost requests come first, then the
    /// bind failure and the close, then the event of the last PDU received.
    pub fn poll_event(&mut self) -> Option<Event<'_>> {
        for entry in self.window.iter_mut().take(if self.unreported > 0 { W } else { 0 }) {
            if let Some(o) = *entry {
                let outcome = match o.slot {
                    Slot::Waiting => continue,
                    Slot::TimedOut => Outcome::Timeout,
                    Slot::Lost => Outcome::ConnectionLost,
                };
                *entry = None;
                self.unreported = self.unreported.saturating_sub(1);
                let part = o.part.and_then(|(g, i)| self.part_of(g, i));
                return Some(Event::Outcome { handle: o.handle, command: o.command, part, outcome });
            }
        }
        if let Some(f) = self.bind_failure.take() {
            return Some(Event::BindFailed(f));
        }
        if let Some(until) = self.throttled_notice.take() {
            return Some(Event::Throttled { until });
        }
        if let Some((reason, reported)) = &mut self.closed {
            if !*reported {
                *reported = true;
                return Some(Event::Closed(*reason));
            }
        }
        if let Some(held) = self.held.as_mut() {
            if !held.reported {
                held.reported = true;
                let kind = held.kind;
                let part = match kind {
                    HeldKind::Outcome { part: Some((g, i)), .. } => self.part_of(g, i),
                    _ => None,
                };
                let recent = Recent { ids: &self.recent, mode: self.config.id_match };
                return held_event(kind, part, &recent, self.rx.frame());
            }
        }
        if !self.groups_dirty {
            return None;
        }
        for entry in self.groups.iter_mut() {
            if let Some(g) = *entry {
                if g.is_done() {
                    *entry = None;
                    return Some(Event::MessageDone {
                        message: g.handle,
                        total: g.total,
                        accepted: g.accepted,
                        failed: g.failed,
                    });
                }
            }
        }
        self.groups_dirty = false;
        None
    }

    fn part_of(&self, group: u8, index: u8) -> Option<PartOf> {
        let g = self.groups.get(usize::from(group))?.as_ref()?;
        Some(PartOf { message: g.handle, index, total: g.total })
    }

    // ---- inputs --------------------------------------------------------------------------

    /// Feeds bytes received from the peer, in any chunking. Returns how many were consumed:
    /// less than `data.len()` when an event holds the receive buffer or the transmit buffer is
    /// too full to answer; drain the outputs and call again with the rest.
    pub fn handle_input(&mut self, now: Instant, data: &[u8]) -> usize {
        self.release_held();
        let mut used = 0;
        loop {
            if self.state == State::Closed || self.held.is_some() {
                return used;
            }
            if self.rx.is_complete() {
                if self.tx.free() < RESPONSE_RESERVE {
                    return used;
                }
                self.process_frame(now);
                continue;
            }
            let rest = data.get(used..).unwrap_or(&[]);
            if rest.is_empty() {
                return used;
            }
            if self.rx.is_empty() && self.tx.free() < RESPONSE_RESERVE {
                return used;
            }
            let max = self.config.max_command_length.min(u32::try_from(self.rx.capacity()).unwrap_or(u32::MAX));
            match self.rx.fill(rest, max) {
                Ok(n) => used += n,
                Err(length) => {
                    // Framing is lost: answer generic_nack and close (SMPP-REFERENCE §10.4).
                    used += rest.len();
                    let seq = self.rx.header().map_or(0, |h| h.sequence_number);
                    self.rx.clear();
                    self.queue_header_only(CommandId::GENERIC_NACK, CommandStatus::INVALID_COMMAND_LENGTH, seq);
                    self.close_with(CloseReason::InvalidCommandLength(length));
                    return used;
                }
            }
        }
    }

    /// Runs the timers due at `now`. A spurious call is a no-op.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.state == State::Closed {
            return;
        }
        for i in 0..W {
            let Some(Some(o)) = self.window.get_mut(i) else { continue };
            if o.slot == Slot::Waiting && o.deadline <= now {
                o.slot = Slot::TimedOut;
                self.unreported += 1;
                if let Some((g, p)) = o.part {
                    self.record_part(g, p, Err(PartFailure::Timeout));
                }
            }
        }
        if self.throttle.until.is_some_and(|t| t <= now) {
            self.throttle.until = None;
        }
        if self.bind.is_some_and(|(_, d)| d <= now) {
            self.bind = None;
            self.bind_failure = Some(BindFailure::Timeout);
            self.close_with(CloseReason::BindFailed);
            return;
        }
        if self.unbind.is_some_and(|(_, d)| d <= now) {
            self.unbind = None;
            self.close_with(CloseReason::Unbound);
            return;
        }
        if self.awaiting_bind() && self.opened + self.config.session_init_timeout <= now {
            self.close_with(CloseReason::SessionInitTimeout);
            return;
        }
        if let State::Bound(_) = self.state {
            match self.keepalive {
                Some((_, deadline)) if deadline <= now => self.close_with(CloseReason::LinkDead),
                Some(_) => {}
                None => {
                    if self.next_enquire_at().is_some_and(|t| t <= now) && self.tx.free() >= HEADER_LEN {
                        let seq = self.alloc_seq();
                        self.queue_header_only(CommandId::ENQUIRE_LINK, CommandStatus::OK, seq);
                        self.last_tx = now;
                        self.last_enquire = now;
                        self.keepalive = Some((seq, now + self.config.enquire_link_timeout));
                    }
                }
            }
        }
    }

    /// The adapter reports that the connection closed or broke. Every outstanding request is
    /// reported lost.
    pub fn handle_connection_lost(&mut self, _now: Instant) {
        if self.bind.take().is_some() {
            self.bind_failure = Some(BindFailure::ConnectionLost);
        }
        self.close_with(CloseReason::ConnectionLost);
    }

    // ---- commands ------------------------------------------------------------------------

    /// ESME: sends a bind. The outcome is [`Event::Bound`] or [`Event::BindFailed`].
    ///
    /// # Errors
    /// [`CommandError::InvalidState`] unless this is an ESME session in state `Open`;
    /// [`CommandError::Codec`] for a field that breaks its limit.
    pub fn bind(&mut self, now: Instant, kind: BindKind, bind: &Bind<'_>) -> Result<(), CommandError> {
        self.release_held();
        if self.role != Role::Esme || self.state != State::Open {
            return Err(CommandError::InvalidState);
        }
        let pdu = match kind {
            BindKind::Transmitter => Pdu::BindTransmitter(*bind),
            BindKind::Receiver => Pdu::BindReceiver(*bind),
            BindKind::Transceiver => Pdu::BindTransceiver(*bind),
        };
        let seq = self.peek_seq();
        self.queue(&pdu, seq, CommandStatus::OK, 0)?;
        self.commit_seq(seq);
        self.last_tx = now;
        self.bind = Some((seq, now + self.config.bind_timeout));
        self.state = State::Binding(kind);
        Ok(())
    }

    /// ESME: submits a short message. Shorthand for [`send`](Self::send) with
    /// `Pdu::SubmitSm`.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn submit(&mut self, now: Instant, sm: &smpp_codec::pdu::SubmitSm<'_>) -> Result<Handle, CommandError> {
        self.send(now, &Pdu::SubmitSm(*sm))
    }

    /// Sends a request of the application and returns its handle; its outcome comes later as
    /// [`Event::Outcome`] with the same handle, exactly once.
    ///
    /// ESME: submit_sm, submit_multi, data_sm, query_sm, cancel_sm, replace_sm and the broadcast
    /// requests, on a transmitter or transceiver bind. SMSC: deliver_sm and data_sm on a receiver
    /// or transceiver bind, and alert_notification (which has no response, so no outcome: its
    /// handle is returned for logging only).
    ///
    /// # Errors
    /// [`CommandError::InvalidState`], [`CommandError::WindowFull`], [`CommandError::Paused`]
    /// after throttling, [`CommandError::TransmitBufferFull`], [`CommandError::Codec`],
    /// [`CommandError::NotARequest`].
    pub fn send(&mut self, now: Instant, pdu: &Pdu<'_>) -> Result<Handle, CommandError> {
        self.send_inner(now, pdu, None)
    }

    fn send_inner(&mut self, now: Instant, pdu: &Pdu<'_>, part: Option<(u8, u8)>) -> Result<Handle, CommandError> {
        self.release_held();
        let id = pdu.command_id();
        let kind = match self.state {
            State::Bound(kind) => kind,
            State::Closed | State::Unbinding => return Err(CommandError::InvalidState),
            _ => {
                return Err(if app_request_allowed(self.role, id, BindKind::Transceiver).is_some() {
                    CommandError::InvalidState
                } else {
                    CommandError::NotARequest
                });
            }
        };
        match app_request_allowed(self.role, id, kind) {
            None => return Err(CommandError::NotARequest),
            Some(false) => return Err(CommandError::InvalidState),
            Some(true) => {}
        }
        let handle = Handle(self.next_handle);
        if !id.expects_response() {
            let seq = self.peek_seq();
            self.queue(pdu, seq, CommandStatus::OK, RESPONSE_RESERVE)?;
            self.commit_seq(seq);
            self.next_handle = self.next_handle.wrapping_add(1);
            self.last_tx = now;
            return Ok(handle);
        }
        if let Some(until) = self.throttle.until {
            if until > now {
                return Err(CommandError::Paused { until });
            }
        }
        if self.outstanding() >= self.throttle.limit {
            return Err(CommandError::WindowFull);
        }
        let free = self.window.iter().position(Option::is_none).ok_or(CommandError::WindowFull)?;
        let seq = self.peek_seq();
        self.queue(pdu, seq, CommandStatus::OK, RESPONSE_RESERVE)?;
        self.commit_seq(seq);
        self.next_handle = self.next_handle.wrapping_add(1);
        self.last_tx = now;
        if let Some(slot) = self.window.get_mut(free) {
            *slot = Some(Outstanding {
                seq,
                handle,
                command: id,
                deadline: now + self.config.response_timeout,
                slot: Slot::Waiting,
                part,
            });
        }
        Ok(handle)
    }

    /// Starts a multi-part message (a long text split by the caller). Submit each part with
    /// [`submit_part`](Self::submit_part), or all at once with
    /// [`submit_parts`](Self::submit_parts). Each part's outcome comes as [`Event::Outcome`] with
    /// its `part` (and its message_id); once every part's outcome is known, one
    /// [`Event::MessageDone`] with the message's handle reports the message as a whole.
    ///
    /// # Errors
    /// [`CommandError::InvalidState`] unless bound to send; [`CommandError::WindowFull`] when
    /// `W` messages are already in progress.
    pub fn begin_message(&mut self, total: u8) -> Result<MessageBuilder, CommandError> {
        let can_send = match self.state {
            State::Bound(k) => match self.role {
                Role::Esme => k.can_transmit(),
                Role::Smsc => k.can_receive(),
            },
            _ => false,
        };
        if !can_send {
            return Err(CommandError::InvalidState);
        }
        if total == 0 {
            return Err(CommandError::NotARequest);
        }
        let slot = self.groups.iter().position(Option::is_none).ok_or(CommandError::WindowFull)?;
        let handle = Handle(self.next_handle);
        self.next_handle = self.next_handle.wrapping_add(1);
        if let Some(entry) = self.groups.get_mut(slot) {
            *entry =
                Some(Group { handle, total, submitted: 0, completed: 0, accepted: 0, failed: None, closed: false });
        }
        Ok(MessageBuilder { slot: slot as u8, handle })
    }

    /// Submits the next part of a message from [`begin_message`](Self::begin_message); parts go
    /// in order, from 1.
    ///
    /// # Errors
    /// As [`send`](Self::send); [`CommandError::NotARequest`] when every part was already
    /// submitted or the message was abandoned.
    pub fn submit_part(
        &mut self,
        now: Instant,
        message: &MessageBuilder,
        pdu: &Pdu<'_>,
    ) -> Result<Handle, CommandError> {
        let slot = usize::from(message.slot);
        let g = match self.groups.get(slot) {
            Some(Some(g)) if g.handle == message.handle => *g,
            _ => return Err(CommandError::UnknownToken),
        };
        if g.closed || g.submitted >= g.total {
            return Err(CommandError::NotARequest);
        }
        let index = g.submitted + 1;
        let handle = self.send_inner(now, pdu, Some((message.slot, index)))?;
        if let Some(Some(g)) = self.groups.get_mut(slot) {
            g.submitted = index;
        }
        Ok(handle)
    }

    /// Submits every part of a message at once: all fit the window and the transmit buffer,
    /// or nothing is sent. Returns the message's handle (the one [`Event::MessageDone`]
    /// carries).
    ///
    /// # Errors
    /// [`CommandError::WindowFull`] when fewer than `parts.len()` requests may be outstanding
    /// now, and as [`send`](Self::send).
    pub fn submit_parts(&mut self, now: Instant, parts: &[Pdu<'_>]) -> Result<Handle, CommandError> {
        let total = u8::try_from(parts.len()).map_err(|_| CommandError::NotARequest)?;
        let room = self.throttle.limit.saturating_sub(self.outstanding());
        let slots = self.window.iter().filter(|o| o.is_none()).count();
        if room.min(slots) < parts.len() {
            return Err(CommandError::WindowFull);
        }
        if let Some(until) = self.throttle.until.filter(|u| *u > now) {
            return Err(CommandError::Paused { until });
        }
        let needed: usize = parts.iter().map(Pdu::encoded_len).sum();
        if self.tx.free() < needed + RESPONSE_RESERVE {
            return Err(CommandError::TransmitBufferFull);
        }
        for p in parts {
            let mut probe = [0u8; 0];
            match p.emit(1, CommandStatus::OK, &mut probe) {
                Err(CodecError::BufferTooSmall { .. }) => {}
                Err(e) => return Err(CommandError::Codec(e)),
                Ok(_) => {}
            }
            if app_request_allowed(self.role, p.command_id(), BindKind::Transceiver).is_none() {
                return Err(CommandError::NotARequest);
            }
        }
        let message = self.begin_message(total)?;
        for p in parts {
            if let Err(e) = self.submit_part(now, &message, p) {
                // Checked above; should it happen anyway, the message still ends in one
                // MessageDone.
                self.abandon_message(&message);
                return Err(e);
            }
        }
        Ok(message.handle)
    }

    /// Splits `text` with the text layer and submits every part as one message, in the
    /// encoding and with the concatenation `options` ask for (see
    /// [`choose`](smpp_codec::text::segment::choose) to pick the cheapest encoding). The other
    /// fields come from `template` (its short_message is ignored; up to 8 of its TLVs are kept).
    /// `scratch` holds one part while it is encoded: 160 octets, or the whole encoded text with
    /// [`Concatenation::Payload`](smpp_codec::text::segment::Concatenation::Payload).
    ///
    /// All parts go out at once or none do. Returns the message's handle for
    /// [`Event::MessageDone`]; each part has its own [`Event::Outcome`].
    ///
    /// # Errors
    /// [`CommandError::Text`], [`CommandError::WindowFull`] when the parts do not all fit the
    /// window now, and as [`send`](Self::send).
    pub fn submit_text(
        &mut self,
        now: Instant,
        template: &smpp_codec::pdu::SubmitSm<'_>,
        text: &str,
        options: TextOptions,
        scratch: &mut [u8],
    ) -> Result<Handle, CommandError> {
        use smpp_codec::text::segment::{Concatenation, Segmenter};
        let concat = options.concatenation;
        let mut seg = Segmenter::new(text, options.encoding, concat, options.reference).map_err(CommandError::Text)?;
        let total = seg.total();
        let room = self.throttle.limit.saturating_sub(self.outstanding());
        let slots = self.window.iter().filter(|o| o.is_none()).count();
        if room.min(slots) < usize::from(total) {
            return Err(CommandError::WindowFull);
        }
        if let Some(until) = self.throttle.until.filter(|u| *u > now) {
            return Err(CommandError::Paused { until });
        }
        let mut base: heapless::Vec<Tlv<'_>, 11> = heapless::Vec::new();
        for t in template.tlvs.iter() {
            base.push(t).map_err(|_| CommandError::NotARequest)?;
        }
        if base.len() > 8 {
            return Err(CommandError::NotARequest);
        }
        // Every part is at most the template, 160 octets of data and 3 SAR TLVs; with
        // message_payload, the template and the payload TLV.
        let part_max = template.encoded_len() + HEADER_LEN + 160 + 16;
        let needed = match concat {
            Concatenation::Payload => {
                template.encoded_len() + HEADER_LEN + 4 + scratch.len().min(usize::from(u16::MAX))
            }
            _ => part_max * usize::from(total),
        };
        if self.tx.free() < needed + RESPONSE_RESERVE {
            return Err(CommandError::TransmitBufferFull);
        }
        let message = self.begin_message(total)?;
        let data_coding = seg.data_coding();
        while let Some(part) = seg.next_part(scratch) {
            let result = part.map_err(CommandError::Text).and_then(|part| {
                let data = scratch.get(..part.len).unwrap_or(&[]);
                let mut tlvs = base.clone();
                let mut sm = smpp_codec::pdu::SubmitSm {
                    esm_class: template.esm_class.with_udhi(part.udhi),
                    data_coding,
                    ..*template
                };
                if concat == Concatenation::Payload {
                    sm.short_message = &[];
                    let _ = tlvs.push(Tlv::message_payload(data));
                } else {
                    sm.short_message = data;
                }
                if let Some((r, t, n)) = part.sar {
                    let _ = tlvs.push(Tlv::sar_msg_ref_num(r));
                    let _ = tlvs.push(Tlv::sar_total_segments(t));
                    let _ = tlvs.push(Tlv::sar_segment_seqnum(n));
                }
                sm.tlvs = Tlvs::from_slice(&tlvs);
                self.submit_part(now, &message, &Pdu::SubmitSm(sm))
            });
            if let Err(e) = result {
                // Checked above; should a part fail anyway, the message still ends in one
                // MessageDone naming the first part not sent.
                self.abandon_message(&message);
                return Err(e);
            }
        }
        Ok(message.handle)
    }

    /// Stops a multi-part message: no more parts will be submitted. Its
    /// [`Event::MessageDone`] comes once the parts in flight have their outcomes.
    pub fn abandon_message(&mut self, message: &MessageBuilder) {
        if let Some(Some(g)) = self.groups.get_mut(usize::from(message.slot)) {
            if g.handle == message.handle {
                if g.submitted < g.total && g.failed.is_none_or(|(i, _)| i > g.submitted + 1) {
                    g.failed = Some((g.submitted + 1, PartFailure::NotSubmitted));
                }
                g.closed = true;
                self.groups_dirty = true;
            }
        }
    }

    /// Answers a request of the peer with `status` and a response body (`pdu` must be the
    /// request's response type, for example `Pdu::SubmitSmResp`). With an error status, pass
    /// `None` to send the response without a body.
    ///
    /// # Errors
    /// [`CommandError::UnknownToken`], [`CommandError::WrongResponse`],
    /// [`CommandError::TransmitBufferFull`], [`CommandError::Codec`].
    pub fn respond(
        &mut self,
        now: Instant,
        token: IncomingToken,
        status: CommandStatus,
        pdu: Option<&Pdu<'_>>,
    ) -> Result<(), CommandError> {
        self.release_held();
        let pending = self.take_incoming(token)?;
        let resp_id = pending.command.response_id().ok_or(CommandError::WrongResponse)?;
        let result = match pdu {
            Some(p) if p.command_id() != resp_id => Err(CommandError::WrongResponse),
            Some(p) => self.queue(p, pending.seq, status, 0),
            None if status.is_ok() => match default_response(resp_id) {
                Some(p) => self.queue(&p, pending.seq, status, 0),
                None => Err(CommandError::WrongResponse),
            },
            None => {
                if self.tx.free() >= HEADER_LEN {
                    self.queue_header_only(resp_id, status, pending.seq);
                    Ok(())
                } else {
                    Err(CommandError::TransmitBufferFull)
                }
            }
        };
        match result {
            Ok(()) => {
                self.last_tx = now;
                if let Some(kind) = BindKind::from_command_id(pending.command) {
                    self.state = if status.is_ok() { State::Bound(kind) } else { State::Open };
                    if !status.is_ok() {
                        self.close_with(CloseReason::BindFailed);
                    }
                }
                Ok(())
            }
            Err(e) => {
                self.restore_incoming(token, pending);
                Err(e)
            }
        }
    }

    /// Acknowledges a peer request with an empty response body (deliver_sm_resp, data_sm_resp
    /// ...), with `status` (ESME_ROK, or ESME_RX_T_APPN to ask for redelivery later, ...).
    ///
    /// # Errors
    /// As [`respond`](Self::respond).
    pub fn ack(&mut self, now: Instant, token: IncomingToken, status: CommandStatus) -> Result<(), CommandError> {
        self.respond(now, token, status, None)
    }

    /// SMSC: accepts a bind, answering with our `system_id` and sc_interface_version.
    ///
    /// # Errors
    /// As [`respond`](Self::respond).
    pub fn accept_bind(&mut self, now: Instant, token: IncomingToken, system_id: &str) -> Result<(), CommandError> {
        let pending = self.peek_incoming(token)?;
        let kind = BindKind::from_command_id(pending.command).ok_or(CommandError::WrongResponse)?;
        let tlvs = [Tlv::sc_interface_version(self.config.sc_interface_version)];
        let body = BindResp { system_id: system_id.into(), tlvs: Tlvs::from_slice(&tlvs) };
        let pdu = match kind {
            BindKind::Transmitter => Pdu::BindTransmitterResp(body),
            BindKind::Receiver => Pdu::BindReceiverResp(body),
            BindKind::Transceiver => Pdu::BindTransceiverResp(body),
        };
        self.respond(now, token, CommandStatus::OK, Some(&pdu))
    }

    /// SMSC: rejects a bind with `status` (ESME_RBINDFAIL, ESME_RINVPASWD, ...) and closes.
    ///
    /// # Errors
    /// As [`respond`](Self::respond).
    pub fn reject_bind(
        &mut self,
        now: Instant,
        token: IncomingToken,
        status: CommandStatus,
    ) -> Result<(), CommandError> {
        let status = if status.is_ok() { CommandStatus::BIND_FAILED } else { status };
        self.respond(now, token, status, None)
    }

    /// Sends unbind. Outstanding requests still complete if their responses come first; the
    /// session closes when unbind_resp arrives or the unbind timeout passes.
    ///
    /// # Errors
    /// [`CommandError::InvalidState`] unless bound; [`CommandError::TransmitBufferFull`].
    pub fn unbind(&mut self, now: Instant) -> Result<(), CommandError> {
        self.release_held();
        if !matches!(self.state, State::Bound(_)) {
            return Err(CommandError::InvalidState);
        }
        if self.tx.free() < HEADER_LEN {
            return Err(CommandError::TransmitBufferFull);
        }
        let seq = self.alloc_seq();
        self.queue_header_only(CommandId::UNBIND, CommandStatus::OK, seq);
        self.last_tx = now;
        self.unbind = Some((seq, now + self.config.unbind_timeout));
        self.state = State::Unbinding;
        Ok(())
    }

    /// Closes at once, without unbind. Every outstanding request is reported lost.
    pub fn close(&mut self, _now: Instant) {
        self.release_held();
        if self.bind.take().is_some() {
            self.bind_failure = Some(BindFailure::ConnectionLost);
        }
        self.close_with(CloseReason::Closed);
    }

    // ---- internals ----------------------------------------------------------------------

    /// Remembers the message id of the response in the receive buffer for `handle`.
    fn remember_id(&mut self, handle: Handle) {
        let id = match Pdu::parse(self.rx.frame()) {
            Ok((_, Pdu::SubmitSmResp(r) | Pdu::DataSmResp(r))) => r.message_id,
            Ok((_, Pdu::SubmitMultiResp(r))) => r.message_id,
            _ => return,
        };
        if id.is_empty() {
            return;
        }
        let mut v = heapless::Vec::new();
        if v.extend_from_slice(id.as_bytes().get(..ID_MAX).unwrap_or(id.as_bytes())).is_err() {
            return;
        }
        let slot = self.recent_next % W.max(1);
        if let Some(entry) = self.recent.get_mut(slot) {
            *entry = Some(RecentId { handle, id: v });
        }
        self.recent_next = self.recent_next.wrapping_add(1);
    }

    fn record_part(&mut self, group: u8, index: u8, result: Result<(), PartFailure>) {
        if let Some(Some(g)) = self.groups.get_mut(usize::from(group)) {
            g.record(index, result);
            self.groups_dirty = true;
        }
    }

    /// SMSC role, not bound yet (no bind, or a bind the application has not decided).
    fn awaiting_bind(&self) -> bool {
        self.role == Role::Smsc && matches!(self.state, State::Open | State::Binding(_))
    }

    fn next_enquire_at(&self) -> Option<Instant> {
        match self.config.keepalive {
            Keepalive::Off => None,
            Keepalive::WhenIdle(d) => Some(self.last_rx.max(self.last_tx) + d),
            Keepalive::Every(d) => Some(self.last_enquire + d),
        }
    }

    /// Discards the frame whose event was handed out. A frame whose event was not polled yet
    /// stays, so an adapter that forgets to drain loses nothing (input just stops).
    fn release_held(&mut self) {
        if self.held.is_some_and(|h| h.reported) {
            self.held = None;
            self.rx.clear();
        }
    }

    fn close_with(&mut self, reason: CloseReason) {
        if self.state == State::Closed {
            return;
        }
        self.state = State::Closed;
        for i in 0..W {
            let Some(Some(o)) = self.window.get_mut(i) else { continue };
            if o.slot == Slot::Waiting {
                o.slot = Slot::Lost;
                self.unreported += 1;
                if let Some((g, p)) = o.part {
                    self.record_part(g, p, Err(PartFailure::ConnectionLost));
                }
            }
        }
        for g in self.groups.iter_mut().flatten() {
            if !g.closed && g.submitted < g.total && g.failed.is_none() {
                g.failed = Some((g.submitted + 1, PartFailure::NotSubmitted));
            }
            g.closed = true;
            self.groups_dirty = true;
        }
        self.incoming = [None; W];
        self.keepalive = None;
        self.unbind = None;
        self.throttle.until = None;
        self.closed = Some((reason, false));
    }

    fn in_flight(&self, seq: u32) -> bool {
        self.window.iter().flatten().any(|o| o.seq == seq)
            || [self.bind, self.unbind, self.keepalive].iter().flatten().any(|(s, _)| *s == seq)
    }

    /// The next sequence number not in flight (1..=0x7FFFFFFF, wrapping).
    fn peek_seq(&self) -> u32 {
        let mut seq = self.next_seq;
        while self.in_flight(seq) {
            seq = if seq >= MAX_SEQUENCE { 1 } else { seq + 1 };
        }
        seq
    }

    fn commit_seq(&mut self, seq: u32) {
        self.next_seq = if seq >= MAX_SEQUENCE { 1 } else { seq + 1 };
    }

    fn alloc_seq(&mut self) -> u32 {
        let seq = self.peek_seq();
        self.commit_seq(seq);
        seq
    }

    /// Encodes `pdu` into the transmit buffer, keeping `reserve` octets free after it.
    fn queue(&mut self, pdu: &Pdu<'_>, seq: u32, status: CommandStatus, reserve: usize) -> Result<(), CommandError> {
        let len = pdu.encoded_len();
        if self.tx.free() < len + reserve {
            // An encoding error is more useful than "full" when both apply.
            let mut probe = [0u8; 0];
            return Err(match pdu.emit(seq, status, &mut probe) {
                Err(CodecError::BufferTooSmall { .. }) | Ok(_) => CommandError::TransmitBufferFull,
                Err(e) => CommandError::Codec(e),
            });
        }
        self.tx.push_with(len, |buf| pdu.emit(seq, status, buf)).map_err(CommandError::Codec)?;
        self.counters.pdus_sent = self.counters.pdus_sent.wrapping_add(1);
        Ok(())
    }

    fn queue_header_only(&mut self, id: CommandId, status: CommandStatus, seq: u32) {
        let header =
            Header { command_length: HEADER_LEN as u32, command_id: id, command_status: status, sequence_number: seq };
        if self.tx.push_with(HEADER_LEN, |buf| header.emit(buf).map(|()| HEADER_LEN)).is_ok() {
            self.counters.pdus_sent = self.counters.pdus_sent.wrapping_add(1);
        }
    }

    fn alloc_incoming(&mut self, seq: u32, command: CommandId) -> Option<IncomingToken> {
        let (i, slot) = self.incoming.iter_mut().enumerate().find(|(_, s)| s.is_none())?;
        *slot = Some(Incoming { seq, command });
        Some(IncomingToken { slot: i as u8, sequence_number: seq })
    }

    fn peek_incoming(&self, token: IncomingToken) -> Result<Incoming, CommandError> {
        match self.incoming.get(usize::from(token.slot)) {
            Some(Some(p)) if p.seq == token.sequence_number => Ok(*p),
            _ => Err(CommandError::UnknownToken),
        }
    }

    fn take_incoming(&mut self, token: IncomingToken) -> Result<Incoming, CommandError> {
        let p = self.peek_incoming(token)?;
        if let Some(slot) = self.incoming.get_mut(usize::from(token.slot)) {
            *slot = None;
        }
        Ok(p)
    }

    fn restore_incoming(&mut self, token: IncomingToken, pending: Incoming) {
        if let Some(slot) = self.incoming.get_mut(usize::from(token.slot)) {
            *slot = Some(pending);
        }
    }

    /// Handles the complete frame in the receive buffer.
    fn process_frame(&mut self, now: Instant) {
        self.last_rx = now;
        self.counters.pdus_received = self.counters.pdus_received.wrapping_add(1);
        let action = decide(self.role, self.state, self.rx.frame());
        self.apply(now, action);
        if self.held.is_none() {
            self.rx.clear();
        }
    }

    fn apply(&mut self, now: Instant, action: Action) {
        match action {
            Action::Drop => {}
            Action::Malformed => {
                self.counters.malformed = self.counters.malformed.wrapping_add(1);
            }
            Action::Reply { id, status, seq } => {
                if status != CommandStatus::OK || id == CommandId::GENERIC_NACK {
                    self.counters.malformed =
                        self.counters.malformed.wrapping_add(u32::from(id == CommandId::GENERIC_NACK));
                }
                self.reply(id, status, seq);
            }
            Action::PeerUnbind { seq } => {
                self.queue_header_only(CommandId::UNBIND_RESP, CommandStatus::OK, seq);
                if self.bind.take().is_some() {
                    self.bind_failure = Some(BindFailure::ConnectionLost);
                }
                self.close_with(CloseReason::PeerUnbound);
            }
            Action::Response { id, seq, status } => self.on_response(now, id, seq, status),
            Action::Incoming { id, seq, needs_answer, event_needs_token } => {
                let auto = self.role == Role::Esme && self.config.ack_mode == AckMode::Auto;
                if !needs_answer {
                    self.held = Some(Held { kind: HeldKind::Incoming(None), reported: false });
                } else if auto && !event_needs_token {
                    if let Some(resp) = id.response_id() {
                        self.reply(resp, CommandStatus::OK, seq);
                    }
                    self.held = Some(Held { kind: HeldKind::Incoming(None), reported: false });
                } else if let Some(token) = self.alloc_incoming(seq, id) {
                    if let Some(kind) = BindKind::from_command_id(id) {
                        self.state = State::Binding(kind);
                    }
                    self.held = Some(Held { kind: HeldKind::Incoming(Some(token)), reported: false });
                } else {
                    // Every slot is waiting for the application: ask the peer to retry later.
                    self.counters.refused_busy = self.counters.refused_busy.wrapping_add(1);
                    let status = match self.role {
                        Role::Esme => CommandStatus::RECEIVER_TEMPORARY_ERROR,
                        Role::Smsc => CommandStatus::THROTTLED,
                    };
                    if let Some(resp) = id.response_id() {
                        self.reply(resp, status, seq);
                    }
                }
            }
        }
    }

    /// Queues a response the session itself writes: empty-bodied for errors and for
    /// deliver_sm_resp / data_sm_resp.
    fn reply(&mut self, id: CommandId, status: CommandStatus, seq: u32) {
        match default_response(id) {
            Some(p) if status.is_ok() => {
                let _ = self.queue(&p, seq, status, 0);
            }
            _ => self.queue_header_only(id, status, seq),
        }
    }

    fn on_response(&mut self, now: Instant, id: CommandId, seq: u32, status: CommandStatus) {
        // bind_resp (or a generic_nack answering the bind).
        if let Some((bseq, _)) = self.bind {
            if bseq == seq && (BindKind::from_command_id(id).is_some() || id == CommandId::GENERIC_NACK) {
                self.bind = None;
                match (id, self.state) {
                    (CommandId::GENERIC_NACK, _) => {
                        self.bind_failure = Some(BindFailure::GenericNack(status));
                        self.close_with(CloseReason::BindFailed);
                    }
                    (_, State::Binding(kind)) if status.is_ok() && BindKind::from_command_id(id) == Some(kind) => {
                        self.state = State::Bound(kind);
                        self.last_enquire = now;
                        self.held = Some(Held { kind: HeldKind::Bound(kind), reported: false });
                    }
                    _ => {
                        let status = if status.is_ok() { CommandStatus::BIND_FAILED } else { status };
                        self.bind_failure = Some(BindFailure::Rejected(status));
                        self.close_with(CloseReason::BindFailed);
                    }
                }
                return;
            }
        }
        if let Some((kseq, _)) = self.keepalive {
            if kseq == seq && matches!(id, CommandId::ENQUIRE_LINK_RESP | CommandId::GENERIC_NACK) {
                self.keepalive = None;
                return;
            }
        }
        if let Some((useq, _)) = self.unbind {
            if useq == seq && matches!(id, CommandId::UNBIND_RESP | CommandId::GENERIC_NACK) {
                self.unbind = None;
                self.close_with(CloseReason::Unbound);
                return;
            }
        }
        let found = self.window.iter().position(|o| {
            o.is_some_and(|o| {
                o.slot == Slot::Waiting
                    && o.seq == seq
                    && (id == CommandId::GENERIC_NACK || o.command.response_id() == Some(id))
            })
        });
        let Some(i) = found else {
            self.counters.unexpected_responses = self.counters.unexpected_responses.wrapping_add(1);
            return;
        };
        let Some(o) = self.window.get_mut(i).and_then(Option::take) else { return };
        if matches!(status, CommandStatus::THROTTLED | CommandStatus::MESSAGE_QUEUE_FULL)
            && id != CommandId::GENERIC_NACK
        {
            self.counters.throttled = self.counters.throttled.wrapping_add(1);
            let t = &mut self.throttle;
            t.limit = (t.limit / 2).max(1);
            t.streak = 0;
            let until = now + t.pause;
            t.until = Some(until);
            t.pause = Duration(t.pause.0.saturating_mul(2).min(self.config.max_throttle_pause.0));
            self.throttled_notice = Some(until);
        } else if status.is_ok() {
            let t = &mut self.throttle;
            t.pause = self.config.throttle_pause;
            t.streak += 1;
            if t.streak >= t.limit && t.limit < W {
                t.limit += 1;
                t.streak = 0;
            }
        }
        if status.is_ok()
            && matches!(id, CommandId::SUBMIT_SM_RESP | CommandId::DATA_SM_RESP | CommandId::SUBMIT_MULTI_RESP)
        {
            self.remember_id(o.handle);
        }
        if let Some((g, i)) = o.part {
            let result =
                if status.is_ok() && id != CommandId::GENERIC_NACK { Ok(()) } else { Err(PartFailure::Status(status)) };
            self.record_part(g, i, result);
        }
        self.held = Some(Held {
            kind: HeldKind::Outcome { handle: o.handle, command: o.command, part: o.part },
            reported: false,
        });
    }
}

/// What to do with a received frame, decided from the frame alone (so that the frame can stay
/// borrowed in the receive buffer).
#[derive(Copy, Clone, Debug)]
enum Action {
    Drop,
    Malformed,
    Reply { id: CommandId, status: CommandStatus, seq: u32 },
    PeerUnbind { seq: u32 },
    Response { id: CommandId, seq: u32, status: CommandStatus },
    Incoming { id: CommandId, seq: u32, needs_answer: bool, event_needs_token: bool },
}

fn decide(role: Role, state: State, frame: &[u8]) -> Action {
    let Ok(header) = Header::parse(frame) else { return Action::Malformed };
    let id = header.command_id;
    let seq = header.sequence_number;
    if id.is_response() {
        return match Pdu::parse(frame) {
            Ok(_) => Action::Response { id, seq, status: header.command_status },
            // A response that does not decode still answers its request; it is never answered.
            Err(CodecError::UnknownCommandId { .. }) => Action::Malformed,
            Err(_) => Action::Response { id, seq, status: header.command_status },
        };
    }
    let pdu = match Pdu::parse(frame) {
        Ok((_, pdu)) => pdu,
        Err(e) => {
            let status = e.command_status();
            return match id.response_id() {
                Some(resp) if id.is_known() => Action::Reply { id: resp, status, seq },
                _ if id.is_known() => Action::Malformed, // outbind, alert_notification: no answer exists
                _ => Action::Reply { id: CommandId::GENERIC_NACK, status: CommandStatus::INVALID_COMMAND_ID, seq },
            };
        }
    };
    let wrong_state = |id: CommandId| match id.response_id() {
        Some(resp) => Action::Reply { id: resp, status: CommandStatus::INVALID_BIND_STATUS, seq },
        None => Action::Drop,
    };
    match pdu {
        Pdu::EnquireLink => Action::Reply { id: CommandId::ENQUIRE_LINK_RESP, status: CommandStatus::OK, seq },
        Pdu::Unbind => match state {
            State::Bound(_) | State::Unbinding | State::Binding(_) => Action::PeerUnbind { seq },
            _ => wrong_state(id),
        },
        Pdu::BindTransmitter(_) | Pdu::BindReceiver(_) | Pdu::BindTransceiver(_) => match (role, state) {
            (Role::Smsc, State::Open) => Action::Incoming { id, seq, needs_answer: true, event_needs_token: true },
            (Role::Smsc, _) => Action::Reply {
                id: id.response_id().unwrap_or(CommandId::GENERIC_NACK),
                status: CommandStatus::ALREADY_BOUND,
                seq,
            },
            (Role::Esme, _) => wrong_state(id),
        },
        Pdu::Outbind(_) => match (role, state) {
            (Role::Esme, State::Open) => Action::Incoming { id, seq, needs_answer: false, event_needs_token: false },
            _ => Action::Drop,
        },
        Pdu::AlertNotification(_) => match (role, state) {
            (Role::Esme, State::Bound(k)) if k.can_receive() => {
                Action::Incoming { id, seq, needs_answer: false, event_needs_token: false }
            }
            _ => Action::Drop,
        },
        Pdu::DeliverSm(_) => match (role, state) {
            (Role::Esme, State::Bound(k)) if k.can_receive() => {
                Action::Incoming { id, seq, needs_answer: true, event_needs_token: false }
            }
            // A deliver_sm may still arrive while our unbind is in flight.
            (Role::Esme, State::Unbinding) => {
                Action::Incoming { id, seq, needs_answer: true, event_needs_token: false }
            }
            _ => wrong_state(id),
        },
        Pdu::DataSm(_) => match (role, state) {
            (Role::Esme, State::Bound(k)) if k.can_receive() => {
                Action::Incoming { id, seq, needs_answer: true, event_needs_token: false }
            }
            (Role::Smsc, State::Bound(k)) if k.can_transmit() => {
                Action::Incoming { id, seq, needs_answer: true, event_needs_token: true }
            }
            _ => wrong_state(id),
        },
        Pdu::SubmitSm(_)
        | Pdu::SubmitMulti(_)
        | Pdu::QuerySm(_)
        | Pdu::CancelSm(_)
        | Pdu::ReplaceSm(_)
        | Pdu::BroadcastSm(_)
        | Pdu::QueryBroadcastSm(_)
        | Pdu::CancelBroadcastSm(_) => match (role, state) {
            (Role::Smsc, State::Bound(k)) if k.can_transmit() => {
                Action::Incoming { id, seq, needs_answer: true, event_needs_token: true }
            }
            _ => wrong_state(id),
        },
        _ => wrong_state(id),
    }
}

/// Whether `role` may send request `id` on a `kind` bind: `None` when it is not an application
/// request at all.
fn app_request_allowed(role: Role, id: CommandId, kind: BindKind) -> Option<bool> {
    match (role, id) {
        (
            Role::Esme,
            CommandId::SUBMIT_SM
            | CommandId::SUBMIT_MULTI
            | CommandId::QUERY_SM
            | CommandId::CANCEL_SM
            | CommandId::REPLACE_SM
            | CommandId::BROADCAST_SM
            | CommandId::QUERY_BROADCAST_SM
            | CommandId::CANCEL_BROADCAST_SM
            | CommandId::DATA_SM,
        ) => Some(kind.can_transmit()),
        (Role::Smsc, CommandId::DELIVER_SM | CommandId::DATA_SM | CommandId::ALERT_NOTIFICATION) => {
            Some(kind.can_receive())
        }
        _ => None,
    }
}

/// The body of a successful response the session can write on its own.
fn default_response(id: CommandId) -> Option<Pdu<'static>> {
    Some(match id {
        CommandId::DELIVER_SM_RESP => Pdu::DeliverSmResp(MessageIdResp::default()),
        CommandId::DATA_SM_RESP => Pdu::DataSmResp(MessageIdResp::default()),
        CommandId::ENQUIRE_LINK_RESP => Pdu::EnquireLinkResp,
        CommandId::UNBIND_RESP => Pdu::UnbindResp,
        CommandId::CANCEL_SM_RESP => Pdu::CancelSmResp,
        CommandId::REPLACE_SM_RESP => Pdu::ReplaceSmResp,
        CommandId::CANCEL_BROADCAST_SM_RESP => Pdu::CancelBroadcastSmResp,
        CommandId::GENERIC_NACK => Pdu::GenericNack,
        _ => return None,
    })
}

/// The recently accepted submissions, for matching a receipt to its submission.
struct Recent<'r, const W: usize> {
    ids: &'r [Option<RecentId>; W],
    mode: smpp_codec::text::receipt::IdMatch,
}

impl<const W: usize> Recent<'_, W> {
    /// The submission whose id matches `id`: an exact match first (the common case costs one
    /// comparison per entry, and a tolerant match must not win over an exact one: "10" is also
    /// decimal 10 = hex "a"), then the configured tolerant match.
    fn find(&self, id: &[u8]) -> Option<Handle> {
        let all = self.ids.iter().flatten();
        all.clone()
            .find(|r| r.id.as_slice() == id)
            .or_else(|| all.clone().find(|r| ids_match(&r.id, id, self.mode)))
            .map(|r| r.handle)
    }
}

/// Builds the event of a held frame by parsing it again (parsing is zero-copy and cheap).
fn held_event<'f, const W: usize>(
    kind: HeldKind,
    part: Option<PartOf>,
    recent: &Recent<'_, W>,
    frame: &'f [u8],
) -> Option<Event<'f>> {
    let parsed = Pdu::parse(frame);
    match kind {
        HeldKind::Bound(kind) => {
            let body = match parsed {
                Ok((_, Pdu::BindTransmitterResp(b) | Pdu::BindReceiverResp(b) | Pdu::BindTransceiverResp(b))) => b,
                _ => BindResp::default(),
            };
            let sc_interface_version = body.tlvs.sc_interface_version().ok().flatten();
            Some(Event::Bound { kind, system_id: body.system_id, sc_interface_version })
        }
        HeldKind::Outcome { handle, command, .. } => {
            let outcome = match parsed {
                Ok((h, Pdu::GenericNack)) => Outcome::GenericNack { status: h.command_status },
                Ok((h, body)) => Outcome::Response { status: h.command_status, body },
                Err(error) => Outcome::InvalidResponse { error },
            };
            Some(Event::Outcome { handle, command, part, outcome })
        }
        HeldKind::Incoming(token) => {
            let (_, pdu) = parsed.ok()?;
            Some(match (pdu, token) {
                (Pdu::DeliverSm(sm), token) if sm.esm_class.is_receipt() => {
                    let receipt = DeliveryReceipt::from_sm(&sm);
                    let submit = receipt.and_then(|r| r.message_id).and_then(|id| recent.find(id.as_bytes()));
                    Event::Receipt { token, sm, receipt, submit }
                }
                (Pdu::DeliverSm(sm), token) => Event::Message { token, sm },
                (Pdu::DataSm(pdu), token) => Event::DataSm { token, pdu },
                (Pdu::AlertNotification(a), _) => Event::Alert(a),
                (Pdu::Outbind(o), _) => Event::Outbind(o),
                (Pdu::BindTransmitter(bind), Some(token)) => {
                    Event::BindRequest { token, kind: BindKind::Transmitter, bind }
                }
                (Pdu::BindReceiver(bind), Some(token)) => Event::BindRequest { token, kind: BindKind::Receiver, bind },
                (Pdu::BindTransceiver(bind), Some(token)) => {
                    Event::BindRequest { token, kind: BindKind::Transceiver, bind }
                }
                (pdu, Some(token)) => Event::Request { token, pdu },
                (_, None) => return None,
            })
        }
    }
}
