//! Test support for the whole workspace: an ESME session and an SMSC session joined in memory
//! with a virtual clock, a scriptable SMSC, and faults (chunking, partial writes, delays, drops,
//! garbage, a mute peer). Nothing here sleeps.
//!
//! The sessions' events are kept as they are ([`Event`] is owned); what a test needs of the PDU
//! behind an event is captured beside it as a [`Seen`].
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]
#![allow(missing_docs, missing_debug_implementations)]

use std::collections::VecDeque;

use smpp_codec::pdu::{Bind, DeliverSm, MessageIdResp};
use smpp_codec::{Address, CommandId, CommandStatus, EsmClass, MessageState, Pdu, Tlv, Tlvs};
use smpp_session::{BindKind, Config, Event, Handle, IncomingToken, Instant, Outcome, Session};

/// Deterministic pseudo-random numbers (xorshift64*), so every run of a test is the same.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as usize
    }
}

fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// What a test needs of the PDU behind an event, copied out of the session.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Seen {
    /// The message_id of a response.
    pub message_id: Option<String>,
    /// system_id and password of a bind or bind_resp.
    pub system_id: Option<String>,
    pub password: Option<String>,
    /// Addresses and text of a short message (submit_sm, deliver_sm).
    pub source: Option<String>,
    pub dest: Option<String>,
    pub text: Option<Vec<u8>>,
    pub wants_receipt: bool,
    /// A receipt merged with its TLVs: (message id, state).
    pub receipt: Option<(String, MessageState)>,
    /// The receipt's TLVs as they were.
    pub receipted_id: Option<String>,
    pub tlv_state: Option<MessageState>,
}

impl Seen {
    /// Captures the PDU behind the event just polled.
    pub fn capture<const W: usize, const R: usize>(session: &Session<'_, W, R>) -> Seen {
        let mut seen = Seen { message_id: session.message_id().map(|m| s(m.as_bytes())), ..Seen::default() };
        match session.pdu() {
            Some(Pdu::BindReceiver(b) | Pdu::BindTransmitter(b) | Pdu::BindTransceiver(b)) => {
                seen.system_id = Some(s(b.system_id.as_bytes()));
                seen.password = Some(s(b.password.as_bytes()));
            }
            Some(Pdu::BindReceiverResp(b) | Pdu::BindTransmitterResp(b) | Pdu::BindTransceiverResp(b)) => {
                seen.system_id = Some(s(b.system_id.as_bytes()));
            }
            Some(Pdu::SubmitSm(sm) | Pdu::DeliverSm(sm)) => {
                seen.source = Some(s(sm.source.addr.as_bytes()));
                seen.dest = Some(s(sm.dest.addr.as_bytes()));
                seen.text = Some(sm.message().to_vec());
                seen.wants_receipt = sm.registered_delivery.0 & 3 != 0;
                seen.receipted_id = sm.tlvs.receipted_message_id().ok().flatten().map(|m| s(m.as_bytes()));
                seen.tlv_state = sm.tlvs.message_state().ok().flatten();
            }
            _ => {}
        }
        seen.receipt = session.receipt().map(|r| (s(r.message_id.unwrap_or_default().as_bytes()), r.state));
        seen
    }
}

/// What the scripted SMSC does with a submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reaction {
    /// Accept with this message id.
    Accept(String),
    /// Answer with this error status (no body).
    Reject(CommandStatus),
    /// Never answer.
    Ignore,
    /// Keep the token; the test answers later with [`Pair::answer`].
    Hold,
}

/// Decides a bind from system_id and password: `Ok` accepts, `Err(status)` rejects.
pub type BindPolicy = Box<dyn FnMut(&str, &str) -> Result<(), CommandStatus>>;
/// Decides a submission from its number (from 0), destination and text.
pub type SubmitPolicy = Box<dyn FnMut(u32, &str, &[u8]) -> Reaction>;

/// The scripted SMSC's behaviour.
pub struct Policy {
    /// Decides a bind.
    pub bind: BindPolicy,
    /// Decides a submission.
    pub submit: SubmitPolicy,
    /// Send a delivery receipt (DELIVRD) for every accepted submission that asked for one.
    pub receipts: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            bind: Box::new(|_, _| Ok(())),
            submit: Box::new(|n, _, _| Reaction::Accept(format!("{:x}", 0x0006_8090_a534_e551_u64 + u64::from(n)))),
            receipts: false,
        }
    }
}

/// Faults applied to the bytes in flight.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Largest chunk handed to a session at once, and largest write the transport takes (random
    /// sizes from 1 up to this); 0 = whole.
    pub max_chunk: usize,
    /// Bytes sent to the SMSC vanish and the SMSC sends nothing (a half-open peer).
    pub smsc_mute: bool,
}

pub const BUF: usize = 4096;

