//! What the session does with a frame the peer sent.
//!
//! A frame is first judged as it stands ([`Session::decide`], reading the receive buffer), then
//! acted on ([`Session::apply`]). A frame whose event the application will look at stays in the
//! receive buffer (held) until the next `poll_event`, so its fields are read without a copy.

use smpp_codec::text::receipt::DeliveryReceipt;
use smpp_codec::{CommandId, CommandStatus, Error as CodecError, HEADER_LEN, Header, MessageState, Pdu};

use crate::buffer::Front;
use crate::event::{BindFailure, CloseReason, Event, Handle, Outcome, PartOf};
use crate::session::reply_len;
use crate::timers::Timer;
use crate::{AckMode, BindKind, Role, Session, State};

/// What one step of processing did.
#[derive(Copy, Clone, Debug)]
pub(crate) enum Step {
    /// A frame gave this event (and is held).
    Event(Event),
    /// A frame was processed without an event, or a notice may be due.
    Continue,
    /// Nothing to process now: no whole frame, or no room to answer the next one yet.
    Idle,
}

/// The event a peer request gives, decided while the frame is at hand.
#[derive(Copy, Clone, Debug)]
enum Incoming {
    Message,
    Receipt { submit: Option<(Handle, Option<PartOf>)>, state: Option<MessageState> },
    DataSm,
    Alert,
    Outbind,
    BindRequest(BindKind),
    Request,
}

/// What to do with a received frame, decided from the frame alone.
#[derive(Copy, Clone, Debug)]
enum Action {
    /// Nothing (an outbind or alert out of place: they have no answer).
    Drop,
    /// Answer with this header-only or default response.
    Reply { id: CommandId, status: CommandStatus, seq: u32, malformed: bool },
    /// The peer unbinds.
    PeerUnbind { seq: u32 },
    /// A response (or generic_nack) to one of our requests.
    Response { id: CommandId, seq: u32, status: CommandStatus, decoded: Result<(), CodecError> },
    /// A request or notice for the application.
    Incoming { id: CommandId, seq: u32, what: Incoming },
}

impl<'b, const W: usize, const R: usize> Session<'b, W, R> {
    /// Processes the next whole frame, if there is one and the room to answer it.
    pub(crate) fn process_next(&mut self) -> Step {
        let len = match self.rx.front(self.config.max_command_length) {
            Front::Incomplete => return Step::Idle,
            Front::Invalid { length, sequence_number } => {
                // Framing is lost: answer generic_nack and close (SMPP-REFERENCE §10.4).
                self.counters.malformed = self.counters.malformed.wrapping_add(1);
                self.rx.clear();
                self.queue_header_only(CommandId::GENERIC_NACK, CommandStatus::INVALID_COMMAND_LENGTH, sequence_number);
                self.close_with(CloseReason::InvalidCommandLength(length));
                return Step::Continue;
            }
            Front::TooLarge(header) => return self.skip_oversized(header),
            Front::Complete(n) => n,
        };
        let action = self.decide(len);
        // Once the connection is lost nothing more goes out: no room is needed.
        if !self.notices.lost && !self.has_room(room_needed(action, self.role, self.config.ack_mode)) {
            return Step::Idle;
        }
        self.counters.pdus_received = self.counters.pdus_received.wrapping_add(1);
        self.last_rx = self.now;
        self.silent_timeouts = 0;
        let event = self.apply(action);
        match event {
            Some(_) => self.rx.hold(len),
            None => self.rx.skip(len),
        }
        self.schedule_keepalive();
        match event {
            Some(e) => Step::Event(e),
            None => Step::Continue,
        }
    }

    /// A frame longer than the receive buffer (but within the configured maximum): the framing
    /// holds, so it is skipped and answered with ESME_RINVCMDLEN, or ends its request as an
    /// invalid response.
    fn skip_oversized(&mut self, header: Header) -> Step {
        let Header { command_id: id, command_status: status, sequence_number: seq, command_length } = header;
        let needed = if id.is_response() {
            0
        } else if id.is_known() {
            reply_len(id, CommandStatus::INVALID_COMMAND_LENGTH)
        } else {
            HEADER_LEN
        };
        if !self.notices.lost && !self.has_room(needed) {
            return Step::Idle;
        }
        self.counters.pdus_received = self.counters.pdus_received.wrapping_add(1);
        self.counters.oversized = self.counters.oversized.wrapping_add(1);
        self.rx.skip_oversized(command_length as usize);
        self.last_rx = self.now;
        self.silent_timeouts = 0;
        self.schedule_keepalive();
        if !id.is_response() {
            match id.response_id() {
                Some(resp) if id.is_known() => self.reply(resp, CommandStatus::INVALID_COMMAND_LENGTH, seq),
                Some(_) => self.reply(CommandId::GENERIC_NACK, CommandStatus::INVALID_COMMAND_ID, seq),
                None => {}
            }
            return Step::Continue;
        }
        let error = CodecError::InvalidCommandLength { length: command_length };
        match self.on_response(id, seq, status, Err(error)) {
            Some(e) => Step::Event(e),
            None => Step::Continue,
        }
    }

