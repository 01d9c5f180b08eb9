//! Test support for the whole workspace: an ESME session and an SMSC session joined in memory
//! with a virtual clock, a scriptable SMSC, and faults (chunking, delays, drops, garbage, a
//! mute peer). Nothing here sleeps.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]
#![allow(missing_docs, missing_debug_implementations)]

use std::collections::VecDeque;

use smpp_codec::pdu::{Bind, DeliverSm, MessageIdResp};
use smpp_codec::{Address, CommandId, CommandStatus, EsmClass, MessageState, Pdu, Tlv, Tlvs};
use smpp_session::{
    BindFailure, BindKind, CloseReason, Config, Event, Handle, IncomingToken, Instant, Outcome, PartFailure, PartOf,
    Role, Session,
};

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

/// An outcome, owned so it outlives the session's receive buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Res {
    Response { status: CommandStatus, message_id: Option<String> },
    GenericNack(CommandStatus),
    Invalid(smpp_codec::Error),
    Timeout,
    Lost,
}

/// An event, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ev {
    Bound {
        kind: BindKind,
        system_id: String,
        sc_interface_version: Option<u8>,
    },
    BindFailed(BindFailure),
    Outcome {
        handle: Handle,
        command: CommandId,
        part: Option<PartOf>,
        res: Res,
    },
    MessageDone {
        message: Handle,
        total: u8,
        accepted: u8,
        failed: Option<(u8, PartFailure)>,
    },
    Message {
        token: Option<IncomingToken>,
        source: String,
        text: Vec<u8>,
    },
    Receipt {
        token: Option<IncomingToken>,
        text: Vec<u8>,
        receipted_id: Option<String>,
        state: Option<MessageState>,
        submit: Option<Handle>,
        merged: Option<(String, MessageState)>,
    },
    DataSm {
        token: Option<IncomingToken>,
    },
    Alert,
    Outbind,
    BindRequest {
        token: IncomingToken,
        kind: BindKind,
        system_id: String,
        password: String,
    },
    Request {
        token: IncomingToken,
        command: CommandId,
        dest: String,
        text: Vec<u8>,
        receipt: bool,
    },
    Throttled {
        until: Instant,
    },
    Closed(CloseReason),
}

fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

