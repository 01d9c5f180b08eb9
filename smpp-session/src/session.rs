//! The session: its state, its inputs and outputs. Commands are in `commands.rs`, the handling
//! of received frames in `dispatch.rs`.

use smpp_codec::pdu::Sm;
use smpp_codec::text::receipt::DeliveryReceipt;
use smpp_codec::{COctetStr, CommandId, CommandStatus, HEADER_LEN, Header, Pdu};

use crate::buffer::{RxBuf, TxBuf};
use crate::error::ConfigError;
use crate::event::{BindFailure, CloseReason, Event, Handle, PartOf};
use crate::incoming::IncomingTable;
use crate::message::{Messages, PartStore};
use crate::receipts::RecentIds;
use crate::throttle::Throttle;
use crate::timers::{Timer, TimerTable};
use crate::window::{SlotState, Window, after};
use crate::{Config, Instant, Keepalive};

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
    /// Closed: send what [`Session::transmit`] holds and close the connection.
    Closed,
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
    /// PDUs from the peer that did not decode or were not allowed.
    pub malformed: u32,
    /// Throttling responses (ESME_RTHROTTLED, ESME_RMSGQFUL, as a response or generic_nack).
    pub throttled: u32,
    /// Throttled parts sent again after the pause.
    pub part_retries: u32,
    /// Peer requests refused because every incoming slot was taken.
    pub refused_busy: u32,
    /// Requests that got no response in time.
    pub response_timeouts: u32,
    /// PDUs longer than the receive buffer, skipped and answered with an error.
    pub oversized: u32,
}

use smpp_codec::pdu::Decoder;

/// Room the session keeps in the transmit buffer for what it must always be able to send: one
/// enquire_link, one unbind or unbind_resp, and one generic_nack when framing is lost.
pub(crate) const CONTROL_RESERVE: usize = 3 * HEADER_LEN;

/// Room kept for the session's own answer to each pending peer request: a header, and the
/// empty message_id of a deliver_sm_resp or data_sm_resp.
pub(crate) const ANSWER_RESERVE: usize = HEADER_LEN + 1;

/// Room an application request leaves free after it, so that the session can still answer the
/// peer: a response with a full message_id.
pub(crate) const RESPONSE_RESERVE: usize = HEADER_LEN + smpp_codec::pdu::MESSAGE_ID_MAX + 16;

/// The smallest receive buffer: the largest response an ESME must read (a query_sm_resp with
/// every field at its maximum) with room to spare.
pub const MIN_RECEIVE_BUFFER: usize = 128;

/// The part store's operations, reached through pointers (see [`Session::parts`]).
pub(crate) struct PartHooks<'b, const W: usize, const R: usize> {
    /// Keeps a copy of the part written since the mark; its place in the store.
    pub(crate) keep: fn(&mut Session<'b, W, R>, crate::buffer::TxMark) -> Option<(u16, u16)>,
    /// Sends again the throttled parts whose pause is over.
    pub(crate) resend: fn(&mut Session<'b, W, R>),
}

impl<'b, const W: usize, const R: usize> PartHooks<'b, W, R> {
    const NONE: Self = PartHooks { keep: |_, _| None, resend: |_| {} };
}

impl<const W: usize, const R: usize> core::fmt::Debug for PartHooks<'_, W, R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("PartHooks")
    }
}

impl<const W: usize, const R: usize> Clone for PartHooks<'_, W, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<const W: usize, const R: usize> Copy for PartHooks<'_, W, R> {}

/// The sequence numbers of the session's own control requests in flight.
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct Control {
    pub(crate) bind: Option<u32>,
    pub(crate) unbind: Option<u32>,
    pub(crate) keepalive: Option<u32>,
}

/// Events that do not come from a received frame, waiting for `poll_event`.
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct Notices {
    pub(crate) bind_failure: Option<BindFailure>,
    /// A throttling episode started; the pause is in the throttle state.
    pub(crate) throttled: bool,
    pub(crate) closed: Option<CloseReason>,
    /// `Closed` was handed out: nothing follows it.
    pub(crate) finished: bool,
    /// The connection is gone; the session closes once the frames received are processed.
    pub(crate) lost: bool,
}