/// Buffers for one pair, kept outside so that the sessions can borrow them.
pub struct Buffers {
    pub esme_rx: Vec<u8>,
    pub esme_tx: Vec<u8>,
    pub esme_store: Vec<u8>,
    pub smsc_rx: Vec<u8>,
    pub smsc_tx: Vec<u8>,
}

impl Buffers {
    pub fn new() -> Self {
        Self::sized(BUF, BUF)
    }

    /// Receive and transmit buffers of these sizes on both sides.
    pub fn sized(rx: usize, tx: usize) -> Self {
        Buffers {
            esme_rx: vec![0; rx],
            esme_tx: vec![0; tx],
            esme_store: vec![0; BUF],
            smsc_rx: vec![0; rx],
            smsc_tx: vec![0; tx],
        }
    }
}

impl Default for Buffers {
    fn default() -> Self {
        Self::new()
    }
}

/// Drains one session: events (answering the peer through `react`) and octets, until neither
/// moves. Returns whether anything moved. Writes take random sizes up to `max_chunk` (0: all).
pub fn drain<const W: usize, const R: usize>(
    session: &mut Session<'_, W, R>,
    events: &mut Vec<Event>,
    seen: &mut Vec<Seen>,
    wire: &mut Vec<u8>,
    rng: &mut Rng,
    max_chunk: usize,
    mut react: impl FnMut(&mut Session<'_, W, R>, &Event, &Seen),
) -> bool {
    let mut moved = false;
    loop {
        let mut step = false;
        while let Some(e) = session.poll_event() {
            let got = Seen::capture(session);
            react(session, &e, &got);
            events.push(e);
            seen.push(got);
            step = true;
        }
        loop {
            let out = session.transmit();
            if out.is_empty() {
                break;
            }
            let n = if max_chunk == 0 { out.len() } else { rng.range(1, max_chunk.min(out.len())) };
            wire.extend_from_slice(&out[..n]);
            session.transmitted(n);
            step = true;
        }
        if !step {
            return moved;
        }
        moved = true;
    }
}

/// Feeds `queue` to a session, in random chunks up to `max_chunk` (0: as much as fits), through
/// the zero-copy path or the copying one at random. Returns how many octets it took.
pub fn feed<const W: usize, const R: usize>(
    session: &mut Session<'_, W, R>,
    now: Instant,
    queue: &mut VecDeque<u8>,
    rng: &mut Rng,
    max_chunk: usize,
) -> usize {
    if queue.is_empty() {
        return 0;
    }
    let want = if max_chunk == 0 { queue.len() } else { rng.range(1, max_chunk.min(queue.len())) };
    let used = if rng.next_u64() & 1 == 0 {
        let room = session.receive_buffer();
        let n = want.min(room.len());
        for (dst, src) in room[..n].iter_mut().zip(queue.iter()) {
            *dst = *src;
        }
        session.commit(now, n);
        n
    } else {
        let chunk: Vec<u8> = queue.iter().take(want).copied().collect();
        session.handle_input(now, &chunk)
    };
    queue.drain(..used);
    used
}

/// An ESME and an SMSC session joined in memory. The ESME remembers `R` message ids for
/// receipts.
pub struct Pair<'b, const W: usize, const R: usize = W> {
    pub now: Instant,
    pub esme: Session<'b, W, R>,
    pub smsc: Session<'b, W>,
    pub esme_events: Vec<Event>,
    pub esme_seen: Vec<Seen>,
    pub smsc_events: Vec<Event>,
    pub smsc_seen: Vec<Seen>,
    pub to_smsc: VecDeque<u8>,
    pub to_esme: VecDeque<u8>,
    pub policy: Policy,
    pub faults: Faults,
    pub rng: Rng,
    /// Submissions the policy put on hold, in arrival order.
    pub held: Vec<IncomingToken>,
    /// Every byte the ESME sent and the SMSC sent, for assertions in PDU terms.
    pub esme_wire: Vec<u8>,
    pub smsc_wire: Vec<u8>,
    submissions: u32,
    receipts_due: Vec<(String, String)>,
}

impl<'b, const W: usize, const R: usize> Pair<'b, W, R> {
    pub fn new(bufs: &'b mut Buffers, esme_cfg: Config, smsc_cfg: Config) -> Self {
        let now = Instant(0);
        let esme = Session::esme(esme_cfg, &mut bufs.esme_rx, &mut bufs.esme_tx, now)
            .unwrap()
            .with_part_store(&mut bufs.esme_store);
        Pair {
            now,
            esme,
            smsc: Session::smsc(smsc_cfg, &mut bufs.smsc_rx, &mut bufs.smsc_tx, now).unwrap(),
            esme_events: Vec::new(),
            esme_seen: Vec::new(),
            smsc_events: Vec::new(),
            smsc_seen: Vec::new(),
            to_smsc: VecDeque::new(),
            to_esme: VecDeque::new(),
            policy: Policy::default(),
            faults: Faults::default(),
            rng: Rng::new(7),
            held: Vec::new(),
            esme_wire: Vec::new(),
            smsc_wire: Vec::new(),
            submissions: 0,
            receipts_due: Vec::new(),
        }
    }

