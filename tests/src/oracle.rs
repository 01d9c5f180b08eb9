//! The session's invariants checked from outside, on every step of a run: a [`Watch`] sees every
//! octet a session takes and sends, every event, every answer the application gives, and every
//! timer firing, and panics at the first step that breaks an invariant. The invariant proptests,
//! the fault matrix and the fuzz targets all drive sessions through it.
//!
//! What is checked, and where:
//!
//! - **progress** ([`Watch::settled`], [`Watch::handle_timeout`]): after a full drain (events until
//!   `None`, the transmit buffer emptied), the session holds exactly the octets after the frames
//!   it processed and they are less than a whole frame; `handle_timeout` at a deadline always
//!   moves it into the future (or ends the session).
//! - **messages** ([`Event::MessageDone`]): `accepted` is the number of parts whose outcome
//!   `is_ok`, `failed` the first part that failed with its `Outcome::part_failure` (or the first
//!   part never submitted, `NotSubmitted`); one `MessageDone` per message, after all its parts.
//! - **closed**: no event after `Closed`, no octet queued after it, and a run ends with exactly
//!   one.
//! - **answers** ([`Watch::finish`]): every request the peer sent that the session processed is
//!   answered exactly once (by sequence number, counting duplicates), also across unbind and close;
//!   only requests still waiting for the application when the connection was lost go unanswered.
//! - **tokens** ([`Watch::respond`] and friends): a token answers its own request only (the
//!   queued answer carries its sequence number and its response id); a token already answered,
//!   by the application or by the session at unbind or close, is refused with `UnknownToken` and
//!   queues nothing; the session holds as many pending peer requests as tokens are open.
//! - **throttling**: the window narrows by one halving per `Event::Throttled`, and only for a
//!   throttling response to a request sent after the previous narrowing (responses to requests
//!   already in flight belong to the same episode).
//! - **outcomes** ([`Watch::issued`]): one outcome per handle, and one for every handle the
//!   application was given.
//! - **memory**: the window, the pending requests and the buffers stay within their bounds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::{BTreeMap, HashMap, HashSet};

use smpp_codec::{CommandId, CommandStatus, Frame, HEADER_LEN, Header, frame_len};
use smpp_session::{
    CloseReason, CommandError, Event, Handle, IncomingToken, Instant, Outcome, PartFailure, Session, State,
};

/// How often each oracle had something to check, summed over a run (a test can assert that
/// none of them was vacuous).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Full drains after which the progress oracle looked at the receive buffer.
    pub settled: usize,
    /// ... of which the buffer held part of a frame.
    pub partial_frames: usize,
    /// `handle_timeout` calls at a due deadline.
    pub deadlines: usize,
    /// `MessageDone` events checked against their parts.
    pub messages: usize,
    /// ... of which reported a failed part.
    pub failed_messages: usize,
    /// Runs that ended with their one `Closed`.
    pub closed: usize,
    /// Peer requests found answered exactly once.
    pub answered: usize,
    /// ... answered by the session at unbind or close, not by the application.
    pub answered_at_end: usize,
    /// Peer requests left unanswered because the connection was lost.
    pub excused: usize,
    /// Answers through a token, checked to carry the token's request.
    pub token_answers: usize,
    /// Answers through a token already used, refused as they must be.
    pub stale_refused: usize,
    /// Narrowings of the window, each checked to start an episode.
    pub narrowed: usize,
    /// `Event::Throttled` seen.
    pub throttled: usize,
}

impl Tally {
    /// Adds `other` to this tally.
    pub fn add(&mut self, other: &Tally) {
        self.settled += other.settled;
        self.partial_frames += other.partial_frames;
        self.deadlines += other.deadlines;
        self.messages += other.messages;
        self.failed_messages += other.failed_messages;
        self.closed += other.closed;
        self.answered += other.answered;
        self.answered_at_end += other.answered_at_end;
        self.excused += other.excused;
        self.token_answers += other.token_answers;
        self.stale_refused += other.stale_refused;
        self.narrowed += other.narrowed;
        self.throttled += other.throttled;
    }
}

