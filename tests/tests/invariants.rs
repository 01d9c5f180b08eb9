//! Property tests of the session invariants (DESIGN.md): random application commands, peer
//! behaviours, chunkings, timer firings and faults.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;
use smpp_codec::pdu::SubmitSm;
use smpp_codec::{Address, CommandId, CommandStatus, Pdu, RegisteredDelivery};
use smpp_session::{AckMode, BindKind, Config, Handle, Keepalive};
use smpp_tests::{Buffers, Ev, Pair, Reaction, pdus};

#[derive(Clone, Debug)]
enum Op {
    Submit(u8),
    SubmitLong(u8),
    Advance(u32),
    AnswerHeld(u8, bool),
    EsmeUnbind,
    SmscUnbind,
    Drop,
    Mute(bool),
    Garbage(Vec<u8>),
    AckPending,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => any::<u8>().prop_map(Op::Submit),
        2 => (2u8..5).prop_map(Op::SubmitLong),
        4 => (0u32..40_000).prop_map(Op::Advance),
        3 => (any::<u8>(), any::<bool>()).prop_map(|(i, ok)| Op::AnswerHeld(i, ok)),
        2 => Just(Op::AckPending),
        1 => Just(Op::EsmeUnbind),
        1 => Just(Op::SmscUnbind),
        1 => Just(Op::Drop),
        1 => any::<bool>().prop_map(Op::Mute),
        1 => proptest::collection::vec(any::<u8>(), 1..40).prop_map(Op::Garbage),
    ]
}

#[derive(Clone, Debug)]
struct Scenario {
    ops: Vec<Op>,
    reactions: Vec<u8>,
    max_chunk: usize,
    manual: bool,
    every: bool,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        proptest::collection::vec(op(), 1..40),
        proptest::collection::vec(any::<u8>(), 64),
        prop_oneof![Just(0usize), 1usize..64],
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(ops, reactions, max_chunk, manual, every)| Scenario {
            ops,
            reactions,
            max_chunk,
            manual,
            every,
        })
}

struct Run {
    esme_events: Vec<Ev>,
    smsc_events: Vec<Ev>,
    esme_wire: Vec<u8>,
    smsc_wire: Vec<u8>,
    handles: Vec<Handle>,
    messages: Vec<Handle>,
    clean: bool,
}

const STATUSES: [CommandStatus; 5] = [
    CommandStatus::THROTTLED,
    CommandStatus::MESSAGE_QUEUE_FULL,
    CommandStatus::SUBMIT_FAILED,
    CommandStatus::INVALID_DESTINATION_ADDRESS,
    CommandStatus::SYSTEM_ERROR,
];

fn play(sc: &Scenario, max_chunk: usize) -> Run {
    let mut bufs = Buffers::new();
    let esme_cfg = Config {
        ack_mode: if sc.manual { AckMode::Manual } else { AckMode::Auto },
        keepalive: if sc.every {
            Keepalive::Every(smpp_session::Duration::from_secs(30))
        } else {
            Keepalive::WhenIdle(smpp_session::Duration::from_secs(30))
        },
        ..Config::default()
    };
    let mut p: Pair<'_, 4> = Pair::new(&mut bufs, esme_cfg, Config::default());
    p.faults.max_chunk = max_chunk;
    p.policy.receipts = true;
    let reactions = sc.reactions.clone();
    p.policy.submit = Box::new(move |n, _, _| match reactions[n as usize % reactions.len()] % 8 {
        0..=3 => Reaction::Accept(format!("{n:x}")),
        4 => Reaction::Reject(STATUSES[n as usize % STATUSES.len()]),
        5 => Reaction::Ignore,
        _ => Reaction::Hold,
    });
    p.bind(BindKind::Transceiver);
    let texts: Vec<Vec<u8>> = (0..=255u8).map(|i| vec![b'a' + i % 26; 1 + usize::from(i) % 160]).collect();
    let mut handles = Vec::new();
    let mut messages = Vec::new();
    let mut clean = true;
    for op in &sc.ops {
        match op {
            Op::Submit(i) => {
                let mut sm = SubmitSm::new(
                    Address::alphanumeric("Test"),
                    Address::international("447700900123"),
                    &texts[*i as usize],
                );
                sm.registered_delivery = RegisteredDelivery::RECEIPT;
                if let Ok(h) = p.esme.submit(p.now, &sm) {
                    handles.push(h);
                }
                p.run();
            }
            Op::SubmitLong(n) => {
                let parts: Vec<Pdu<'_>> = (0..*n)
                    .map(|i| {
                        Pdu::SubmitSm(SubmitSm::new(
                            Address::alphanumeric("Test"),
                            Address::international("1"),
                            &texts[usize::from(i)],
                        ))
                    })
                    .collect();
                if let Ok(m) = p.esme.submit_parts(p.now, &parts) {
                    messages.push(m);
                }
                p.run();
            }
            Op::Advance(ms) => p.advance(u64::from(*ms)),
            Op::AnswerHeld(i, ok) => {
                if !p.held.is_empty() {
                    let t = p.held.remove(*i as usize % p.held.len());
                    if !p.smsc.is_closed() {
                        let r = if *ok {
                            Reaction::Accept("held".into())
                        } else {
                            Reaction::Reject(CommandStatus::SYSTEM_ERROR)
                        };
                        p.answer(t, r);
                    }
                }
            }
            Op::AckPending => {
                let tokens: Vec<_> = p
                    .esme_events
                    .iter()
                    .filter_map(|e| match e {
                        Ev::Receipt { token: Some(t), .. } | Ev::Message { token: Some(t), .. } => Some(*t),
                        _ => None,
                    })
                    .collect();
                for t in tokens {
                    let _ = p.esme.ack(p.now, t, CommandStatus::OK);
                }
                p.run();
            }
            Op::EsmeUnbind => {
                let _ = p.esme.unbind(p.now);
                p.run();
            }
            Op::SmscUnbind => {
                let _ = p.smsc.unbind(p.now);
                p.run();
            }
            Op::Drop => {
                clean = false;
                p.drop_connection();
            }
            Op::Mute(m) => {
                clean &= !*m;
                p.faults.smsc_mute = *m;
            }
            Op::Garbage(g) => {
                clean = false;
                p.to_esme.extend(g);
                p.run();
            }
        }
        assert!(p.esme.outstanding() <= 4 && p.esme.pending_incoming() <= 4);
        assert!(p.esme.pending_transmit() <= smpp_tests::BUF);
    }
    // The connection ends in any case; everything still open must be resolved.
    p.drop_connection();
    p.advance(200_000);
    Run {
        esme_events: p.esme_events,
        smsc_events: p.smsc_events,
        esme_wire: p.esme_wire,
        smsc_wire: p.smsc_wire,
        handles,
        messages,
        clean,
    }
}