    /// Judges the next frame (`len` octets) as it stands.
    fn decide(&self, len: usize) -> Action {
        let frame = self.rx.next_frame(len);
        let Ok(header) = Header::parse(frame) else {
            return Action::Drop;
        };
        let Header { command_id: id, sequence_number: seq, command_status: status, .. } = header;
        let parsed = (self.decode)(frame);
        if id.is_response() {
            return Action::Response { id, seq, status, decoded: parsed.map(|_| ()) };
        }
        let pdu = match parsed {
            Ok((_, pdu)) => pdu,
            Err(CodecError::UnknownCommandId { .. }) => {
                return match id.expects_response() || !id.is_known() {
                    true => Action::Reply {
                        id: CommandId::GENERIC_NACK,
                        status: CommandStatus::INVALID_COMMAND_ID,
                        seq,
                        malformed: true,
                    },
                    // outbind or alert_notification where this role takes none: no answer exists.
                    false => Action::Drop,
                };
            }
            Err(e) => {
                return match id.response_id() {
                    Some(resp) => Action::Reply { id: resp, status: e.command_status(), seq, malformed: true },
                    None => Action::Drop,
                };
            }
        };
        let wrong_state = || match id.response_id() {
            Some(resp) => Action::Reply { id: resp, status: CommandStatus::INVALID_BIND_STATUS, seq, malformed: false },
            None => Action::Drop,
        };
        let incoming = |what| Action::Incoming { id, seq, what };
        let (role, state) = (self.role, self.state);
        match pdu {
            Pdu::EnquireLink => {
                Action::Reply { id: CommandId::ENQUIRE_LINK_RESP, status: CommandStatus::OK, seq, malformed: false }
            }
            Pdu::Unbind => match state {
                State::Bound(_) | State::Unbinding | State::Binding(_) => Action::PeerUnbind { seq },
                _ => wrong_state(),
            },
            Pdu::BindTransmitter(_) | Pdu::BindReceiver(_) | Pdu::BindTransceiver(_) => match (role, state) {
                (Role::Smsc, State::Open) => match BindKind::from_command_id(id) {
                    Some(kind) => incoming(Incoming::BindRequest(kind)),
                    None => wrong_state(),
                },
                (Role::Smsc, _) => Action::Reply {
                    id: id.response_id().unwrap_or(CommandId::GENERIC_NACK),
                    status: CommandStatus::ALREADY_BOUND,
                    seq,
                    malformed: false,
                },
                (Role::Esme, _) => wrong_state(),
            },
            Pdu::Outbind(_) => match (role, state) {
                (Role::Esme, State::Open) => incoming(Incoming::Outbind),
                _ => Action::Drop,
            },
            Pdu::AlertNotification(_) => match (role, state) {
                (Role::Esme, State::Bound(k)) if k.can_receive() => incoming(Incoming::Alert),
                _ => Action::Drop,
            },
            Pdu::DeliverSm(sm) => match (role, state) {
                // A deliver_sm may still arrive while our unbind is in flight.
                (Role::Esme, State::Bound(k)) if k.can_receive() => incoming(self.classify(&sm)),
                (Role::Esme, State::Unbinding) => incoming(self.classify(&sm)),
                _ => wrong_state(),
            },
            Pdu::DataSm(_) => match (role, state) {
                (Role::Esme, State::Bound(k)) if k.can_receive() => incoming(Incoming::DataSm),
                (Role::Esme, State::Unbinding) => incoming(Incoming::DataSm),
                (Role::Smsc, State::Bound(k)) if k.can_transmit() => incoming(Incoming::DataSm),
                _ => wrong_state(),
            },
            Pdu::SubmitSm(_)
            | Pdu::SubmitMulti(_)
            | Pdu::QuerySm(_)
            | Pdu::CancelSm(_)
            | Pdu::ReplaceSm(_)
            | Pdu::BroadcastSm(_)
            | Pdu::QueryBroadcastSm(_)
            | Pdu::CancelBroadcastSm(_) => match (role, state) {
                (Role::Smsc, State::Bound(k)) if k.can_transmit() => incoming(Incoming::Request),
                _ => wrong_state(),
            },
            _ => wrong_state(),
        }
    }