/// A frame of the peer's stream, cut where the session cuts it.
#[derive(Copy, Clone, Debug)]
struct Framed {
    start: usize,
    len: usize,
    header: Header,
}

impl Framed {
    fn end(&self) -> usize {
        self.start + self.len
    }
}

/// Whether a status means throttling (SMPP-REFERENCE §10.6).
fn throttling(status: CommandStatus) -> bool {
    matches!(status, CommandStatus::THROTTLED | CommandStatus::MESSAGE_QUEUE_FULL)
}

/// The PDUs of a byte stream with where each starts, as far as they are whole.
fn headers(stream: &[u8]) -> Vec<(usize, Header)> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Ok(h) = Header::parse(&stream[at..]) {
        let len = (h.command_length as usize).max(HEADER_LEN);
        if stream.len() - at < len {
            break;
        }
        out.push((at, h));
        at += len;
    }
    out
}

/// Watches one session and checks its invariants at every step (see the module doc). A watch
/// that is off forwards the calls and checks nothing.
#[derive(Debug)]
pub struct Watch {
    on: bool,
    name: &'static str,
    window: usize,
    rx_capacity: usize,
    max_command_length: u32,

    /// Every octet the session took, and that stream cut into frames as the session cuts it.
    input: Vec<u8>,
    frames: Vec<Framed>,
    parsed_to: usize,
    /// Where the stream holds a command_length that cannot be right.
    framing_lost: Option<usize>,
    /// `pdus_received` at the last look.
    received: usize,

    /// Every octet the transport took from the session.
    sent: Vec<u8>,

    closed: Option<CloseReason>,
    written_at_close: usize,

    issued: HashSet<Handle>,
    /// Messages submitted all at once (every part has an outcome) or part by part.
    messages: HashMap<Handle, bool>,
    outcomes: HashMap<Handle, usize>,
    parts: HashMap<Handle, Vec<(u8, u8, Outcome)>>,
    done: HashSet<Handle>,

    /// Tokens the application holds, with the command of their request.
    live: Vec<(IncomingToken, CommandId)>,
    /// Tokens whose request was answered.
    stale: Vec<IncomingToken>,
    /// Tokens the session took back when it closed: answered, unless the connection was lost.
    dropped: Vec<IncomingToken>,
    /// Requests (by sequence number) left unanswered by a lost connection.
    excused: BTreeMap<u32, usize>,

    window_now: usize,
    /// Narrowings not yet announced by `Event::Throttled`.
    unannounced: usize,
    /// Octets the session had written when the window last narrowed.
    episode_from: Option<usize>,

    /// What the oracles checked.
    pub tally: Tally,
}

impl Watch {
    /// A watch that checks nothing.
    pub fn off() -> Self {
        Watch {
            on: false,
            name: "",
            window: 0,
            rx_capacity: 0,
            max_command_length: 0,
            input: Vec::new(),
            frames: Vec::new(),
            parsed_to: 0,
            framing_lost: None,
            received: 0,
            sent: Vec::new(),
            closed: None,
            written_at_close: 0,
            issued: HashSet::new(),
            messages: HashMap::new(),
            outcomes: HashMap::new(),
            parts: HashMap::new(),
            done: HashSet::new(),
            live: Vec::new(),
            stale: Vec::new(),
            dropped: Vec::new(),
            excused: BTreeMap::new(),
            window_now: 0,
            unannounced: 0,
            episode_from: None,
            tally: Tally::default(),
        }
    }

    /// Watches `session`, which has not taken or sent anything yet; `name` labels its failures.
    pub fn new<const W: usize, const R: usize>(session: &mut Session<'_, W, R>, name: &'static str) -> Self {
        assert_eq!((session.pending_receive(), session.pending_transmit()), (0, 0), "a watch starts with the session");
        Watch {
            on: true,
            name,
            window: W,
            rx_capacity: session.receive_buffer().len(),
            max_command_length: session.config().max_command_length,
            window_now: session.effective_window(),
            ..Watch::off()
        }
    }

