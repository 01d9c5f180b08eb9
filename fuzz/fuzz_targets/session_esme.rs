//! The ESME session fed arbitrary bytes (and well-formed PDUs), timer firings and application
//! commands; the invariants of DESIGN.md are checked inside the target.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use smpp_codec::pdu::{Bind, DeliverSm, MessageIdResp, SubmitSm};
use smpp_codec::{Address, CommandStatus, EsmClass, Header, Pdu};
use smpp_session::{AckMode, BindKind, Config, Handle, Instant, Role, Session};
use smpp_tests::Ev;

#[derive(Arbitrary, Debug, Clone)]
enum Op {
    /// Raw bytes from the peer.
    Feed(Vec<u8>),
    /// A well-formed PDU from the peer, answering the n-th last request we sent when it is a
    /// response.
    Pdu {
        kind: u8,
        back: u8,
        status: u8,
    },
    Advance(u16),
    Submit(u8),
    Unbind,
    Close,
    Ack(u8),
}

#[derive(Arbitrary, Debug)]
struct Input {
    manual: bool,
    ops: Vec<Op>,
}

struct Run {
    events: Vec<Ev>,
    sent: Vec<u8>,
    handles: Vec<Handle>,
    frames_fed: usize,
}

fn build(kind: u8, seq: u32, status: u8, out: &mut Vec<u8>) {
    let status = CommandStatus::from_raw(u32::from(status % 0x60));
    let text = b"id:1 sub:001 dlvrd:001 submit date:2504231542 done date:2504231543 stat:DELIVRD err:000";
    let (pdu, st) = match kind % 9 {
        0 => (
            Pdu::BindTransceiverResp(smpp_codec::pdu::BindResp { system_id: "SMSC".into(), ..Default::default() }),
            status,
        ),
        1 => (Pdu::SubmitSmResp(MessageIdResp::new("1")), status),
        2 => (Pdu::EnquireLink, CommandStatus::OK),
        3 => (Pdu::EnquireLinkResp, CommandStatus::OK),
        4 => (Pdu::Unbind, CommandStatus::OK),
        5 => (Pdu::UnbindResp, CommandStatus::OK),
        6 => (Pdu::GenericNack, status),
        7 => (
            Pdu::DeliverSm(DeliverSm {
                esm_class: EsmClass::DELIVERY_RECEIPT,
                ..DeliverSm::new(Address::international("1"), Address::alphanumeric("T"), text)
            }),
            CommandStatus::OK,
        ),
        _ => (
            Pdu::DeliverSm(DeliverSm::new(Address::international("1"), Address::alphanumeric("T"), b"MO")),
            CommandStatus::OK,
        ),
    };
    let mut buf = vec![0u8; pdu.encoded_len()];
    pdu.emit(seq, st, &mut buf).expect("valid PDU");
    out.extend_from_slice(&buf);
}

fn requests_sent(sent: &[u8]) -> Vec<u32> {
    let mut seqs = Vec::new();
    let mut rest = sent;
    while let Ok(h) = Header::parse(rest) {
        let n = (h.command_length as usize).max(16).min(rest.len());
        if !h.command_id.is_response() {
            seqs.push(h.sequence_number);
        }
        rest = &rest[n..];
    }
    seqs
}

