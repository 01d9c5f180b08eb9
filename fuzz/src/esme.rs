//! `session_esme`: an ESME session fed raw octets and well-formed SMSC PDUs (answering its own
//! requests), timer firings and application commands.

use arbitrary::Arbitrary;
use smpp_codec::pdu::{
    AlertNotification, Bind, BindResp, CancelSm, DataSm, DeliverSm, MessageIdResp, Outbind, QuerySm, QuerySmResp,
    SubmitSm,
};
use smpp_codec::text::segment::{Concatenation, choose};
use smpp_codec::{Address, CommandStatus, EsmClass, MessageState, Pdu, RegisteredDelivery, Tlv, Tlvs};
use smpp_session::{
    AckMode, BindKind, CommandError, Config, Duration, Event, Instant, Keepalive, Session, TextOptions,
};
use smpp_tests::{Lone, Seen, Tally, Watch};

use crate::encode::Bytes;
use crate::{Run, answering, buffers, emit, status};

/// One thing that happens.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Raw octets from the peer.
    Feed(Vec<u8>),
    /// A well-formed PDU from the SMSC (see [`peer_pdu`]); a response answers the `back`-th last
    /// request the ESME sent, a request carries sequence number `seq`.
    Pdu {
        kind: u8,
        back: u8,
        status: u8,
        seq: u8,
    },
    /// Time passes, in 10 ms steps; every deadline on the way is fired.
    Advance(u16),
    /// submit_sm with a text of `n % 200` octets.
    Submit(u8),
    /// A message of 1 to 4 parts, all at once.
    SubmitParts(u8),
    /// A long text split by the session.
    SubmitText(u8),
    /// query_sm, cancel_sm or data_sm.
    Send(u8),
    Unbind,
    Close,
    /// The application answers a message or receipt it holds (manual acks).
    Ack {
        pick: u8,
        status: u8,
    },
    /// The application answers one again: the session must refuse.
    Stale(u8),
    /// The transport stops (true) or resumes (false) taking octets.
    Block(bool),
    /// bind (transmitter, receiver or transceiver): refused unless the session is open, as after
    /// an outbind when the input does not bind first.
    Bind(u8),
}

const OPS: u32 = 13;

/// The whole input: settings, then what happens.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// Seeds the chunk and write sizes.
    pub seed: u64,
    /// Largest chunk (1..=16) of the chunked replay.
    pub chunk: u8,
    /// Buffer sizes (see [`buffers`]).
    pub buffers: u8,
    pub manual: bool,
    pub every: bool,
    /// Whether the session keeps parts to send them again after throttling.
    pub store: bool,
    /// Whether the session binds (as a transceiver) before the first op.
    pub bind: bool,
    pub ops: Vec<Op>,
}

impl Input {
    /// The octets `arbitrary` reads back as this input (for seeds).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Bytes::default();
        b.u64(self.seed).u8(self.chunk).u8(self.buffers).bool(self.manual).bool(self.every).bool(self.store);
        b.bool(self.bind);
        for op in &self.ops {
            b.more();
            match op {
                Op::Feed(v) => b.variant(0, OPS).vec(v),
                Op::Pdu { kind, back, status, seq } => b.variant(1, OPS).u8(*kind).u8(*back).u8(*status).u8(*seq),
                Op::Advance(t) => b.variant(2, OPS).u16(*t),
                Op::Submit(n) => b.variant(3, OPS).u8(*n),
                Op::SubmitParts(n) => b.variant(4, OPS).u8(*n),
                Op::SubmitText(n) => b.variant(5, OPS).u8(*n),
                Op::Send(n) => b.variant(6, OPS).u8(*n),
                Op::Unbind => b.variant(7, OPS),
                Op::Close => b.variant(8, OPS),
                Op::Ack { pick, status } => b.variant(9, OPS).u8(*pick).u8(*status),
                Op::Stale(n) => b.variant(10, OPS).u8(*n),
                Op::Block(v) => b.variant(11, OPS).bool(*v),
                Op::Bind(k) => b.variant(12, OPS).u8(*k),
            };
        }
        b.0
    }
}

/// The text of a delivery receipt for message `id`.
fn receipt_text(id: &str, delivered: bool) -> String {
    let stat = if delivered { "DELIVRD" } else { "UNDELIV" };
    format!("id:{id} sub:001 dlvrd:001 submit date:2504231542 done date:2504231543 stat:{stat} err:000")
}