    /// Whether this watch checks anything.
    pub fn is_on(&self) -> bool {
        self.on
    }

    /// The session took these octets from the peer.
    pub fn accepted(&mut self, bytes: &[u8]) {
        if self.on {
            self.input.extend_from_slice(bytes);
        }
    }

    /// The transport took these octets from the session's transmit buffer.
    pub fn sent(&mut self, bytes: &[u8]) {
        if self.on {
            self.sent.extend_from_slice(bytes);
        }
    }

    /// The application was given `handle` for a request (one outcome is due).
    pub fn issued(&mut self, handle: Handle) {
        if self.on {
            self.issued.insert(handle);
        }
    }

    /// The application was given `message` for a multi-part message; `all_parts` when every part
    /// was submitted with it (`submit_parts`, `submit_text`).
    pub fn message(&mut self, message: Handle, all_parts: bool) {
        if self.on {
            self.messages.insert(message, all_parts);
        }
    }

    /// A token an answer was given for already, to try again (it must be refused).
    pub fn stale_token(&self, pick: usize) -> Option<IncomingToken> {
        (!self.stale.is_empty()).then(|| self.stale[pick % self.stale.len()])
    }

    /// A token the application holds.
    pub fn live_token(&self, pick: usize) -> Option<(IncomingToken, CommandId)> {
        (!self.live.is_empty()).then(|| self.live[pick % self.live.len()])
    }

    /// The octets the session has written: sent, then still queued.
    fn written_len<const W: usize, const R: usize>(&self, s: &Session<'_, W, R>) -> usize {
        self.sent.len() + s.pending_transmit()
    }

    /// Cuts the input into frames as far as it goes.
    fn frame_more(&mut self) {
        while self.framing_lost.is_none() {
            let rest = self.input.get(self.parsed_to..).unwrap_or(&[]);
            // The session judges a frame once its header is whole.
            if rest.len() < HEADER_LEN {
                return;
            }
            let (len, header) = match frame_len(rest, self.max_command_length) {
                Ok(Frame::Complete(n)) => (n, Header::parse(rest).unwrap()),
                // Longer than the receive buffer: skipped once its header is in.
                Ok(Frame::Incomplete { needed }) if needed > self.rx_capacity => match Header::parse(rest) {
                    Ok(h) => (h.command_length as usize, h),
                    Err(_) => return,
                },
                Ok(Frame::Incomplete { .. }) => return,
                Err(_) => {
                    self.framing_lost = Some(self.parsed_to);
                    return;
                }
            };
            self.frames.push(Framed { start: self.parsed_to, len, header });
            self.parsed_to += len;
        }
    }

    /// Checks what can be checked at any step. Called after every event and every command.
    pub fn observe<const W: usize, const R: usize>(&mut self, s: &Session<'_, W, R>) {
        if !self.on {
            return;
        }
        let name = self.name;
        // Memory stays within its bounds.
        assert!(s.outstanding() <= W, "{name}: {} requests outstanding in a window of {W}", s.outstanding());
        assert!(s.pending_incoming() <= W, "{name}: {} peer requests pending, window {W}", s.pending_incoming());
        assert!(s.pending_receive() <= self.rx_capacity, "{name}: receive buffer overfull");
        // Frames are processed only when whole.
        self.frame_more();
        let received = s.counters().pdus_received as usize;
        assert!(
            received <= self.frames.len(),
            "{name}: {received} frames processed, but the {} octets taken hold only {} whole ones",
            self.input.len(),
            self.frames.len()
        );
        // Nothing is queued after Closed.
        if self.closed.is_some() {
            assert_eq!(self.written_len(s), self.written_at_close, "{name}: octets queued after Closed");
            assert_eq!(s.poll_timeout(), None, "{name}: a deadline after Closed");
        }
        self.reconcile_tokens(s);
        self.check_window(s, received);
        self.received = received;
    }

