//! The ESME and SMSC sessions against each other in memory, one test per behaviour, in PDU
//! terms. None sleeps: the clock is virtual.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use smpp_codec::pdu::{Bind, SubmitSm};
use smpp_codec::{Address, CommandId, CommandStatus, MessageState, Pdu, RegisteredDelivery};
use smpp_session::{
    AckMode, BindFailure, BindKind, CloseReason, CommandError, Config, Handle, Instant, Keepalive, Role, Session, State,
};
use smpp_tests::{Buffers, Ev, Pair, Reaction, Res, WirePdu, pdus};

fn sm(text: &[u8]) -> SubmitSm<'_> {
    let mut sm = SubmitSm::new(Address::alphanumeric("Test"), Address::international("447700900123"), text);
    sm.registered_delivery = RegisteredDelivery::RECEIPT;
    sm
}

fn cfg() -> Config {
    Config::default()
}

#[test]
fn bind_transceiver_then_submit_gets_the_message_id() {
    let mut bufs = Buffers::new();
    let mut p: Pair<'_, 8> = Pair::new(&mut bufs, cfg(), cfg());
    p.bind(BindKind::Transceiver);
    assert_eq!(
        p.esme_events,
        [Ev::Bound { kind: BindKind::Transceiver, system_id: "SMSC".into(), sc_interface_version: Some(0x34) }]
    );
    assert_eq!(p.esme.state(), State::Bound(BindKind::Transceiver));
    assert_eq!(p.smsc.state(), State::Bound(BindKind::Transceiver));
    assert!(
        matches!(&p.smsc_events[0], Ev::BindRequest { system_id, password, .. } if system_id == "user" && password == "secret")
    );

    let h = p.esme.submit(p.now, &sm(b"Hello")).unwrap();
    p.run();
    assert_eq!(
        p.outcomes(),
        [(h, Res::Response { status: CommandStatus::OK, message_id: Some("68090a534e551".into()) })]
    );
    let wire = pdus(&p.esme_wire);
    assert_eq!(wire[0].0, CommandId::BIND_TRANSCEIVER);
    assert_eq!((wire[1].0, wire[1].2), (CommandId::SUBMIT_SM, 2), "sequence numbers continue after the bind");
    assert!(
        matches!(p.smsc_events.last(), Some(Ev::Request { command: CommandId::SUBMIT_SM, text, .. }) if text == b"Hello")
    );
}

#[test]
fn a_refused_bind_reports_its_status_and_closes() {
    for status in [
        CommandStatus::BIND_FAILED,
        CommandStatus::INVALID_PASSWORD,
        CommandStatus::INVALID_SYSTEM_ID,
        CommandStatus::ALREADY_BOUND,
    ] {
        let mut bufs = Buffers::new();
        let mut p: Pair<'_, 8> = Pair::new(&mut bufs, cfg(), cfg());
        p.policy.bind = Box::new(move |_, _| Err(status));
        p.bind(BindKind::Transmitter);
        assert_eq!(p.esme_events, [Ev::BindFailed(BindFailure::Rejected(status)), Ev::Closed(CloseReason::BindFailed)]);
        assert!(p.esme.is_closed() && p.smsc.is_closed());
        let back = pdus(&p.smsc_wire);
        assert_eq!((back[0].0, back[0].1), (CommandId::BIND_TRANSMITTER_RESP, status));
        assert!(back[0].3.is_empty(), "error bind_resp goes without a body");
    }
}

#[test]
fn bind_timeout_and_bind_resp_in_the_same_read_as_the_next_pdu() {
    let mut bufs = Buffers::new();
    let mut p: Pair<'_, 8> = Pair::new(&mut bufs, cfg(), cfg());
    p.faults.smsc_mute = true;
    p.bind(BindKind::Transceiver);
    p.advance(10_000);
    assert_eq!(p.esme_events, [Ev::BindFailed(BindFailure::Timeout), Ev::Closed(CloseReason::BindFailed)]);

    // bind_resp immediately followed by an enquire_link, in one read.
    let (mut rx, mut tx) = ([0u8; 512], [0u8; 512]);
    let mut esme: Session<'_, 4> = Session::new(Role::Esme, cfg(), &mut rx, &mut tx, Instant(0));
    esme.bind(Instant(0), BindKind::Transceiver, &Bind::new("u", "p")).unwrap();
    let mut out = [0u8; 512];
    esme.poll_transmit(&mut out);
    let mut read = [0, 0, 0, 21, 0x80, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 1, b'S', b'M', b'S', b'C', 0].to_vec();
    read.extend_from_slice(&[0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 42]);
    let mut used = 0;
    let mut events = Vec::new();
    while used < read.len() {
        used += esme.handle_input(Instant(1), &read[used..]);
        while let Some(e) = esme.poll_event() {
            events.push(Ev::from_event(&e));
        }
    }
    assert!(matches!(events[..], [Ev::Bound { .. }]));
    let n = esme.poll_transmit(&mut out);
    assert_eq!(pdus(&out[..n]), [(CommandId::ENQUIRE_LINK_RESP, CommandStatus::OK, 42, vec![])]);
}

