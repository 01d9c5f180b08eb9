//! One connection of the server: an SMSC-role session driven by a poll loop on its own thread.
//!
//! Each turn of the loop reads what the socket has into the session, runs the session's and
//! the profile's timers, sends the answers that were held back, takes the account's receipts
//! while the window has room, handles the session's events, and writes; then it sleeps until
//! the socket, a waker (receipts, stop) or the next deadline needs it.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};

use log::{debug, info, warn};
use mio::net::TcpStream;
use mio::{Events, Poll, Token, Waker};
use smpp_codec::pdu::{DeliverSm, MessageIdResp, QuerySmResp, Sm};
use smpp_codec::text::gsm7::Tables;
use smpp_codec::text::reassembly::{Dropped, Pushed, Reassembler};
use smpp_codec::text::udh::Concat;
use smpp_codec::{Address, CommandId, CommandStatus, Field, MessageState, Pdu, SmppTime, Tlv, Tlvs};
use smpp_session::{BindKind, CloseReason, Event, Handle, IncomingToken, Instant, Outcome, Session, State};

use super::events::{CloseCause, Fault, ServerEvent};
use super::json::{Direction, pdu_line};
use super::profile::{ReceiptAddressing, ReceiptStyle};
use super::store::{
    CancelRequest, RECEIPT_ATTEMPTS, RECEIPT_RETRY, RECEIPT_TEXT_CHARS, ReceiptJob, Record, Submission,
};
use super::tap::{Seen, Tap};
use super::wallclock::{WallClock, receipt_date, smpp_time};
use super::{AccountState, Hub, rules};
use crate::Addr;
use crate::clock::from_std;
use crate::conn::Conn;
use crate::text::{UserData, decode};
use crate::transport::Transport;

const SOCKET: Token = Token(0);
const WAKE: Token = Token(1);

/// The window of a server connection: receipts in flight, and client requests waiting for an
/// answer (held by the response delay fault).
const W: usize = 64;

/// Receive buffer: the largest PDU the session accepts by default, with room to spare.
const RX: usize = 64 * 1024 + 1024;
/// Transmit buffer: answers to a full window of requests and a window of receipts fit many
/// times over.
const TX: usize = 64 * 1024;

/// Long messages reassembled at once per connection.
const REASSEMBLY_MESSAGES: usize = 8;
/// Most parts of a message reassembled.
const REASSEMBLY_PARTS: usize = 32;
/// Most octets of user data of a message reassembled.
const REASSEMBLY_OCTETS: usize = 5120;

type Reassembly = Reassembler<REASSEMBLY_MESSAGES, REASSEMBLY_PARTS, REASSEMBLY_OCTETS>;

/// How the connection behaves now.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Mode {
    /// Answering.
    Serving,
    /// The half-open fault: read and discard, send nothing.
    Silent,
    /// Closing without sending anything more (wrong credentials, EngageLab).
    Abort,
}

/// What the connection does once what it has written is out (a fault).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Then {
    Drop,
    Silence,
}

/// An answer to send.
#[derive(Clone, Debug)]
enum Reply {
    /// No body (errors, cancel_sm_resp).
    Empty,
    /// submit_sm_resp with this id.
    Submit(String),
    /// query_sm_resp.
    Query { message_id: String, final_date: String, state: MessageState, error_code: u8 },
}

/// An answer held back by the response delay.
#[derive(Debug)]
struct Held {
    at: Instant,
    token: IncomingToken,
    status: CommandStatus,
    reply: Reply,
    submit: bool,
}

/// What a refused submission gets.
struct Refusal {
    status: CommandStatus,
    reason: String,
    fault: Option<Fault>,
}

impl Refusal {
    fn new(status: CommandStatus, reason: impl Into<String>) -> Self {
        Refusal { status, reason: reason.into(), fault: None }
    }
}

/// Serves an accepted connection (after the TLS handshake, when the server speaks TLS).
pub(super) fn start(stream: TcpStream, peer: SocketAddr, id: u64, hub: Arc<Hub>) {
    hub.events.emit(|| ServerEvent::Connected { connection: id, peer });
    debug!("smpp server: connection {id} from {peer}");
    #[cfg(feature = "tls")]
    if let Some(config) = hub.config.tls.clone() {
        // The handshake may take as long as a bind may.
        let timeout = crate::clock::to_std(hub.config.session.session_init_timeout);
        let tcp = std::net::TcpStream::from(stream);
        match tcp.set_nonblocking(false).and_then(|()| crate::tls::accept(tcp, config, timeout)) {
            Ok(tls) => serve(tls, id, &hub),
            Err(e) => {
                info!("smpp server: connection {id} from {peer}: TLS handshake failed: {e}");
                let mut c = Connection::new(&hub, id);
                c.finish(Some(io::Error::new(e.kind(), format!("TLS handshake: {e}"))));
            }
        }
        end(id, &hub);
        return;
    }
    serve(stream, id, &hub);
    end(id, &hub);
}