impl Ev {
    pub fn from_event(e: &Event<'_>) -> Ev {
        match *e {
            Event::Bound { kind, system_id, sc_interface_version } => {
                Ev::Bound { kind, system_id: s(system_id.as_bytes()), sc_interface_version }
            }
            Event::BindFailed(f) => Ev::BindFailed(f),
            Event::MessageDone { message, total, accepted, failed } => {
                Ev::MessageDone { message, total, accepted, failed }
            }
            Event::Outcome { handle, command, part, outcome } => Ev::Outcome {
                handle,
                command,
                part,
                res: match outcome {
                    Outcome::Response { status, .. } => {
                        Res::Response { status, message_id: outcome.message_id().map(|m| s(m.as_bytes())) }
                    }
                    Outcome::GenericNack { status } => Res::GenericNack(status),
                    Outcome::InvalidResponse { error } => Res::Invalid(error),
                    Outcome::Timeout => Res::Timeout,
                    Outcome::ConnectionLost => Res::Lost,
                },
            },
            Event::Message { token, sm } => {
                Ev::Message { token, source: s(sm.source.addr.as_bytes()), text: sm.message().to_vec() }
            }
            Event::Receipt { token, sm, receipt, submit } => Ev::Receipt {
                token,
                submit,
                merged: receipt.map(|r| (s(r.message_id.unwrap_or_default().as_bytes()), r.state)),
                text: sm.message().to_vec(),
                receipted_id: sm.tlvs.receipted_message_id().ok().flatten().map(|m| s(m.as_bytes())),
                state: sm.tlvs.message_state().ok().flatten(),
            },
            Event::DataSm { token, .. } => Ev::DataSm { token },
            Event::Alert(_) => Ev::Alert,
            Event::Outbind(_) => Ev::Outbind,
            Event::BindRequest { token, kind, bind } => Ev::BindRequest {
                token,
                kind,
                system_id: s(bind.system_id.as_bytes()),
                password: s(bind.password.as_bytes()),
            },
            Event::Request { token, pdu } => {
                let (dest, text, receipt) = match pdu {
                    Pdu::SubmitSm(sm) => {
                        (s(sm.dest.addr.as_bytes()), sm.message().to_vec(), sm.registered_delivery.0 & 3 != 0)
                    }
                    _ => (String::new(), Vec::new(), false),
                };
                Ev::Request { token, command: pdu.command_id(), dest, text, receipt }
            }
            Event::Throttled { until } => Ev::Throttled { until },
            Event::Closed(r) => Ev::Closed(r),
            _ => panic!("event not covered by the harness: {e:?}"),
        }
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
    /// Largest chunk handed to `handle_input` (random sizes from 1 up to this); 0 = whole.
    pub max_chunk: usize,
    /// Bytes sent to the SMSC vanish and the SMSC sends nothing (a half-open peer).
    pub smsc_mute: bool,
}

pub const BUF: usize = 4096;

/// Buffers for one pair, kept outside so that the sessions can borrow them.
pub struct Buffers {
    pub esme_rx: Vec<u8>,
    pub esme_tx: Vec<u8>,
    pub smsc_rx: Vec<u8>,
    pub smsc_tx: Vec<u8>,
}

impl Buffers {
    pub fn new() -> Self {
        Buffers { esme_rx: vec![0; BUF], esme_tx: vec![0; BUF], smsc_rx: vec![0; BUF], smsc_tx: vec![0; BUF] }
    }
}

impl Default for Buffers {
    fn default() -> Self {
        Self::new()
    }
}

/// An ESME and an SMSC session joined in memory.
pub struct Pair<'b, const W: usize> {
    pub now: Instant,
    pub esme: Session<'b, W>,
    pub smsc: Session<'b, W>,
    pub esme_events: Vec<Ev>,
    pub smsc_events: Vec<Ev>,
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

impl<'b, const W: usize> Pair<'b, W> {
    pub fn new(bufs: &'b mut Buffers, esme_cfg: Config, smsc_cfg: Config) -> Self {
        let now = Instant(0);
        Pair {
            now,
            esme: Session::new(Role::Esme, esme_cfg, &mut bufs.esme_rx, &mut bufs.esme_tx, now),
            smsc: Session::new(Role::Smsc, smsc_cfg, &mut bufs.smsc_rx, &mut bufs.smsc_tx, now),
            esme_events: Vec::new(),
            smsc_events: Vec::new(),
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

    fn chunk(&mut self, left: usize) -> usize {
        if self.faults.max_chunk == 0 { left } else { self.rng.range(1, self.faults.max_chunk.min(left)) }
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

    fn drain_esme(&mut self) -> bool {
        let mut moved = false;
        let mut buf = [0u8; 512];
        loop {
            let n = self.esme.poll_transmit(&mut buf);
            if n == 0 {
                break;
            }
            moved = true;
            self.esme_wire.extend_from_slice(&buf[..n]);
            if !self.faults.smsc_mute {
                self.to_smsc.extend(&buf[..n]);
            }
        }
        while let Some(e) = self.esme.poll_event() {
            self.esme_events.push(Ev::from_event(&e));
            moved = true;
        }
        moved
    }

    fn drain_smsc(&mut self) -> bool {
        let mut moved = false;
        let mut buf = [0u8; 512];
        loop {
            let n = self.smsc.poll_transmit(&mut buf);
            if n == 0 {
                break;
            }
            moved = true;
            self.smsc_wire.extend_from_slice(&buf[..n]);
            if !self.faults.smsc_mute {
                self.to_esme.extend(&buf[..n]);
            }
        }
        let mut reactions = Vec::new();
        while let Some(e) = self.smsc.poll_event() {
            let ev = Ev::from_event(&e);
            moved = true;
            reactions.push(ev.clone());
            self.smsc_events.push(ev);
        }
        for ev in reactions {
            self.react(ev);
        }
        moved
    }

    fn react(&mut self, ev: Ev) {
        match ev {
            Ev::BindRequest { token, system_id, password, .. } => match (self.policy.bind)(&system_id, &password) {
                Ok(()) => self.smsc.accept_bind(self.now, token, "SMSC").unwrap(),
                Err(status) => self.smsc.reject_bind(self.now, token, status).unwrap(),
            },
            Ev::Request { token, command: CommandId::SUBMIT_SM, dest, text, receipt } => {
                let n = self.submissions;
                self.submissions += 1;
                match (self.policy.submit)(n, &dest, &text) {
                    Reaction::Accept(id) => {
                        let body = Pdu::SubmitSmResp(MessageIdResp::new(&id));
                        self.smsc.respond(self.now, token, CommandStatus::OK, Some(&body)).unwrap();
                        if receipt && self.policy.receipts {
                            self.receipts_due.push((id, dest));
                        }
                    }
                    Reaction::Reject(status) => self.smsc.respond(self.now, token, status, None).unwrap(),
                    Reaction::Ignore => {}
                    Reaction::Hold => self.held.push(token),
                }
            }
            Ev::Request { token, .. } | Ev::DataSm { token: Some(token) } => {
                self.smsc.respond(self.now, token, CommandStatus::SUBMIT_FAILED, None).unwrap()
            }
            _ => {}
        }
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
        for (id, dest) in due {
            let text =
                format!("id:{id} sub:001 dlvrd:001 submit date:2504231542 done date:2504231543 stat:DELIVRD err:000");
            let tlvs = [Tlv::receipted_message_id(id.as_str()), Tlv::message_state(MessageState::DELIVERED)];
            let sm = DeliverSm {
                esm_class: EsmClass::DELIVERY_RECEIPT,
                tlvs: Tlvs::from_slice(&tlvs),
                ..DeliverSm::new(Address::international(&dest), Address::alphanumeric("Test"), text.as_bytes())
            };
            if self.smsc.send(self.now, &Pdu::DeliverSm(sm)).is_err() {
                self.receipts_due.push((id, dest));
                return false;
            }
        }
        true
    }

    fn feed_smsc(&mut self) -> bool {
        let mut moved = false;
        while !self.to_smsc.is_empty() {
            let n = self.chunk(self.to_smsc.len());
            let chunk: Vec<u8> = self.to_smsc.iter().take(n).copied().collect();
            let used = self.smsc.handle_input(self.now, &chunk);
            self.to_smsc.drain(..used);
            moved |= used > 0;
            let drained = self.drain_smsc();
            moved |= drained;
            if used == 0 && !drained {
                break;
            }
        }
        moved
    }

    fn feed_esme(&mut self) -> bool {
        let mut moved = false;
        while !self.to_esme.is_empty() {
            let n = self.chunk(self.to_esme.len());
            let chunk: Vec<u8> = self.to_esme.iter().take(n).copied().collect();
            let used = self.esme.handle_input(self.now, &chunk);
            self.to_esme.drain(..used);
            moved |= used > 0;
            let drained = self.drain_esme();
            moved |= drained;
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
    pub fn outcomes(&self) -> Vec<(Handle, Res)> {
        self.esme_events
            .iter()
            .filter_map(|e| match e {
                Ev::Outcome { handle, res, .. } => Some((*handle, res.clone())),
                _ => None,
            })
            .collect()
    }
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
        out.push((h.command_id, h.command_status, h.sequence_number, rest[16..n].to_vec()));
        rest = &rest[n..];
    }
    out
}