#[test]
fn window_limits_outstanding_requests_and_sequence_numbers_wrap_without_reuse() {
    let mut bufs = Buffers::new();
    let mut p: Pair<'_, 2> = Pair::new(&mut bufs, cfg(), cfg());
    p.policy.submit = Box::new(|_, _, _| Reaction::Hold);
    p.bind(BindKind::Transmitter);
    p.esme.set_next_sequence_number(0x7FFF_FFFF);
    let a = p.esme.submit(p.now, &sm(b"a")).unwrap();
    let b = p.esme.submit(p.now, &sm(b"b")).unwrap();
    assert_eq!(p.esme.submit(p.now, &sm(b"c")), Err(CommandError::WindowFull));
    p.run();
    let seqs: Vec<u32> = pdus(&p.esme_wire).iter().skip(1).map(|x| x.2).collect();
    assert_eq!(seqs, [0x7FFF_FFFF, 1], "wraps from 0x7FFFFFFF to 1");
    // Answer out of order: responses are matched by sequence number.
    let (t0, t1) = (p.held[0], p.held[1]);
    p.answer(t1, Reaction::Accept("B".into()));
    p.answer(t0, Reaction::Accept("A".into()));
    assert_eq!(
        p.outcomes(),
        [
            (b, Res::Response { status: CommandStatus::OK, message_id: Some("B".into()) }),
            (a, Res::Response { status: CommandStatus::OK, message_id: Some("A".into()) })
        ]
    );
    // Sequence 2 is in flight; the next allocation skips it.
    p.held.clear();
    p.esme.set_next_sequence_number(2);
    let _c = p.esme.submit(p.now, &sm(b"c")).unwrap();
    p.esme.set_next_sequence_number(2);
    let _d = p.esme.submit(p.now, &sm(b"d")).unwrap();
    p.run();
    let seqs: Vec<u32> = pdus(&p.esme_wire).iter().skip(3).map(|x| x.2).collect();
    assert_eq!(seqs, [2, 3]);
}

#[test]
fn response_timeout_then_a_late_response_is_not_reported_twice() {
    let mut bufs = Buffers::new();
    let mut p: Pair<'_, 8> = Pair::new(&mut bufs, cfg(), cfg());
    p.policy.submit = Box::new(|_, _, _| Reaction::Hold);
    p.bind(BindKind::Transmitter);
    let h = p.esme.submit(p.now, &sm(b"slow")).unwrap();
    p.run();
    p.advance(30_000);
    assert_eq!(p.outcomes(), [(h, Res::Timeout)]);
    assert_eq!(p.esme.outstanding(), 0);
    let t = p.held[0];
    p.answer(t, Reaction::Accept("late".into()));
    assert_eq!(p.outcomes().len(), 1, "the late response is not a second outcome");
    assert_eq!(p.esme.counters().unexpected_responses, 1);
}

#[test]
fn keepalive_on_idle_and_dead_link_detection() {
    let mut bufs = Buffers::new();
    // A response timeout longer than keepalive + its timeout, so the dead link is what ends it.
    let esme_cfg = Config { response_timeout: smpp_session::Duration::from_secs(60), ..cfg() };
    let mut p: Pair<'_, 8> = Pair::new(&mut bufs, esme_cfg, cfg());
    p.bind(BindKind::Transceiver);
    p.advance(29_999);
    assert!(!pdus(&p.esme_wire).iter().any(|x| x.0 == CommandId::ENQUIRE_LINK));
    p.advance(1);
    let sent: Vec<_> = pdus(&p.esme_wire).into_iter().filter(|x| x.0 == CommandId::ENQUIRE_LINK).collect();
    assert_eq!(sent.len(), 1, "one enquire_link after 30 s idle");
    assert!(pdus(&p.smsc_wire).iter().any(|x| x.0 == CommandId::ENQUIRE_LINK_RESP && x.2 == sent[0].2));
    assert_eq!(p.esme.state(), State::Bound(BindKind::Transceiver));

    // The peer goes silent with a request in flight: the link is declared dead.
    p.faults.smsc_mute = true;
    let h = p.esme.submit(p.now, &sm(b"x")).unwrap();
    p.run();
    p.advance(30_000 + 10_000);
    assert!(p.esme.is_closed());
    let tail = &p.esme_events[p.esme_events.len() - 2..];
    assert_eq!(tail[0], Ev::Outcome { handle: h, command: CommandId::SUBMIT_SM, part: None, res: Res::Lost });
    assert_eq!(tail[1], Ev::Closed(CloseReason::LinkDead));
}

#[test]
fn keepalive_every_interval_even_when_busy() {
    let mut bufs = Buffers::new();
    let esme_cfg = Config { keepalive: Keepalive::Every(smpp_session::Duration::from_secs(30)), ..cfg() };
    let mut p: Pair<'_, 8> = Pair::new(&mut bufs, esme_cfg, cfg());
    p.bind(BindKind::Transceiver);
    for _ in 0..12 {
        p.esme.submit(p.now, &sm(b"busy")).unwrap();
        p.advance(10_000);
    }
    let count = pdus(&p.esme_wire).iter().filter(|x| x.0 == CommandId::ENQUIRE_LINK).count();
    assert_eq!(count, 4, "an enquire_link every 30 s over 120 s of traffic");
}