fn serve<T: Transport>(stream: T, id: u64, hub: &Hub) {
    let mut c = Connection::new(hub, id);
    let result = c.run(stream);
    c.finish(result.err());
}

fn end(id: u64, hub: &Hub) {
    hub.wakers.lock().unwrap_or_else(PoisonError::into_inner).remove(&id);
    hub.live.fetch_sub(1, Ordering::SeqCst);
}

struct Connection<'h> {
    hub: &'h Hub,
    id: u64,
    clock: WallClock,
    account: Option<&'h AccountState>,
    waker: Option<Arc<Waker>>,
    /// Registered with the account's outbox (a receiver or transceiver).
    receiving: bool,
    mode: Mode,
    then: Option<Then>,
    stop_seen: bool,
    /// Why the connection ends, when the server decided it (else the session's reason).
    cause: Option<CloseCause>,
    closed: Option<CloseReason>,
    /// When the session closed with octets still to send: how long they may take.
    closed_at: Option<Instant>,
    held: VecDeque<Held>,
    in_flight: HashMap<Handle, ReceiptJob>,
    reassembly: Box<Reassembly>,
    /// The message id of each part of the long messages being reassembled, by key and
    /// reference.
    parts: HashMap<(Vec<u8>, u16), Vec<Option<String>>>,
    submits: u32,
    answered: u32,
    in_tap: Option<Tap>,
    out_tap: Option<Tap>,
    /// Chunked writes: the next piece may go then.
    write_after: Option<Instant>,
    /// The receipts quote the message's text.
    receipt_text: bool,
}

impl<'h> Connection<'h> {
    fn new(hub: &'h Hub, id: u64) -> Self {
        let logging = hub.events.log().is_some();
        let max = hub.config.session.max_command_length as usize;
        Connection {
            hub,
            id,
            clock: hub.clock,
            account: None,
            waker: None,
            receiving: false,
            mode: Mode::Serving,
            then: None,
            stop_seen: false,
            cause: None,
            closed: None,
            closed_at: None,
            held: VecDeque::new(),
            in_flight: HashMap::new(),
            reassembly: Box::new(Reassembler::new()),
            parts: HashMap::new(),
            submits: 0,
            answered: 0,
            in_tap: logging.then(|| Tap::new(max)),
            out_tap: logging.then(|| Tap::new(usize::MAX)),
            write_after: None,
            receipt_text: hub.config.profile.receipts.template.contains("{text}"),
        }
    }