    /// Binds the ESME as `kind` and runs until idle.
    pub fn bind(&mut self, kind: BindKind) {
        self.esme.bind(self.now, kind, &Bind::new("user", "secret")).unwrap();
        self.run();
    }

    /// Moves bytes and reacts until nothing moves.
    pub fn run(&mut self) {
        for _ in 0..100_000 {
            let mut moved = false;
            moved |= self.drain_esme();
            moved |= self.drain_smsc();
            moved |= self.feed_smsc();
            moved |= self.feed_esme();
            moved |= self.send_receipts();
            if !moved {
                return;
            }
        }
        panic!("pair did not settle");
    }

    pub fn drain_esme(&mut self) -> bool {
        let start = self.esme_wire.len();
        let moved = drain(
            &mut self.esme,
            &mut self.esme_events,
            &mut self.esme_seen,
            &mut self.esme_wire,
            &mut self.rng,
            self.faults.max_chunk,
            |_, _, _| {},
        );
        if !self.faults.smsc_mute {
            self.to_smsc.extend(&self.esme_wire[start..]);
        }
        moved
    }

    pub fn drain_smsc(&mut self) -> bool {
        let start = self.smsc_wire.len();
        let now = self.now;
        let policy = &mut self.policy;
        let submissions = &mut self.submissions;
        let receipts_due = &mut self.receipts_due;
        let held = &mut self.held;
        let moved = drain(
            &mut self.smsc,
            &mut self.smsc_events,
            &mut self.smsc_seen,
            &mut self.smsc_wire,
            &mut self.rng,
            self.faults.max_chunk,
            |smsc, event, seen| react(smsc, now, policy, submissions, receipts_due, held, event, seen),
        );
        if !self.faults.smsc_mute {
            self.to_esme.extend(&self.smsc_wire[start..]);
        }
        moved
    }

    /// Answers a held submission.
    pub fn answer(&mut self, token: IncomingToken, reaction: Reaction) {
        match reaction {
            Reaction::Accept(id) => {
                let body = Pdu::SubmitSmResp(MessageIdResp::new(&id));
                self.smsc.respond(self.now, token, CommandStatus::OK, Some(&body)).unwrap();
            }
            Reaction::Reject(status) => self.smsc.respond(self.now, token, status, None).unwrap(),
            Reaction::Ignore | Reaction::Hold => {}
        }
        self.run();
    }

    fn send_receipts(&mut self) -> bool {
        if self.receipts_due.is_empty() {
            return false;
        }
        let due = std::mem::take(&mut self.receipts_due);
        let mut sent = false;
        for (i, (id, dest)) in due.iter().enumerate() {
            if send_receipt(&mut self.smsc, self.now, id, dest).is_err() {
                self.receipts_due.extend(due[i..].iter().cloned());
                break;
            }
            sent = true;
        }
        sent
    }

    fn feed_smsc(&mut self) -> bool {
        let mut moved = false;
        while !self.to_smsc.is_empty() {
            let used = feed(&mut self.smsc, self.now, &mut self.to_smsc, &mut self.rng, self.faults.max_chunk);
            let drained = self.drain_smsc();
            moved |= used > 0 || drained;
            if used == 0 && !drained {
                break;
            }
        }
        moved
    }

    fn feed_esme(&mut self) -> bool {
        let mut moved = false;
        while !self.to_esme.is_empty() {
            let used = feed(&mut self.esme, self.now, &mut self.to_esme, &mut self.rng, self.faults.max_chunk);
            let drained = self.drain_esme();
            moved |= used > 0 || drained;
            if used == 0 && !drained {
                break;
            }
        }
        moved
    }

    /// Advances the virtual clock to `t`, firing every deadline on the way, and runs.
    pub fn advance_to(&mut self, t: Instant) {
        loop {
            let next = [self.esme.poll_timeout(), self.smsc.poll_timeout()].into_iter().flatten().min();
            match next {
                Some(d) if d <= t => {
                    self.now = self.now.max(d);
                    self.esme.handle_timeout(self.now);
                    self.smsc.handle_timeout(self.now);
                    self.run();
                }
                _ => break,
            }
        }
        self.now = t;
        self.run();
    }

    /// Advances by `ms` milliseconds.
    pub fn advance(&mut self, ms: u64) {
        self.advance_to(Instant(self.now.0 + ms));
    }