/// A PDU an SMSC sends: `answer` is the sequence number of the request it answers, `seq` its own.
pub fn peer_pdu(kind: u8, answer: u32, seq: u32, st: CommandStatus) -> Vec<u8> {
    // Message ids are the answered request's sequence number in hex, so receipts find them.
    let id = format!("{answer:x}");
    let sm = |text: &[u8]| -> Vec<u8> {
        let d = DeliverSm::new(Address::international("447700900123"), Address::alphanumeric("T"), text);
        emit(&Pdu::DeliverSm(d), seq, CommandStatus::OK)
    };
    match kind % 17 {
        0 => emit(&Pdu::BindTransceiverResp(BindResp { system_id: "SMSC".into(), ..Default::default() }), answer, st),
        1 => emit(&Pdu::SubmitSmResp(MessageIdResp::new(&id)), answer, st),
        2 => emit(&Pdu::EnquireLink, seq, CommandStatus::OK),
        3 => emit(&Pdu::EnquireLinkResp, answer, CommandStatus::OK),
        4 => emit(&Pdu::Unbind, seq, CommandStatus::OK),
        5 => emit(&Pdu::UnbindResp, answer, CommandStatus::OK),
        6 => emit(&Pdu::GenericNack, answer, st),
        7 => {
            let text = receipt_text(&id, st.is_ok());
            let state = if st.is_ok() { MessageState::DELIVERED } else { MessageState::UNDELIVERABLE };
            let tlvs = [Tlv::receipted_message_id(id.as_str()), Tlv::message_state(state)];
            let d = DeliverSm {
                esm_class: EsmClass::DELIVERY_RECEIPT,
                tlvs: Tlvs::from_slice(&tlvs),
                ..DeliverSm::new(Address::international("447700900123"), Address::alphanumeric("T"), text.as_bytes())
            };
            emit(&Pdu::DeliverSm(d), seq, CommandStatus::OK)
        }
        8 => sm(b"MO text"),
        9 => emit(&Pdu::DataSm(DataSm::default()), seq, CommandStatus::OK),
        10 => emit(&Pdu::AlertNotification(AlertNotification::default()), seq, CommandStatus::OK),
        11 => emit(&Pdu::Outbind(Outbind { system_id: "SMSC".into(), password: "pw".into() }), seq, CommandStatus::OK),
        // A request an ESME never takes.
        12 => emit(&Pdu::SubmitSm(SubmitSm::default()), seq, CommandStatus::OK),
        13 => emit(&Pdu::QuerySmResp(QuerySmResp { message_id: id.as_str().into(), ..Default::default() }), answer, st),
        14 => emit(&Pdu::BindTransmitterResp(BindResp { system_id: "SMSC".into(), ..Default::default() }), answer, st),
        15 => emit(&Pdu::DataSmResp(MessageIdResp::new(&id)), answer, st),
        // A submit_sm_resp that does not decode: its message_id has no NUL.
        _ => {
            let mut bad = vec![0, 0, 0, 19, 0x80, 0, 0, 4];
            bad.extend(st.raw().to_be_bytes());
            bad.extend(answer.to_be_bytes());
            bad.extend(b"abc");
            bad
        }
    }
}

type Esme<'b> = Session<'b, 4, 8>;

/// The application does nothing by itself: every command is an [`Op`].
fn app(_: &mut Esme<'_>, _: &mut Watch, _: Instant, _: &Event, _: &Seen) {}

fn sm(text: &[u8]) -> SubmitSm<'_> {
    let mut sm = SubmitSm::new(Address::alphanumeric("T"), Address::international("447700900123"), text);
    sm.registered_delivery = RegisteredDelivery::RECEIPT;
    sm
}

