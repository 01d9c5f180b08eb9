//! The client's I/O thread: it owns the connections and their sessions, sleeps in one poll until
//! the socket, the application or the session's next deadline needs it, and reconnects.
//!
//! Every protocol decision is the session's; this loop only moves octets, commands and events.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crossbeam_channel::Receiver;
use log::{debug, info, warn};
use mio::{Events, Poll, Token};
use smpp_codec::pdu::{Bind, SubmitSm};
use smpp_codec::text::gsm7::Tables;
use smpp_codec::text::reassembly::{Pushed, Reassembler};
use smpp_codec::text::segment::{Encoding, choose};
use smpp_codec::{CommandStatus, EsmClass, Pdu, Priority, RegisteredDelivery};
use smpp_session::{
    BindFailure, BindKind, CloseReason, CommandError, Event, Handle, Outcome, PartFailure, Session, State, TextOptions,
};

use super::receipts::ReceiptIndex;
use super::shared::{ASLEEP, ASLEEP_FULL, AWAKE, Command, Completion, Reply, Shared};
use super::types::{
    AckToken, Addr, ClientConfig, ClientEvent, Disconnect, Failure, MessageId, MessageKey, MessageOutcome, MoMessage,
    QueryAnswer, Receipt, TextEncoding, TextMessage,
};
use crate::clock::Clock;
use crate::conn::Conn;
use crate::error::Error;
use crate::text::UserData;
use crate::transport::Transport;

/// The waker's token; connections use 1 (main) and 2 (receiver beside it).
pub(crate) const WAKE: Token = Token(0);

/// Receive and transmit buffer sizes of each connection, and the part store.
const RX: usize = 64 * 1024 + 1024;
const TX: usize = 64 * 1024;
const STORE: usize = 16 * 1024;

/// Events taken from a session per round of the loop: a window's worth of responses read at
/// once is answered by requests in several writes, so that the SMSC works on the first of
/// them while this thread handles the rest.
const BATCH: usize = 16;

/// Multi-part messages from handsets being put back together, their parts, and their octets.
type Mo = Reassembler<16, 16, 2400>;

/// A request the client has taken and not finished.
struct Inflight {
    key: MessageKey,
    request: Request,
    reply: Reply,
    outcome: MessageOutcome,
    receipt: bool,
}

/// What a request is, kept until its outcome so that it can be sent again after a reconnect.
pub(crate) enum Request {
    /// A PDU encoded by the application (sequence number replaced by the session).
    Frame(Vec<u8>),
    /// A text the session splits and sends as one message.
    Text(Box<TextMessage>),
}

/// One connection, its buffers and its session are created per attempt; this is what lasts.
pub(crate) struct Runner<T: Transport, F, const W: usize> {
    pub(crate) config: ClientConfig,
    pub(crate) connect: F,
    pub(crate) shared: Arc<Shared>,
    pub(crate) commands: Receiver<Command>,
    pub(crate) poll: Poll,
    clock: Clock,
    /// Requests taken from the channel (or lost with a connection) waiting for room.
    backlog: VecDeque<(MessageKey, Request, Reply, bool)>,
    /// Requests in the current session, by the session's message handle.
    inflight: HashMap<u32, Inflight>,
    receipts: ReceiptIndex,
    /// Handles continue across sessions so they never repeat.
    next_handle: u32,
    reference: u16,
    epoch: u64,
    mo: Box<Mo>,
    closing: bool,
    /// The current attempt got bound.
    bound: bool,
    /// Requests the current connection lost and that go again on the next one.
    lost_now: Vec<MessageKey>,
    /// Outcomes finished in this round of the loop, delivered after the socket write so that
    /// the SMSC gets the next requests before the application's thread is woken.
    done: Vec<(Reply, MessageOutcome)>,
    _transport: std::marker::PhantomData<fn() -> T>,
}

/// How a connection attempt ended.
enum End {
    /// The application closed the client.
    Closed,
    /// The connection ended; try again (or give up, by the reconnect policy).
    Lost,
}