/// One SMPP connection in the ESME or the SMSC role, as a sans-IO state machine.
///
/// `W` is the window: the most application requests awaiting a response at once, the most
/// multi-part messages in progress, and the most peer requests awaiting the application's
/// answer. `R` is how many accepted submissions are remembered for matching delivery receipts
/// (the window by default; a panel that sends 4 at a time may wait for 50 receipts). The
/// receive and transmit buffers are the caller's.
///
/// # Methods
/// - **inputs** tell the session what happened: [`receive_buffer`](Self::receive_buffer) +
///   [`commit`](Self::commit) (or [`handle_input`](Self::handle_input)),
///   [`handle_timeout`](Self::handle_timeout), [`handle_connection_lost`](Self::handle_connection_lost);
/// - **commands** come from the application: [`bind`](Self::bind), [`submit`](Self::submit),
///   [`submit_text`](Self::submit_text), [`respond`](Self::respond), [`unbind`](Self::unbind), ...;
/// - **outputs** are drained after every input or command: [`transmit`](Self::transmit) +
///   [`transmitted`](Self::transmitted) (or [`poll_transmit`](Self::poll_transmit)),
///   [`poll_event`](Self::poll_event), [`poll_timeout`](Self::poll_timeout);
/// - **getters**: [`state`](Self::state), [`outstanding`](Self::outstanding),
///   [`counters`](Self::counters), and the PDU behind the last event: [`pdu`](Self::pdu),
///   [`message_id`](Self::message_id), [`receipt`](Self::receipt).
///
/// # The one rule
/// Mutate, then drain: after every input or command, send what [`transmit`](Self::transmit)
/// holds, take events with [`poll_event`](Self::poll_event) until `None` (handling one may
/// queue more octets to send: answers to the peer), and sleep until
/// [`poll_timeout`](Self::poll_timeout). Received frames are processed as their events are
/// polled, so input is never lost and never waits for more input.
#[derive(Debug)]
pub struct Session<'b, const W: usize, const R: usize = W> {
    // What the session is.
    pub(crate) role: Role,
    pub(crate) config: Config,
    pub(crate) state: State,
    /// Decodes received frames: the role's decoder, chosen at construction, so that a firmware
    /// links only the parsers of what its role receives.
    pub(crate) decode: Decoder,
    /// Whether the broadcast family (SMPP 5.0) may be sent and its PDUs decoded.
    pub(crate) broadcast: bool,
    pub(crate) now: Instant,

    // Bytes in and out.
    pub(crate) rx: RxBuf<'b>,
    pub(crate) tx: TxBuf<'b>,

    // The application's requests.
    pub(crate) window: Window<W>,
    pub(crate) messages: Messages<W>,
    pub(crate) store: PartStore<'b>,
    /// What keeps and resends throttled parts: no-ops until [`Session::with_part_store`] sets
    /// them, so that a firmware without a part store links none of that code.
    pub(crate) parts: PartHooks<'b, W, R>,
    pub(crate) control: Control,
    pub(crate) throttle: Throttle,
    pub(crate) next_handle: u32,
    /// Requests sent so far (wrapping): orders requests against throttling episodes.
    pub(crate) sends: u32,

    // The peer's requests.
    pub(crate) incoming: IncomingTable<W>,

    // Receipts.
    pub(crate) recent: RecentIds<R>,

    // Timers and liveness.
    pub(crate) timers: TimerTable,
    pub(crate) last_rx: Instant,
    /// Response timeouts since anything was last received.
    pub(crate) silent_timeouts: u32,

    // Output.
    pub(crate) notices: Notices,
    pub(crate) counters: Counters,
}

impl<'b, const W: usize, const R: usize> Session<'b, W, R> {
    /// An ESME session for a connection that has just opened at `now`. It decodes only what an
    /// ESME receives (the SMSC's decoders are not linked) and answers anything else with
    /// generic_nack.
    ///
    /// # Errors
    /// A [`ConfigError`] when a buffer is too small for the session to always make progress
    /// (see [`Session::new`]).
    pub fn esme(config: Config, rx: &'b mut [u8], tx: &'b mut [u8], now: Instant) -> Result<Self, ConfigError> {
        Self::with_decoder(Role::Esme, Pdu::parse_esme_inbound, config, rx, tx, now)
    }

    /// An ESME session that decodes with `decode`: [`Pdu::parse_esme_inbound`] (what
    /// [`Session::esme`] uses), or [`Pdu::parse_esme_inbound_basic`] for an ESME that sends
    /// neither query_sm nor submit_multi, which links two parsers fewer. The decoder must read
    /// the responses to every request the session sends: a response it refuses ends its request
    /// as [`Outcome::InvalidResponse`](crate::Outcome::InvalidResponse). See
    /// [`set_decoder`](Self::set_decoder) to widen it later.
    ///
    /// # Errors
    /// As [`Session::new`].
    pub fn esme_with_decoder(
        decode: Decoder,
        config: Config,
        rx: &'b mut [u8],
        tx: &'b mut [u8],
        now: Instant,
    ) -> Result<Self, ConfigError> {
        Self::with_decoder(Role::Esme, decode, config, rx, tx, now)
    }