    fn run<T: Transport>(&mut self, stream: T) -> io::Result<()> {
        let mut poll = Poll::new()?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKE)?);
        self.hub.wakers.lock().unwrap_or_else(PoisonError::into_inner).insert(self.id, Arc::clone(&waker));
        self.waker = Some(waker);
        let mut conn = Conn::register(poll.registry(), stream, SOCKET)?;
        let (mut rx, mut tx) = (vec![0u8; RX], vec![0u8; TX]);
        // The profile's required keepalive is the session's rule to enforce.
        let config = smpp_session::Config {
            peer_keepalive: self.hub.config.profile.require_enquire_link.map(from_std),
            ..self.hub.config.session
        };
        let mut session: Session<'_, W> = Session::smsc(config, &mut rx, &mut tx, self.clock.now())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
        let mut events = Events::with_capacity(16);
        let mut scratch = Vec::new();
        let faults = &self.hub.config.faults;
        loop {
            let now = self.clock.now();
            if self.hub.stopping.load(Ordering::SeqCst) && !self.stop_seen {
                self.stop_seen = true;
                self.on_stop(&mut session, now);
            }
            if self.mode == Mode::Silent {
                if self.stop_seen {
                    return Ok(());
                }
                scratch.resize(4096, 0);
                conn.discard(&mut scratch)?;
                if conn.eof {
                    self.cause = Some(CloseCause::Transport("closed by the client while unanswered".into()));
                    return Ok(());
                }
                poll.poll(&mut events, None)?;
                events.iter().filter(|e| e.token() == SOCKET).for_each(|e| conn.ready(e));
                continue;
            }
            let mut progress = false;
            if self.then.is_none() {
                let (tap, hub, id) = (&mut self.in_tap, self.hub, self.id);
                progress |= conn.read_tapped(&mut session, now, &mut |bytes| {
                    if let Some(tap) = tap.as_mut() {
                        tap.feed(bytes, &mut |seen| on_seen(hub, id, Direction::In, seen));
                    }
                })?;
                if conn.eof && !session.is_closed() {
                    session.handle_connection_lost(now);
                }
            }
            if session.poll_timeout().is_some_and(|t| t <= now) {
                session.handle_timeout(now);
            }
            progress |= self.release_held(&mut session, now);
            self.expire_parts(now);
            progress |= self.pull_receipts(&mut session, now);
            while self.then.is_none() && self.mode == Mode::Serving {
                let Some(event) = session.poll_event() else { break };
                progress = true;
                self.on_event(&mut session, now, event);
            }
            if self.mode == Mode::Abort {
                return Ok(());
            }
            if self.write_after.is_none_or(|t| t <= now) {
                let (tap, hub, id) = (&mut self.out_tap, self.hub, self.id);
                let wrote = conn.write_tapped(&mut session, faults.write_chunk, &mut |bytes| {
                    if let Some(tap) = tap.as_mut() {
                        tap.feed(bytes, &mut |seen| on_seen(hub, id, Direction::Out, seen));
                    }
                })?;
                if wrote && faults.write_chunk.is_some() && !faults.chunk_pause.is_zero() {
                    self.write_after = Some(now + from_std(faults.chunk_pause));
                }
                progress |= wrote;
            }
            if session.transmit().is_empty() {
                match self.then.take() {
                    Some(Then::Drop) => {
                        info!("smpp server: connection {} dropped (fault after {} answers)", self.id, self.answered);
                        self.hub.events.emit(|| ServerEvent::Fault { connection: self.id, fault: Fault::Dropped });
                        self.cause = Some(CloseCause::FaultDrop);
                        return Ok(());
                    }
                    Some(Then::Silence) => {
                        info!("smpp server: connection {} stops answering (fault)", self.id);
                        self.hub.events.emit(|| ServerEvent::Fault { connection: self.id, fault: Fault::HalfOpen });
                        self.mode = Mode::Silent;
                        self.stop_receiving();
                        continue;
                    }
                    None => {}
                }
                if session.is_closed() {
                    return Ok(());
                }
            }
            if session.is_closed() {
                // What is left to send goes if the client reads it soon; a client that never
                // reads does not keep the connection (and the server's stop) waiting.
                let until = *self.closed_at.get_or_insert(now + self.hub.config.session.unbind_timeout);
                if now >= until {
                    debug!("smpp server: connection {}: the client does not read; closing", self.id);
                    return Ok(());
                }
            }
            if progress || (self.then.is_none() && conn.wants_read() && !session.receive_buffer().is_empty()) {
                continue;
            }
            let deadline = [
                session.poll_timeout(),
                self.held.front().map(|h| h.at),
                self.reassembly.next_deadline().map(Instant),
                self.receipt_retry(now),
                self.write_after.filter(|_| !session.transmit().is_empty()),
                self.closed_at,
            ]
            .into_iter()
            .flatten()
            .min();
            poll.poll(&mut events, deadline.map(|d| self.clock.mono().until(d)))?;
            events.iter().filter(|e| e.token() == SOCKET).for_each(|e| conn.ready(e));
        }
    }

    /// The server stops: unbind a bound session, close any other.
    fn on_stop(&mut self, session: &mut Session<'_, W>, now: Instant) {
        match (self.mode, session.state()) {
            (Mode::Silent, _) => self.cause = Some(CloseCause::Session(CloseReason::Closed)),
            (_, State::Bound(_)) => {
                if session.unbind(now).is_err() {
                    session.close(now);
                }
            }
            (_, State::Closed) => {}
            _ => session.close(now),
        }
    }

    fn on_event(&mut self, session: &mut Session<'_, W>, now: Instant, event: Event) {
        match event {
            Event::BindRequest { token, kind } => self.on_bind(session, now, token, kind),
            Event::Request { token, command } => match command {
                CommandId::SUBMIT_SM => self.on_submit(session, now, token),
                CommandId::QUERY_SM if self.hub.config.profile.supports(command) => self.on_query(session, now, token),
                CommandId::CANCEL_SM if self.hub.config.profile.supports(command) => {
                    self.on_cancel(session, now, token)
                }
                _ => self.unsupported(session, now, token, command),
            },
            Event::DataSm { token: Some(token) } => self.unsupported(session, now, token, CommandId::DATA_SM),
            Event::Outcome { handle, outcome, .. } => self.on_receipt_outcome(now, handle, outcome),
            Event::Closed(reason) => {
                if reason == CloseReason::PeerKeepaliveMissing {
                    info!("smpp server: connection {} sent no enquire_link in time: closed", self.id);
                }
                self.closed = Some(reason);
            }
            _ => {}
        }
    }

    fn on_bind(&mut self, session: &mut Session<'_, W>, now: Instant, token: IncomingToken, kind: BindKind) {
        let profile = &self.hub.config.profile;
        let (system_id, password) = match session.pdu() {
            Some(Pdu::BindTransmitter(b) | Pdu::BindReceiver(b) | Pdu::BindTransceiver(b)) => {
                (String::from_utf8_lossy(b.system_id.as_bytes()).into_owned(), b.password.as_bytes().to_vec())
            }
            _ => (String::new(), Vec::new()),
        };
        let refused =
            |status| ServerEvent::BindRefused { connection: self.id, system_id: system_id.clone(), kind, status };
        if !profile.accepts(kind) {
            let status = profile.statuses.bind_type;
            info!("smpp server: connection {}: {kind:?} refused with {status} ({} profile)", self.id, profile.name);
            self.hub.events.emit(|| refused(Some(status)));
            let answered = match profile.generic_nack {
                true => session.nack(now, token, status),
                false => session.reject_bind(now, token, status),
            };
            if let Err(e) = answered {
                warn!("smpp server: bind answer not sent: {e}");
            }
            return;
        }
        let Some(account) = self.hub.account(system_id.as_bytes(), &password) else {
            info!("smpp server: connection {}: bind as {system_id:?} refused: wrong credentials", self.id);
            match profile.bad_credentials {
                super::BadCredentials::Answer(status) => {
                    self.hub.events.emit(|| refused(Some(status)));
                    if let Err(e) = session.reject_bind(now, token, status) {
                        warn!("smpp server: bind answer not sent: {e}");
                    }
                }
                super::BadCredentials::Disconnect => {
                    self.hub.events.emit(|| refused(None));
                    self.cause = Some(CloseCause::BadCredentials);
                    session.handle_connection_lost(now);
                    self.mode = Mode::Abort;
                }
            }
            return;
        };
        // EngageLab: "fill the system_id field with a value matching the received system_id".
        if let Err(e) = session.accept_bind(now, token, &system_id) {
            warn!("smpp server: bind answer not sent: {e}");
            return;
        }
        self.account = Some(account);
        self.hub.stats.binds.fetch_add(1, Ordering::Relaxed);
        info!("smpp server: connection {} bound as {kind:?} ({system_id})", self.id);
        self.hub.events.emit(|| ServerEvent::Bound { connection: self.id, system_id: system_id.clone(), kind });
        if kind.can_receive() {
            if let Some(w) = &self.waker {
                account.outbox.register(self.id, Arc::clone(w));
                self.receiving = true;
            }
        }
        self.check_faults();
    }

    /// Refuses a request the profile does not support (EngageLab: with generic_nack).
    fn unsupported(&mut self, session: &mut Session<'_, W>, now: Instant, token: IncomingToken, command: CommandId) {
        let status = self.hub.config.profile.statuses.unsupported;
        debug!("smpp server: connection {}: {command:?} not supported, answered {status}", self.id);
        let answered = match self.hub.config.profile.generic_nack {
            true => session.nack(now, token, status),
            false => session.respond(now, token, status, None),
        };
        if let Err(e) = answered {
            warn!("smpp server: answer not sent: {e}");
        }
    }

    fn on_submit(&mut self, session: &mut Session<'_, W>, now: Instant, token: IncomingToken) {
        self.submits = self.submits.saturating_add(1);
        let verdict = match session.sm() {
            Some(sm) => self.judge(&sm, now),
            None => Err(Refusal::new(CommandStatus::SYSTEM_ERROR, "the submit_sm did not decode")),
        };
        match verdict {
            Ok(id) => self.answer(session, now, token, CommandStatus::OK, Reply::Submit(id), true),
            Err(r) => {
                self.hub.stats.refused.fetch_add(1, Ordering::Relaxed);
                debug!("smpp server: connection {}: submit_sm refused with {}: {}", self.id, r.status, r.reason);
                if let Some(fault) = r.fault {
                    self.hub.events.emit(|| ServerEvent::Fault { connection: self.id, fault });
                }
                let system_id = self.system_id();
                self.hub.events.emit(|| ServerEvent::SubmitRefused {
                    connection: self.id,
                    system_id,
                    status: r.status,
                    reason: r.reason,
                });
                self.answer(session, now, token, r.status, Reply::Empty, true);
            }
        }
    }

    /// Decides on a submission; on acceptance, stores it and returns its id.
    fn judge(&mut self, sm: &Sm<'_>, now: Instant) -> Result<String, Refusal> {
        let hub = self.hub;
        let profile = &hub.config.profile;
        let Some(account) = self.account else {
            return Err(Refusal::new(CommandStatus::INVALID_BIND_STATUS, "not bound"));
        };
        if hub.config.faults.throttles(self.submits) {
            return Err(Refusal {
                status: CommandStatus::THROTTLED,
                reason: "fault: every k-th submission is throttled".into(),
                fault: Some(Fault::Throttled),
            });
        }
        let ud = UserData::of(sm);
        let tables = ud.udh.map_or(Tables::DEFAULT, |u| u.tables());
        let service_type = String::from_utf8_lossy(sm.service_type.as_bytes()).into_owned();
        let dest = Addr::from_address(&sm.dest);
        rules::check(profile, &service_type, &dest, ud.data_coding, ud.payload, tables)
            .map_err(|(status, reason)| Refusal::new(status, reason))?;
        let schedule = time(sm.schedule_delivery_time.as_bytes(), Field::ScheduleDeliveryTime)
            .map_err(|()| Refusal::new(CommandStatus::INVALID_SCHEDULED_DELIVERY_TIME, "schedule_delivery_time"))?;
        let validity = time(sm.validity_period.as_bytes(), Field::ValidityPeriod)
            .map_err(|()| Refusal::new(CommandStatus::INVALID_VALIDITY_PERIOD, "validity_period"))?;
        if !account.charge() {
            return Err(Refusal::new(profile.statuses.no_balance, "the account's balance is spent"));
        }
        let events = hub.events.wanted();
        let text = if events || self.receipt_text { ud.text() } else { String::new() };
        let source = Addr::from_address(&sm.source);
        // The events need the addresses too; without subscribers the store takes them.
        let addresses = events.then(|| (source.clone(), dest.clone()));
        let sub = Submission {
            account: Arc::clone(&account.system_id),
            service_type,
            undeliverable: profile.is_undeliverable(&dest.addr),
            source,
            dest,
            registered_delivery: sm.registered_delivery.0,
            text: text.chars().take(RECEIPT_TEXT_CHARS).collect::<String>().into_boxed_str(),
            deliver_at: schedule.map_or(now, |t| self.clock.resolve(&t, now)),
            expires_at: validity.map(|t| self.clock.resolve(&t, now)),
        };
        // A receipt never comes before the answer it follows.
        let delay = from_std(profile.receipts.delay.max(hub.config.faults.response_delay));
        let accepted = {
            let mut store = hub.store();
            let earliest = store.next_due();
            let r = store.accept(now, sub, delay);
            if r.is_ok() && store.next_due() != earliest {
                hub.due.notify_one();
            }
            r
        };
        let Ok(id) = accepted else {
            account.refund();
            return Err(Refusal::new(CommandStatus::MESSAGE_QUEUE_FULL, "every remembered message is still pending"));
        };
        hub.stats.submitted.fetch_add(1, Ordering::Relaxed);
        if let Some((source, dest)) = addresses {
            let part = ud.concat.map(|c| (c.seq, c.total));
            hub.events.emit(|| ServerEvent::Submitted {
                connection: self.id,
                system_id: account.system_id.to_string(),
                message_id: id.clone(),
                from: source.clone(),
                to: dest.clone(),
                data_coding: ud.data_coding,
                part,
                text: text.clone(),
            });
            match ud.concat {
                None => hub.events.emit(|| ServerEvent::Message {
                    connection: self.id,
                    system_id: account.system_id.to_string(),
                    from: source,
                    to: dest,
                    data_coding: ud.data_coding,
                    message_ids: vec![id.clone()],
                    text,
                }),
                Some(c) => self.reassemble(now, &id, c, &ud, tables, source, dest),
            }
        }
        Ok(id)
    }

    /// Keeps a part of a long message; reports the message when it is whole.
    #[allow(clippy::too_many_arguments)]
    fn reassemble(
        &mut self,
        now: Instant,
        id: &str,
        c: Concat,
        ud: &UserData<'_>,
        tables: Tables,
        source: Addr,
        dest: Addr,
    ) {
        // The reassembler keys messages by sender and reference, and remembers a finished one
        // until its deadline to recognise late duplicates: the recipient, the kind of
        // reference and the number of parts go into the key too, so that an 8-bit UDH
        // reference and a SAR one of the same value, say, are different messages.
        let mut key = source.addr.as_bytes().to_vec();
        key.push(0);
        key.extend_from_slice(dest.addr.as_bytes());
        key.extend_from_slice(&[0, u8::from(c.wide), c.total]);
        key.truncate(smpp_codec::text::reassembly::SOURCE_MAX);
        let deadline = (now + from_std(self.hub.config.reassembly_timeout)).0;
        let pushed = self.reassembly.push_udh(&key, c, ud.payload, deadline);
        let record = |parts: &mut HashMap<(Vec<u8>, u16), Vec<Option<String>>>| {
            let ids = parts.entry((key.clone(), c.reference)).or_insert_with(|| vec![None; usize::from(c.total)]);
            if let Some(slot) = ids.get_mut(usize::from(c.seq).saturating_sub(1)) {
                *slot = Some(id.to_owned());
            }
        };
        match pushed {
            Ok(Pushed::Stored(evicted)) => {
                record(&mut self.parts);
                if let Some(d) = evicted {
                    self.dropped(d, "evicted: too many long messages at once");
                }
            }
            Ok(Pushed::Duplicate) => {
                // A part sent again, or a new message reusing the reference of one finished
                // less than the reassembly timeout ago (the codec's reassembler cannot tell).
                debug!("smpp server: connection {}: part {} of {} again", self.id, c.seq, c.total);
                let system_id = self.system_id();
                self.hub.events.emit(|| ServerEvent::ReassemblyFailed {
                    connection: self.id,
                    system_id,
                    from: sender_of(&key),
                    reference: c.reference,
                    received: c.seq,
                    total: c.total,
                    reason: format!(
                        "part {} was received already (sent again, or the reference was reused within the reassembly timeout)",
                        c.seq
                    ),
                });
            }
            Ok(Pushed::Complete(slot, evicted)) => {
                record(&mut self.parts);
                if let Some(d) = evicted {
                    self.dropped(d, "evicted: too many long messages at once");
                }
                let mut whole = vec![0u8; REASSEMBLY_OCTETS];
                let n = self.reassembly.take(slot, &mut whole).unwrap_or(0);
                let text = decode(whole.get(..n).unwrap_or(&[]), ud.data_coding, tables);
                let ids = self.parts.remove(&(key, c.reference)).unwrap_or_default();
                let system_id = self.system_id();
                self.hub.events.emit(|| ServerEvent::Message {
                    connection: self.id,
                    system_id,
                    from: source,
                    to: dest,
                    data_coding: ud.data_coding,
                    message_ids: ids.into_iter().map(Option::unwrap_or_default).collect(),
                    text,
                });
            }
            Err(e) => {
                let system_id = self.system_id();
                self.hub.events.emit(|| ServerEvent::ReassemblyFailed {
                    connection: self.id,
                    system_id,
                    from: sender_of(&key),
                    reference: c.reference,
                    received: 0,
                    total: c.total,
                    reason: format!("part {}: {e}", c.seq),
                });
            }
        }
    }

    /// Reports a long message given up, and forgets its part ids.
    fn dropped(&mut self, d: Dropped, reason: &str) {
        self.parts.remove(&(d.source.to_vec(), d.reference));
        let system_id = self.system_id();
        self.hub.events.emit(|| ServerEvent::ReassemblyFailed {
            connection: self.id,
            system_id,
            from: sender_of(&d.source),
            reference: d.reference,
            received: d.received,
            total: d.total,
            reason: reason.into(),
        });
    }

    fn expire_parts(&mut self, now: Instant) {
        while let Some(d) = self.reassembly.expire(now.0) {
            self.dropped(d, "expired: the other parts did not come in time");
        }
    }

    fn on_query(&mut self, session: &mut Session<'_, W>, now: Instant, token: IncomingToken) {
        let (id, source) = match session.pdu() {
            Some(Pdu::QuerySm(q)) => (q.message_id.as_bytes().to_vec(), q.source.addr.as_bytes().to_vec()),
            _ => (Vec::new(), Vec::new()),
        };
        let found = self.account.and_then(|a| {
            let mut store = self.hub.store();
            self.hub.advance(&mut store, now);
            store.query(&a.system_id, &id, &source)
        });
        let message_id = String::from_utf8_lossy(&id).into_owned();
        let system_id = self.system_id();
        let state = found.map(|q| q.state);
        self.hub.events.emit(|| ServerEvent::Query {
            connection: self.id,
            system_id,
            message_id: message_id.clone(),
            state,
        });
        match found {
            Some(q) => {
                let final_date = q.final_at.map(|t| smpp_time(self.clock.unix_ms(t))).unwrap_or_default();
                let reply = Reply::Query { message_id, final_date, state: q.state, error_code: q.error_code };
                self.answer(session, now, token, CommandStatus::OK, reply, false);
            }
            None => self.answer(session, now, token, CommandStatus::QUERY_FAILED, Reply::Empty, false),
        }
    }

    fn on_cancel(&mut self, session: &mut Session<'_, W>, now: Instant, token: IncomingToken) {
        let cancelled = match (session.pdu(), self.account) {
            (Some(Pdu::CancelSm(c)), Some(a)) => {
                let mut store = self.hub.store();
                self.hub.advance(&mut store, now);
                let n = store.cancel(
                    now,
                    &CancelRequest {
                        account: &a.system_id,
                        message_id: c.message_id.as_bytes(),
                        service_type: c.service_type.as_bytes(),
                        source: c.source.addr.as_bytes(),
                        dest: c.dest.addr.as_bytes(),
                    },
                );
                Some((String::from_utf8_lossy(c.message_id.as_bytes()).into_owned(), n))
            }
            _ => None,
        };
        let (message_id, n) = cancelled.unwrap_or_default();
        let system_id = self.system_id();
        self.hub.events.emit(|| ServerEvent::Cancel { connection: self.id, system_id, message_id, cancelled: n });
        let status = if n > 0 { CommandStatus::OK } else { CommandStatus::CANCEL_FAILED };
        self.answer(session, now, token, status, Reply::Empty, false);
    }

    /// Answers now, or holds the answer back by the response delay.
    fn answer(
        &mut self,
        session: &mut Session<'_, W>,
        now: Instant,
        token: IncomingToken,
        status: CommandStatus,
        reply: Reply,
        submit: bool,
    ) {
        let delay = self.hub.config.faults.response_delay;
        if delay.is_zero() {
            self.respond(session, now, Held { at: now, token, status, reply, submit });
        } else {
            self.held.push_back(Held { at: now + from_std(delay), token, status, reply, submit });
        }
    }

    fn respond(&mut self, session: &mut Session<'_, W>, now: Instant, h: Held) {
        let result = match &h.reply {
            Reply::Empty => session.respond(now, h.token, h.status, None),
            Reply::Submit(id) => {
                session.respond(now, h.token, h.status, Some(&Pdu::SubmitSmResp(MessageIdResp::new(id))))
            }
            Reply::Query { message_id, final_date, state, error_code } => {
                let body = QuerySmResp {
                    message_id: message_id.as_str().into(),
                    final_date: final_date.as_str().into(),
                    message_state: *state,
                    error_code: *error_code,
                };
                session.respond(now, h.token, h.status, Some(&Pdu::QuerySmResp(body)))
            }
        };
        // The session keeps room for an answer to each request it hands out, and the buffers
        // hold a window of answers and receipts many times over; what fails here is an answer
        // whose request the session already answered itself (on unbind or close).
        if let Err(e) = result {
            debug!("smpp server: connection {}: answer not sent: {e}", self.id);
            return;
        }
        if h.submit {
            self.answered = self.answered.saturating_add(1);
            self.check_faults();
        }
    }

    /// Sends the held answers that are due; returns whether any was.
    fn release_held(&mut self, session: &mut Session<'_, W>, now: Instant) -> bool {
        let mut sent = false;
        while self.then.is_none() && self.held.front().is_some_and(|h| h.at <= now) {
            let Some(h) = self.held.pop_front() else { break };
            self.respond(session, now, h);
            sent = true;
        }
        sent
    }

    /// Drop or go silent once the answers the faults allow are out.
    fn check_faults(&mut self) {
        let f = &self.hub.config.faults;
        if self.then.is_some() || self.mode != Mode::Serving {
            return;
        }
        if f.drop_after.is_some_and(|n| self.answered >= n) {
            self.then = Some(Then::Drop);
        } else if f.half_open_after.is_some_and(|n| self.answered >= n) {
            self.then = Some(Then::Silence);
        }
    }

    /// Sends the account's receipts while the window takes them; returns whether any went.
    fn pull_receipts(&mut self, session: &mut Session<'_, W>, now: Instant) -> bool {
        let (Some(account), true, Mode::Serving, None) = (self.account, self.receiving, self.mode, self.then) else {
            return false;
        };
        if !matches!(session.state(), State::Bound(k) if k.can_receive()) {
            return false;
        }
        let mut sent = false;
        while let Some(job) = account.outbox.pop(now) {
            let result = send_receipt(session, now, &self.hub.config.profile.receipts, &job.record, &self.clock);
            match result {
                Ok(handle) => {
                    self.in_flight.insert(handle, job);
                    sent = true;
                }
                Err(e) if e.is_busy() => {
                    account.outbox.put_back([job]);
                    break;
                }
                Err(e) => {
                    warn!("smpp server: receipt for {} cannot be sent: {e}", job.record.id);
                    self.give_up(job, format!("cannot be sent: {e}"));
                }
            }
        }
        sent
    }

    fn receipt_retry(&self, now: Instant) -> Option<Instant> {
        match (self.account, self.receiving) {
            (Some(a), true) => a.outbox.next_retry(now),
            _ => None,
        }
    }

    fn on_receipt_outcome(&mut self, now: Instant, handle: Handle, outcome: Outcome) {
        let Some(mut job) = self.in_flight.remove(&handle) else { return };
        let report = |status| ServerEvent::Receipt {
            connection: self.id,
            system_id: job.record.sub.account.to_string(),
            message_id: job.record.id.clone(),
            state: job.record.state,
            status,
        };
        let retry_at = match outcome {
            Outcome::Response { status } if status.is_ok() => {
                self.hub.stats.receipts.fetch_add(1, Ordering::Relaxed);
                self.hub.events.emit(|| report(status));
                return;
            }
            Outcome::Response { status } | Outcome::GenericNack { status } if status.is_transient() => {
                now + RECEIPT_RETRY
            }
            Outcome::Response { status } | Outcome::GenericNack { status } => {
                // Refused for good (ESME_RX_P_APPN, ESME_RX_R_APPN, ...): nothing to retry.
                self.hub.events.emit(|| report(status));
                return;
            }
            Outcome::InvalidResponse { .. } => now + RECEIPT_RETRY,
            Outcome::Timeout | Outcome::ConnectionLost => now,
        };
        job.attempts = job.attempts.saturating_add(1);
        if job.attempts >= RECEIPT_ATTEMPTS {
            self.give_up(job, format!("not acknowledged after {RECEIPT_ATTEMPTS} attempts"));
            return;
        }
        job.not_before = retry_at;
        if let Some(a) = self.account {
            a.outbox.put_back([job]);
            a.outbox.wake();
        }
    }

    fn give_up(&self, job: ReceiptJob, reason: String) {
        self.hub.stats.receipts_dropped.fetch_add(1, Ordering::Relaxed);
        self.hub.events.emit(|| ServerEvent::ReceiptDropped {
            system_id: job.record.sub.account.to_string(),
            message_id: job.record.id.clone(),
            reason,
        });
    }

    fn stop_receiving(&mut self) {
        if let (Some(a), true) = (self.account, self.receiving) {
            a.outbox.unregister(self.id);
            self.receiving = false;
        }
    }

    fn system_id(&self) -> String {
        self.account.map(|a| a.system_id.to_string()).unwrap_or_default()
    }

    /// The connection has ended: receipts in flight go back to the account's outbox for
    /// another receiver, and the end is reported.
    fn finish(&mut self, error: Option<io::Error>) {
        self.stop_receiving();
        if let Some(a) = self.account {
            if !self.in_flight.is_empty() {
                let now = self.clock.now();
                a.outbox.put_back(self.in_flight.drain().map(|(_, mut j)| {
                    j.not_before = now;
                    j
                }));
                a.outbox.wake();
            }
        }
        let reason = match (self.cause.take(), self.closed, error) {
            (Some(c), None | Some(CloseReason::Closed | CloseReason::ConnectionLost), _) => c,
            (_, Some(r), _) => CloseCause::Session(r),
            (_, None, Some(e)) => CloseCause::Transport(e.to_string()),
            (_, None, None) => CloseCause::Session(CloseReason::ConnectionLost),
        };
        info!("smpp server: connection {} closed: {}", self.id, reason.name());
        let system_id = self.account.map(|a| a.system_id.to_string());
        self.hub.events.emit(|| ServerEvent::Closed { connection: self.id, system_id, reason });
    }
}