/// A bound connection with its session.
struct Link<'b, T, const W: usize> {
    conn: Conn<T>,
    session: Session<'b, W>,
    which: u8,
    closed: Option<Disconnect>,
    bound: bool,
}

/// The buffers a session borrows.
struct Buffers {
    rx: Vec<u8>,
    tx: Vec<u8>,
    store: Vec<u8>,
}

impl Buffers {
    fn new() -> Self {
        Buffers { rx: vec![0; RX], tx: vec![0; TX], store: vec![0; STORE] }
    }
}

impl<T, F, const W: usize> Runner<T, F, W>
where
    T: Transport,
    F: FnMut() -> io::Result<T> + Send + 'static,
{
    pub(crate) fn new(
        config: ClientConfig,
        connect: F,
        shared: Arc<Shared>,
        commands: Receiver<Command>,
        poll: Poll,
    ) -> Self {
        let id_match = config.session.id_match;
        Runner {
            config,
            connect,
            shared,
            commands,
            poll,
            clock: Clock::new(),
            backlog: VecDeque::new(),
            inflight: HashMap::new(),
            receipts: ReceiptIndex::new(id_match),
            next_handle: 0,
            reference: 0,
            epoch: 0,
            mo: Box::default(),
            closing: false,
            bound: false,
            lost_now: Vec::new(),
            done: Vec::new(),
            _transport: std::marker::PhantomData,
        }
    }

    /// Runs until the client is closed (or cannot reconnect). `ready` gets the outcome of the
    /// first bind.
    pub(crate) fn run(mut self, ready: crossbeam_channel::Sender<Result<(), Error>>) {
        let mut ready = Some(ready);
        let mut backoff = self.config.reconnect.map(|r| r.backoff);
        loop {
            self.bound = false;
            let end = match self.attempt(&mut ready) {
                Ok(end) => end,
                Err(e) => {
                    if let Some(r) = ready.take() {
                        let _ = r.send(Err(e));
                        self.finish();
                        return;
                    }
                    warn!("smpp client: {e}");
                    End::Lost
                }
            };
            if matches!(end, End::Closed) || self.closing {
                break;
            }
            let Some(b) = backoff.as_mut() else { break };
            if self.bound {
                b.reset();
            }
            let Some(delay) = b.next_delay(random()) else {
                warn!("smpp client: giving up reconnecting after {} attempts", b.attempts());
                break;
            };
            info!("smpp client: reconnecting in {} ms", delay.0);
            if self.sleep(crate::clock::to_std(delay)) {
                break;
            }
        }
        self.finish();
    }

    /// Waits `d` while taking commands (a close ends the wait: returns true).
    fn sleep(&mut self, d: Duration) -> bool {
        let deadline = std::time::Instant::now() + d;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return false;
            }
            match self.commands.recv_timeout(left) {
                Ok(Command::Close) => {
                    self.closing = true;
                    return true;
                }
                Ok(Command::Submit { key, request, reply, receipt }) => {
                    self.backlog.push_back((key, request, reply, receipt))
                }
                Ok(Command::Ack { .. }) => {}
                Err(_) => return false,
            }
        }
    }

    /// Everything still waiting ends: the client is closed.
    fn finish(&mut self) {
        self.deliver();
        self.shared.closed.store(true, Ordering::SeqCst);
        let lost: Vec<Inflight> = self.inflight.drain().map(|(_, f)| f).collect();
        for mut f in lost {
            let part = next_part(&f.outcome);
            f.outcome.fail(part, Failure::ConnectionLost);
            f.reply.send(f.outcome);
        }
        while let Some((key, _, reply, _)) = self.backlog.pop_front() {
            reply.send(MessageOutcome::failed(key, 1, Failure::Closed));
        }
        while let Ok(cmd) = self.commands.try_recv() {
            if let Command::Submit { key, reply, .. } = cmd {
                reply.send(MessageOutcome::failed(key, 1, Failure::Closed));
            }
        }
        self.shared.receipts_changed();
    }

    fn bind_pdu(&self, kind: BindKind) -> (BindKind, String, String, String, String) {
        (
            kind,
            self.config.system_id.clone(),
            self.config.password.expose().to_string(),
            self.config.system_type.clone(),
            self.config.address_range.clone(),
        )
    }

    /// One connection (and its receiver beside it): connect, bind, run until it ends.
    fn attempt(&mut self, ready: &mut Option<crossbeam_channel::Sender<Result<(), Error>>>) -> Result<End, Error> {
        self.epoch += 1;
        let registry = self.poll.registry().try_clone().map_err(Error::Io)?;
        let main_kind = self.config.bind;
        let beside = self.config.receiver_beside && main_kind == BindKind::Transmitter;
        let mut bufs = Buffers::new();
        let mut bufs2 = Buffers::new();
        let now = self.clock.now();
        let io = (self.connect)().map_err(Error::Connect)?;
        let conn = Conn::register(&registry, io, Token(1)).map_err(Error::Io)?;
        let session = Session::esme(self.config.session, &mut bufs.rx, &mut bufs.tx, now)
            .map_err(|e| Error::Config(e.to_string()))?
            .with_part_store(&mut bufs.store);
        let mut links: Vec<Link<'_, T, W>> = vec![Link { conn, session, which: 0, closed: None, bound: false }];
        if beside {
            let io = (self.connect)().map_err(Error::Connect)?;
            let conn = Conn::register(&registry, io, Token(2)).map_err(Error::Io)?;
            let session = Session::esme(self.config.session, &mut bufs2.rx, &mut bufs2.tx, now)
                .map_err(|e| Error::Config(e.to_string()))?;
            links.push(Link { conn, session, which: 1, closed: None, bound: false });
        }
        for link in &mut links {
            let kind = if link.which == 0 { main_kind } else { BindKind::Receiver };
            let (kind, id, pw, st, ar) = self.bind_pdu(kind);
            let bind = Bind {
                system_id: id.as_str().into(),
                password: pw.as_str().into(),
                system_type: st.as_str().into(),
                address_range: ar.as_str().into(),
                ..Bind::new("", "")
            };
            link.session.set_next_handle(Handle(self.next_handle));
            link.session.bind(now, kind, &bind).map_err(|e| Error::Config(e.to_string()))?;
        }
        let end = self.drive(&mut links, ready);
        self.deliver();
        for link in &mut links {
            link.conn.deregister(&registry);
        }
        if let Some(main) = links.first() {
            self.next_handle = main.session.next_handle().0;
        }
        end
    }

    /// The poll loop of one attempt.
    fn drive(
        &mut self,
        links: &mut [Link<'_, T, W>],
        ready: &mut Option<crossbeam_channel::Sender<Result<(), Error>>>,
    ) -> Result<End, Error> {
        let mut events = Events::with_capacity(16);
        loop {
            let now = self.clock.now();
            let mut progress = false;
            for link in links.iter_mut() {
                if link.closed.is_some() {
                    continue;
                }
                match link.conn.read(&mut link.session, now) {
                    Ok(p) => progress |= p,
                    Err(e) => {
                        link.session.handle_connection_lost(now);
                        link.closed.get_or_insert(Disconnect::Io(e.to_string()));
                    }
                }
                if link.conn.eof && !link.session.is_closed() {
                    link.session.handle_connection_lost(now);
                    link.closed.get_or_insert(Disconnect::Eof);
                }
                if link.session.poll_timeout().is_some_and(|t| t <= now) {
                    link.session.handle_timeout(now);
                }
            }
            // Responses first: the room they make in the window is refilled in the same round.
            for i in 0..links.len() {
                progress |= self.drain_events(links, i, ready, BATCH)?;
            }
            progress |= self.take_commands(links, now);
            for link in links.iter_mut() {
                match link.conn.write(&mut link.session) {
                    Ok(p) => progress |= p,
                    Err(e) => {
                        link.session.handle_connection_lost(now);
                        link.closed.get_or_insert(Disconnect::Io(e.to_string()));
                    }
                }
            }
            self.deliver();
            // The main connection's end ends the attempt; the receiver beside it follows.
            let main_done = links.first().is_some_and(|l| l.session.is_closed() && l.session.transmit().is_empty());
            if main_done {
                for i in 0..links.len() {
                    self.drain_events(links, i, ready, usize::MAX)?;
                }
                return Ok(self.end_attempt(links));
            }
            if links.iter().any(|l| l.session.is_closed() && l.which == 1 && !self.closing) {
                // The receiver beside is gone: start over so that receipts keep coming.
                if let Some(main) = links.first_mut() {
                    if matches!(main.session.state(), State::Bound(_)) {
                        let _ = main.session.unbind(now);
                    } else {
                        main.session.close(now);
                    }
                }
                continue;
            }
            if progress || links.iter_mut().any(|l| l.conn.wants_read() && !l.session.receive_buffer().is_empty()) {
                continue;
            }
            // Sleep until a socket, the application or a deadline needs us.
            let deadline = links.iter().filter_map(|l| l.session.poll_timeout()).min();
            let timeout = deadline.map(|d| self.clock.until(d));
            // With the window full, a submission cannot go before a response (or a deadline)
            // wakes this thread, so submissions do not wake it; other commands do.
            let open = self.can_take(links);
            self.shared.sleeping.store(if open { ASLEEP } else { ASLEEP_FULL }, Ordering::SeqCst);
            if !self.commands.is_empty() && (open || self.shared.urgent.load(Ordering::SeqCst)) {
                self.shared.sleeping.store(AWAKE, Ordering::SeqCst);
                continue;
            }
            let polled = self.poll.poll(&mut events, timeout);
            self.shared.sleeping.store(AWAKE, Ordering::SeqCst);
            if let Err(e) = polled {
                if e.kind() != io::ErrorKind::Interrupted {
                    return Err(Error::Io(e));
                }
            }
            for ev in events.iter() {
                if let Some(link) = links.iter_mut().find(|l| l.conn.token == ev.token()) {
                    link.conn.ready(ev);
                }
            }
        }
    }

    /// Whether the main session may take a request now.
    fn can_take(&self, links: &[Link<'_, T, W>]) -> bool {
        links.first().is_some_and(|l| {
            matches!(l.session.state(), State::Bound(k) if k.can_transmit())
                && l.session.outstanding() < l.session.effective_window()
                && l.session.paused_until(self.clock.now()).is_none()
        }) || self.closing
    }

    /// Takes one command: a submission joins the backlog; acknowledgements and close go
    /// through whatever the window says. Returns whether it did something.
    fn take(&mut self, cmd: Command, links: &mut [Link<'_, T, W>], now: smpp_session::Instant) -> bool {
        match cmd {
            Command::Submit { key, request, reply, receipt } => {
                self.backlog.push_back((key, request, reply, receipt));
                false
            }
            Command::Ack { ack, status } => {
                if ack.connection >> 8 == self.epoch {
                    let which = (ack.connection & 0xFF) as usize;
                    if let Some(link) = links.get_mut(which) {
                        if let Err(e) = link.session.ack(now, ack.token, status) {
                            debug!("smpp client: acknowledgement not sent: {e}");
                        }
                    }
                }
                true
            }
            Command::Close => {
                self.closing = true;
                for link in links.iter_mut() {
                    if matches!(link.session.state(), State::Bound(_)) {
                        let _ = link.session.unbind(now);
                    } else if !link.session.is_closed() {
                        link.session.close(now);
                    }
                }
                true
            }
        }
    }

    /// Hands waiting requests to the main session while it takes them.
    fn take_commands(&mut self, links: &mut [Link<'_, T, W>], now: smpp_session::Instant) -> bool {
        let mut progress = false;
        // An acknowledgement or a close may wait behind submissions the window has no room
        // for: take everything queued. (Cleared first: one queued after this sets it again.)
        if self.shared.urgent.swap(false, Ordering::SeqCst) {
            while let Ok(cmd) = self.commands.try_recv() {
                progress |= self.take(cmd, links, now);
            }
        }
        loop {
            if let Ok(cmd) = self.commands.try_recv() {
                progress |= self.take(cmd, links, now);
            }
            let Some(main) = links.first_mut() else { return progress };
            if self.closing || !matches!(main.session.state(), State::Bound(k) if k.can_transmit()) {
                return progress;
            }
            let Some((key, request, reply, receipt)) = self.backlog.pop_front() else {
                if self.commands.is_empty() {
                    return progress;
                }
                continue;
            };
            let result = match &request {
                Request::Frame(frame) => main.session.send_frame(now, frame),
                Request::Text(msg) => {
                    self.reference = self.reference.wrapping_add(1);
                    submit_text(&mut main.session, now, msg, self.reference)
                }
            };
            match result {
                Ok(handle) => {
                    progress = true;
                    // A text's number of parts comes with its first part's outcome.
                    let outcome = MessageOutcome::new(key, 1);
                    self.inflight.insert(handle.0, Inflight { key, request, reply, outcome, receipt });
                }
                Err(e) if e.is_busy() => {
                    self.backlog.push_front((key, request, reply, receipt));
                    return progress;
                }
                Err(e) => {
                    progress = true;
                    reply.send(MessageOutcome::failed(key, 1, Failure::Refused(e)));
                    recycle(&self.shared, request);
                }
            }
        }
    }

    /// Drains one session's events into outcomes, receipts and client events.
    fn drain_events(
        &mut self,
        links: &mut [Link<'_, T, W>],
        i: usize,
        ready: &mut Option<crossbeam_channel::Sender<Result<(), Error>>>,
        budget: usize,
    ) -> Result<bool, Error> {
        let mut progress = false;
        let epoch = self.epoch;
        let Some(link) = links.get_mut(i) else { return Ok(false) };
        let mut taken = 0;
        while taken < budget {
            let Some(event) = link.session.poll_event() else { break };
            taken += 1;
            progress = true;
            match event {
                Event::Bound { .. } => {
                    link.bound = true;
                    info!("smpp client: bound (connection {})", link.which);
                    if link.which == 0 {
                        self.bound = true;
                        if let Some(r) = ready.take() {
                            let _ = r.send(Ok(()));
                        }
                    }
                    self.shared.event(ClientEvent::Bound { connection: link.which });
                }
                Event::BindFailed(f) => {
                    let e = match f {
                        BindFailure::Rejected(s) | BindFailure::GenericNack(s) => Error::BindRefused(s),
                        BindFailure::Timeout => Error::BindFailed("no bind_resp in time".into()),
                        BindFailure::ConnectionLost => Error::BindFailed("the connection ended first".into()),
                    };
                    if let Some(r) = ready.take() {
                        let _ = r.send(Err(e));
                        self.closing = true;
                    } else {
                        warn!("smpp client: {e}");
                    }
                }
                Event::Outcome { handle, part, outcome, .. } => {
                    let id = link.session.message_id().map(|m| MessageId::new(m.as_bytes()));
                    match part {
                        Some(p) => {
                            if let Some(f) = self.inflight.get_mut(&p.message.0) {
                                f.outcome.parts = p.total;
                                record(&mut f.outcome, p.index, &outcome, id);
                                if outcome.is_ok() && f.receipt {
                                    if let Some(id) = id {
                                        self.receipts.insert(&id, f.key, p.index, self.clock.now());
                                    }
                                }
                            }
                        }
                        None => {
                            if let Some(mut f) = self.inflight.remove(&handle.0) {
                                record(&mut f.outcome, 1, &outcome, id);
                                if f.outcome.failure.is_none() {
                                    f.outcome.status = outcome.status();
                                }
                                f.outcome.query = query_answer(&link.session);
                                if outcome.is_ok() && f.receipt {
                                    if let Some(id) = id {
                                        self.receipts.insert(&id, f.key, 1, self.clock.now());
                                    }
                                }
                                self.complete(f);
                            }
                        }
                    }
                }
                Event::MessageDone { message, total, failed, .. } => {
                    if let Some(mut f) = self.inflight.remove(&message.0) {
                        f.outcome.parts = total;
                        if let Some((p, why)) = failed {
                            f.outcome.fail(p, failure_of(why));
                        }
                        self.complete(f);
                    }
                }
                Event::Receipt { token, .. } => {
                    let ack = token.map(|token| AckToken { connection: epoch << 8 | u64::from(link.which), token });
                    if let Some(r) = self.receipt_of(&link.session) {
                        self.shared.receipt(r.clone());
                        self.shared.event(ClientEvent::Receipt { receipt: r, ack });
                    }
                }
                Event::Message { token } | Event::DataSm { token } => {
                    let ack = token.map(|token| AckToken { connection: epoch << 8 | u64::from(link.which), token });
                    if let Some(message) = self.message_of(&link.session) {
                        self.shared.event(ClientEvent::Message { message, ack });
                    } else if let Some(ack) = ack {
                        // A part kept for reassembly: acknowledge it now.
                        let _ = link.session.ack(self.clock.now(), ack.token, CommandStatus::OK);
                    }
                }
                Event::Throttled { until } => {
                    let pause = Duration::from_millis(until.0.saturating_sub(self.clock.now().0));
                    self.shared.event(ClientEvent::Throttled { pause });
                }
                Event::Closed(reason) => {
                    info!("smpp client: connection {} closed: {reason:?}", link.which);
                    link.closed.get_or_insert(Disconnect::Session(reason));
                    if let Some(r) = ready.take() {
                        let e = match reason {
                            CloseReason::BindFailed => Error::BindFailed("the bind failed".into()),
                            other => Error::BindFailed(format!("closed before the bind: {other:?}")),
                        };
                        let _ = r.send(Err(e));
                        self.closing = true;
                    }
                }
                Event::Alert | Event::Outbind | Event::BindRequest { .. } | Event::Request { .. } => {}
                _ => {}
            }
        }
        Ok(progress)
    }

    /// Finishes a request: its outcome to whoever waits, its octets back to the pool.
    fn complete(&mut self, f: Inflight) {
        // With the resubmit policy, a request the connection took with it goes again on the
        // next connection instead of ending. (One that timed out on a live connection ends with
        // its timeout: the SMSC may have it, and only the application can judge a duplicate.)
        let resubmit = self.config.reconnect.is_some_and(|r| r.resubmit) && !self.closing;
        let lost = matches!(f.outcome.failure, Some((_, Failure::ConnectionLost | Failure::NotSubmitted)));
        if resubmit && lost {
            self.lost_now.push(f.key);
            self.backlog.push_front((f.key, f.request, f.reply, f.receipt));
            return;
        }
        if f.receipt && f.outcome.message_id().is_some() {
            self.shared.expect_receipts(f.key, &f.outcome);
        }
        recycle(&self.shared, f.request);
        self.done.push((f.reply, f.outcome));
    }

    /// Delivers the outcomes finished so far.
    fn deliver(&mut self) {
        for (reply, outcome) in self.done.drain(..) {
            reply.send(outcome);
        }
    }

    /// After the main connection ended: what was in flight is failed or queued again.
    fn end_attempt(&mut self, links: &mut [Link<'_, T, W>]) -> End {
        let reason = links.first().and_then(|l| l.closed.clone()).unwrap_or(Disconnect::Eof);
        let mut left: Vec<Inflight> = self.inflight.drain().map(|(_, f)| f).collect();
        left.sort_by_key(|f| f.key);
        for mut f in left {
            let part = next_part(&f.outcome);
            f.outcome.fail(part, Failure::ConnectionLost);
            self.complete(f);
        }
        self.deliver();
        // The requests queued again went in front of newer ones; keep their original order.
        let mut lost = std::mem::take(&mut self.lost_now);
        lost.sort();
        let n = lost.len().min(self.backlog.len());
        let mut front: Vec<_> = self.backlog.drain(..n).collect();
        front.sort_by_key(|(k, ..)| *k);
        for item in front.into_iter().rev() {
            self.backlog.push_front(item);
        }
        for link in links.iter() {
            let r = link.closed.clone().unwrap_or(Disconnect::Eof);
            let lost = if link.which == 0 { lost.clone() } else { Vec::new() };
            self.shared.event(ClientEvent::Disconnected { connection: link.which, reason: r, lost });
        }
        if self.closing {
            End::Closed
        } else {
            warn!("smpp client: connection lost ({reason:?}); {} requests in flight", lost.len());
            End::Lost
        }
    }

    /// The receipt behind the event just polled, matched to the message it is about.
    fn receipt_of(&self, session: &Session<'_, W>) -> Option<Receipt> {
        let r = session.receipt()?;
        let sm = session.sm()?;
        let id = r.message_id.map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned()).unwrap_or_default();
        let (message, part) = match self.receipts.find(id.as_bytes(), self.clock.now()) {
            Some((k, p)) => (Some(k), Some(p)),
            None => (None, None),
        };
        let text = r.text;
        let field = |v: Option<&[u8]>| v.map(|b| String::from_utf8_lossy(b).into_owned());
        Some(Receipt {
            message,
            part,
            message_id: id,
            state: r.state,
            stat: text.and_then(|t| t.stat.map(|s| String::from_utf8_lossy(s.raw).into_owned())),
            err: text.and_then(|t| field(t.err)),
            done_date: text
                .and_then(|t| t.done_date)
                .map(|d| d.date().map_or_else(|| String::from_utf8_lossy(d.raw).into_owned(), date)),
            network_error: r.network_error,
            recipient: String::from_utf8_lossy(sm.source.addr.as_bytes()).into_owned(),
            text: String::from_utf8_lossy(sm.message()).into_owned(),
        })
    }

    /// The message behind the event just polled; `None` while its other parts are missing.
    fn message_of(&mut self, session: &Session<'_, W>) -> Option<MoMessage> {
        let (sm_from, sm_to, ud) = match session.pdu()? {
            Pdu::DeliverSm(sm) => (Addr::from_address(&sm.source), Addr::from_address(&sm.dest), UserData::of(&sm)),
            Pdu::DataSm(d) => {
                let sm = SubmitSm {
                    source: d.source,
                    dest: d.dest,
                    esm_class: d.esm_class,
                    data_coding: d.data_coding,
                    tlvs: d.tlvs,
                    ..SubmitSm::default()
                };
                let ud = UserData::of(&sm);
                (Addr::from_address(&d.source), Addr::from_address(&d.dest), ud)
            }
            _ => return None,
        };
        let Some(concat) = ud.concat.filter(|c| c.total > 1) else {
            return Some(MoMessage {
                from: sm_from,
                to: sm_to,
                text: ud.text(),
                data: ud.payload.to_vec(),
                data_coding: ud.data_coding,
                parts: 1,
            });
        };
        let deadline = self.clock.now().0 + 10 * 60 * 1000;
        match self.mo.push_udh(sm_from.addr.as_bytes(), concat, ud.payload, deadline) {
            Ok(Pushed::Complete(slot, _)) => {
                let mut all = vec![0u8; 2400];
                let n = self.mo.take(slot, &mut all)?;
                all.truncate(n);
                let tables = ud.udh.map_or(Tables::DEFAULT, |u| u.tables());
                Some(MoMessage {
                    from: sm_from,
                    to: sm_to,
                    text: crate::text::decode(&all, ud.data_coding, tables),
                    data: all,
                    data_coding: ud.data_coding,
                    parts: concat.total,
                })
            }
            Ok(_) => None,
            Err(e) => {
                warn!("smpp client: a message part from {} cannot be kept: {e:?}", sm_from.addr);
                None
            }
        }
    }
}

/// Sends a text through the session's splitter.
fn submit_text<const W: usize>(
    session: &mut Session<'_, W>,
    now: smpp_session::Instant,
    msg: &TextMessage,
    reference: u16,
) -> Result<Handle, CommandError> {
    let encoding = match msg.encoding {
        TextEncoding::Auto => choose(&msg.text, &[], msg.concatenation),
        TextEncoding::Gsm7 => Encoding::Gsm7(Tables::DEFAULT),
        TextEncoding::Ucs2 => Encoding::Ucs2,
        TextEncoding::Latin1 => Encoding::Latin1,
    };
    let template = SubmitSm {
        service_type: msg.service_type.as_str().into(),
        source: msg.from.as_address(),
        dest: msg.to.as_address(),
        esm_class: EsmClass(0),
        priority_flag: Priority(msg.priority),
        schedule_delivery_time: msg.schedule.as_str().into(),
        validity_period: msg.validity.as_str().into(),
        registered_delivery: if msg.receipt { RegisteredDelivery::RECEIPT } else { RegisteredDelivery(0) },
        ..SubmitSm::default()
    };
    let options = TextOptions { encoding, concatenation: msg.concatenation, reference };
    let mut scratch = vec![0u8; msg.text.len() * 4 + 16].into_boxed_slice();
    session.submit_text(now, &template, &msg.text, options, &mut scratch)
}

/// The fields of the query_sm_resp behind the outcome just polled, when it carried them.
fn query_answer<const W: usize>(session: &Session<'_, W>) -> Option<QueryAnswer> {
    match session.pdu()? {
        Pdu::QuerySmResp(r) if !r.final_date.is_absent() => Some(QueryAnswer {
            message_id: String::from_utf8_lossy(r.message_id.as_bytes()).into_owned(),
            final_date: String::from_utf8_lossy(r.final_date.as_bytes()).into_owned(),
            state: r.message_state,
            error_code: r.error_code,
        }),
        _ => None,
    }
}

/// A receipt date as `YYYY-MM-DD hh:mm[:ss]`.
fn date(d: smpp_codec::text::receipt::ReceiptDate) -> String {
    let mut s = format!("{:04}-{:02}-{:02} {:02}:{:02}", d.year, d.month, d.day, d.hour, d.minute);
    if let Some(sec) = d.second {
        s.push_str(&format!(":{sec:02}"));
    }
    s
}

/// Records a request's (or part's) outcome.
fn record(o: &mut MessageOutcome, part: u8, outcome: &Outcome, id: Option<MessageId>) {
    match outcome.part_failure() {
        None => {
            if let Some(id) = id {
                o.add_id(part, id);
            }
        }
        Some(f) => o.fail(part, failure_of(f)),
    }
}

fn failure_of(f: PartFailure) -> Failure {
    match f {
        PartFailure::Status(s) => Failure::Status(s),
        PartFailure::InvalidResponse => Failure::InvalidResponse,
        PartFailure::Timeout => Failure::Timeout,
        PartFailure::ConnectionLost => Failure::ConnectionLost,
        PartFailure::NotSubmitted => Failure::NotSubmitted,
    }
}

/// The first part of `o` without an outcome yet.
fn next_part(o: &MessageOutcome) -> u8 {
    (1..=o.parts.max(1)).find(|p| !o.ids().any(|(q, _)| q == *p)).unwrap_or(1)
}

/// Gives an encoded request's buffer back to the pool.
fn recycle(shared: &Shared, request: Request) {
    if let Request::Frame(mut buf) = request {
        buf.clear();
        let _ = shared.pool.try_send(buf);
    }
}

/// A random value for the backoff's jitter (no RNG crate needed for that).
fn random() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
    h.finish() as u32
}

impl Reply {
    pub(crate) fn send(self, outcome: MessageOutcome) {
        match self {
            Reply::Once(tx) => {
                let _ = tx.send(outcome);
            }
            Reply::Tagged { tag, to } => {
                let _ = to.send(Completion { tag, outcome });
            }
        }
    }
}