/// Plays `input` with chunks and writes of at most `max_chunk` octets (0: whole).
pub fn play(input: &Input, max_chunk: usize) -> (Run, Tally) {
    let (rx_len, tx_len) = buffers(input.buffers, Esme::min_transmit_buffer());
    let (mut rx, mut tx) = (vec![0u8; rx_len], vec![0u8; tx_len]);
    let mut store = vec![0u8; if input.store { 1024 } else { 0 }];
    let config = Config {
        ack_mode: if input.manual { AckMode::Manual } else { AckMode::Auto },
        keepalive: match input.every {
            true => Keepalive::Every(Duration::from_secs(30)),
            false => Keepalive::WhenIdle(Duration::from_secs(30)),
        },
        ..Config::default()
    };
    let session = Esme::esme(config, &mut rx, &mut tx, Instant(0)).unwrap().with_part_store(&mut store);
    let mut lone = Lone::new(session, "esme", input.seed, max_chunk);
    let app = &mut app;
    if input.bind {
        lone.session.bind(lone.now, BindKind::Transceiver, &Bind::new("user", "pw")).unwrap();
    }
    lone.run(app);
    let mut scratch = [0u8; 1024];
    for op in &input.ops {
        let now = lone.now;
        match op {
            Op::Feed(b) => lone.inbox.extend(b),
            Op::Pdu { kind, back, status: s, seq } => {
                let answer = answering(&lone.wire, *back);
                lone.inbox.extend(peer_pdu(*kind, answer, u32::from(*seq), status(*s)));
            }
            Op::Advance(t) => lone.advance_to(Instant(now.0 + u64::from(*t) * 10), app),
            Op::Submit(n) => {
                let text = vec![b'a'; usize::from(*n % 200)];
                if let Ok(h) = lone.session.submit(now, &sm(&text)) {
                    lone.watch.issued(h);
                }
            }
            Op::SubmitParts(n) => {
                let texts: Vec<Vec<u8>> = (0..=*n % 4).map(|i| format!("part {i}").into_bytes()).collect();
                let parts: Vec<Pdu<'_>> = texts.iter().map(|t| Pdu::SubmitSm(sm(t))).collect();
                if let Ok(m) = lone.session.submit_parts(now, &parts) {
                    lone.watch.message(m, true);
                }
            }
            Op::SubmitText(n) => {
                let text: String = (0..100 + 2 * usize::from(*n)).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
                let concatenation =
                    [Concatenation::Udh8, Concatenation::Udh16, Concatenation::Sar, Concatenation::Payload]
                        [usize::from(*n % 4)];
                let options = TextOptions {
                    encoding: choose(&text, &[], concatenation),
                    concatenation,
                    reference: u16::from(*n),
                };
                if let Ok(m) = lone.session.submit_text(now, &sm(b""), &text, options, &mut scratch) {
                    lone.watch.message(m, true);
                }
            }
            Op::Send(n) => {
                let pdu = match n % 3 {
                    0 => Pdu::QuerySm(QuerySm { message_id: "1".into(), source: Address::alphanumeric("T") }),
                    1 => Pdu::CancelSm(CancelSm { message_id: "1".into(), ..CancelSm::default() }),
                    _ => Pdu::DataSm(DataSm { dest: Address::international("447700900123"), ..DataSm::default() }),
                };
                if let Ok(h) = lone.session.send(now, &pdu) {
                    lone.watch.issued(h);
                }
            }
            Op::Unbind => {
                let _ = lone.session.unbind(now);
            }
            Op::Close => lone.session.close(now),
            Op::Ack { pick, status: s } => {
                if let Some((t, _)) = lone.watch.live_token(usize::from(*pick)) {
                    let _ = lone.watch.ack(&mut lone.session, now, t, status(*s));
                }
            }
            Op::Stale(pick) => {
                if let Some(t) = lone.watch.stale_token(usize::from(*pick)) {
                    let r = lone.watch.ack(&mut lone.session, now, t, CommandStatus::OK);
                    assert_eq!(r, Err(CommandError::UnknownToken));
                }
            }
            Op::Block(b) => lone.writable = !*b,
            Op::Bind(k) => {
                let kind = [BindKind::Transmitter, BindKind::Receiver, BindKind::Transceiver][usize::from(*k % 3)];
                let _ = lone.session.bind(now, kind, &Bind::new("user", "pw"));
            }
        }
        lone.run(app);
    }
    lone.finish(app);
    let tally = lone.watch.tally;
    (Run { events: lone.events, seen: lone.seen, wire: lone.wire }, tally)
}

/// The target: the oracles on the whole run, then invariants 4 and 6.
pub fn check(input: &Input) {
    let (whole, _) = play(input, 0);
    let (chunked, _) = play(input, 1 + usize::from(input.chunk % 16));
    let (again, _) = play(input, 0);
    crate::compare(&whole, chunked, &again);
}
