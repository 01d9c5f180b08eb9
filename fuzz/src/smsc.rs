//! `session_smsc`: an SMSC session fed raw octets and well-formed ESME PDUs, timer firings and
//! the application's decisions and deliveries.

use arbitrary::Arbitrary;
use smpp_codec::pdu::{
    Bind, CancelSm, DataSm, DeliverSm, DestAddress, List, MessageIdResp, Outbind, QuerySm, SubmitMulti, SubmitSm,
};
use smpp_codec::{Address, CommandId, CommandStatus, EsmClass, MessageState, Pdu, Tlv, Tlvs};
use smpp_session::{CommandError, Config, Event, Instant, Session};
use smpp_tests::{Lone, Seen, Tally, Watch};

use crate::encode::Bytes;
use crate::{Run, answering, buffers, emit, status};

/// One thing that happens.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Raw octets from the peer.
    Feed(Vec<u8>),
    /// A well-formed PDU from the ESME (see [`peer_pdu`]); a request carries sequence number
    /// `seq` (numbers repeat often), a response answers the `back`-th last request the SMSC sent.
    Pdu {
        kind: u8,
        seq: u8,
        back: u8,
        status: u8,
    },
    /// Time passes, in 10 ms steps; every deadline on the way is fired.
    Advance(u16),
    /// The application answers a request it holds: a bind (accepted, or rejected with `status`)
    /// or another request (answered with its response, or with `status`).
    Decide {
        pick: u8,
        accept: bool,
        status: u8,
    },
    /// deliver_sm with a text of `n % 160` octets.
    Deliver(u8),
    /// A message of 1 to 4 parts, all at once.
    DeliverParts(u8),
    /// A delivery receipt for message id `n` in hex.
    Receipt(u8),
    Unbind,
    Close,
    /// The application answers a request again: the session must refuse.
    Stale(u8),
    /// The transport stops (true) or resumes (false) taking octets.
    Block(bool),
}

const OPS: u32 = 11;

/// The whole input: settings, then what happens.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// Seeds the chunk and write sizes.
    pub seed: u64,
    /// Largest chunk (1..=16) of the chunked replay.
    pub chunk: u8,
    /// Buffer sizes (see [`buffers`]).
    pub buffers: u8,
    pub ops: Vec<Op>,
}

impl Input {
    /// The octets `arbitrary` reads back as this input (for seeds).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Bytes::default();
        b.u64(self.seed).u8(self.chunk).u8(self.buffers);
        for op in &self.ops {
            b.more();
            match op {
                Op::Feed(v) => b.variant(0, OPS).vec(v),
                Op::Pdu { kind, seq, back, status } => b.variant(1, OPS).u8(*kind).u8(*seq).u8(*back).u8(*status),
                Op::Advance(t) => b.variant(2, OPS).u16(*t),
                Op::Decide { pick, accept, status } => b.variant(3, OPS).u8(*pick).bool(*accept).u8(*status),
                Op::Deliver(n) => b.variant(4, OPS).u8(*n),
                Op::DeliverParts(n) => b.variant(5, OPS).u8(*n),
                Op::Receipt(n) => b.variant(6, OPS).u8(*n),
                Op::Unbind => b.variant(7, OPS),
                Op::Close => b.variant(8, OPS),
                Op::Stale(n) => b.variant(9, OPS).u8(*n),
                Op::Block(v) => b.variant(10, OPS).bool(*v),
            };
        }
        b.0
    }
}

/// A PDU an ESME sends: `seq` is its own sequence number, `answer` the one of the request it
/// answers.
pub fn peer_pdu(kind: u8, seq: u32, answer: u32, st: CommandStatus) -> Vec<u8> {
    let submit = SubmitSm::new(Address::alphanumeric("T"), Address::international("447700900123"), b"hello");
    let ok = CommandStatus::OK;
    match kind % 17 {
        0 => emit(&Pdu::BindTransceiver(Bind::new("user", "pw")), seq, ok),
        1 => emit(&Pdu::BindTransmitter(Bind::new("user", "pw")), seq, ok),
        2 => emit(&Pdu::BindReceiver(Bind::new("user", "pw")), seq, ok),
        3 => emit(&Pdu::SubmitSm(submit), seq, ok),
        4 => emit(&Pdu::QuerySm(QuerySm { message_id: "1".into(), source: Address::alphanumeric("T") }), seq, ok),
        5 => emit(&Pdu::DataSm(DataSm { dest: Address::international("1"), ..DataSm::default() }), seq, ok),
        6 => emit(&Pdu::CancelSm(CancelSm { message_id: "1".into(), ..CancelSm::default() }), seq, ok),
        7 => emit(&Pdu::EnquireLink, seq, ok),
        8 => emit(&Pdu::Unbind, seq, ok),
        9 => emit(&Pdu::DeliverSmResp(MessageIdResp::default()), answer, st),
        10 => emit(&Pdu::DataSmResp(MessageIdResp::default()), answer, st),
        11 => emit(&Pdu::EnquireLinkResp, answer, ok),
        12 => emit(&Pdu::UnbindResp, answer, ok),
        13 => emit(&Pdu::GenericNack, answer, st),
        // What an SMSC never takes.
        14 => emit(&Pdu::DeliverSm(DeliverSm::default()), seq, ok),
        15 => emit(&Pdu::Outbind(Outbind::default()), seq, ok),
        _ => {
            let dests = [DestAddress::Sme(Address::international("447700900123"))];
            let multi = SubmitMulti {
                source: Address::alphanumeric("T"),
                dests: List::from_slice(&dests),
                short_message: b"to many",
                ..SubmitMulti::default()
            };
            emit(&Pdu::SubmitMulti(multi), seq, ok)
        }
    }
}