#[test]
fn receipts_and_messages_with_automatic_and_manual_acknowledgement() {
    let mut bufs = Buffers::new();
    let mut p: Pair<'_, 8> = Pair::new(&mut bufs, cfg(), cfg());
    p.policy.receipts = true;
    p.bind(BindKind::Transceiver);
    p.esme.submit(p.now, &sm(b"Hello")).unwrap();
    p.run();
    let receipt = p.esme_events.iter().find(|e| matches!(e, Ev::Receipt { .. })).unwrap();
    let Ev::Receipt { token, text, receipted_id, state, submit, merged } = receipt else { unreachable!() };
    // The receipt is merged with its text and matched to the submission it is about.
    assert_eq!(*submit, Some(Handle(0)));
    assert_eq!(merged.as_ref(), Some(&("68090a534e551".to_string(), MessageState::DELIVERED)));
    assert_eq!(*token, None, "automatic mode answers by itself");
    assert_eq!(receipted_id.as_deref(), Some("68090a534e551"));
    assert_eq!(*state, Some(MessageState::DELIVERED));
    assert!(text.starts_with(b"id:68090a534e551 sub:001"));
    assert!(pdus(&p.esme_wire).iter().any(|x| x.0 == CommandId::DELIVER_SM_RESP && x.1 == CommandStatus::OK));

    // Manual mode: nothing is answered until the application says so.
    let mut bufs = Buffers::new();
    let manual = Config { ack_mode: AckMode::Manual, ..cfg() };
    let mut p: Pair<'_, 8> = Pair::new(&mut bufs, manual, cfg());
    p.policy.receipts = true;
    p.bind(BindKind::Transceiver);
    p.esme.submit(p.now, &sm(b"Hello")).unwrap();
    p.run();
    assert!(!pdus(&p.esme_wire).iter().any(|x| x.0 == CommandId::DELIVER_SM_RESP));
    let Some(Ev::Receipt { token: Some(token), .. }) =
        p.esme_events.iter().find(|e| matches!(e, Ev::Receipt { .. })).cloned()
    else {
        panic!("no receipt")
    };
    assert_eq!(p.esme.pending_incoming(), 1);
    p.esme.ack(p.now, token, CommandStatus::RECEIVER_TEMPORARY_ERROR).unwrap();
    assert_eq!(p.esme.ack(p.now, token, CommandStatus::OK), Err(CommandError::UnknownToken), "answered once only");
    p.run();
    let resp: Vec<_> = pdus(&p.esme_wire).into_iter().filter(|x| x.0 == CommandId::DELIVER_SM_RESP).collect();
    assert_eq!(resp.len(), 1);
    assert_eq!(resp[0].1, CommandStatus::RECEIVER_TEMPORARY_ERROR);
    // The SMSC's deliver_sm has its outcome with that status.
    assert!(p.smsc_events.iter().any(|e| matches!(
        e,
        Ev::Outcome {
            command: CommandId::DELIVER_SM,
            res: Res::Response { status: CommandStatus::RECEIVER_TEMPORARY_ERROR, .. },
            ..
        }
    )));
}

#[test]
fn throttling_shrinks_the_window_pauses_and_recovers() {
    let mut bufs = Buffers::new();
    let mut p: Pair<'_, 8> = Pair::new(&mut bufs, cfg(), cfg());
    p.policy.submit =
        Box::new(
            |n, _, _| {
                if n == 0 { Reaction::Reject(CommandStatus::THROTTLED) } else { Reaction::Accept(format!("m{n}")) }
            },
        );
    p.bind(BindKind::Transmitter);
    let h = p.esme.submit(p.now, &sm(b"one")).unwrap();
    p.run();
    assert_eq!(
        p.outcomes(),
        [(h, Res::Response { status: CommandStatus::THROTTLED, message_id: Some(String::new()) })]
    );
    assert!(p.esme_events.contains(&Ev::Throttled { until: Instant(p.now.0 + 1000) }));
    assert_eq!(p.esme.effective_window(), 4);
    assert_eq!(p.esme.submit(p.now, &sm(b"again")), Err(CommandError::Paused { until: Instant(p.now.0 + 1000) }));
    p.advance(1000);
    // 4 + 5 + 6 + 7 successes grow the window back from 4 to 8.
    for i in 0..22 {
        p.esme.submit(p.now, &sm(b"ok")).unwrap_or_else(|e| panic!("submit {i}: {e}"));
        p.run();
    }
    assert_eq!(p.esme.effective_window(), 8, "additive increase back to the full window");
}