    /// An SMSC session for a connection that has just been accepted at `now`. It decodes only
    /// what an SMSC receives and answers anything else with generic_nack.
    ///
    /// # Errors
    /// As [`Session::new`].
    pub fn smsc(config: Config, rx: &'b mut [u8], tx: &'b mut [u8], now: Instant) -> Result<Self, ConfigError> {
        Self::with_decoder(Role::Smsc, Pdu::parse_smsc_inbound, config, rx, tx, now)
    }

    /// A session in `role`, the broadcast family (SMPP 5.0) included. It links the decoders of
    /// both roles: prefer [`Session::esme`] or [`Session::smsc`] on a microcontroller.
    ///
    /// # Errors
    /// [`ConfigError::ReceiveBufferTooSmall`] below [`MIN_RECEIVE_BUFFER`];
    /// [`ConfigError::TransmitBufferTooSmall`] when `tx` cannot hold a response with a full
    /// message_id plus the room kept for enquire_link, unbind, a generic_nack and an error answer
    /// to each of `W` pending peer requests ([`Session::min_transmit_buffer`]);
    /// [`ConfigError::InvalidWindow`] when `W` is 0 or above 65 535.
    pub fn new(
        role: Role,
        config: Config,
        rx: &'b mut [u8],
        tx: &'b mut [u8],
        now: Instant,
    ) -> Result<Self, ConfigError> {
        let decode: Decoder = match role {
            Role::Esme => Pdu::parse_esme_inbound_with_broadcast,
            Role::Smsc => Pdu::parse_smsc_inbound_with_broadcast,
        };
        Ok(Self::with_decoder(role, decode, config, rx, tx, now)?.with_broadcast())
    }

    /// Lets the session send the broadcast family (broadcast_sm, query_broadcast_sm,
    /// cancel_broadcast_sm) and decode it; [`Session::esme`] and [`Session::smsc`] leave it out
    /// so that a firmware does not link it.
    #[must_use]
    pub fn with_broadcast(mut self) -> Self {
        self.broadcast = true;
        self.decode = match self.role {
            Role::Esme => Pdu::parse_esme_inbound_with_broadcast,
            Role::Smsc => Pdu::parse_smsc_inbound_with_broadcast,
        };
        self
    }

    /// Replaces the decoder of received frames, for the frames not processed yet: for example
    /// [`Pdu::parse_esme_inbound`] in place of [`Pdu::parse_esme_inbound_basic`] before the first
    /// query_sm or submit_multi. It stays across [`reset`](Self::reset).
    pub fn set_decoder(&mut self, decode: Decoder) {
        self.decode = decode;
    }

    /// The smallest transmit buffer [`Session::new`] accepts for this window.
    pub const fn min_transmit_buffer() -> usize {
        RESPONSE_RESERVE + CONTROL_RESERVE + ANSWER_RESERVE * W
    }

    fn with_decoder(
        role: Role,
        decode: Decoder,
        config: Config,
        rx: &'b mut [u8],
        tx: &'b mut [u8],
        now: Instant,
    ) -> Result<Self, ConfigError> {
        if W == 0 || W > usize::from(u16::MAX) {
            return Err(ConfigError::InvalidWindow);
        }
        if rx.len() < MIN_RECEIVE_BUFFER {
            return Err(ConfigError::ReceiveBufferTooSmall { needed: MIN_RECEIVE_BUFFER, given: rx.len() });
        }
        let needed = Self::min_transmit_buffer();
        if tx.len() < needed {
            return Err(ConfigError::TransmitBufferTooSmall { needed, given: tx.len() });
        }
        let mut timers = TimerTable::default();
        if role == Role::Smsc {
            timers.set(Timer::SessionInit, now + config.session_init_timeout);
        }
        Ok(Session {
            role,
            config,
            state: State::Open,
            decode,
            broadcast: false,
            now,
            rx: RxBuf::new(rx),
            tx: TxBuf::new(tx),
            window: Window::new(),
            messages: Messages::new(),
            store: PartStore::new(&mut []),
            parts: PartHooks::NONE,
            control: Control::default(),
            throttle: Throttle::new(window_of::<W>(&config), config.throttle_pause),
            next_handle: 0,
            sends: 0,
            incoming: IncomingTable::new(),
            recent: RecentIds::new(),
            timers,
            last_rx: now,
            silent_timeouts: 0,
            notices: Notices::default(),
            counters: Counters::default(),
        })
    }