    /// The session holds exactly the peer requests the application has tokens for; when it
    /// holds fewer, it answered them at unbind or close.
    fn reconcile_tokens<const W: usize, const R: usize>(&mut self, s: &Session<'_, W, R>) {
        let (name, pending) = (self.name, s.pending_incoming());
        if pending < self.live.len() {
            assert!(
                pending == 0 && matches!(s.state(), State::Unbinding | State::Closed),
                "{name}: the application holds {} tokens, the session only {pending} pending requests, in state {:?}",
                self.live.len(),
                s.state()
            );
            let taken = self.live.drain(..).map(|(t, _)| t);
            match s.state() {
                State::Closed => self.dropped.extend(taken),
                _ => {
                    let n = taken.len();
                    self.stale.extend(taken);
                    self.tally.answered_at_end += n;
                }
            }
        }
        assert_eq!(
            pending,
            self.live.len(),
            "{name}: the session holds {pending} pending peer requests, the application {} tokens",
            self.live.len()
        );
    }

    /// One halving per throttling episode, each announced by `Event::Throttled`.
    fn check_window<const W: usize, const R: usize>(&mut self, s: &Session<'_, W, R>, received: usize) {
        let (name, now, before) = (self.name, s.effective_window(), self.window_now);
        assert!((1..=self.window).contains(&now), "{name}: effective window {now} outside 1..={}", self.window);
        if now < before {
            assert_eq!(
                now,
                (before / 2).max(1),
                "{name}: the window went from {before} to {now}: more than one halving"
            );
            self.unannounced += 1;
            assert!(self.unannounced <= 1, "{name}: the window narrowed twice with one Event::Throttled");
            // The throttling response behind it answers a request sent since the last narrowing.
            let mut written = self.sent.clone();
            written.extend_from_slice(s.transmit());
            let requests: Vec<(usize, Header)> =
                headers(&written).into_iter().filter(|(_, h)| !h.command_id.is_response()).collect();
            let from = self.episode_from;
            let frames = &self.frames[self.received.min(received)..received];
            let new_episode = frames.iter().filter(|f| f.header.command_id.is_response()).any(|f| {
                throttling(f.header.command_status)
                    && requests
                        .iter()
                        .rev()
                        .find(|(_, h)| h.sequence_number == f.header.sequence_number)
                        .is_some_and(|(at, _)| from.is_none_or(|from| *at >= from))
            });
            assert!(
                new_episode,
                "{name}: the window narrowed ({before} -> {now}) on a throttling response to a request sent \
                 before the previous narrowing: the same episode narrowed twice (frames {:?})",
                frames.iter().map(|f| f.header).collect::<Vec<_>>()
            );
            self.episode_from = Some(written.len());
            self.tally.narrowed += 1;
        }
        self.window_now = now;
    }

    /// Checks a `poll_event` result (`None` too) and the step that produced it.
    pub fn polled<const W: usize, const R: usize>(&mut self, s: &Session<'_, W, R>, event: Option<&Event>) {
        if !self.on {
            return;
        }
        let name = self.name;
        if let Some(e) = event {
            assert!(self.closed.is_none(), "{name}: {e:?} after Closed");
            let token = match *e {
                Event::Message { token: Some(t) } | Event::Receipt { token: Some(t), .. } => {
                    Some((t, CommandId::DELIVER_SM))
                }
                Event::DataSm { token: Some(t) } => Some((t, CommandId::DATA_SM)),
                Event::BindRequest { token, kind } => Some((token, kind.command_id())),
                Event::Request { token, command } => Some((token, command)),
                _ => None,
            };
            if let Some((t, command)) = token {
                assert!(!self.stale.contains(&t), "{name}: token {t:?} issued twice");
                let pdu = s.header().map(|h| (h.command_id, h.sequence_number));
                assert_eq!(pdu, Some((command, t.sequence_number())), "{name}: {e:?} names another PDU");
                self.live.push((t, command));
            }
        }
        self.observe(s);
        let Some(e) = event else { return };
        match *e {
            Event::Outcome { handle, part, outcome, .. } => {
                let n = self.outcomes.entry(handle).or_default();
                *n += 1;
                assert_eq!(*n, 1, "{name}: a second outcome for {handle:?}: {e:?}");
                if let Some(p) = part {
                    assert!(!self.done.contains(&p.message), "{name}: {e:?} after its message's MessageDone");
                    self.parts.entry(p.message).or_default().push((p.index, p.total, outcome));
                }
            }
            Event::MessageDone { message, total, accepted, failed } => {
                self.check_message(message, total, accepted, failed)
            }
            Event::Throttled { .. } => {
                self.tally.throttled += 1;
                self.unannounced = 0;
            }
            Event::Closed(reason) => {
                self.closed = Some(reason);
                self.written_at_close = self.written_len(s);
                assert!(s.is_closed() && s.poll_timeout().is_none(), "{name}: Closed with the session still running");
                let dropped = std::mem::take(&mut self.dropped);
                if reason == CloseReason::ConnectionLost {
                    for t in &dropped {
                        *self.excused.entry(t.sequence_number()).or_default() += 1;
                    }
                } else {
                    self.tally.answered_at_end += dropped.len();
                }
                self.stale.extend(dropped);
                assert!(self.live.is_empty(), "{name}: tokens open after Closed");
            }
            _ => {}
        }
    }