/// The sender in a reassembly key (sender, NUL, recipient, ...).
fn sender_of(key: &[u8]) -> String {
    String::from_utf8_lossy(key.split(|&b| b == 0).next().unwrap_or(&[])).into_owned()
}

/// An SMPP time field: `None` when empty.
fn time(field: &[u8], name: Field) -> Result<Option<SmppTime>, ()> {
    if field.is_empty() {
        return Ok(None);
    }
    SmppTime::parse(field, name).map(Some).map_err(|_| ())
}

/// A PDU seen on the wire, logged.
fn on_seen(hub: &Hub, id: u64, dir: Direction, seen: Seen<'_>) {
    if let (Some(log), Seen::Frame(frame)) = (hub.events.log(), seen) {
        let mut line = pdu_line(id, dir, frame);
        if let serde_json::Value::Object(m) = &mut line {
            m.insert("ts".into(), serde_json::Value::String(hub.events.timestamp()));
        }
        log.line(&line);
    }
}

/// The text of a receipt, from the profile's template.
pub(crate) fn receipt_text(style: &ReceiptStyle, r: &Record, clock: &WallClock) -> String {
    let state = reported_state(style, r.state);
    let done = r.final_at.unwrap_or(r.due);
    let mut out = String::with_capacity(style.template.len() + 64);
    let mut rest = style.template.as_str();
    while let Some(open) = rest.find('{') {
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        let Some(close) = after.find('}') else {
            rest = after;
            break;
        };
        let (name, tail) = after.split_at(close + 1);
        match name {
            "{id}" => out.push_str(&r.id),
            "{sub}" => out.push_str("001"),
            "{dlvrd}" => out.push_str(if state == MessageState::DELIVERED { "001" } else { "000" }),
            "{submit_date}" => out.push_str(&receipt_date(clock.unix_ms(r.submitted))),
            "{done_date}" => out.push_str(&receipt_date(clock.unix_ms(done))),
            "{stat}" => out.push_str(state.name().unwrap_or("UNKNOWN")),
            "{err}" => out.push_str(&format!("{:03}", r.error_code())),
            "{text}" => out.push_str(&r.sub.text),
            other => out.push_str(other),
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// The state a receipt reports.
fn reported_state(style: &ReceiptStyle, state: MessageState) -> MessageState {
    if style.failures_as_undeliv && state != MessageState::DELIVERED { MessageState::UNDELIVERABLE } else { state }
}

/// Sends the receipt of `r` as the profile writes receipts.
fn send_receipt(
    session: &mut Session<'_, W>,
    now: Instant,
    style: &ReceiptStyle,
    r: &Record,
    clock: &WallClock,
) -> Result<Handle, smpp_session::CommandError> {
    let text = receipt_text(style, r, clock);
    let state = reported_state(style, r.state);
    let (source, dest) = match style.addressing {
        ReceiptAddressing::Swapped => (r.sub.dest.as_address(), r.sub.source.as_address()),
        ReceiptAddressing::ToDestination => (Address::default(), r.sub.dest.as_address()),
    };
    let fits = text.len() <= smpp_codec::pdu::SHORT_MESSAGE_MAX;
    let all =
        [Tlv::receipted_message_id(r.id.as_str()), Tlv::message_state(state), Tlv::message_payload(text.as_bytes())];
    let tlvs: &[Tlv<'_>] = match (style.tlvs, fits) {
        (true, true) => all.get(..2).unwrap_or(&[]),
        (true, false) => &all,
        (false, true) => &[],
        (false, false) => all.get(2..).unwrap_or(&[]),
    };
    let sm = DeliverSm {
        service_type: style.service_type.as_str().into(),
        esm_class: style.esm_class,
        tlvs: Tlvs::from_slice(tlvs),
        ..DeliverSm::new(source, dest, if fits { text.as_bytes() } else { &[] })
    };
    session.send(now, &Pdu::DeliverSm(sm))
}
