//! The application's commands.

use smpp_codec::pdu::{self, Bind, BindResp, Body, SubmitSm};
use smpp_codec::text::segment::{Concatenation, Encoding, SegmentError, Segmenter};
use smpp_codec::{CommandId, CommandStatus, Error as CodecError, HEADER_LEN, Pdu, Tlv, Tlvs};

use crate::buffer::TxMark;
use crate::error::CommandError;
use crate::event::{BindFailure, CloseReason, Handle, IncomingToken};
use crate::session::{ANSWER_RESERVE, CONTROL_RESERVE, RESPONSE_RESERVE, reply_len};
use crate::timers::Timer;
use crate::window::{Outstanding, SlotState};
use crate::{BindKind, Instant, Role, Session, State};

/// How [`Session::submit_text`] encodes and splits a text.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TextOptions {
    /// The encoding (see [`choose`](smpp_codec::text::segment::choose)).
    pub encoding: Encoding,
    /// How the parts are tied together.
    pub concatenation: Concatenation,
    /// The concatenation reference (the caller's counter; the low 8 bits with an 8-bit UDH).
    pub reference: u16,
}

/// A multi-part message being submitted, from [`Session::begin_message`].
#[derive(Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MessageBuilder {
    slot: u16,
    handle: Handle,
}

impl MessageBuilder {
    /// The message's handle, which its [`Event::MessageDone`](crate::Event::MessageDone) carries.
    pub const fn handle(&self) -> Handle {
        self.handle
    }
}

/// Where the session stood before a command that must be all-or-nothing.
#[derive(Copy, Clone, Debug)]
struct Snapshot {
    tx: TxMark,
    next_seq: u32,
    next_handle: u32,
    sends: u32,
    pdus_sent: u32,
}

/// Most TLVs of a `submit_text` template kept on each part.
const TEMPLATE_TLVS: usize = 8;

/// Encodes a request with the sequence number it is given, into the room it is given.
type WriteRequest<'w> = dyn FnMut(u32, &mut [u8]) -> Result<usize, CodecError> + 'w;

impl<'b, const W: usize, const R: usize> Session<'b, W, R> {
    /// ESME: sends a bind. The outcome is [`Event::Bound`](crate::Event::Bound) or
    /// [`Event::BindFailed`](crate::Event::BindFailed).
    ///
    /// # Errors
    /// [`CommandError::InvalidState`] unless this is an ESME session in state `Open`;
    /// [`CommandError::Codec`] for a field that breaks its limit.
    pub fn bind(&mut self, now: Instant, kind: BindKind, bind: &Bind<'_>) -> Result<(), CommandError> {
        self.advance_clock(now);
        if self.role != Role::Esme || self.state != State::Open {
            return Err(CommandError::InvalidState);
        }
        let seq = self.peek_seq();
        self.queue(kind.command_id(), bind, seq, CommandStatus::OK, 0)?;
        self.commit_seq(seq);
        self.control.bind = Some(seq);
        self.timers.set(Timer::Bind, self.now + self.config.bind_timeout);
        self.state = State::Binding(kind);
        Ok(())
    }