    /// Makes a closed session ready for a new connection opened at `now`, in place (a
    /// microcontroller need not build a new session, two kilobytes, on its stack). Handles and
    /// sequence numbers go on from where they were, the counters keep counting, and the ids of
    /// accepted submissions stay remembered, so that a receipt that comes on the new connection
    /// for a message sent on the old one still names it. Everything else starts afresh.
    ///
    /// # Errors
    /// [`crate::CommandError::InvalidState`] until the session is closed and its
    /// [`Event::Closed`] has been polled (what it reported before would be lost).
    pub fn reset(&mut self, now: Instant) -> Result<(), crate::CommandError> {
        if !(self.state == State::Closed && self.notices.finished) {
            return Err(crate::CommandError::InvalidState);
        }
        self.rx.clear();
        self.tx.consume(self.tx.len());
        self.store.set_top(0);
        self.state = State::Open;
        self.now = now;
        self.window.clear();
        self.messages = Messages::new();
        self.incoming.clear();
        self.control = Control::default();
        self.throttle = Throttle::new(window_of::<W>(&self.config), self.config.throttle_pause);
        self.timers = TimerTable::default();
        if self.role == Role::Smsc {
            self.timers.set(Timer::SessionInit, now + self.config.session_init_timeout);
        }
        self.last_rx = now;
        self.silent_timeouts = 0;
        self.notices = Notices::default();
        Ok(())
    }

    /// Gives the session storage for the encoded parts of multi-part messages in flight, so that
    /// a part the SMSC throttles is sent again after the pause (up to
    /// [`Config::part_retries`] times) instead of failing its message. A part that does not fit
    /// is not kept, and fails its message when throttled. About 200 octets per part in flight
    /// suffice for texts.
    #[must_use]
    pub fn with_part_store(mut self, store: &'b mut [u8]) -> Self {
        self.store = PartStore::new(store);
        self.parts = PartHooks { keep: Self::store_part, resend: Self::resend_parts };
        self
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

    /// The configuration.
    pub const fn config(&self) -> &Config {
        &self.config
    }

    /// Whether the session is closed (send what [`transmit`](Self::transmit) holds, then close
    /// the connection).
    pub fn is_closed(&self) -> bool {
        self.state == State::Closed
    }

    /// Application requests awaiting a response (or a retry after throttling).
    pub fn outstanding(&self) -> usize {
        self.window.outstanding()
    }

    /// The window as narrowed by throttling (at most `W`, or the configured window).
    pub const fn effective_window(&self) -> usize {
        self.throttle.limit as usize
    }

    /// Until when submissions are paused after throttling, if they are at `now`.
    pub fn paused_until(&self, now: Instant) -> Option<Instant> {
        self.throttle.paused(now)
    }

    /// Peer requests awaiting the application's answer.
    pub fn pending_incoming(&self) -> usize {
        self.incoming.len()
    }

    /// Octets waiting in the transmit buffer.
    pub fn pending_transmit(&self) -> usize {
        self.tx.len()
    }

    /// Octets received and not processed yet.
    pub fn pending_receive(&self) -> usize {
        self.rx.len()
    }

    /// Counters for monitoring.
    pub const fn counters(&self) -> Counters {
        self.counters
    }

    /// Sets the sequence number the next request will use (1..=0x7FFFFFFF; others are clamped
    /// into that range). For SMSCs that expect numbers to continue across connections.
    pub fn set_next_sequence_number(&mut self, seq: u32) {
        self.window.set_next_seq(seq);
    }

    /// Sets the number the next handle will carry. An adapter that keeps handles across
    /// reconnections starts each new session where the last one stopped, so that handles stay
    /// unique.
    pub fn set_next_handle(&mut self, handle: Handle) {
        self.next_handle = handle.0;
    }

    /// The number the next handle will carry.
    pub const fn next_handle(&self) -> Handle {
        Handle(self.next_handle)
    }

    /// The PDU behind the last event [`poll_event`](Self::poll_event) returned, when that
    /// event came from a PDU the peer sent: the response of an [`Event::Outcome`], the
    /// deliver_sm of a message or receipt, a request, a bind. Valid until the next
    /// `poll_event` or input call.
    pub fn pdu(&self) -> Option<Pdu<'_>> {
        let frame = self.rx.held();
        if frame.is_empty() {
            return None;
        }
        (self.decode)(frame).ok().map(|(_, pdu)| pdu)
    }