/// Every request PDU in `requests` is answered at most once in `responses`; returns the
/// sequence numbers answered.
fn answered_once(requests: &[u8], responses: &[u8]) -> HashSet<u32> {
    let expecting: HashSet<u32> = pdus(requests).iter().filter(|p| p.0.expects_response()).map(|p| p.2).collect();
    let mut count: HashMap<u32, usize> = HashMap::new();
    for r in pdus(responses).iter().filter(|p| p.0.is_response() && p.0 != CommandId::GENERIC_NACK) {
        *count.entry(r.2).or_default() += 1;
    }
    for (seq, n) in &count {
        assert!(*n <= 1 || !expecting.contains(seq), "sequence {seq} answered {n} times");
    }
    count.keys().copied().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold(sc in scenario()) {
        let run = play(&sc, sc.max_chunk);

        // 1. Exactly one outcome per accepted request.
        let mut seen: HashMap<Handle, usize> = HashMap::new();
        for e in &run.esme_events {
            if let Ev::Outcome { handle, .. } = e {
                *seen.entry(*handle).or_default() += 1;
            }
        }
        for h in &run.handles {
            prop_assert_eq!(seen.get(h).copied(), Some(1), "handle {:?}", h);
        }
        let parts = run.esme_events.iter().filter(|e| matches!(e, Ev::Outcome { part: Some(_), .. })).count();
        prop_assert_eq!(seen.len(), run.handles.len() + parts);
        // ... and exactly one MessageDone per multi-part message, after its parts.
        for m in &run.messages {
            let done: Vec<usize> = run.esme_events.iter().enumerate()
                .filter(|(_, e)| matches!(e, Ev::MessageDone { message, .. } if message == m))
                .map(|(i, _)| i)
                .collect();
            prop_assert_eq!(done.len(), 1, "message {:?}", m);
            let last_part = run.esme_events.iter().rposition(|e| matches!(e, Ev::Outcome { part: Some(p), .. } if p.message == *m));
            prop_assert!(last_part.is_some_and(|l| l < done[0]));
        }
        let all_done = run.esme_events.iter().filter(|e| matches!(e, Ev::MessageDone { .. })).count();
        prop_assert_eq!(all_done, run.messages.len());

        // 2. Requests of either side are answered at most once; in a clean run every request
        // the SMSC sent got its answer unless the session closed first.
        let esme_answered = answered_once(&run.smsc_wire, &run.esme_wire);
        answered_once(&run.esme_wire, &run.smsc_wire);
        if run.clean && !sc.manual {
            let closed_at = run.esme_events.iter().position(|e| matches!(e, Ev::Closed(_)));
            if closed_at.is_none() {
                for req in pdus(&run.smsc_wire).iter().filter(|p| p.0.expects_response()) {
                    prop_assert!(esme_answered.contains(&req.2), "request {:?} unanswered", req);
                }
            }
        }

        // 6. Deterministic.
        let again = play(&sc, sc.max_chunk);
        prop_assert_eq!(&again.esme_events, &run.esme_events);
        prop_assert_eq!(&again.esme_wire, &run.esme_wire);

        // 4. Chunking does not change the events (garbage may land differently inside a frame,
        // so only for runs without injected bytes).
        if !sc.ops.iter().any(|o| matches!(o, Op::Garbage(_))) {
            let whole = play(&sc, 0);
            prop_assert_eq!(&whole.esme_events, &run.esme_events);
            prop_assert_eq!(&whole.smsc_events, &run.smsc_events);
        }
    }
}
