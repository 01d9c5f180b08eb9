//! The fault matrix over the in-memory pair: for each fault, every submitted message ends in
//! exactly one outcome, memory stays bounded, and a reconnecting sender gets every message
//! accepted in the end.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::HashMap;

use smpp_codec::pdu::SubmitSm;
use smpp_codec::{Address, CommandId, CommandStatus, RegisteredDelivery};
use smpp_session::{Backoff, BindKind, CloseReason, CommandError, Config, Duration, Handle, Instant};
use smpp_tests::{Buffers, Ev, Pair, Reaction, Res, Rng, pdus};

fn sm(text: &[u8]) -> SubmitSm<'_> {
    let mut sm = SubmitSm::new(Address::alphanumeric("Test"), Address::international("447700900123"), text);
    sm.registered_delivery = RegisteredDelivery::RECEIPT;
    sm
}

/// Checks that every handle has exactly one outcome and returns them.
fn one_outcome_each(p: &Pair<'_, 8>, handles: &[Handle]) -> HashMap<Handle, Res> {
    let mut out = HashMap::new();
    for (h, r) in p.outcomes() {
        assert!(out.insert(h, r).is_none(), "{h:?} reported twice");
    }
    for h in handles {
        assert!(out.contains_key(h), "{h:?} has no outcome");
    }
    assert_eq!(out.len(), handles.len());
    out
}

/// What a fault does to one connection.
#[derive(Clone, Copy, Debug)]
enum Fault {
    DropWithInFlight,
    HalfOpen,
    LateResponses,
    ThrottleStorm,
    OneByteWrites,
    Garbage,
    OversizedLength,
    PeerUnbindsMidWindow,
    BindRefused,
    EnquireLinkFlood,
}

const ALL: [Fault; 10] = [
    Fault::DropWithInFlight,
    Fault::HalfOpen,
    Fault::LateResponses,
    Fault::ThrottleStorm,
    Fault::OneByteWrites,
    Fault::Garbage,
    Fault::OversizedLength,
    Fault::PeerUnbindsMidWindow,
    Fault::BindRefused,
    Fault::EnquireLinkFlood,
];