    /// A message's `MessageDone` agrees with its parts' outcomes.
    fn check_message(&mut self, message: Handle, total: u8, accepted: u8, failed: Option<(u8, PartFailure)>) {
        let name = self.name;
        assert!(self.done.insert(message), "{name}: a second MessageDone for {message:?}");
        let parts = self.parts.get(&message).cloned().unwrap_or_default();
        let mut indices: Vec<u8> = parts.iter().map(|p| p.0).collect();
        indices.sort_unstable();
        indices.dedup();
        assert_eq!(indices.len(), parts.len(), "{name}: {message:?} has a part reported twice: {parts:?}");
        for (index, t, _) in &parts {
            assert!(*t == total && (1..=total).contains(index), "{name}: part {index}/{t} of a message of {total}");
        }
        let ok = parts.iter().filter(|p| p.2.is_ok()).count();
        assert_eq!(usize::from(accepted), ok, "{name}: {message:?} says {accepted} parts accepted: {parts:?}");
        let first_failed = parts
            .iter()
            .filter(|p| !p.2.is_ok())
            .min_by_key(|p| p.0)
            .map(|p| (p.0, p.2.part_failure().expect("a part that failed has a part failure")));
        let first_missing = (1..=total).find(|i| !indices.contains(i)).map(|i| (i, PartFailure::NotSubmitted));
        if self.messages.get(&message) == Some(&true) {
            assert_eq!(first_missing, None, "{name}: {message:?} was submitted whole, yet a part has no outcome");
        }
        let expected = [first_failed, first_missing].into_iter().flatten().min_by_key(|f| f.0);
        assert_eq!(failed, expected, "{name}: {message:?} reports {failed:?}, its parts say {expected:?}: {parts:?}");
        self.tally.messages += 1;
        self.tally.failed_messages += usize::from(failed.is_some());
    }

    /// After a full drain: no whole frame waits, and the session holds exactly the octets after
    /// the frames it processed.
    pub fn settled<const W: usize, const R: usize>(&mut self, s: &Session<'_, W, R>) {
        if !self.on {
            return;
        }
        self.observe(s);
        if s.is_closed() || !s.transmit().is_empty() {
            return;
        }
        let name = self.name;
        let done = self.frames[..self.received].last().map_or(0, Framed::end);
        let pending = s.pending_receive();
        assert_eq!(
            pending,
            self.input.len().saturating_sub(done),
            "{name}: after {} processed frames the session holds {pending} octets",
            self.received
        );
        let tail = &self.input[self.input.len() - pending..];
        if tail.len() < HEADER_LEN {
            // Not a header yet: nothing to judge.
            self.tally.settled += 1;
            self.tally.partial_frames += usize::from(!tail.is_empty());
            return;
        }
        match frame_len(tail, self.max_command_length) {
            Ok(Frame::Incomplete { needed }) if needed > self.rx_capacity && tail.len() >= HEADER_LEN => {
                panic!("{name}: the header of a frame too long for the buffer waits unprocessed")
            }
            Ok(Frame::Incomplete { .. }) => {}
            Ok(Frame::Complete(n)) => {
                panic!("{name}: a whole frame of {n} octets waits unprocessed after a full drain")
            }
            Err(e) => panic!("{name}: a broken frame ({e}) waits unprocessed after a full drain"),
        }
        self.tally.settled += 1;
        self.tally.partial_frames += usize::from(!tail.is_empty());
    }