#[test]
fn unbind_from_either_side() {
    let mut bufs = Buffers::new();
    let mut p: Pair<'_, 8> = Pair::new(&mut bufs, cfg(), cfg());
    p.bind(BindKind::Transceiver);
    p.esme.unbind(p.now).unwrap();
    assert_eq!(p.esme.submit(p.now, &sm(b"x")), Err(CommandError::InvalidState));
    p.run();
    assert_eq!(p.esme_events.last(), Some(&Ev::Closed(CloseReason::Unbound)));
    assert_eq!(p.smsc_events.last(), Some(&Ev::Closed(CloseReason::PeerUnbound)));
    assert!(pdus(&p.smsc_wire).iter().any(|x| x.0 == CommandId::UNBIND_RESP));

    // The SMSC unbinds with a request of ours in flight: it is reported lost, once.
    let mut bufs = Buffers::new();
    let mut p: Pair<'_, 8> = Pair::new(&mut bufs, cfg(), cfg());
    p.policy.submit = Box::new(|_, _, _| Reaction::Hold);
    p.bind(BindKind::Transceiver);
    let h = p.esme.submit(p.now, &sm(b"x")).unwrap();
    p.run();
    p.smsc.unbind(p.now).unwrap();
    p.run();
    assert_eq!(p.outcomes(), [(h, Res::Lost)]);
    assert_eq!(p.esme_events.last(), Some(&Ev::Closed(CloseReason::PeerUnbound)));
    assert_eq!(p.smsc_events.last(), Some(&Ev::Closed(CloseReason::Unbound)));
}

#[test]
fn connection_loss_reports_every_request_in_flight_once() {
    let mut bufs = Buffers::new();
    let mut p: Pair<'_, 8> = Pair::new(&mut bufs, cfg(), cfg());
    p.policy.submit = Box::new(|_, _, _| Reaction::Hold);
    p.bind(BindKind::Transceiver);
    let hs: Vec<Handle> = (0..5).map(|_| p.esme.submit(p.now, &sm(b"x")).unwrap()).collect();
    p.run();
    p.drop_connection();
    let outs = p.outcomes();
    assert_eq!(outs.len(), 5);
    for h in hs {
        assert_eq!(outs.iter().filter(|(x, r)| *x == h && *r == Res::Lost).count(), 1);
    }
    assert_eq!(p.esme_events.last(), Some(&Ev::Closed(CloseReason::ConnectionLost)));
    p.advance(100_000);
    assert_eq!(p.outcomes().len(), 5, "nothing more after the close");
}

/// Feeds raw bytes to a bound ESME session and returns what it sent back, as PDUs.
fn esme_reply_to(raw: &[u8]) -> (Vec<WirePdu>, Vec<Ev>, State) {
    let (mut rx, mut tx) = ([0u8; 1024], [0u8; 1024]);
    let mut esme: Session<'_, 4> = Session::new(Role::Esme, cfg(), &mut rx, &mut tx, Instant(0));
    esme.bind(Instant(0), BindKind::Transmitter, &Bind::new("u", "p")).unwrap();
    let mut out = [0u8; 1024];
    esme.poll_transmit(&mut out);
    let ok = [0, 0, 0, 17, 0x80, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0];
    assert_eq!(esme.handle_input(Instant(0), &ok), ok.len());
    while esme.poll_event().is_some() {}
    let mut events = Vec::new();
    let mut used = 0;
    while used < raw.len() {
        let n = esme.handle_input(Instant(1), &raw[used..]);
        used += n;
        while let Some(e) = esme.poll_event() {
            events.push(Ev::from_event(&e));
        }
        if n == 0 && esme.is_closed() {
            break;
        }
    }
    let n = esme.poll_transmit(&mut out);
    (pdus(&out[..n]), events, esme.state())
}

#[test]
fn undecodable_unknown_and_out_of_state_commands_are_answered() {
    // Unknown command id: generic_nack ESME_RINVCMDID echoing the sequence.
    let (back, _, state) = esme_reply_to(&[0, 0, 0, 16, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 77]);
    assert_eq!(back, [(CommandId::GENERIC_NACK, CommandStatus::INVALID_COMMAND_ID, 77, vec![])]);
    assert_eq!(state, State::Bound(BindKind::Transmitter));
    // deliver_sm on a transmitter bind: deliver_sm_resp ESME_RINVBNDSTS.
    let mut deliver = vec![0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 9];
    deliver.extend_from_slice(&[0; 17]);
    deliver[3] = deliver.len() as u8;
    let (back, events, _) = esme_reply_to(&deliver);
    assert_eq!(back, [(CommandId::DELIVER_SM_RESP, CommandStatus::INVALID_BIND_STATUS, 9, vec![])]);
    assert!(events.is_empty());
    // A known request whose body does not decode: its own response with the field's status.
    let bad = [0, 0, 0, 20, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 5, b'a', b'b', b'c', b'd'];
    let (back, _, _) = esme_reply_to(&bad);
    assert_eq!(back, [(CommandId::SUBMIT_SM_RESP, CommandStatus::INVALID_SERVICE_TYPE, 5, vec![])]);
    // A command_length below 16: generic_nack ESME_RINVCMDLEN, then close.
    let (back, events, state) = esme_reply_to(&[0, 0, 0, 8, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 3]);
    assert_eq!(back[0].0, CommandId::GENERIC_NACK);
    assert_eq!(back[0].1, CommandStatus::INVALID_COMMAND_LENGTH);
    assert_eq!(events, [Ev::Closed(CloseReason::InvalidCommandLength(8))]);
    assert_eq!(state, State::Closed);
    // A response is never answered, even a broken or unexpected one.
    let (back, _, _) = esme_reply_to(&[0, 0, 0, 16, 0x80, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 99]);
    assert!(back.is_empty());
}