    /// A deliver_sm is a receipt (matched to its submission) or a message.
    fn classify(&self, sm: &smpp_codec::pdu::Sm<'_>) -> Incoming {
        if !is_receipt(sm) {
            return Incoming::Message;
        }
        let receipt = DeliveryReceipt::from_sm(sm);
        let submit =
            receipt.and_then(|r| r.message_id).and_then(|id| self.recent.find(id.as_bytes(), self.config.id_match));
        let state = receipt.map(|r| r.state).filter(|s| *s != MessageState::UNKNOWN);
        Incoming::Receipt { submit, state }
    }

    /// Acts on a judged frame; returns its event, if it has one.
    fn apply(&mut self, action: Action) -> Option<Event> {
        match action {
            Action::Drop => {
                self.counters.malformed = self.counters.malformed.wrapping_add(1);
                None
            }
            Action::Reply { id, status, seq, malformed } => {
                if malformed {
                    self.counters.malformed = self.counters.malformed.wrapping_add(1);
                }
                if id == CommandId::ENQUIRE_LINK_RESP {
                    self.expect_peer_keepalive();
                }
                self.reply(id, status, seq);
                None
            }
            Action::PeerUnbind { seq } => {
                self.answer_pending();
                self.queue_header_only(CommandId::UNBIND_RESP, CommandStatus::OK, seq);
                if self.control.bind.take().is_some() {
                    self.notices.bind_failure = Some(BindFailure::ConnectionLost);
                }
                self.close_with(CloseReason::PeerUnbound);
                None
            }
            Action::Response { id, seq, status, decoded } => self.on_response(id, seq, status, decoded),
            Action::Incoming { id, seq, what } => self.on_incoming(id, seq, what),
        }
    }

    fn on_incoming(&mut self, id: CommandId, seq: u32, what: Incoming) -> Option<Event> {
        let token = if !id.expects_response() {
            None
        } else if self.role == Role::Esme && self.config.ack_mode == AckMode::Auto {
            self.reply(id.response_id()?, CommandStatus::OK, seq);
            None
        } else if let Some(token) = self.incoming.insert(seq, id) {
            Some(token)
        } else {
            // Every slot is waiting for the application: ask the peer to retry later.
            self.counters.refused_busy = self.counters.refused_busy.wrapping_add(1);
            let status = match self.role {
                Role::Esme => CommandStatus::RECEIVER_TEMPORARY_ERROR,
                Role::Smsc => CommandStatus::THROTTLED,
            };
            self.reply(id.response_id()?, status, seq);
            return None;
        };
        Some(match (what, token) {
            (Incoming::Message, token) => Event::Message { token },
            (Incoming::Receipt { submit, state }, token) => {
                Event::Receipt { token, submit: submit.map(|s| s.0), part: submit.and_then(|s| s.1), state }
            }
            (Incoming::DataSm, token) => Event::DataSm { token },
            (Incoming::Alert, _) => Event::Alert,
            (Incoming::Outbind, _) => Event::Outbind,
            (Incoming::BindRequest(kind), Some(token)) => {
                self.state = State::Binding(kind);
                Event::BindRequest { token, kind }
            }
            (Incoming::Request, Some(token)) => Event::Request { token, command: id },
            (Incoming::BindRequest(_) | Incoming::Request, None) => return None,
        })
    }

    fn on_response(
        &mut self,
        id: CommandId,
        seq: u32,
        status: CommandStatus,
        decoded: Result<(), CodecError>,
    ) -> Option<Event> {
        let nack = id == CommandId::GENERIC_NACK;
        if self.control.bind == Some(seq) && (BindKind::from_command_id(id).is_some() || nack) {
            return self.on_bind_response(id, status, nack);
        }
        if self.control.keepalive == Some(seq) && (id == CommandId::ENQUIRE_LINK_RESP || nack) {
            self.control.keepalive = None;
            self.timers.stop(Timer::KeepaliveResponse);
            return None;
        }
        if self.control.unbind == Some(seq) && (id == CommandId::UNBIND_RESP || nack) {
            self.control.unbind = None;
            self.close_with(CloseReason::Unbound);
            return None;
        }
        let Some(i) = self.window.find_waiting(seq, id) else {
            self.counters.unexpected_responses = self.counters.unexpected_responses.wrapping_add(1);
            return None;
        };
        let outcome = match decoded {
            Err(error) if !nack => Outcome::InvalidResponse { status, error },
            _ if nack => Outcome::GenericNack { status },
            _ => Outcome::Response { status },
        };
        let o = *self.window.get(i)?;
        if matches!(status, CommandStatus::THROTTLED | CommandStatus::MESSAGE_QUEUE_FULL) {
            self.counters.throttled = self.counters.throttled.wrapping_add(1);
            let max = self.config.max_throttle_pause;
            if let Some(until) = self.throttle.throttled(o.sent, self.sends, self.now, max) {
                self.timers.set(Timer::ThrottlePause, until);
                self.notices.throttled = true;
            }
            let retry = match (o.part(), o.stored()) {
                (Some((g, _)), Some(_)) => self.messages.take_retry(g, self.config.part_retries),
                _ => false,
            };
            if retry {
                // The session sends the part again after the pause; its outcome is still to come.
                self.window.wait_retry(i);
                self.send_due_retries();
                return None;
            }
        } else if outcome.is_ok() {
            self.throttle.succeeded(o.sent, crate::session::window_of::<W>(&self.config), self.config.throttle_pause);
        }
        let part = o.part().and_then(|(g, p)| self.part_of(g, p));
        if outcome.is_ok()
            && matches!(id, CommandId::SUBMIT_SM_RESP | CommandId::DATA_SM_RESP | CommandId::SUBMIT_MULTI_RESP)
        {
            self.remember_response_id(o.handle, part);
        }
        self.release_stored(i);
        // The response timer may now be early; when it fires it finds nothing due and moves on.
        self.window.take(i);
        if let Some((g, p)) = o.part() {
            self.messages.record(g, p, outcome.part_failure());
        }
        Some(Event::Outcome { handle: o.handle, command: o.command.id(), part, outcome })
    }

