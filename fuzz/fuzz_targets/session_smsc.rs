//! The SMSC session fed arbitrary bytes (and well-formed ESME PDUs), timer firings and
//! application decisions; the invariants of DESIGN.md are checked inside the target.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use smpp_codec::pdu::{Bind, DeliverSm, MessageIdResp, SubmitSm};
use smpp_codec::{Address, CommandStatus, Header, Pdu};
use smpp_session::{Config, Handle, Instant, Role, Session};
use smpp_tests::Ev;

#[derive(Arbitrary, Debug, Clone)]
enum Op {
    Feed(Vec<u8>),
    Pdu { kind: u8, seq: u8, back: u8 },
    Advance(u16),
    Decide { accept: bool, status: u8 },
    Deliver(u8),
    Unbind,
    Close,
}

struct Run {
    events: Vec<Ev>,
    sent: Vec<u8>,
    handles: Vec<Handle>,
}

fn requests_sent(sent: &[u8]) -> Vec<u32> {
    let mut seqs = Vec::new();
    let mut rest = sent;
    while let Ok(h) = Header::parse(rest) {
        if !h.command_id.is_response() {
            seqs.push(h.sequence_number);
        }
        rest = &rest[(h.command_length as usize).clamp(16, rest.len())..];
    }
    seqs
}

fn build(kind: u8, seq: u32, answer_seq: u32, out: &mut Vec<u8>) {
    let sm = SubmitSm::new(Address::alphanumeric("T"), Address::international("447700900123"), b"hello");
    let (pdu, s) = match kind % 8 {
        0 => (Pdu::BindTransceiver(Bind::new("user", "pw")), seq),
        1 => (Pdu::BindTransmitter(Bind::new("user", "pw")), seq),
        2 => (Pdu::SubmitSm(sm), seq),
        3 => (Pdu::EnquireLink, seq),
        4 => (Pdu::Unbind, seq),
        5 => (Pdu::DeliverSmResp(MessageIdResp::default()), answer_seq),
        6 => (Pdu::EnquireLinkResp, answer_seq),
        _ => (Pdu::UnbindResp, answer_seq),
    };
    let mut buf = vec![0u8; pdu.encoded_len()];
    pdu.emit(s, CommandStatus::OK, &mut buf).expect("valid PDU");
    out.extend_from_slice(&buf);
}

fn play(ops: &[Op], chunked: bool) -> Run {
    let (mut rx, mut tx) = (vec![0u8; 1024], vec![0u8; 4096]);
    let tx_len = tx.len();
    let mut s: Session<'_, 4> = Session::new(Role::Smsc, Config::default(), &mut rx, &mut tx, Instant(0));
    let mut now = Instant(0);
    let (mut events, mut sent, mut handles) = (Vec::new(), Vec::new(), Vec::new());
    let mut out = [0u8; 4096];
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
    let mut answered = std::collections::HashSet::new();
    for op in ops {
        let mut bytes = Vec::new();
        match op {
            Op::Feed(b) => bytes.extend_from_slice(b),
            Op::Pdu { kind, seq, back } => {
                let reqs = requests_sent(&sent);
                let answer = reqs.iter().rev().nth(usize::from(*back % 4)).copied().unwrap_or(0);
                build(*kind, u32::from(*seq), answer, &mut bytes);
            }
            Op::Advance(ms) => {
                now = Instant(now.0 + u64::from(*ms) * 10);
                if s.poll_timeout().is_some_and(|t| t <= now) {
                    s.handle_timeout(now);
                }
            }
            Op::Decide { accept, status } => {
                // Answer every pending request of the peer once.
                let pending: Vec<Ev> = events.clone();
                for e in pending {
                    match e {
                        Ev::BindRequest { token, .. } if answered.insert(token) => {
                            let _ = if *accept {
                                s.accept_bind(now, token, "SMSC")
                            } else {
                                s.reject_bind(now, token, CommandStatus::from_raw(u32::from(*status)))
                            };
                        }
                        Ev::Request { token, .. } | Ev::DataSm { token: Some(token) } if answered.insert(token) => {
                            let _ = if *accept {
                                s.respond(
                                    now,
                                    token,
                                    CommandStatus::OK,
                                    Some(&Pdu::SubmitSmResp(MessageIdResp::new("m"))),
                                )
                            } else {
                                s.respond(now, token, CommandStatus::from_raw(u32::from(*status) | 1), None)
                            };
                        }
                        _ => {}
                    }
                }
            }
            Op::Deliver(n) => {
                let text = vec![b'r'; usize::from(*n % 160)];
                let d = DeliverSm::new(Address::international("1"), Address::alphanumeric("T"), &text);
                if let Ok(h) = s.send(now, &Pdu::DeliverSm(d)) {
                    handles.push(h);
                }
            }
            Op::Unbind => {
                let _ = s.unbind(now);
            }
            Op::Close => s.close(now),
        }
        let mut at = 0;
        let mut step = 1 + bytes.len() % 5;
        while at < bytes.len() {
            let end = if chunked { (at + step).min(bytes.len()) } else { bytes.len() };
            let used = s.handle_input(now, &bytes[at..end]);
            at += used;
            step = step % 5 + 1;
            drain(&mut s, &mut events, &mut sent, &mut out);
            if used == 0 && s.handle_input(now, &bytes[at..end]) == 0 {
                break;
            }
        }
        drain(&mut s, &mut events, &mut sent, &mut out);
        assert!(s.outstanding() <= 4 && s.pending_incoming() <= 4 && s.pending_transmit() <= tx_len);
    }
    s.handle_connection_lost(now);
    drain(&mut s, &mut events, &mut sent, &mut out);
    Run { events, sent, handles }
}

fuzz_target!(|ops: Vec<Op>| {
    let whole = play(&ops, false);
    for h in &whole.handles {
        let n = whole.events.iter().filter(|e| matches!(e, Ev::Outcome { handle, .. } if handle == h)).count();
        assert_eq!(n, 1, "handle {h:?}");
    }
    let chunked = play(&ops, true);
    assert_eq!(chunked.events, whole.events);
    assert_eq!(chunked.sent, whole.sent);
    let again = play(&ops, false);
    assert_eq!(again.sent, whole.sent);
});