    /// Runs the timers due at `now`; any deadline due then must be acted on (moved past `now`,
    /// or the session ended).
    pub fn handle_timeout<const W: usize, const R: usize>(&mut self, s: &mut Session<'_, W, R>, now: Instant) {
        let due = s.poll_timeout().is_some_and(|t| t <= now);
        s.handle_timeout(now);
        if !self.on {
            return;
        }
        if let Some(t) = s.poll_timeout() {
            assert!(t > now, "{}: handle_timeout({now:?}) left the deadline {t:?}", self.name);
        }
        self.tally.deadlines += usize::from(due);
        self.observe(s);
    }

    /// Answers a peer request through the session, checking the token (see the module doc).
    ///
    /// # Errors
    /// As [`Session::respond`].
    pub fn respond<const W: usize, const R: usize>(
        &mut self,
        s: &mut Session<'_, W, R>,
        now: Instant,
        token: IncomingToken,
        status: CommandStatus,
        pdu: Option<&smpp_codec::Pdu<'_>>,
    ) -> Result<(), CommandError> {
        self.answer(s, token, |s| s.respond(now, token, status, pdu))
    }

    /// [`Session::ack`] through the watch.
    ///
    /// # Errors
    /// As [`Session::ack`].
    pub fn ack<const W: usize, const R: usize>(
        &mut self,
        s: &mut Session<'_, W, R>,
        now: Instant,
        token: IncomingToken,
        status: CommandStatus,
    ) -> Result<(), CommandError> {
        self.answer(s, token, |s| s.ack(now, token, status))
    }

    /// [`Session::accept_bind`] through the watch.
    ///
    /// # Errors
    /// As [`Session::accept_bind`].
    pub fn accept_bind<const W: usize, const R: usize>(
        &mut self,
        s: &mut Session<'_, W, R>,
        now: Instant,
        token: IncomingToken,
        system_id: &str,
    ) -> Result<(), CommandError> {
        self.answer(s, token, |s| s.accept_bind(now, token, system_id))
    }

    /// [`Session::reject_bind`] through the watch.
    ///
    /// # Errors
    /// As [`Session::reject_bind`].
    pub fn reject_bind<const W: usize, const R: usize>(
        &mut self,
        s: &mut Session<'_, W, R>,
        now: Instant,
        token: IncomingToken,
        status: CommandStatus,
    ) -> Result<(), CommandError> {
        self.answer(s, token, |s| s.reject_bind(now, token, status))
    }