#[test]
fn generic_nack_is_matched_to_its_request() {
    let mut bufs = Buffers::new();
    let mut p: Pair<'_, 8> = Pair::new(&mut bufs, cfg(), cfg());
    p.bind(BindKind::Transmitter);
    // query_sm is answered by our scripted SMSC with ESME_RSUBMITFAIL; send a generic_nack by hand.
    let h = p
        .esme
        .send(p.now, &Pdu::QuerySm(smpp_codec::pdu::QuerySm { message_id: "abc".into(), source: Address::default() }))
        .unwrap();
    let mut out = [0u8; 256];
    let n = p.esme.poll_transmit(&mut out);
    let seq = pdus(&out[..n])[0].2;
    let mut nack = vec![0, 0, 0, 16, 0x80, 0, 0, 0, 0, 0, 0, 3];
    nack.extend_from_slice(&seq.to_be_bytes());
    assert_eq!(p.esme.handle_input(p.now, &nack), 16);
    let e = p.esme.poll_event().map(|e| Ev::from_event(&e));
    assert_eq!(
        e,
        Some(Ev::Outcome {
            handle: h,
            command: CommandId::QUERY_SM,
            part: None,
            res: Res::GenericNack(CommandStatus::INVALID_COMMAND_ID)
        })
    );
}

#[test]
fn byte_at_a_time_gives_the_same_events() {
    let run = |max_chunk: usize| {
        let mut bufs = Buffers::new();
        let mut p: Pair<'_, 8> = Pair::new(&mut bufs, cfg(), cfg());
        p.faults.max_chunk = max_chunk;
        p.policy.receipts = true;
        p.bind(BindKind::Transceiver);
        for i in 0..5u8 {
            p.esme.submit(p.now, &sm(&[b'a' + i; 40])).unwrap();
        }
        p.run();
        p.advance(31_000);
        p.esme.unbind(p.now).unwrap();
        p.run();
        (p.esme_events, p.smsc_events, p.esme_wire, p.smsc_wire)
    };
    let whole = run(0);
    assert_eq!(whole.0.iter().filter(|e| matches!(e, Ev::Receipt { .. })).count(), 5);
    assert_eq!(run(1), whole);
    assert_eq!(run(7), whole);
}

#[test]
fn smsc_session_init_timeout_and_double_bind() {
    let mut bufs = Buffers::new();
    let mut p: Pair<'_, 8> = Pair::new(&mut bufs, cfg(), cfg());
    p.advance(10_000);
    assert_eq!(p.smsc_events, [Ev::Closed(CloseReason::SessionInitTimeout)]);

    let mut bufs = Buffers::new();
    let mut p: Pair<'_, 8> = Pair::new(&mut bufs, cfg(), cfg());
    p.bind(BindKind::Transceiver);
    // A second bind on a bound connection: ESME_RALYBND.
    let mut raw = [0u8; 64];
    let n = Pdu::BindTransceiver(Bind::new("user", "secret")).emit(50, CommandStatus::OK, &mut raw).unwrap();
    assert_eq!(p.smsc.handle_input(p.now, &raw[..n]), n);
    let mut out = [0u8; 64];
    let m = p.smsc.poll_transmit(&mut out);
    assert_eq!(pdus(&out[..m]), [(CommandId::BIND_TRANSCEIVER_RESP, CommandStatus::ALREADY_BOUND, 50, vec![])]);
}

#[test]
fn data_sm_both_ways_and_alert_notification() {
    use smpp_codec::pdu::{AlertNotification, DataSm};
    use smpp_codec::{Tlv, Tlvs};
    let mut bufs = Buffers::new();
    let mut p: Pair<'_, 8> = Pair::new(&mut bufs, cfg(), cfg());
    p.bind(BindKind::Transceiver);
    let payload = [Tlv::message_payload(b"data from the ESME")];
    let ds = DataSm {
        source: Address::alphanumeric("Test"),
        dest: Address::international("447700900123"),
        tlvs: Tlvs::from_slice(&payload),
        ..DataSm::default()
    };
    let h = p.esme.send(p.now, &Pdu::DataSm(ds)).unwrap();
    p.run();
    // The scripted SMSC answers requests other than submit_sm with ESME_RSUBMITFAIL.
    assert_eq!(
        p.outcomes(),
        [(h, Res::Response { status: CommandStatus::SUBMIT_FAILED, message_id: Some(String::new()) })]
    );
    assert!(matches!(p.smsc_events.last(), Some(Ev::DataSm { token: Some(_) })));

    // The SMSC sends data_sm and alert_notification to the ESME.
    p.smsc.send(p.now, &Pdu::DataSm(ds)).unwrap();
    p.smsc.send(p.now, &Pdu::AlertNotification(AlertNotification::default())).unwrap();
    p.run();
    assert!(p.esme_events.iter().any(|e| matches!(e, Ev::DataSm { token: None })));
    assert!(p.esme_events.contains(&Ev::Alert));
    assert!(pdus(&p.esme_wire).iter().any(|x| x.0 == CommandId::DATA_SM_RESP && x.1 == CommandStatus::OK));
    assert!(pdus(&p.esme_wire).iter().all(|x| x.0 != CommandId::GENERIC_NACK), "alert_notification is never answered");
    // An ESME may not send deliver_sm; an SMSC may not submit.
    let d = SubmitSm::default();
    assert_eq!(p.esme.send(p.now, &Pdu::DeliverSm(d)), Err(CommandError::NotARequest));
    assert_eq!(p.smsc.send(p.now, &Pdu::SubmitSm(d)), Err(CommandError::NotARequest));
}

