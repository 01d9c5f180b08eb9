//! Property tests of the session invariants (DESIGN.md, and the oracles of issue 9 §5): random
//! application commands, peer behaviours, chunkings, timer firings and faults over the
//! in-memory pair, with both sessions watched at every step (`smpp_tests::oracle`: progress,
//! messages, closed, answers, tokens, throttling, outcomes, memory). Invariants 4 (chunking) and
//! 6 (determinism) are checked here by playing each scenario again.
//!
//! `PROPTEST_CASES` sets the number of cases (default 1000).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use smpp_codec::pdu::{DeliverSm, SubmitSm};
use smpp_codec::text::segment::{Concatenation, choose};
use smpp_codec::{Address, CommandStatus, Pdu, RegisteredDelivery};
use smpp_session::{AckMode, BindKind, Config, Event, Keepalive, TextOptions};
use smpp_tests::{Buffers, Pair, Reaction, Seen, Tally};

#[derive(Clone, Debug)]
enum Op {
    Submit(u8),
    SubmitLong(u8),
    SubmitText(u16, bool),
    Advance(u32),
    AnswerHeld(u8, u8),
    EsmeUnbind,
    SmscUnbind,
    EsmeClose,
    Drop,
    Mute(bool),
    Garbage(Vec<u8>),
    AckPending(bool),
    Stale(u8, bool),
    Deliver(u8),
    AnswerBroken(u8),
    ReuseSeq(u8),
    Block(bool),
}

fn op() -> impl Strategy<Value = Op> {
    // The ops that end the connection are rare, so that most scenarios go deep before one does.
    prop_oneof![
        18 => any::<u8>().prop_map(Op::Submit),
        6 => (2u8..5).prop_map(Op::SubmitLong),
        3 => (150u16..500, any::<bool>()).prop_map(|(n, sar)| Op::SubmitText(n, sar)),
        12 => (0u32..40_000).prop_map(Op::Advance),
        9 => (any::<u8>(), 0u8..8).prop_map(|(i, how)| Op::AnswerHeld(i, how)),
        6 => any::<bool>().prop_map(Op::AckPending),
        3 => (any::<u8>(), any::<bool>()).prop_map(|(i, esme)| Op::Stale(i, esme)),
        3 => any::<u8>().prop_map(Op::Deliver),
        2 => any::<u8>().prop_map(Op::AnswerBroken),
        2 => any::<u8>().prop_map(Op::ReuseSeq),
        3 => any::<bool>().prop_map(Op::Block),
        2 => any::<bool>().prop_map(Op::Mute),
        1 => Just(Op::EsmeUnbind),
        1 => Just(Op::SmscUnbind),
        1 => Just(Op::EsmeClose),
        1 => Just(Op::Drop),
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
    /// Buffers of 256 octets to receive and 512 to transmit (4096 each otherwise): full
    /// buffers, skipped oversized PDUs.
    small: bool,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        proptest::collection::vec(op(), 1..40),
        proptest::collection::vec(any::<u8>(), 64),
        prop_oneof![Just(0usize), 1usize..64],
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(ops, reactions, max_chunk, manual, every, small)| Scenario {
            ops,
            reactions,
            max_chunk,
            manual,
            every,
            small,
        })
}

/// What a run produced, compared across chunkings and repetitions.
#[derive(Debug, PartialEq, Eq)]
struct Run {
    esme_events: Vec<Event>,
    esme_seen: Vec<Seen>,
    smsc_events: Vec<Event>,
    smsc_seen: Vec<Seen>,
    esme_wire: Vec<u8>,
    smsc_wire: Vec<u8>,
}

const STATUSES: [CommandStatus; 5] = [
    CommandStatus::THROTTLED,
    CommandStatus::MESSAGE_QUEUE_FULL,
    CommandStatus::SUBMIT_FAILED,
    CommandStatus::INVALID_DESTINATION_ADDRESS,
    CommandStatus::SYSTEM_ERROR,
];