    fn answer<'b, const W: usize, const R: usize>(
        &mut self,
        s: &mut Session<'b, W, R>,
        token: IncomingToken,
        call: impl FnOnce(&mut Session<'b, W, R>) -> Result<(), CommandError>,
    ) -> Result<(), CommandError> {
        if !self.on {
            return call(s);
        }
        self.observe(s);
        let name = self.name;
        let before = s.transmit().to_vec();
        let live = self.live.iter().position(|(t, _)| *t == token);
        let result = call(s);
        let after = s.transmit();
        match (live, result) {
            (None, r) => {
                assert!(
                    self.stale.contains(&token) || self.dropped.contains(&token),
                    "{name}: {token:?} was never issued"
                );
                assert_eq!(r, Err(CommandError::UnknownToken), "{name}: {token:?} was answered already");
                assert_eq!(after, &before[..], "{name}: a refused answer queued octets");
                self.tally.stale_refused += 1;
            }
            (Some(i), Ok(())) => {
                let (_, command) = self.live.remove(i);
                assert!(after.starts_with(&before), "{name}: answering changed what was queued before");
                let h = Header::parse(&after[before.len()..]).expect("an answer was queued");
                assert_eq!(
                    (h.command_id, h.sequence_number),
                    (command.response_id().unwrap(), token.sequence_number()),
                    "{name}: {token:?} answered another request"
                );
                self.stale.push(token);
                self.tally.token_answers += 1;
            }
            (Some(i), Err(CommandError::UnknownToken)) => {
                // Answered by the session already, at unbind or close.
                assert!(
                    matches!(s.state(), State::Unbinding | State::Closed),
                    "{name}: {token:?} refused while its request waits, in state {:?}",
                    s.state()
                );
                let (t, _) = self.live.remove(i);
                self.stale.push(t);
            }
            (Some(_), Err(e)) => {
                assert_eq!(after, &before[..], "{name}: a refused answer ({e}) queued octets");
            }
        }
        self.observe(s);
        result
    }

    /// Checks the end of a run: the session is closed (the driver ended it) and everything it
    /// wrote was sent.
    pub fn finish<const W: usize, const R: usize>(&mut self, s: &Session<'_, W, R>) {
        if !self.on {
            return;
        }
        self.observe(s);
        let name = self.name;
        assert!(self.closed.is_some(), "{name}: the run ended without Closed");
        self.tally.closed += 1;
        for h in &self.issued {
            assert_eq!(self.outcomes.get(h), Some(&1), "{name}: {h:?} has no outcome");
        }
        for m in self.messages.keys().chain(self.parts.keys()) {
            assert!(self.done.contains(m), "{name}: message {m:?} has no MessageDone");
        }
        assert_eq!(self.unannounced, 0, "{name}: the window narrowed without Event::Throttled");
        self.check_answers(s);
    }

    /// Every processed peer request was answered exactly once, unless the connection was lost
    /// while the application held it.
    fn check_answers<const W: usize, const R: usize>(&mut self, s: &Session<'_, W, R>) {
        let name = self.name;
        let processed = s.counters().pdus_received as usize;
        let mut need: BTreeMap<u32, usize> = BTreeMap::new();
        for f in &self.frames[..processed] {
            if f.header.command_id.expects_response() {
                *need.entry(f.header.sequence_number).or_default() += 1;
            }
        }
        let mut written = self.sent.clone();
        written.extend_from_slice(s.transmit());
        let mut got: BTreeMap<u32, usize> = BTreeMap::new();
        let mut framing_nacks = 0;
        for (_, h) in headers(&written) {
            if h.command_id == CommandId::GENERIC_NACK && h.command_status == CommandStatus::INVALID_COMMAND_LENGTH {
                framing_nacks += 1;
            } else if h.command_id.is_response() {
                *got.entry(h.sequence_number).or_default() += 1;
            }
        }
        let framing_lost = matches!(self.closed, Some(CloseReason::InvalidCommandLength(_)));
        assert_eq!(
            framing_nacks,
            usize::from(framing_lost),
            "{name}: generic_nack ESME_RINVCMDLEN {framing_nacks} times"
        );
        if framing_lost {
            let done = self.frames[..processed].last().map_or(0, Framed::end);
            assert_eq!(self.framing_lost, Some(done), "{name}: closed for a command_length, but not where it broke");
        }
        let seqs: HashSet<u32> = need.keys().chain(got.keys()).copied().collect();
        for seq in seqs {
            let (n, g, x) = (need.get(&seq).copied().unwrap_or(0), got.get(&seq).copied().unwrap_or(0), {
                self.excused.get(&seq).copied().unwrap_or(0)
            });
            assert_eq!(
                g,
                n - x.min(n),
                "{name}: sequence number {seq}: {n} requests (of them {x} held when the connection was lost), {g} answers"
            );
            self.tally.answered += g;
            self.tally.excused += x;
        }
    }
}