#[test]
fn outbind_then_bind_receiver() {
    use smpp_codec::pdu::Outbind;
    let (mut rx, mut tx) = ([0u8; 512], [0u8; 512]);
    let mut esme: Session<'_, 4> = Session::new(Role::Esme, cfg(), &mut rx, &mut tx, Instant(0));
    let mut raw = [0u8; 64];
    let n = Pdu::Outbind(Outbind { system_id: "SMSC".into(), password: "pw".into() })
        .emit(1, CommandStatus::OK, &mut raw)
        .unwrap();
    assert_eq!(esme.handle_input(Instant(0), &raw[..n]), n);
    let ev = esme.poll_event().map(|e| Ev::from_event(&e));
    assert_eq!(ev, Some(Ev::Outbind));
    let mut out = [0u8; 64];
    assert_eq!(esme.poll_transmit(&mut out), 0, "outbind has no response");
    esme.bind(Instant(1), BindKind::Receiver, &Bind::new("u", "p")).unwrap();
    let m = esme.poll_transmit(&mut out);
    assert_eq!(pdus(&out[..m])[0].0, CommandId::BIND_RECEIVER);
}

#[test]
fn an_undrained_event_stops_input_instead_of_being_lost() {
    let mut bufs = Buffers::new();
    let mut p: Pair<'_, 8> = Pair::new(&mut bufs, cfg(), cfg());
    p.bind(BindKind::Transceiver);
    let h = p.esme.submit(p.now, &sm(b"x")).unwrap();
    let mut out = [0u8; 512];
    let n = p.esme.poll_transmit(&mut out);
    p.smsc.handle_input(p.now, &out[..n]);
    let token = match p.smsc.poll_event().map(|e| Ev::from_event(&e)) {
        Some(Ev::Request { token, .. }) => token,
        other => panic!("{other:?}"),
    };
    p.smsc
        .respond(p.now, token, CommandStatus::OK, Some(&Pdu::SubmitSmResp(smpp_codec::pdu::MessageIdResp::new("id1"))))
        .unwrap();
    p.smsc.unbind(p.now).unwrap();
    let n = p.smsc.poll_transmit(&mut out);
    // submit_sm_resp and unbind in one read; the adapter forgets to poll events in between.
    let first = p.esme.handle_input(p.now, &out[..n]);
    assert!(first < n);
    assert_eq!(p.esme.handle_input(p.now, &out[first..n]), 0, "input waits for the event to be polled");
    let ev = p.esme.poll_event().map(|e| Ev::from_event(&e));
    assert_eq!(
        ev,
        Some(Ev::Outcome {
            handle: h,
            command: CommandId::SUBMIT_SM,
            part: None,
            res: Res::Response { status: CommandStatus::OK, message_id: Some("id1".into()) }
        })
    );
    assert_eq!(p.esme.handle_input(p.now, &out[first..n]), n - first);
    assert_eq!(p.esme.poll_event().map(|e| Ev::from_event(&e)), Some(Ev::Closed(CloseReason::PeerUnbound)));
}

#[test]
fn smsc_closes_when_the_application_never_decides_a_bind() {
    let mut bufs = Buffers::new();
    let mut p: Pair<'_, 8> = Pair::new(&mut bufs, cfg(), cfg());
    let mut raw = [0u8; 64];
    let n = Pdu::BindTransmitter(Bind::new("u", "p")).emit(1, CommandStatus::OK, &mut raw).unwrap();
    assert_eq!(p.smsc.handle_input(p.now, &raw[..n]), n);
    assert!(matches!(p.smsc.poll_event().map(|e| Ev::from_event(&e)), Some(Ev::BindRequest { .. })));
    assert_eq!(p.smsc.state(), State::Binding(BindKind::Transmitter));
    p.smsc.handle_timeout(Instant(10_000));
    assert!(p.smsc.is_closed());
}