type Smsc<'b> = Session<'b, 4>;

/// The application does nothing by itself: every decision is an [`Op`].
fn app(_: &mut Smsc<'_>, _: &mut Watch, _: Instant, _: &Event, _: &Seen) {}

fn deliver(text: &[u8]) -> DeliverSm<'_> {
    DeliverSm::new(Address::international("447700900123"), Address::alphanumeric("T"), text)
}

/// Answers a request the application holds.
fn decide(lone: &mut Lone<'_, 4>, pick: u8, accept: bool, st: CommandStatus) {
    let Some((token, command)) = lone.watch.live_token(usize::from(pick)) else { return };
    let (s, w, now) = (&mut lone.session, &mut lone.watch, lone.now);
    let _ = match command {
        CommandId::BIND_TRANSMITTER | CommandId::BIND_RECEIVER | CommandId::BIND_TRANSCEIVER => match accept {
            true => w.accept_bind(s, now, token, "SMSC"),
            false => w.reject_bind(s, now, token, st),
        },
        _ if !accept => w.respond(s, now, token, if st.is_ok() { CommandStatus::SYSTEM_ERROR } else { st }, None),
        CommandId::SUBMIT_SM => {
            let id = format!("{:x}", token.sequence_number());
            w.respond(s, now, token, CommandStatus::OK, Some(&Pdu::SubmitSmResp(MessageIdResp::new(&id))))
        }
        CommandId::DATA_SM => {
            w.respond(s, now, token, CommandStatus::OK, Some(&Pdu::DataSmResp(MessageIdResp::new("d"))))
        }
        // A default body where the response has one (cancel_sm_resp), refused where it has not
        // (query_sm_resp): the refusal must queue nothing.
        _ => w.respond(s, now, token, CommandStatus::OK, None),
    };
}

/// Plays `ops` with chunks and writes of at most `max_chunk` octets (0: whole).
pub fn play(input: &Input, max_chunk: usize) -> (Run, Tally) {
    let (rx_len, tx_len) = buffers(input.buffers, Smsc::min_transmit_buffer());
    let (mut rx, mut tx) = (vec![0u8; rx_len], vec![0u8; tx_len]);
    let session = Smsc::smsc(Config::default(), &mut rx, &mut tx, Instant(0)).unwrap();
    let mut lone = Lone::new(session, "smsc", input.seed, max_chunk);
    let app = &mut app;
    for op in &input.ops {
        let now = lone.now;
        match op {
            Op::Feed(b) => lone.inbox.extend(b),
            Op::Pdu { kind, seq, back, status: s } => {
                let answer = answering(&lone.wire, *back);
                lone.inbox.extend(peer_pdu(*kind, u32::from(*seq), answer, status(*s)));
            }
            Op::Advance(t) => lone.advance_to(Instant(now.0 + u64::from(*t) * 10), app),
            Op::Decide { pick, accept, status: s } => decide(&mut lone, *pick, *accept, status(*s)),
            Op::Deliver(n) => {
                let text = vec![b'r'; usize::from(*n % 160)];
                if let Ok(h) = lone.session.send(now, &Pdu::DeliverSm(deliver(&text))) {
                    lone.watch.issued(h);
                }
            }
            Op::DeliverParts(n) => {
                let texts: Vec<Vec<u8>> = (0..=*n % 4).map(|i| format!("part {i}").into_bytes()).collect();
                let parts: Vec<Pdu<'_>> = texts.iter().map(|t| Pdu::DeliverSm(deliver(t))).collect();
                if let Ok(m) = lone.session.submit_parts(now, &parts) {
                    lone.watch.message(m, true);
                }
            }
            Op::Receipt(n) => {
                let id = format!("{n:x}");
                let text = format!(
                    "id:{id} sub:001 dlvrd:001 submit date:2504231542 done date:2504231543 stat:DELIVRD err:000"
                );
                let tlvs = [Tlv::receipted_message_id(id.as_str()), Tlv::message_state(MessageState::DELIVERED)];
                let d = DeliverSm {
                    esm_class: EsmClass::DELIVERY_RECEIPT,
                    tlvs: Tlvs::from_slice(&tlvs),
                    ..deliver(text.as_bytes())
                };
                if let Ok(h) = lone.session.send(now, &Pdu::DeliverSm(d)) {
                    lone.watch.issued(h);
                }
            }
            Op::Unbind => {
                let _ = lone.session.unbind(now);
            }
            Op::Close => lone.session.close(now),
            Op::Stale(pick) => {
                if let Some(t) = lone.watch.stale_token(usize::from(*pick)) {
                    let r = lone.watch.respond(&mut lone.session, now, t, CommandStatus::SYSTEM_ERROR, None);
                    assert_eq!(r, Err(CommandError::UnknownToken));
                }
            }
            Op::Block(b) => lone.writable = !*b,
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