fn sm(text: &[u8]) -> SubmitSm<'_> {
    let mut sm = SubmitSm::new(Address::alphanumeric("Test"), Address::international("447700900123"), text);
    sm.registered_delivery = RegisteredDelivery::RECEIPT;
    sm
}

/// Plays a scenario with both sessions watched; panics where an oracle fails.
fn play(sc: &Scenario, max_chunk: usize) -> (Run, Tally) {
    let mut bufs = if sc.small { Buffers::sized(256, 512) } else { Buffers::new() };
    let esme_cfg = Config {
        ack_mode: if sc.manual { AckMode::Manual } else { AckMode::Auto },
        keepalive: if sc.every {
            Keepalive::Every(smpp_session::Duration::from_secs(30))
        } else {
            Keepalive::WhenIdle(smpp_session::Duration::from_secs(30))
        },
        ..Config::default()
    };
    let mut p: Pair<'_, 4> = Pair::watched(&mut bufs, esme_cfg, Config::default());
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
    for op in &sc.ops {
        match op {
            Op::Submit(i) => {
                let _ = p.submit(&sm(&texts[usize::from(*i)]));
                p.run();
            }
            Op::SubmitLong(n) => {
                let parts: Vec<Pdu<'_>> = (0..*n).map(|i| Pdu::SubmitSm(sm(&texts[usize::from(i)]))).collect();
                let _ = p.submit_parts(&parts);
                p.run();
            }
            Op::SubmitText(n, sar) => {
                let text: String = (0..*n).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
                let concatenation = if *sar { Concatenation::Sar } else { Concatenation::Udh8 };
                let options = TextOptions { encoding: choose(&text, &[], concatenation), concatenation, reference: *n };
                let mut scratch = [0u8; 160];
                if let Ok(m) = p.esme.submit_text(p.now, &sm(b""), &text, options, &mut scratch) {
                    p.esme_watch.message(m, true);
                }
                p.run();
            }
            Op::Advance(ms) => p.advance(u64::from(*ms)),
            Op::AnswerHeld(i, how) => {
                if !p.held.is_empty() {
                    // A held token may have been answered by the SMSC at its unbind or close: the
                    // watch then checks that it is refused.
                    let t = p.held.remove(usize::from(*i) % p.held.len());
                    let r = match how {
                        0..=3 => Reaction::Accept("held".into()),
                        n => Reaction::Reject(STATUSES[usize::from(*n) % STATUSES.len()]),
                    };
                    let _ = p.try_answer(t, r);
                }
            }
            Op::AckPending(ok) => {
                // Every token the ESME was ever given, answered or not: the watch checks that
                // the answered ones are refused.
                let tokens: Vec<_> = p
                    .esme_events
                    .iter()
                    .filter_map(|e| match e {
                        Event::Receipt { token: Some(t), .. } | Event::Message { token: Some(t) } => Some(*t),
                        _ => None,
                    })
                    .collect();
                let status = if *ok { CommandStatus::OK } else { CommandStatus::from_raw(0x64) };
                for t in tokens {
                    let _ = p.esme_watch.ack(&mut p.esme, p.now, t, status);
                }
                p.run();
            }
            Op::Stale(i, esme) => {
                let (watch, now) = if *esme { (&mut p.esme_watch, p.now) } else { (&mut p.smsc_watch, p.now) };
                if let Some(t) = watch.stale_token(usize::from(*i)) {
                    let r = if *esme {
                        watch.ack(&mut p.esme, now, t, CommandStatus::OK)
                    } else {
                        watch.respond(&mut p.smsc, now, t, CommandStatus::SYSTEM_ERROR, None)
                    };
                    assert_eq!(r, Err(smpp_session::CommandError::UnknownToken));
                }
                p.run();
            }
            Op::Deliver(i) => {
                let mo = DeliverSm::new(Address::international("447700900999"), Address::alphanumeric("Test"), {
                    &texts[usize::from(*i)]
                });
                if let Ok(h) = p.smsc.send(p.now, &Pdu::DeliverSm(mo)) {
                    p.smsc_watch.issued(h);
                }
                p.run();
            }
            Op::AnswerBroken(i) => {
                // The SMSC answers a held submission with a submit_sm_resp that does not decode
                // (a message_id without its NUL), written in the stream between whole PDUs.
                if !p.held.is_empty() && p.to_esme.is_empty() && !p.faults.smsc_mute {
                    let t = p.held.remove(usize::from(*i) % p.held.len());
                    let mut bad = vec![0, 0, 0, 19, 0x80, 0, 0, 4, 0, 0, 0, 0];
                    bad.extend(t.sequence_number().to_be_bytes());
                    bad.extend(b"abc");
                    p.to_esme.extend(bad);
                }
                p.run();
            }
            Op::ReuseSeq(i) => {
                // Sequence numbers start over (as after a peer restart): a new request may carry
                // the number of one answered before, so stale tokens meet live requests.
                let seq = 1 + u32::from(*i % 4);
                p.esme.set_next_sequence_number(seq);
                p.smsc.set_next_sequence_number(seq);
            }
            Op::Block(b) => {
                p.faults.esme_blocked = *b;
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
            Op::EsmeClose => {
                p.esme.close(p.now);
                p.run();
            }
            Op::Drop => p.drop_connection(),
            Op::Mute(m) => p.faults.smsc_mute = *m,
            Op::Garbage(g) => {
                p.to_esme.extend(g);
                p.run();
            }
        }
    }
    // The connection ends in any case; the watches check what only the end shows.
    p.finish();
    let mut tally = p.esme_watch.tally;
    tally.add(&p.smsc_watch.tally);
    let run = Run {
        esme_events: p.esme_events,
        esme_seen: p.esme_seen,
        smsc_events: p.smsc_events,
        smsc_seen: p.smsc_seen,
        esme_wire: p.esme_wire,
        smsc_wire: p.smsc_wire,
    };
    (run, tally)
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(1000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold(sc in scenario()) {
        // 1, 2, 3, 5 and the oracles: checked inside, at every step of the run.
        let (run, _) = play(&sc, sc.max_chunk);

        // 6. Deterministic.
        let (again, _) = play(&sc, sc.max_chunk);
        prop_assert_eq!(&again, &run);

        // 4. Chunking (and partial writes) change nothing.
        let (whole, _) = play(&sc, 0);
        prop_assert_eq!(&whole, &run);
    }
}

/// The oracles are not vacuous: over a few hundred scenarios, each of them has had something to
/// check (a narrowing, a stale token, a message with a failed part, ...).
#[test]
fn every_oracle_has_work() {
    let mut runner = TestRunner::deterministic();
    let mut total = Tally::default();
    for _ in 0..300 {
        let sc = scenario().new_tree(&mut runner).unwrap().current();
        total.add(&play(&sc, sc.max_chunk).1);
    }
    let Tally {
        settled,
        partial_frames,
        deadlines,
        messages,
        failed_messages,
        closed,
        answered,
        answered_at_end,
        excused,
        token_answers,
        stale_refused,
        narrowed,
        throttled,
    } = total;
    for (what, n) in [
        ("settled", settled),
        ("partial_frames", partial_frames),
        ("deadlines", deadlines),
        ("messages", messages),
        ("failed_messages", failed_messages),
        ("closed", closed),
        ("answered", answered),
        ("answered_at_end", answered_at_end),
        ("excused", excused),
        ("token_answers", token_answers),
        ("stale_refused", stale_refused),
        ("narrowed", narrowed),
        ("throttled", throttled),
    ] {
        assert!(n > 0, "the {what} oracle never had anything to check: {total:?}");
    }
    eprintln!("{total:?}");
    assert_eq!(closed, 600, "every run ends with one Closed on each side");
}