fn parts_of<'a>(texts: &'a [&'a [u8]]) -> Vec<Pdu<'a>> {
    texts.iter().map(|t| Pdu::SubmitSm(sm(t))).collect()
}

#[test]
fn a_multi_part_message_has_one_outcome_per_part_and_one_for_the_message() {
    use smpp_session::{PartFailure, PartOf};
    let mut bufs = Buffers::new();
    let mut p: Pair<'_, 8> = Pair::new(&mut bufs, cfg(), cfg());
    p.policy.submit = Box::new(|n, _, _| {
        if n == 4 { Reaction::Reject(CommandStatus::SUBMIT_FAILED) } else { Reaction::Accept(format!("id{n}")) }
    });
    p.bind(BindKind::Transmitter);
    let m = p.esme.submit_parts(p.now, &parts_of(&[b"part one", b"part two", b"part three"])).unwrap();
    p.run();
    let parts: Vec<_> = p
        .esme_events
        .iter()
        .filter_map(|e| match e {
            Ev::Outcome { part: Some(part), res: Res::Response { message_id, .. }, .. } => {
                Some((*part, message_id.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        parts,
        (1..=3).map(|i| (PartOf { message: m, index: i, total: 3 }, Some(format!("id{}", i - 1)))).collect::<Vec<_>>()
    );
    assert_eq!(p.esme_events.last(), Some(&Ev::MessageDone { message: m, total: 3, accepted: 3, failed: None }));

    // The second message's second part is rejected.
    let m2 = p.esme.submit_parts(p.now, &parts_of(&[b"a", b"b"])).unwrap();
    p.run();
    assert_eq!(
        p.esme_events.last(),
        Some(&Ev::MessageDone {
            message: m2,
            total: 2,
            accepted: 1,
            failed: Some((2, PartFailure::Status(CommandStatus::SUBMIT_FAILED)))
        })
    );

    // Too many parts for the window: nothing is sent.
    let before = p.esme_wire.len();
    let nine: Vec<&[u8]> = vec![b"x"; 9];
    assert_eq!(p.esme.submit_parts(p.now, &parts_of(&nine)), Err(CommandError::WindowFull));
    p.run();
    assert_eq!(p.esme_wire.len(), before);
}

#[test]
fn part_by_part_messages_survive_abandon_and_connection_loss() {
    use smpp_session::PartFailure;
    let mut bufs = Buffers::new();
    let mut p: Pair<'_, 2> = Pair::new(&mut bufs, cfg(), cfg());
    p.bind(BindKind::Transmitter);
    // Abandoned after the first part.
    let msg = p.esme.begin_message(3).unwrap();
    p.esme.submit_part(p.now, &msg, &Pdu::SubmitSm(sm(b"1/3"))).unwrap();
    p.run();
    p.esme.abandon_message(&msg);
    assert_eq!(p.esme.submit_part(p.now, &msg, &Pdu::SubmitSm(sm(b"2/3"))), Err(CommandError::NotARequest));
    p.run();
    assert_eq!(
        p.esme_events.last(),
        Some(&Ev::MessageDone {
            message: msg.handle(),
            total: 3,
            accepted: 1,
            failed: Some((2, PartFailure::NotSubmitted))
        })
    );

    // More parts than the window of 2, sent as the window frees; the connection drops midway.
    p.policy.submit = Box::new(|n, _, _| if n < 3 { Reaction::Accept(format!("p{n}")) } else { Reaction::Hold });
    let msg = p.esme.begin_message(4).unwrap();
    let texts: [&[u8]; 4] = [b"1/4", b"2/4", b"3/4", b"4/4"];
    let mut sent = 0;
    while sent < 3 {
        if p.esme.submit_part(p.now, &msg, &Pdu::SubmitSm(sm(texts[sent]))).is_ok() {
            sent += 1;
        }
        p.run();
    }
    p.drop_connection();
    let done: Vec<_> = p.esme_events.iter().filter(|e| matches!(e, Ev::MessageDone { .. })).collect();
    assert_eq!(done.len(), 2);
    assert_eq!(
        done[1],
        &Ev::MessageDone {
            message: msg.handle(),
            total: 4,
            accepted: 2,
            failed: Some((3, PartFailure::ConnectionLost))
        }
    );
}

#[test]
fn long_text_goes_out_as_one_message() {
    use smpp_codec::text::gsm7::Tables;
    use smpp_codec::text::segment::{Concatenation, Encoding, choose};
    use smpp_codec::text::udh::Udh;
    let text = "Alarm: door 3 opened at 02:14, zone B. ".repeat(8); // 312 GSM characters
    for concat in [Concatenation::Udh8, Concatenation::Sar, Concatenation::Payload] {
        let mut bufs = Buffers::new();
        let mut p: Pair<'_, 8> = Pair::new(&mut bufs, cfg(), cfg());
        p.bind(BindKind::Transmitter);
        let mut scratch = [0u8; 1024];
        let enc = choose(&text, &[], concat);
        assert_eq!(enc, Encoding::Gsm7(Tables::DEFAULT));
        let options = smpp_session::TextOptions { encoding: enc, concatenation: concat, reference: 0x42 };
        let m = p.esme.submit_text(p.now, &sm(b""), &text, options, &mut scratch).unwrap();
        p.run();
        let expected_parts = if concat == Concatenation::Payload { 1 } else { 3 };
        assert_eq!(
            p.esme_events.last(),
            Some(&Ev::MessageDone { message: m, total: expected_parts, accepted: expected_parts, failed: None }),
            "{concat:?}"
        );
        // What the SMSC received decodes back to the text.
        let submits: Vec<_> = pdus(&p.esme_wire).into_iter().filter(|x| x.0 == CommandId::SUBMIT_SM).collect();
        assert_eq!(submits.len(), usize::from(expected_parts));
        let mut joined = String::new();
        for (_, _, _, body) in &submits {
            let Pdu::SubmitSm(s) = Pdu::parse_body(
                &smpp_codec::Header {
                    command_length: 0,
                    command_id: CommandId::SUBMIT_SM,
                    command_status: CommandStatus::OK,
                    sequence_number: 0,
                },
                body,
            )
            .unwrap() else {
                panic!()
            };
            let data = s.message();
            let payload = if s.esm_class.udhi() { Udh::split(data).unwrap().1 } else { data };
            joined.extend(smpp_codec::text::gsm7::decode(payload, Tables::DEFAULT));
            match concat {
                Concatenation::Udh8 => assert!(s.esm_class.udhi()),
                Concatenation::Sar => assert_eq!(s.tlvs.sar_msg_ref_num(), Ok(Some(0x42))),
                Concatenation::Payload => assert!(s.short_message.is_empty()),
                Concatenation::Udh16 => {}
            }
        }
        assert_eq!(joined, text);
    }
}

#[test]
fn receipts_match_submissions_across_hex_and_decimal_ids() {
    use smpp_codec::pdu::DeliverSm;
    use smpp_codec::text::receipt::{Base, IdMatch};
    for (mode, expect) in [
        (IdMatch::default(), false),
        (IdMatch::Numeric { submit: Base::Auto, receipt: Base::Auto }, true),
        (IdMatch::Numeric { submit: Base::Hex, receipt: Base::Decimal }, true),
        (IdMatch::Exact, false),
    ] {
        let mut bufs = Buffers::new();
        let mut p: Pair<'_, 8> = Pair::new(&mut bufs, Config { id_match: mode, ..cfg() }, cfg());
        p.policy.submit = Box::new(|_, _, _| Reaction::Accept("1a2b".into()));
        p.bind(BindKind::Transceiver);
        let h = p.esme.submit(p.now, &sm(b"x")).unwrap();
        p.run();
        // A receipt whose text says the id in decimal (0x1a2b = 6699), without TLVs.
        let text = b"id:6699 sub:001 dlvrd:001 submit date:2504231542 done date:2504231543 stat:DELIVRD err:000";
        let d = DeliverSm {
            esm_class: smpp_codec::EsmClass::DELIVERY_RECEIPT,
            ..DeliverSm::new(Address::international("447700900123"), Address::alphanumeric("Test"), text)
        };
        p.smsc.send(p.now, &Pdu::DeliverSm(d)).unwrap();
        p.run();
        let Some(Ev::Receipt { submit, merged, .. }) = p.esme_events.iter().find(|e| matches!(e, Ev::Receipt { .. }))
        else {
            panic!()
        };
        assert_eq!(merged.as_ref(), Some(&("6699".to_string(), MessageState::DELIVERED)));
        assert_eq!(*submit, expect.then_some(h), "{mode:?}");
    }
}

#[test]
fn receipts_correlate_over_many_messages() {
    let mut bufs = Buffers::new();
    let mut p: Pair<'_, 1> = Pair::new(&mut bufs, cfg(), cfg());
    p.policy.receipts = true;
    p.policy.submit = Box::new(|n, _, _| Reaction::Accept(format!("{n:x}")));
    p.bind(BindKind::Transceiver);
    for n in 0..40u32 {
        let h = p.esme.submit(p.now, &sm(b"x")).unwrap();
        p.run();
        let Some(Ev::Receipt { submit, receipted_id, .. }) =
            p.esme_events.iter().rev().find(|e| matches!(e, Ev::Receipt { .. }))
        else {
            panic!()
        };
        assert_eq!((*submit, receipted_id.clone()), (Some(h), Some(format!("{n:x}"))), "message {n}");
    }
}

#[test]
fn receipts_correlate_with_a_full_window() {
    let mut bufs = Buffers::new();
    let mut p: Pair<'_, 64> = Pair::new(&mut bufs, cfg(), cfg());
    p.policy.receipts = true;
    p.policy.submit = Box::new(|n, _, _| Reaction::Accept(format!("{n:x}")));
    p.bind(BindKind::Transceiver);
    for _ in 0..3 {
        while p.esme.submit(p.now, &sm(b"x")).is_ok() {}
        p.run();
    }
    for e in &p.esme_events {
        if let Ev::Receipt { submit, receipted_id, .. } = e {
            let n = u32::from_str_radix(receipted_id.as_deref().unwrap(), 16).unwrap();
            assert_eq!(*submit, Some(Handle(n)), "receipt {receipted_id:?}");
        }
    }
}