    /// The connection breaks: both sides are told, bytes in flight vanish.
    pub fn drop_connection(&mut self) {
        self.to_esme.clear();
        self.to_smsc.clear();
        self.esme.handle_connection_lost(self.now);
        self.smsc.handle_connection_lost(self.now);
        self.run();
    }

    /// The ESME's outcome events.
    pub fn outcomes(&self) -> Vec<(Handle, Outcome)> {
        self.esme_events
            .iter()
            .filter_map(|e| match e {
                Event::Outcome { handle, outcome, .. } => Some((*handle, *outcome)),
                _ => None,
            })
            .collect()
    }

    /// The message id the response to `handle` carried.
    pub fn message_id(&self, handle: Handle) -> Option<String> {
        self.esme_events.iter().zip(&self.esme_seen).find_map(|(e, seen)| match e {
            Event::Outcome { handle: h, .. } if *h == handle => seen.message_id.clone(),
            _ => None,
        })
    }

    /// The ESME's events with what it saw of each.
    pub fn esme_log(&self) -> impl Iterator<Item = (&Event, &Seen)> {
        self.esme_events.iter().zip(&self.esme_seen)
    }

    /// The SMSC's events with what it saw of each.
    pub fn smsc_log(&self) -> impl Iterator<Item = (&Event, &Seen)> {
        self.smsc_events.iter().zip(&self.smsc_seen)
    }
}

/// The scripted SMSC's answer to one event.
#[allow(clippy::too_many_arguments)]
fn react<const W: usize, const R: usize>(
    smsc: &mut Session<'_, W, R>,
    now: Instant,
    policy: &mut Policy,
    submissions: &mut u32,
    receipts_due: &mut Vec<(String, String)>,
    held: &mut Vec<IncomingToken>,
    event: &Event,
    seen: &Seen,
) {
    match *event {
        Event::BindRequest { token, .. } => {
            let (id, pw) = (seen.system_id.clone().unwrap_or_default(), seen.password.clone().unwrap_or_default());
            match (policy.bind)(&id, &pw) {
                Ok(()) => smsc.accept_bind(now, token, "SMSC").unwrap(),
                Err(status) => smsc.reject_bind(now, token, status).unwrap(),
            }
        }
        Event::Request { token, command: CommandId::SUBMIT_SM } => {
            let n = *submissions;
            *submissions += 1;
            let dest = seen.dest.clone().unwrap_or_default();
            match (policy.submit)(n, &dest, seen.text.as_deref().unwrap_or(&[])) {
                Reaction::Accept(id) => {
                    let body = Pdu::SubmitSmResp(MessageIdResp::new(&id));
                    smsc.respond(now, token, CommandStatus::OK, Some(&body)).unwrap();
                    if seen.wants_receipt && policy.receipts {
                        receipts_due.push((id, dest));
                    }
                }
                Reaction::Reject(status) => smsc.respond(now, token, status, None).unwrap(),
                Reaction::Ignore => {}
                Reaction::Hold => held.push(token),
            }
        }
        Event::Request { token, .. } | Event::DataSm { token: Some(token) } => {
            smsc.respond(now, token, CommandStatus::SUBMIT_FAILED, None).unwrap()
        }
        _ => {}
    }
}

/// Sends a DELIVRD receipt for message `id` to `dest`, with the text and both TLVs.
///
/// # Errors
/// As [`Session::send`].
pub fn send_receipt<const W: usize, const R: usize>(
    smsc: &mut Session<'_, W, R>,
    now: Instant,
    id: &str,
    dest: &str,
) -> Result<Handle, smpp_session::CommandError> {
    let text = format!("id:{id} sub:001 dlvrd:001 submit date:2504231542 done date:2504231543 stat:DELIVRD err:000");
    let tlvs = [Tlv::receipted_message_id(id), Tlv::message_state(MessageState::DELIVERED)];
    let sm = DeliverSm {
        esm_class: EsmClass::DELIVERY_RECEIPT,
        tlvs: Tlvs::from_slice(&tlvs),
        ..DeliverSm::new(Address::international(dest), Address::alphanumeric("Test"), text.as_bytes())
    };
    smsc.send(now, &Pdu::DeliverSm(sm))
}

/// A PDU seen on the wire: command, status, sequence number, body.
pub type WirePdu = (CommandId, CommandStatus, u32, Vec<u8>);

/// Splits a byte stream into PDUs (header fields and body) for assertions.
pub fn pdus(wire: &[u8]) -> Vec<WirePdu> {
    let mut out = Vec::new();
    let mut rest = wire;
    while rest.len() >= 16 {
        let h = smpp_codec::Header::parse(rest).unwrap();
        let n = h.command_length as usize;
        if rest.len() < n {
            break;
        }
        out.push((h.command_id, h.command_status, h.sequence_number, rest[16..n].to_vec()));
        rest = &rest[n..];
    }
    out
}