    /// The header of that PDU.
    pub fn header(&self) -> Option<Header> {
        Header::parse(self.rx.held()).ok()
    }

    /// The message_id of the response behind the last [`Event::Outcome`] (submit_sm_resp,
    /// data_sm_resp, submit_multi_resp, query_sm_resp, ...).
    pub fn message_id(&self) -> Option<COctetStr<'_>> {
        match self.pdu()? {
            Pdu::SubmitSmResp(r)
            | Pdu::DataSmResp(r)
            | Pdu::DeliverSmResp(r)
            | Pdu::BroadcastSmResp(r)
            | Pdu::QueryBroadcastSmResp(r) => Some(r.message_id),
            Pdu::SubmitMultiResp(r) => Some(r.message_id),
            Pdu::QuerySmResp(r) => Some(r.message_id),
            _ => None,
        }
    }

    /// The short message behind the last [`Event::Message`] or [`Event::Receipt`] (or an SMSC's
    /// submit_sm request).
    pub fn sm(&self) -> Option<Sm<'_>> {
        match self.pdu()? {
            Pdu::DeliverSm(sm) | Pdu::SubmitSm(sm) => Some(sm),
            _ => None,
        }
    }

    /// The delivery receipt behind the last [`Event::Receipt`]: its text merged with its TLVs
    /// (the TLV wins).
    pub fn receipt(&self) -> Option<DeliveryReceipt<'_>> {
        match self.pdu()? {
            Pdu::DeliverSm(sm) if crate::dispatch::is_receipt(&sm) => DeliveryReceipt::from_sm(&sm),
            _ => None,
        }
    }

    // ---- outputs -------------------------------------------------------------------------

    /// The octets waiting to be sent. Write them to the transport, then report how many went
    /// with [`transmitted`](Self::transmitted).
    #[must_use]
    pub fn transmit(&self) -> &[u8] {
        self.tx.pending()
    }

    /// The transport took the first `n` octets of [`transmit`](Self::transmit) (a partial write
    /// is fine). Throttled parts waiting for room go out.
    pub fn transmitted(&mut self, n: usize) {
        self.tx.consume(n);
        self.send_due_retries();
    }

    /// Copies queued octets into `out` and returns how many; 0 when nothing is queued. The
    /// copying form of [`transmit`](Self::transmit) + [`transmitted`](Self::transmitted).
    #[must_use]
    pub fn poll_transmit(&mut self, out: &mut [u8]) -> usize {
        let pending = self.tx.pending();
        let n = pending.len().min(out.len());
        if let (Some(dst), Some(src)) = (out.get_mut(..n), pending.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.transmitted(n);
        n
    }

    /// The next deadline at which [`handle_timeout`](Self::handle_timeout) has work, if any.
    /// At that deadline it always acts: the deadline never stays in the past.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.state == State::Closed || self.notices.lost {
            return None;
        }
        self.timers.next()
    }

    /// The next event, if any: outcomes of requests that ended without a response, finished
    /// messages, a bind failure, a throttling notice, then the events of received PDUs in
    /// order, and [`Event::Closed`] last.
    ///
    /// Received PDUs are processed here, one per event, so call this until it returns `None`,
    /// then send what [`transmit`](Self::transmit) holds (processing may queue answers).
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        if self.notices.finished {
            return None;
        }
        self.rx.release();
        loop {
            if let Some(e) = self.next_notice() {
                return Some(e);
            }
            if self.state == State::Closed {
                break;
            }
            match self.process_next() {
                crate::dispatch::Step::Event(e) => return Some(e),
                crate::dispatch::Step::Continue => {}
                crate::dispatch::Step::Idle if self.notices.lost => self.finish_lost(),
                crate::dispatch::Step::Idle => return None,
            }
        }
        let reason = self.notices.closed?;
        self.notices.finished = true;
        self.rx.clear();
        Some(Event::Closed(reason))
    }

    fn next_notice(&mut self) -> Option<Event> {
        if let Some(i) = self.window.next_ended() {
            let o = self.window.take(i)?;
            let outcome = o.state.outcome()?;
            let part = o.part().and_then(|(g, i)| self.part_of(g, i));
            return Some(Event::Outcome { handle: o.handle, command: o.command.id(), part, outcome });
        }
        if let Some(g) = self.messages.take_done() {
            return Some(Event::MessageDone {
                message: g.handle,
                total: g.total,
                accepted: g.accepted,
                failed: g.failed,
            });
        }
        if let Some(f) = self.notices.bind_failure.take() {
            return Some(Event::BindFailed(f));
        }
        if core::mem::take(&mut self.notices.throttled) {
            return Some(Event::Throttled { until: self.throttle.until() });
        }
        None
    }

    // Out of line: called from several places (measured smaller on a Cortex-M).
    #[inline(never)]
    pub(crate) fn part_of(&self, group: u16, index: u8) -> Option<PartOf> {
        let g = self.messages.get(group)?;
        Some(PartOf { message: g.handle, index, total: g.total })
    }

    // ---- inputs --------------------------------------------------------------------------

    /// The free part of the receive buffer: read from the transport straight into it, then call
    /// [`commit`](Self::commit) with the count. Empty when the buffer is full of frames not
    /// processed yet: drain [`poll_event`](Self::poll_event) (and [`transmit`](Self::transmit))
    /// first; do not read into an empty slice (a transport would report 0 octets, which looks
    /// like end of stream).
    ///
    /// After close the whole buffer is offered and whatever is committed is discarded.
    pub fn receive_buffer(&mut self) -> &mut [u8] {
        self.rx.release();
        if self.state == State::Closed {
            self.rx.clear();
        }
        self.rx.free_tail()
    }

    /// `n` octets were written into [`receive_buffer`](Self::receive_buffer) at `now`. Frames
    /// are processed as [`poll_event`](Self::poll_event) is called.
    pub fn commit(&mut self, now: Instant, n: usize) {
        self.advance_clock(now);
        self.rx.release();
        if self.state == State::Closed {
            self.rx.clear();
            return;
        }
        self.rx.commit(n);
    }

    /// Copies bytes received from the peer, in any chunking, into the receive buffer and
    /// returns how many it took: all of them unless the buffer is full of frames not processed
    /// yet. Drain [`poll_event`](Self::poll_event) and call again with the rest. After close,
    /// everything is taken and discarded.
    #[must_use]
    pub fn handle_input(&mut self, now: Instant, data: &[u8]) -> usize {
        self.advance_clock(now);
        self.rx.release();
        if self.state == State::Closed {
            self.rx.clear();
            return data.len();
        }
        self.rx.push(data)
    }

    /// Runs the timers due at `now`. A spurious call is a no-op.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.advance_clock(now);
        let now = self.now;
        if self.state == State::Closed || self.notices.lost {
            return;
        }
        if self.timers.is_due(Timer::Response, now) {
            self.expire_requests(now);
            if self.state == State::Closed {
                return;
            }
        }
        if self.timers.is_due(Timer::ThrottlePause, now) {
            self.timers.stop(Timer::ThrottlePause);
            self.send_due_retries();
        }
        if self.timers.is_due(Timer::Bind, now) {
            self.timers.stop(Timer::Bind);
            self.control.bind = None;
            self.notices.bind_failure = Some(BindFailure::Timeout);
            self.close_with(CloseReason::BindFailed);
            return;
        }
        if self.timers.is_due(Timer::Unbind, now) {
            self.close_with(CloseReason::Unbound);
            return;
        }
        if self.timers.is_due(Timer::SessionInit, now) {
            self.close_with(CloseReason::SessionInitTimeout);
            return;
        }
        if self.timers.is_due(Timer::KeepaliveResponse, now) {
            self.close_with(CloseReason::LinkDead);
            return;
        }
        if self.timers.is_due(Timer::PeerKeepalive, now) {
            self.close_with(CloseReason::PeerKeepaliveMissing);
            return;
        }
        if self.timers.is_due(Timer::Keepalive, now) {
            self.send_enquire_link(now);
        }
    }

    /// The adapter reports that the connection closed or broke. The frames already received
    /// are still processed (their events come first: the peer sent them before it went away);
    /// then the session closes and every outstanding request is reported lost. Timers stop at
    /// once.
    pub fn handle_connection_lost(&mut self, now: Instant) {
        self.advance_clock(now);
        if self.state != State::Closed {
            self.notices.lost = true;
            self.timers.stop_all();
        }
    }

    /// After the connection was lost and the frames received before were processed.
    fn finish_lost(&mut self) {
        self.notices.lost = false;
        if self.control.bind.take().is_some() {
            self.notices.bind_failure = Some(BindFailure::ConnectionLost);
        }
        self.close_with(CloseReason::ConnectionLost);
    }

    // ---- internals shared by the other files --------------------------------------------

    // Out of line: it is called by every input and command, and its u64 compare is longer than a call.
    #[inline(never)]
    pub(crate) fn advance_clock(&mut self, now: Instant) {
        if now.0 > self.now.0 {
            self.now = now;
        }
    }

    /// Transmit room promised to what the session must always send: the control PDUs and an
    /// answer to each pending peer request.
    pub(crate) fn reserved(&self) -> usize {
        CONTROL_RESERVE + ANSWER_RESERVE * self.incoming.len()
    }

    /// Whether an ordinary write of `len` octets leaves the reserve intact.
    pub(crate) fn has_room(&self, len: usize) -> bool {
        self.tx.free() >= len + self.reserved()
    }

    /// Ends the requests whose response is overdue. Once the link is judged dead (too many
    /// timeouts in a row with nothing received), the session closes and the overdue requests
    /// not judged yet end as lost with it, not as timed out.
    fn expire_requests(&mut self, now: Instant) {
        let limit = self.config.dead_after_timeouts;
        for i in 0..W {
            let Some(o) = self.window.get(i) else { continue };
            if o.state != SlotState::Waiting || o.deadline > now {
                continue;
            }
            let part = o.part();
            self.window.end(i, SlotState::TimedOut);
            self.release_stored(i);
            self.counters.response_timeouts = self.counters.response_timeouts.wrapping_add(1);
            self.silent_timeouts = self.silent_timeouts.saturating_add(1);
            if let Some((g, p)) = part {
                self.messages.record(g, p, Some(crate::PartFailure::Timeout));
            }
            if limit > 0 && self.silent_timeouts >= limit && matches!(self.state, State::Bound(_) | State::Unbinding) {
                self.close_with(CloseReason::LinkDead);
                return;
            }
        }
        self.update_response_timer();
    }

    /// A request now waits until `deadline`: the response timer fires no later.
    pub(crate) fn note_deadline(&mut self, deadline: Instant) {
        let at = self.timers.get(Timer::Response).map_or(deadline, |t| t.min(deadline));
        self.timers.set(Timer::Response, at);
    }

    /// Sets the response timer to the earliest deadline of the window.
    pub(crate) fn update_response_timer(&mut self) {
        self.timers.set_opt(Timer::Response, self.window.next_deadline());
    }

    /// The peer's enquire_link (or the bind) restarts the wait for its next one.
    pub(crate) fn expect_peer_keepalive(&mut self) {
        let at = match (self.config.peer_keepalive, self.state) {
            (Some(d), State::Bound(_)) => Some(self.now + d),
            _ => None,
        };
        self.timers.set_opt(Timer::PeerKeepalive, at);
    }

    /// Schedules the next enquire_link from the keepalive policy.
    pub(crate) fn schedule_keepalive(&mut self) {
        if !matches!(self.state, State::Bound(_)) || self.control.keepalive.is_some() {
            self.timers.stop(Timer::Keepalive);
            return;
        }
        let at = match self.config.keepalive {
            Keepalive::Off => None,
            Keepalive::WhenIdle(d) => Some(self.last_rx + d),
            Keepalive::Every(d) => Some(self.timers.get(Timer::Keepalive).unwrap_or(self.now + d)),
        };
        self.timers.set_opt(Timer::Keepalive, at);
    }

    fn send_enquire_link(&mut self, now: Instant) {
        if self.control.keepalive.is_some() {
            // One in flight at a time: its own deadline decides whether the link is dead.
            match self.config.keepalive {
                Keepalive::Every(d) => self.timers.set(Timer::Keepalive, now + d),
                _ => self.timers.stop(Timer::Keepalive),
            }
            return;
        }
        let seq = self.peek_seq();
        if self.tx.free() < HEADER_LEN {
            // Only a peer that floods us with forged responses gets here (the room is kept);
            // try again later rather than leave the deadline in the past.
            self.timers.set(Timer::Keepalive, now + self.config.enquire_link_timeout);
            return;
        }
        self.queue_header_only(CommandId::ENQUIRE_LINK, CommandStatus::OK, seq);
        self.commit_seq(seq);
        self.control.keepalive = Some(seq);
        self.timers.set(Timer::KeepaliveResponse, now + self.config.enquire_link_timeout);
        match self.config.keepalive {
            Keepalive::Every(d) => self.timers.set(Timer::Keepalive, now + d),
            _ => self.timers.stop(Timer::Keepalive),
        }
    }

    fn in_flight(&self, seq: u32) -> bool {
        let c = &self.control;
        self.window.may_use_seq(seq) || c.bind == Some(seq) || c.unbind == Some(seq) || c.keepalive == Some(seq)
    }

    /// The next sequence number not in flight (1..=0x7FFFFFFF, wrapping).
    pub(crate) fn peek_seq(&self) -> u32 {
        let mut seq = self.window.next_seq();
        while self.in_flight(seq) {
            seq = after(seq);
        }
        seq
    }

    // Out of line: every PDU the session writes calls it (measured smaller on a Cortex-M).
    #[inline(never)]
    pub(crate) fn commit_seq(&mut self, seq: u32) {
        self.window.advance_seq(seq);
    }

    /// Queues a PDU the session writes on its own; the caller checked the room.
    pub(crate) fn queue_header_only(&mut self, id: CommandId, status: CommandStatus, seq: u32) {
        let header =
            Header { command_length: HEADER_LEN as u32, command_id: id, command_status: status, sequence_number: seq };
        if self.tx.push_with(HEADER_LEN, |buf| header.emit(buf).map(|()| HEADER_LEN)) == Ok(true) {
            self.counters.pdus_sent = self.counters.pdus_sent.wrapping_add(1);
        }
    }

    /// Queues an answer the session writes on its own: empty-bodied for errors, and the
    /// default body for deliver_sm_resp, data_sm_resp and the header-only responses.
    pub(crate) fn reply(&mut self, id: CommandId, status: CommandStatus, seq: u32) {
        let len = reply_len(id, status);
        let header =
            Header { command_length: len as u32, command_id: id, command_status: status, sequence_number: seq };
        // The body, when there is one, is an empty message_id: its NUL (written by hand, so
        // that an ESME that only acknowledges does not link a body encoder).
        let written = self.tx.push_with(len, |buf| {
            let (head, body) = buf.split_at_mut(HEADER_LEN.min(buf.len()));
            header.emit(head)?;
            body.fill(0);
            Ok::<_, smpp_codec::Error>(len)
        });
        if written == Ok(true) {
            self.counters.pdus_sent = self.counters.pdus_sent.wrapping_add(1);
        }
    }

    /// Answers every pending peer request with a transient error, so that each is answered
    /// exactly once before the session ends.
    pub(crate) fn answer_pending(&mut self) {
        while let Some(p) = self.incoming.take_any() {
            let Some(resp) = p.command.id().response_id() else { continue };
            let status = match (self.role, p.command.id()) {
                (_, CommandId::BIND_TRANSMITTER | CommandId::BIND_RECEIVER | CommandId::BIND_TRANSCEIVER) => {
                    CommandStatus::BIND_FAILED
                }
                (Role::Esme, CommandId::DELIVER_SM | CommandId::DATA_SM) => CommandStatus::RECEIVER_TEMPORARY_ERROR,
                _ => CommandStatus::SYSTEM_ERROR,
            };
            self.queue_header_only(resp, status, p.seq);
        }
    }

    pub(crate) fn close_with(&mut self, reason: CloseReason) {
        if self.state == State::Closed {
            return;
        }
        if reason != CloseReason::ConnectionLost {
            self.answer_pending();
        }
        self.incoming.clear();
        self.state = State::Closed;
        for i in 0..W {
            let Some(o) = self.window.get(i) else { continue };
            if o.state.is_ended() {
                continue;
            }
            let part = o.part();
            self.window.end(i, SlotState::Lost);
            if let Some((g, p)) = part {
                self.messages.record(g, p, Some(crate::PartFailure::ConnectionLost));
            }
        }
        self.store.set_top(0);
        self.messages.close_all();
        self.control = Control::default();
        self.timers.stop_all();
        self.notices.closed = Some(reason);
    }
}

/// The window in force: `W`, or less when the configuration asks.
pub(crate) fn window_of<const W: usize>(config: &Config) -> u16 {
    let w = u16::try_from(W).unwrap_or(u16::MAX);
    config.window.map_or(w, |c| c.clamp(1, w))
}

/// Octets [`Session::reply`] writes.
pub(crate) const fn reply_len(id: CommandId, status: CommandStatus) -> usize {
    match id {
        CommandId::DELIVER_SM_RESP | CommandId::DATA_SM_RESP if status.is_ok() => HEADER_LEN + 1,
        _ => HEADER_LEN,
    }
}