/// A sender that keeps `total` messages until each is accepted, reconnecting with backoff. The
/// first connection suffers `fault`; later ones are healthy. Returns (accepted ids, connections).
fn reliable_send(fault: Fault, total: usize) -> (Vec<String>, usize) {
    let mut queue: Vec<usize> = (0..total).collect();
    let mut accepted: HashMap<usize, String> = HashMap::new();
    let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(60), Some(10));
    let mut rng = Rng::new(99);
    let mut now = Instant(0);
    let mut connections = 0;
    let texts: Vec<String> = (0..total).map(|i| format!("message {i}")).collect();
    while accepted.len() < total {
        connections += 1;
        assert!(connections < 12, "{fault:?}: no progress after {connections} connections");
        let faulty = connections == 1;
        let mut bufs = Buffers::new();
        let mut p: Pair<'_, 8> = Pair::new(&mut bufs, Config::default(), Config::default());
        p.now = now;
        if faulty {
            match fault {
                Fault::OneByteWrites => p.faults.max_chunk = 1,
                Fault::BindRefused => p.policy.bind = Box::new(|_, _| Err(CommandStatus::BIND_FAILED)),
                Fault::ThrottleStorm => {
                    p.policy.submit = Box::new(|n, _, _| {
                        if n < 12 {
                            Reaction::Reject(CommandStatus::THROTTLED)
                        } else {
                            Reaction::Accept(format!("t{n}"))
                        }
                    })
                }
                Fault::LateResponses => {
                    p.policy.submit =
                        Box::new(|n, _, _| if n < 8 { Reaction::Hold } else { Reaction::Accept(format!("r{n}")) })
                }
                Fault::DropWithInFlight | Fault::PeerUnbindsMidWindow => {
                    p.policy.submit = Box::new(|_, _, _| Reaction::Hold)
                }
                _ => {}
            }
        }
        p.bind(BindKind::Transceiver);
        let mut handles: HashMap<Handle, usize> = HashMap::new();
        let mut step = 0;
        while !p.esme.is_closed() && step < 400 {
            step += 1;
            // Submit what the window allows.
            while let Some(&i) = queue.first() {
                match p.esme.submit(p.now, &sm(texts[i].as_bytes())) {
                    Ok(h) => {
                        handles.insert(h, i);
                        queue.remove(0);
                    }
                    Err(CommandError::WindowFull | CommandError::Paused { .. } | CommandError::InvalidState) => break,
                    Err(e) => panic!("{e}"),
                }
            }
            p.run();
            if faulty && step == 2 {
                match fault {
                    Fault::DropWithInFlight => p.drop_connection(),
                    Fault::HalfOpen => p.faults.smsc_mute = true,
                    Fault::Garbage => {
                        p.to_esme.extend([0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
                        p.run();
                    }
                    Fault::OversizedLength => {
                        p.to_esme.extend([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 1]);
                        p.run();
                    }
                    Fault::PeerUnbindsMidWindow => {
                        p.smsc.unbind(p.now).unwrap();
                        p.run();
                    }
                    Fault::EnquireLinkFlood => {
                        for seq in 1000..3000u32 {
                            let mut el = vec![0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0];
                            el.extend_from_slice(&seq.to_be_bytes());
                            p.to_esme.extend(el);
                        }
                        p.run();
                        let answers = pdus(&p.esme_wire).iter().filter(|x| x.0 == CommandId::ENQUIRE_LINK_RESP).count();
                        assert_eq!(answers, 2000, "every enquire_link of the flood answered");
                    }
                    _ => {}
                }
            }
            if faulty && step == 3 && matches!(fault, Fault::LateResponses) {
                p.advance(30_000); // every held submission times out
                let held = std::mem::take(&mut p.held);
                for t in held {
                    p.answer(t, Reaction::Accept("late".into()));
                }
            }
            // Outcomes: accepted ones are done, retryable ones go back to the queue.
            for (h, res) in p.outcomes() {
                let Some(i) = handles.remove(&h) else { continue };
                match res {
                    Res::Response { status: CommandStatus::OK, message_id } => {
                        assert!(accepted.insert(i, message_id.unwrap()).is_none(), "message {i} accepted twice");
                    }
                    Res::Response { status, .. } if status.is_transient() => queue.push(i),
                    Res::Timeout | Res::Lost => queue.push(i),
                    other => panic!("{fault:?}: message {i} failed for good: {other:?}"),
                }
            }
            assert!(p.esme.outstanding() <= 8 && p.esme.pending_transmit() <= smpp_tests::BUF);
            if queue.is_empty() && handles.is_empty() {
                p.esme.unbind(p.now).unwrap();
                p.run();
            } else {
                p.advance(1_000);
            }
        }
        assert!(p.esme.is_closed(), "{fault:?}: the connection did not end");
        // Whatever was in flight at the close got exactly one outcome (lost).
        let all: Vec<Handle> = p
            .esme_events
            .iter()
            .filter_map(|e| match e {
                Ev::Outcome { handle, .. } => Some(*handle),
                _ => None,
            })
            .collect();
        one_outcome_each(&p, &all);
        for (_, i) in handles.drain() {
            queue.push(i);
        }
        if faulty {
            let closed = p.esme_events.iter().filter(|e| matches!(e, Ev::Closed(_))).count();
            assert_eq!(closed, 1, "{fault:?}");
        }
        now = Instant(p.now.0 + backoff.next_delay(rng.next_u64() as u32).expect("attempts left").0);
        if accepted.len() == total {
            backoff.reset();
        }
    }
    let mut ids: Vec<_> = accepted.into_iter().collect();
    ids.sort();
    (ids.into_iter().map(|(_, id)| id).collect(), connections)
}

#[test]
fn every_fault_ends_with_every_message_accepted_once() {
    for fault in ALL {
        let (ids, connections) = reliable_send(fault, 20);
        assert_eq!(ids.len(), 20, "{fault:?}");
        match fault {
            Fault::OneByteWrites | Fault::ThrottleStorm | Fault::EnquireLinkFlood | Fault::LateResponses => {
                assert_eq!(connections, 1, "{fault:?} is survived without reconnecting")
            }
            _ => assert!(connections >= 2, "{fault:?} needs a reconnect"),
        }
    }
}

#[test]
fn throttle_storm_narrows_the_window_to_one_and_pauses_grow() {
    let mut bufs = Buffers::new();
    let mut p: Pair<'_, 8> = Pair::new(&mut bufs, Config::default(), Config::default());
    p.policy.submit = Box::new(|_, _, _| Reaction::Reject(CommandStatus::THROTTLED));
    p.bind(BindKind::Transmitter);
    let mut pauses = Vec::new();
    for _ in 0..6 {
        loop {
            match p.esme.submit(p.now, &sm(b"x")) {
                Ok(_) => {}
                Err(CommandError::Paused { until }) => {
                    pauses.push(until.0 - p.now.0);
                    break;
                }
                Err(CommandError::WindowFull) => break,
                Err(e) => panic!("{e}"),
            }
            p.run();
        }
        p.advance(60_000);
    }
    assert_eq!(p.esme.effective_window(), 1);
    assert_eq!(pauses, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000], "doubling pauses, capped");
    assert!(p.outcomes().iter().all(|(_, r)| matches!(r, Res::Response { status: CommandStatus::THROTTLED, .. })));
    assert_eq!(p.esme.state(), smpp_session::State::Bound(BindKind::Transmitter), "throttling never unbinds");
}

#[test]
fn oversized_command_length_closes_with_generic_nack() {
    let mut bufs = Buffers::new();
    let mut p: Pair<'_, 8> = Pair::new(&mut bufs, Config::default(), Config::default());
    p.policy.submit = Box::new(|_, _, _| Reaction::Hold);
    p.bind(BindKind::Transceiver);
    let h = p.esme.submit(p.now, &sm(b"x")).unwrap();
    p.run();
    p.to_esme.extend([0x00, 0x10, 0x00, 0x01, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 1]);
    p.run();
    let last = pdus(&p.esme_wire).pop().unwrap();
    assert_eq!((last.0, last.1), (CommandId::GENERIC_NACK, CommandStatus::INVALID_COMMAND_LENGTH));
    assert_eq!(p.outcomes(), [(h, Res::Lost)]);
    assert_eq!(p.esme_events.last(), Some(&Ev::Closed(CloseReason::InvalidCommandLength(0x0010_0001))));
}