fn play(input: &Input, chunked: bool) -> Run {
    let (mut rx, mut tx) = (vec![0u8; 1024], vec![0u8; 2048]);
    let tx_len = tx.len();
    let config = Config { ack_mode: if input.manual { AckMode::Manual } else { AckMode::Auto }, ..Config::default() };
    let mut s: Session<'_, 4> = Session::new(Role::Esme, config, &mut rx, &mut tx, Instant(0));
    let mut now = Instant(0);
    let mut events = Vec::new();
    let mut sent = Vec::new();
    let mut handles = Vec::new();
    let mut frames_fed = 0;
    let mut out = [0u8; 4096];
    let _ = s.bind(now, BindKind::Transceiver, &Bind::new("u", "p"));
    let drain = |s: &mut Session<'_, 4>, events: &mut Vec<Ev>, sent: &mut Vec<u8>, out: &mut [u8]| {
        loop {
            let n = s.poll_transmit(out);
            if n == 0 {
                break;
            }
            sent.extend_from_slice(&out[..n]);
        }
        while let Some(e) = s.poll_event() {
            events.push(Ev::from_event(&e));
        }
    };
    drain(&mut s, &mut events, &mut sent, &mut out);
    for op in &input.ops {
        let mut bytes = Vec::new();
        match op {
            Op::Feed(b) => bytes.extend_from_slice(b),
            Op::Pdu { kind, back, status } => {
                let reqs = requests_sent(&sent);
                let seq = reqs.iter().rev().nth(usize::from(*back % 4)).copied().unwrap_or(u32::from(*back));
                build(*kind, seq, *status, &mut bytes);
                frames_fed += 1;
            }
            Op::Advance(ms) => {
                now = Instant(now.0 + u64::from(*ms) * 10);
                if s.poll_timeout().is_some_and(|t| t <= now) {
                    s.handle_timeout(now);
                }
            }
            Op::Submit(n) => {
                let text = vec![b'a'; usize::from(*n % 200)];
                if let Ok(h) =
                    s.submit(now, &SubmitSm::new(Address::alphanumeric("T"), Address::international("1"), &text))
                {
                    handles.push(h);
                }
            }
            Op::Unbind => {
                let _ = s.unbind(now);
            }
            Op::Close => s.close(now),
            Op::Ack(st) => {
                let tokens: Vec<_> = events
                    .iter()
                    .filter_map(|e| match e {
                        Ev::Receipt { token: Some(t), .. } | Ev::Message { token: Some(t), .. } => Some(*t),
                        _ => None,
                    })
                    .collect();
                for t in tokens {
                    let _ = s.ack(now, t, CommandStatus::from_raw(u32::from(*st)));
                }
            }
        }
        // Feed, whole or in small chunks; the session may take less than it is given.
        let mut at = 0;
        let mut step = 1 + bytes.len() % 7;
        while at < bytes.len() {
            let end = if chunked { (at + step).min(bytes.len()) } else { bytes.len() };
            let used = s.handle_input(now, &bytes[at..end]);
            at += used;
            step = step % 7 + 1;
            drain(&mut s, &mut events, &mut sent, &mut out);
            if used == 0 && s.handle_input(now, &bytes[at..end]) == 0 {
                break; // closed, or blocked on an event the application holds
            }
        }
        drain(&mut s, &mut events, &mut sent, &mut out);
        // 3. Memory stays within the bounds.
        assert!(s.outstanding() <= 4 && s.pending_incoming() <= 4 && s.pending_transmit() <= tx_len);
    }
    s.handle_connection_lost(now);
    drain(&mut s, &mut events, &mut sent, &mut out);
    Run { events, sent, handles, frames_fed }
}

fuzz_target!(|input: Input| {
    let whole = play(&input, false);
    // 1. Exactly one outcome per accepted request.
    for h in &whole.handles {
        let n = whole.events.iter().filter(|e| matches!(e, Ev::Outcome { handle, .. } if handle == h)).count();
        assert_eq!(n, 1, "handle {h:?}");
    }
    // 2. Never more answers than PDUs fed (each fed PDU is answered at most once); raw bytes can
    // hold any number of frames, so only runs without them are counted.
    if input.ops.iter().all(|o| !matches!(o, Op::Feed(_))) {
        let mut rest = &whole.sent[..];
        let mut answers = 0;
        while let Ok(h) = Header::parse(rest) {
            answers += usize::from(h.command_id.is_response());
            rest = &rest[(h.command_length as usize).clamp(16, rest.len())..];
        }
        assert!(answers <= whole.frames_fed, "{answers} answers to {} PDUs", whole.frames_fed);
    }
    // 4. Chunking does not change the events or the bytes sent.
    let chunked = play(&input, true);
    assert_eq!(chunked.events, whole.events);
    assert_eq!(chunked.sent, whole.sent);
    // 6. Deterministic.
    let again = play(&input, false);
    assert_eq!(again.events, whole.events);
});