    fn on_bind_response(&mut self, id: CommandId, status: CommandStatus, nack: bool) -> Option<Event> {
        self.control.bind = None;
        self.timers.stop(Timer::Bind);
        let kind = match self.state {
            State::Binding(kind) if !nack && status.is_ok() && BindKind::from_command_id(id) == Some(kind) => kind,
            _ => {
                self.notices.bind_failure = Some(match nack {
                    true => BindFailure::GenericNack(status),
                    false if status.is_ok() => BindFailure::Rejected(CommandStatus::BIND_FAILED),
                    false => BindFailure::Rejected(status),
                });
                self.close_with(CloseReason::BindFailed);
                return None;
            }
        };
        self.state = State::Bound(kind);
        self.expect_peer_keepalive();
        let sc_interface_version = match (self.decode)(self.rx.next_frame(self.frame_len())) {
            Ok((_, Pdu::BindTransmitterResp(b) | Pdu::BindReceiverResp(b) | Pdu::BindTransceiverResp(b))) => {
                b.tlvs.sc_interface_version().ok().flatten()
            }
            _ => None,
        };
        Some(Event::Bound { kind, sc_interface_version })
    }

    /// Length of the frame being processed.
    fn frame_len(&self) -> usize {
        match self.rx.front(u32::MAX) {
            Front::Complete(n) => n,
            _ => HEADER_LEN,
        }
    }

    /// Remembers the message id of the response being processed, for receipts.
    fn remember_response_id(&mut self, handle: Handle, part: Option<PartOf>) {
        let frame = self.rx.next_frame(self.frame_len());
        let id = match (self.decode)(frame) {
            Ok((_, Pdu::SubmitSmResp(r) | Pdu::DataSmResp(r))) => r.message_id,
            Ok((_, Pdu::SubmitMultiResp(r))) => r.message_id,
            _ => return,
        };
        let mode = self.config.id_match;
        self.recent.remember(id.as_bytes(), mode, handle, part);
    }

    /// Tells the session to expect a receipt for `message_id`, submitted as `submit` on another
    /// session (a transmitter bind beside this receiver): its [`Event::Receipt`] then names the
    /// submission.
    pub fn expect_receipt(&mut self, message_id: &[u8], submit: Handle, part: Option<PartOf>) {
        self.recent.remember(message_id, self.config.id_match, submit, part);
    }
}

/// Whether a deliver_sm is a delivery receipt: its esm_class says so, or (as EngageLab sends
/// them, with esm_class 0) it carries a receipted_message_id TLV.
pub(crate) fn is_receipt(sm: &smpp_codec::pdu::Sm<'_>) -> bool {
    sm.esm_class.is_receipt() || matches!(sm.tlvs.receipted_message_id(), Ok(Some(_)))
}

/// Transmit room a judged frame needs before it can be processed.
fn room_needed(action: Action, role: Role, ack: AckMode) -> usize {
    match action {
        Action::Reply { id, status, .. } => reply_len(id, status),
        Action::Incoming { id, .. } if id.expects_response() => {
            // Answered now (automatic acks), or room kept for the application's answer.
            if role == Role::Esme && ack == AckMode::Auto { HEADER_LEN + 1 } else { crate::session::ANSWER_RESERVE }
        }
        // Control answers and responses use the room the session keeps.
        _ => 0,
    }
}