    /// ESME: submits a short message. Shorthand for [`send`](Self::send) with
    /// `Pdu::SubmitSm`.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn submit(&mut self, now: Instant, sm: &SubmitSm<'_>) -> Result<Handle, CommandError> {
        self.advance_clock(now);
        self.check_request(CommandId::SUBMIT_SM)?;
        self.check_window(1)?;
        self.send_request(CommandId::SUBMIT_SM, sm, None)
    }

    /// Sends a request of the application and returns its handle; its outcome comes later as
    /// [`Event::Outcome`](crate::Event::Outcome) with the same handle, exactly once.
    ///
    /// ESME: submit_sm, submit_multi, data_sm, query_sm, cancel_sm, replace_sm and the broadcast
    /// requests, on a transmitter or transceiver bind. SMSC: deliver_sm and data_sm on a receiver
    /// or transceiver bind, and alert_notification (which has no response, so no outcome: its
    /// handle is returned for logging only).
    ///
    /// # Errors
    /// Busy ([`CommandError::is_busy`]): [`CommandError::WindowFull`], [`CommandError::Paused`]
    /// after throttling, [`CommandError::TransmitBufferFull`]. Otherwise
    /// [`CommandError::InvalidState`], [`CommandError::NotARequest`], [`CommandError::Codec`],
    /// [`CommandError::TooLarge`] for a PDU larger than the transmit buffer can ever hold.
    pub fn send(&mut self, now: Instant, pdu: &Pdu<'_>) -> Result<Handle, CommandError> {
        self.advance_clock(now);
        self.check_request(pdu.command_id())?;
        if pdu.command_id().expects_response() {
            self.check_window(1)?;
        }
        self.send_request(pdu.command_id(), pdu, None)
    }

    /// Whether the application may send request `id` now.
    fn check_request(&self, id: CommandId) -> Result<(), CommandError> {
        if !self.broadcast && matches!(id.raw(), 0x111..=0x113) {
            // The broadcast family is sent only by a session made `with_broadcast`.
            return Err(CommandError::NotARequest);
        }
        let allowed = |kind| app_request_allowed(self.role, id, kind);
        match self.state {
            State::Bound(kind) => match allowed(kind) {
                None => Err(CommandError::NotARequest),
                Some(false) => Err(CommandError::InvalidState),
                Some(true) => Ok(()),
            },
            _ if allowed(BindKind::Transceiver).is_none() => Err(CommandError::NotARequest),
            _ => Err(CommandError::InvalidState),
        }
    }

    /// Whether `n` more requests fit the window now.
    fn check_window(&self, n: usize) -> Result<(), CommandError> {
        if n > usize::from(crate::session::window_of::<W>(&self.config)) {
            return Err(CommandError::TooLarge);
        }
        if let Some(until) = self.throttle.paused(self.now) {
            return Err(CommandError::Paused { until });
        }
        let room =
            usize::from(self.throttle.limit).saturating_sub(self.window.outstanding()).min(self.window.free_slots());
        if room < n { Err(CommandError::WindowFull) } else { Ok(()) }
    }

    /// Encodes command `id` with `body` into the transmit buffer, keeping `keep` octets free
    /// after it beyond the reserve. Each body type is encoded by its own code, so a firmware
    /// links only the encoders of what it sends.
    fn queue<B: Body + ?Sized>(
        &mut self,
        id: CommandId,
        body: &B,
        seq: u32,
        status: CommandStatus,
        keep: usize,
    ) -> Result<(), CommandError> {
        let len = pdu::encoded_len(body);
        self.queue_with(len, keep, || encode_error(id, body), |buf| pdu::emit(id, seq, status, body, buf))
    }

    /// Writes `len` octets with `write` into the transmit buffer, keeping `keep` octets free
    /// after them beyond the reserve; `error` tells why the octets cannot be written at all, if
    /// they cannot.
    fn queue_with(
        &mut self,
        len: usize,
        keep: usize,
        error: impl Fn() -> Option<CommandError>,
        write: impl FnOnce(&mut [u8]) -> Result<usize, CodecError>,
    ) -> Result<(), CommandError> {
        if len + keep + CONTROL_RESERVE + ANSWER_RESERVE * W > self.tx.capacity() {
            return Err(error().unwrap_or(CommandError::TooLarge));
        }
        if !self.has_room(len + keep) {
            return Err(error().unwrap_or(CommandError::TransmitBufferFull));
        }
        match self.tx.push_with(len, write) {
            Ok(true) => {}
            Ok(false) => return Err(CommandError::TransmitBufferFull),
            Err(e) => return Err(CommandError::Codec(e)),
        }
        self.counters.pdus_sent = self.counters.pdus_sent.wrapping_add(1);
        Ok(())
    }

    /// Sends application request `id` with `body`; its state, role and window were checked.
    fn send_request<B: Body + ?Sized>(
        &mut self,
        id: CommandId,
        body: &B,
        part: Option<(u16, u8)>,
    ) -> Result<Handle, CommandError> {
        let len = pdu::encoded_len(body);
        self.send_request_with(id, len, part, &|| encode_error(id, body), &mut |seq, buf| {
            pdu::emit(id, seq, CommandStatus::OK, body, buf)
        })
    }

    /// Sends an application request of `len` octets that `write` encodes with the sequence
    /// number it is given. The closures are trait objects, so that one copy of this serves
    /// every body type and [`send_frame`](Self::send_frame) (generic, it cost a copy each).
    fn send_request_with(
        &mut self,
        id: CommandId,
        len: usize,
        part: Option<(u16, u8)>,
        error: &dyn Fn() -> Option<CommandError>,
        write: &mut WriteRequest<'_>,
    ) -> Result<Handle, CommandError> {
        let command = crate::window::Request::new(id).ok_or(CommandError::NotARequest)?;
        let seq = self.peek_seq();
        let free = match id.expects_response() {
            true => Some(self.window.free_slot(seq).ok_or(CommandError::WindowFull)?),
            false => None,
        };
        let mark = self.tx.mark();
        self.queue_with(len, RESPONSE_RESERVE, error, |buf| write(seq, buf))?;
        self.commit_seq(seq);
        let handle = Handle(self.next_handle);
        self.next_handle = self.next_handle.wrapping_add(1);
        let sent = self.sends;
        self.sends = self.sends.wrapping_add(1);
        let Some(slot) = free else { return Ok(handle) };
        let stored = match part {
            Some(_) => (self.parts.keep)(self, mark).unwrap_or((0, 0)),
            _ => (0, 0),
        };
        self.window.put(
            slot,
            Outstanding {
                seq,
                handle,
                command,
                deadline: self.now + self.config.response_timeout,
                state: SlotState::Waiting,
                group: part.map_or(0, |p| p.0),
                index: part.map_or(0, |p| p.1),
                sent,
                stored,
            },
        );
        self.note_deadline(self.now + self.config.response_timeout);
        Ok(handle)
    }

    /// Sends a request the application encoded itself: a whole PDU (header included) whose
    /// sequence number the session replaces with its own. For adapters that encode on the
    /// application's thread and hand the octets to the thread that owns the session. The header
    /// is checked (length, a request this role may send now, status 0); the body is sent as it
    /// is, and a peer that cannot decode it answers with an error, reported as the outcome.
    ///
    /// # Errors
    /// As [`send`](Self::send); [`CommandError::Codec`] for a header that does not describe
    /// `frame`.
    pub fn send_frame(&mut self, now: Instant, frame: &[u8]) -> Result<Handle, CommandError> {
        self.advance_clock(now);
        let header = smpp_codec::Header::parse(frame)?;
        if header.command_length as usize != frame.len() {
            return Err(CommandError::Codec(CodecError::LengthMismatch {
                command_length: header.command_length,
                actual: frame.len(),
            }));
        }
        if !header.command_status.is_ok() {
            return Err(CommandError::Codec(CodecError::InvalidValue { field: smpp_codec::Field::CommandStatus }));
        }
        let id = header.command_id;
        self.check_request(id)?;
        if id.expects_response() {
            self.check_window(1)?;
        }
        self.send_request_with(id, frame.len(), None, &|| None, &mut |seq, buf| {
            let dst = buf.get_mut(..frame.len()).ok_or(CodecError::BufferTooSmall { needed: frame.len() })?;
            dst.copy_from_slice(frame);
            if let Some(s) = dst.get_mut(12..HEADER_LEN) {
                s.copy_from_slice(&seq.to_be_bytes());
            }
            Ok(frame.len())
        })
    }

    /// Keeps a copy of the PDU written since `mark` in the part store, packing it first when
    /// that makes room.
    pub(crate) fn store_part(&mut self, mark: TxMark) -> Option<(u16, u16)> {
        let len = self.tx.last_written_from(mark).len();
        let live: usize =
            self.window.slots.iter().flatten().filter_map(Outstanding::stored).map(|(_, l)| usize::from(l)).sum();
        if !self.store.fits_packed(live, len) {
            return None;
        }
        if let Some(entry) = self.store.append(self.tx.last_written_from(mark)) {
            return Some(entry);
        }
        self.pack_store();
        self.store.append(self.tx.last_written_from(mark))
    }

    /// Moves the live entries of the part store to its bottom, in offset order.
    fn pack_store(&mut self) {
        let mut to = 0usize;
        let mut floor = 0u16;
        loop {
            // The live entry with the lowest offset at or above `floor`.
            let next = (0..W)
                .filter_map(|i| Some((i, self.window.get(i)?.stored()?)))
                .filter(|(_, (off, _))| *off >= floor)
                .min_by_key(|(_, (off, _))| *off);
            let Some((i, entry)) = next else { break };
            let moved = self.store.move_down(entry, to);
            floor = entry.0.saturating_add(1);
            to += usize::from(moved.1);
            if let Some(o) = self.window.get_mut(i) {
                o.stored = moved;
            }
        }
        self.store.set_top(to);
    }

    /// Forgets the stored copy of slot `i`.
    pub(crate) fn release_stored(&mut self, i: usize) {
        if let Some(o) = self.window.get_mut(i) {
            o.stored = (0, 0);
        }
        if self.window.slots.iter().flatten().all(|o| o.stored().is_none()) {
            self.store.set_top(0);
        }
    }

    /// Sends again the throttled parts whose pause is over, while the transmit buffer has room.
    pub(crate) fn send_due_retries(&mut self) {
        (self.parts.resend)(self);
    }

    /// The part store's [`send_due_retries`](Self::send_due_retries).
    pub(crate) fn resend_parts(&mut self) {
        if !self.window.has_retries()
            || !matches!(self.state, State::Bound(_))
            || self.throttle.paused(self.now).is_some()
        {
            return;
        }
        for i in 0..W {
            let Some(o) = self.window.get(i) else { continue };
            let (SlotState::RetryWait, Some(entry)) = (o.state, o.stored()) else { continue };
            if !self.has_room(usize::from(entry.1) + RESPONSE_RESERVE) {
                return;
            }
            let seq = self.peek_seq();
            let bytes = self.store.get_mut(entry);
            if let Some(s) = bytes.get_mut(12..HEADER_LEN) {
                s.copy_from_slice(&seq.to_be_bytes());
            }
            if !self.tx.push(self.store.get(entry)) {
                return;
            }
            self.commit_seq(seq);
            self.counters.pdus_sent = self.counters.pdus_sent.wrapping_add(1);
            self.counters.part_retries = self.counters.part_retries.wrapping_add(1);
            let deadline = self.now + self.config.response_timeout;
            self.window.resent(i, seq, deadline, self.sends);
            self.sends = self.sends.wrapping_add(1);
            self.note_deadline(deadline);
        }
    }

    fn snapshot(&mut self) -> Snapshot {
        Snapshot {
            tx: self.tx.mark(),
            next_seq: self.window.next_seq(),
            next_handle: self.next_handle,
            sends: self.sends,
            pdus_sent: self.counters.pdus_sent,
        }
    }

    /// Undoes everything sent since `snap`: nothing of it reached the transport (commands do
    /// not transmit), so the session is as if the command never ran.
    fn rollback(&mut self, snap: Snapshot) {
        self.tx.rollback(snap.tx);
        let issued = self.next_handle.wrapping_sub(snap.next_handle);
        for i in 0..W {
            let Some(o) = self.window.get(i) else { continue };
            if o.handle.0.wrapping_sub(snap.next_handle) < issued {
                self.window.take(i);
            }
        }
        if self.window.slots.iter().flatten().all(|o| o.stored().is_none()) {
            self.store.set_top(0);
        }
        self.window.restore_seq(snap.next_seq);
        self.next_handle = snap.next_handle;
        self.sends = snap.sends;
        self.counters.pdus_sent = snap.pdus_sent;
        self.update_response_timer();
    }

    /// Starts a multi-part message (a long text split by the caller). Submit each part with
    /// [`submit_part`](Self::submit_part), or all at once with
    /// [`submit_parts`](Self::submit_parts). Each part's outcome comes as
    /// [`Event::Outcome`](crate::Event::Outcome) with its `part` (and its message_id); once every
    /// part's outcome is known, one [`Event::MessageDone`](crate::Event::MessageDone) with the
    /// message's handle reports the message as a whole.
    ///
    /// # Errors
    /// [`CommandError::InvalidState`] unless bound to send; [`CommandError::WindowFull`] when
    /// `W` messages are already in progress; [`CommandError::NotARequest`] for 0 parts.
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
        let handle = Handle(self.next_handle);
        let slot = self.messages.start(handle, total).ok_or(CommandError::WindowFull)?;
        self.next_handle = self.next_handle.wrapping_add(1);
        Ok(MessageBuilder { slot, handle })
    }

    /// Submits the next part of a message from [`begin_message`](Self::begin_message); parts go
    /// in order, from 1.
    ///
    /// # Errors
    /// As [`send`](Self::send); [`CommandError::UnknownToken`] for a message that is over;
    /// [`CommandError::NotARequest`] when every part was already submitted or the message was
    /// abandoned.
    pub fn submit_part(
        &mut self,
        now: Instant,
        message: &MessageBuilder,
        pdu: &Pdu<'_>,
    ) -> Result<Handle, CommandError> {
        self.submit_part_body(now, message, pdu.command_id(), pdu)
    }

    /// [`submit_part`](Self::submit_part) for a body type of its own.
    fn submit_part_body<B: Body + ?Sized>(
        &mut self,
        now: Instant,
        message: &MessageBuilder,
        id: CommandId,
        body: &B,
    ) -> Result<Handle, CommandError> {
        self.advance_clock(now);
        let g = match self.messages.get(message.slot) {
            Some(g) if g.handle == message.handle => *g,
            _ => return Err(CommandError::UnknownToken),
        };
        if g.closed || g.submitted >= g.total || !id.expects_response() {
            return Err(CommandError::NotARequest);
        }
        self.check_request(id)?;
        self.check_window(1)?;
        let index = g.submitted + 1;
        let handle = self.send_request(id, body, Some((message.slot, index)))?;
        if let Some(g) = self.messages.get_mut(message.slot) {
            g.submitted = index;
        }
        Ok(handle)
    }

    /// Submits every part of a message at once: all fit the window and the transmit buffer,
    /// or nothing is sent and no handle exists. Returns the message's handle (the one
    /// [`Event::MessageDone`](crate::Event::MessageDone) carries).
    ///
    /// # Errors
    /// [`CommandError::WindowFull`] when fewer than `parts.len()` requests may be outstanding
    /// now, and as [`send`](Self::send).
    pub fn submit_parts(&mut self, now: Instant, parts: &[Pdu<'_>]) -> Result<Handle, CommandError> {
        self.advance_clock(now);
        let total = u8::try_from(parts.len()).map_err(|_| CommandError::TooLarge)?;
        for p in parts {
            if !p.command_id().expects_response() {
                return Err(CommandError::NotARequest);
            }
            self.check_request(p.command_id())?;
        }
        self.check_window(parts.len())?;
        self.transaction(total, |s, message| {
            for p in parts {
                s.submit_part(now, message, p)?;
            }
            Ok(())
        })
    }

    /// Runs `submit` on a new message of `total` parts; on error, undoes all of it.
    fn transaction(
        &mut self,
        total: u8,
        submit: impl FnOnce(&mut Self, &MessageBuilder) -> Result<(), CommandError>,
    ) -> Result<Handle, CommandError> {
        let snap = self.snapshot();
        let message = self.begin_message(total)?;
        match submit(self, &message) {
            Ok(()) => Ok(message.handle),
            Err(e) => {
                self.messages.discard(message.slot);
                self.rollback(snap);
                Err(e)
            }
        }
    }

    /// Splits `text` with the text layer and submits every part as one message, in the
    /// encoding and with the concatenation `options` ask for (see
    /// [`choose`](smpp_codec::text::segment::choose) to pick the cheapest encoding). The other
    /// fields come from `template` (its short_message is ignored; up to 8 of its TLVs are kept).
    /// `scratch` holds one part while it is encoded: 160 octets, or the whole encoded text with
    /// [`Concatenation::Payload`].
    ///
    /// All parts go out at once or none do: on error nothing was sent and no handle exists.
    /// Returns the message's handle for [`Event::MessageDone`](crate::Event::MessageDone); each
    /// part has its own [`Event::Outcome`](crate::Event::Outcome).
    ///
    /// # Errors
    /// [`CommandError::Text`] (including a scratch buffer too small), [`CommandError::WindowFull`]
    /// when the parts do not all fit the window now, [`CommandError::TooLarge`] when they never
    /// will, [`CommandError::NotARequest`] for a template with more than 8 TLVs, and as
    /// [`send`](Self::send).
    pub fn submit_text(
        &mut self,
        now: Instant,
        template: &SubmitSm<'_>,
        text: &str,
        options: TextOptions,
        scratch: &mut [u8],
    ) -> Result<Handle, CommandError> {
        self.advance_clock(now);
        let concat = options.concatenation;
        let mut seg = Segmenter::new(text, options.encoding, concat, options.reference).map_err(CommandError::Text)?;
        let total = seg.total();
        let mut base: heapless::Vec<Tlv<'_>, { TEMPLATE_TLVS + 3 }> = heapless::Vec::new();
        for t in template.tlvs.iter() {
            if base.len() >= TEMPLATE_TLVS || base.push(t).is_err() {
                return Err(CommandError::NotARequest);
            }
        }
        self.check_request(CommandId::SUBMIT_SM)?;
        self.check_window(usize::from(total))?;
        let data_coding = seg.data_coding();
        self.transaction(total, |s, message| {
            while let Some(part) = seg.next_part(scratch) {
                let part = part.map_err(CommandError::Text)?;
                let data = scratch
                    .get(..part.len)
                    .ok_or(CommandError::Text(SegmentError::BufferTooSmall { needed: part.len }))?;
                let mut tlvs = base.clone();
                let mut sm = SubmitSm { esm_class: template.esm_class.with_udhi(part.udhi), data_coding, ..*template };
                if concat == Concatenation::Payload {
                    sm.short_message = &[];
                    tlvs.push(Tlv::message_payload(data)).map_err(|_| CommandError::NotARequest)?;
                } else {
                    sm.short_message = data;
                }
                if let Some((r, t, n)) = part.sar {
                    for tlv in [Tlv::sar_msg_ref_num(r), Tlv::sar_total_segments(t), Tlv::sar_segment_seqnum(n)] {
                        tlvs.push(tlv).map_err(|_| CommandError::NotARequest)?;
                    }
                }
                sm.tlvs = Tlvs::from_slice(&tlvs);
                s.submit_part_body(now, message, CommandId::SUBMIT_SM, &sm)?;
            }
            Ok(())
        })
    }

    /// Stops a multi-part message: no more parts will be submitted. Its
    /// [`Event::MessageDone`](crate::Event::MessageDone) comes once the parts in flight have
    /// their outcomes.
    pub fn abandon_message(&mut self, message: &MessageBuilder) {
        if let Some(g) = self.messages.get_mut(message.slot) {
            if g.handle == message.handle {
                g.close();
                self.messages.dirty = true;
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
        self.advance_clock(now);
        let pending = self.incoming.get(token).ok_or(CommandError::UnknownToken)?;
        let resp_id = pending.command.id().response_id().ok_or(CommandError::WrongResponse)?;
        match pdu {
            Some(p) if p.command_id() != resp_id => Err(CommandError::WrongResponse),
            // A header-only response given as its (empty) Pdu goes out as a header.
            Some(p) if header_only(resp_id) => self.answer::<Pdu<'_>>(token, status, None, p.command_id()),
            Some(p) => self.answer(token, status, Some(p), resp_id),
            None => self.answer::<Pdu<'_>>(token, status, None, resp_id),
        }
    }

    /// Answers the pending request `token` with `resp_id` and `body`, or without a body (the
    /// session's own: empty message_id for deliver_sm_resp and data_sm_resp, header only else).
    fn answer<B: Body + ?Sized>(
        &mut self,
        token: IncomingToken,
        status: CommandStatus,
        body: Option<&B>,
        resp_id: CommandId,
    ) -> Result<(), CommandError> {
        let pending = self.incoming.get(token).ok_or(CommandError::UnknownToken)?;
        if body.is_none() && status.is_ok() && !header_only(resp_id) && !has_default_body(resp_id) {
            return Err(CommandError::WrongResponse);
        }
        // The answer takes the room kept for this request, and more if its body needs it.
        let len = body.map_or(reply_len(resp_id, status), |b| pdu::encoded_len(b));
        if self.tx.free() + ANSWER_RESERVE < len + self.reserved() {
            return Err(CommandError::TransmitBufferFull);
        }
        match body {
            Some(b) => match self.tx.push_with(len, |buf| pdu::emit(resp_id, pending.seq, status, b, buf)) {
                Ok(true) => self.counters.pdus_sent = self.counters.pdus_sent.wrapping_add(1),
                Ok(false) => return Err(CommandError::TransmitBufferFull),
                Err(e) => return Err(CommandError::Codec(e)),
            },
            None => self.reply(resp_id, status, pending.seq),
        }
        self.incoming.remove(token);
        if let Some(kind) = BindKind::from_command_id(pending.command.id()) {
            if status.is_ok() {
                self.state = State::Bound(kind);
                self.timers.stop(crate::timers::Timer::SessionInit);
                self.schedule_keepalive();
                self.expect_peer_keepalive();
            } else {
                self.close_with(CloseReason::BindFailed);
            }
        }
        Ok(())
    }

    /// Answers a request of the peer with generic_nack and `status` instead of its own response
    /// type: what an SMSC that does not support a command answers (EngageLab answers generic_nack
    /// to binds other than bind_transceiver and to every command it does not support). A bind
    /// answered so is refused, and the session closes.
    ///
    /// # Errors
    /// [`CommandError::UnknownToken`], [`CommandError::TransmitBufferFull`].
    pub fn nack(&mut self, now: Instant, token: IncomingToken, status: CommandStatus) -> Result<(), CommandError> {
        self.advance_clock(now);
        let pending = self.incoming.get(token).ok_or(CommandError::UnknownToken)?;
        if self.tx.free() + ANSWER_RESERVE < HEADER_LEN + self.reserved() {
            return Err(CommandError::TransmitBufferFull);
        }
        self.queue_header_only(CommandId::GENERIC_NACK, status, pending.seq);
        self.incoming.remove(token);
        if BindKind::from_command_id(pending.command.id()).is_some() {
            self.close_with(CloseReason::BindFailed);
        }
        Ok(())
    }

    /// Acknowledges a peer request with an empty response body (deliver_sm_resp, data_sm_resp
    /// ...), with `status` (ESME_ROK, or ESME_RX_T_APPN to ask for redelivery later, ...).
    ///
    /// The answer always fits: the session took the request only with room kept for it, so
    /// `ack` never returns [`CommandError::TransmitBufferFull`] for a pending token, however
    /// full the transmit buffer is.
    ///
    /// # Errors
    /// [`CommandError::UnknownToken`] (answered already, or the session closed since),
    /// [`CommandError::WrongResponse`] (ESME_ROK for a request whose response needs a body).
    pub fn ack(&mut self, now: Instant, token: IncomingToken, status: CommandStatus) -> Result<(), CommandError> {
        self.respond(now, token, status, None)
    }

    /// SMSC: accepts a bind, answering with our `system_id` and sc_interface_version.
    ///
    /// # Errors
    /// As [`respond`](Self::respond).
    pub fn accept_bind(&mut self, now: Instant, token: IncomingToken, system_id: &str) -> Result<(), CommandError> {
        self.advance_clock(now);
        let pending = self.incoming.get(token).ok_or(CommandError::UnknownToken)?;
        let kind = BindKind::from_command_id(pending.command.id()).ok_or(CommandError::WrongResponse)?;
        let tlvs = [Tlv::sc_interface_version(self.config.sc_interface_version)];
        let body = BindResp { system_id: system_id.into(), tlvs: Tlvs::from_slice(&tlvs) };
        let resp_id = kind.command_id().response_id().ok_or(CommandError::WrongResponse)?;
        self.answer(token, CommandStatus::OK, Some(&body), resp_id)
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

    /// Sends unbind. Peer requests still waiting for the application are answered first with a
    /// transient error (ESME_RX_T_APPN for deliveries: the SMSC redelivers them later).
    /// Outstanding requests still complete if their responses come first; the session closes
    /// when unbind_resp arrives or the unbind timeout passes.
    ///
    /// # Errors
    /// [`CommandError::InvalidState`] unless bound.
    pub fn unbind(&mut self, now: Instant) -> Result<(), CommandError> {
        self.advance_clock(now);
        if !matches!(self.state, State::Bound(_)) {
            return Err(CommandError::InvalidState);
        }
        self.answer_pending();
        let seq = self.peek_seq();
        self.queue_header_only(CommandId::UNBIND, CommandStatus::OK, seq);
        self.commit_seq(seq);
        self.control.unbind = Some(seq);
        self.timers.set(Timer::Unbind, self.now + self.config.unbind_timeout);
        self.timers.stop(Timer::Keepalive);
        self.state = State::Unbinding;
        Ok(())
    }

    /// Closes at once, without unbind. Pending peer requests are answered with a transient
    /// error; every outstanding request is reported lost.
    pub fn close(&mut self, now: Instant) {
        self.advance_clock(now);
        if self.control.bind.take().is_some() {
            self.notices.bind_failure = Some(BindFailure::ConnectionLost);
        }
        self.close_with(CloseReason::Closed);
    }
}

/// Why `body` cannot be encoded as `id`, if it cannot (an encoding error is more useful than
/// "full" when both apply).
fn encode_error<B: Body + ?Sized>(id: CommandId, body: &B) -> Option<CommandError> {
    match pdu::emit(id, 0, CommandStatus::OK, body, &mut []) {
        Err(CodecError::BufferTooSmall { .. }) | Ok(_) => None,
        Err(e) => Some(CommandError::Codec(e)),
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

/// Whether a successful response `id` has no body.
const fn header_only(id: CommandId) -> bool {
    matches!(
        id,
        CommandId::ENQUIRE_LINK_RESP
            | CommandId::UNBIND_RESP
            | CommandId::CANCEL_SM_RESP
            | CommandId::REPLACE_SM_RESP
            | CommandId::CANCEL_BROADCAST_SM_RESP
            | CommandId::GENERIC_NACK
    )
}

/// Whether the session writes the body of a successful response `id` itself (an empty
/// message_id).
const fn has_default_body(id: CommandId) -> bool {
    matches!(id, CommandId::DELIVER_SM_RESP | CommandId::DATA_SM_RESP)
}
