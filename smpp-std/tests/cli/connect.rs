//! send, query and cancel against the server; exit codes; passwords; connection errors.

use std::time::{Duration, Instant};

use smpp_codec::CommandStatus;
use smpp_std::server::{Faults, Profile, ServerEvent};

use crate::common::*;

fn send(server: &smpp_std::Server, extra: &[&str]) -> Run {
    let c = conn(server);
    run(&with(&with(&["send"], &c), &extra.iter().map(|s| s.to_string()).collect::<Vec<_>>()))
}

#[test]
fn send_prints_ids_for_people_and_exits_0() {
    let server = server();
    let r = send(&server, &["--from", "Alarm", "--to", "+34600000001", "--text", "Zone 3 open"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("+34600000001: part 1/1 accepted as "), "{r:?}");
    assert!(r.stdout.contains("1 sent, 1 accepted, 0 failed"), "{r:?}");
    assert!(r.stderr.is_empty(), "{r:?}");
    r.assert_no_password();
}

#[test]
fn send_json_waits_for_receipts_and_every_line_is_an_object() {
    let server = server();
    let events = server.subscribe(64);
    let long = "Long alarm report. ".repeat(12);
    let r = send(
        &server,
        &["--from", "+34911111111", "--to", "+34600000001", "--text", &long, "--wait-receipt", "10", "--json"],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let submitted = r.events("submitted");
    assert!(submitted.len() >= 2, "{r:?}");
    for (i, s) in submitted.iter().enumerate() {
        assert_eq!(s["to"], "+34600000001");
        assert_eq!(s["part"], i + 1);
        assert_eq!(s["parts"], submitted.len());
        assert_eq!(s["message_id"].as_str().unwrap().len(), 13);
    }
    let receipts = r.events("receipt");
    assert_eq!(receipts.len(), submitted.len());
    assert!(receipts.iter().all(|x| x["stat"] == "DELIVRD" && x["err"] == "000"), "{receipts:?}");
    let summary = &r.events("summary")[0];
    assert_eq!(
        (summary["sent"].as_u64(), summary["accepted"].as_u64(), summary["delivered"].as_u64()),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(summary["failed"], 0);
    assert_eq!(r.json().last().unwrap()["event"], "summary");
    r.assert_no_password();
    // The sender's TON/NPI: international, ISDN, the + dropped on the wire.
    let sub = events
        .try_iter()
        .find_map(|e| match e {
            ServerEvent::Submitted { from, to, .. } => Some((from, to)),
            _ => None,
        })
        .unwrap();
    assert_eq!((sub.0.ton.raw(), sub.0.npi.raw(), sub.0.addr.as_str()), (1, 1, "34911111111"));
    assert_eq!((sub.1.ton.raw(), sub.1.addr.as_str()), (1, "34600000001"));
}

#[test]
fn an_undeliverable_receipt_exits_1_with_the_reason_on_stderr() {
    let server = server();
    // The labsmobile profile's destinations ending in 0 are undeliverable.
    let r = send(
        &server,
        &["--to", "+34600000001", "--to", "+34600000010", "--text", "hi", "--wait-receipt", "10", "--json"],
    );
    assert_eq!(r.code, 1, "{r:?}");
    let stats: Vec<_> = r.events("receipt").iter().map(|x| x["stat"].as_str().unwrap().to_owned()).collect();
    assert_eq!(stats, ["DELIVRD", "UNDELIV"]);
    assert_eq!(r.events("summary")[0]["failed"], 1);
    assert_eq!(r.stderr.lines().count(), 1, "{r:?}");
    assert!(r.stderr.contains("1 of 2 message(s) not DELIVRD"), "{r:?}");
}

#[test]
fn no_receipt_in_time_exits_1() {
    let mut profile = Profile::labsmobile();
    profile.receipts.delay = Duration::from_secs(3600);
    let server = smpp_std::Server::start("127.0.0.1:0", smpp_std::ServerConfig::new(USER, PASS, profile)).unwrap();
    let r = send(&server, &["--to", "+34600000001", "--text", "hi", "--wait-receipt", "1", "--json"]);
    assert_eq!(r.code, 1, "{r:?}");
    let e = &r.events("error")[0];
    assert_eq!(e["stage"], "receipt");
    assert!(e["reason"].as_str().unwrap().contains("no receipt"), "{e}");
    assert!(r.stderr.contains("without a receipt"), "{r:?}");
}

#[test]
fn a_refused_submission_is_an_error_event_and_exit_1() {
    let server =
        server_with(Profile::labsmobile(), |c| c.with_faults(Faults { throttle_every: Some(1), ..Faults::default() }));
    let r = send(&server, &["--to", "+34600000001", "--text", "hi", "--json", "--timeout", "5"]);
    assert_eq!(r.code, 1, "{r:?}");
    let e = &r.events("error")[0];
    assert_eq!(e["stage"], "submit");
    assert_eq!(e["status"], "ESME_RTHROTTLED", "{e}");
    assert!(r.stderr.contains("1 of 1 message(s) not accepted"), "{r:?}");
}

#[test]
fn a_transmitter_gets_its_receipts_through_a_receiver_beside_it() {
    let server = server();
    let events = server.subscribe(64);
    let r = send(&server, &["--bind", "tx", "--to", "+34600000001", "--text", "hi", "--wait-receipt", "10", "--json"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.events("receipt")[0]["stat"], "DELIVRD");
    let binds: Vec<_> = events
        .try_iter()
        .filter_map(|e| match e {
            ServerEvent::Bound { kind, .. } => Some(kind),
            _ => None,
        })
        .collect();
    assert!(binds.contains(&smpp_session::BindKind::Transmitter), "{binds:?}");
    assert!(binds.contains(&smpp_session::BindKind::Receiver), "{binds:?}");
}

#[test]
fn bulk_from_a_file_keeps_the_rate_and_sums_up() {
    let server = server();
    let numbers = "# customers\n+34600000001\n\n+34600000002\n+34600000003\n+34600000004\n+34600000005\n";
    let f = TempFile::new("numbers.txt", numbers.as_bytes());
    let started = Instant::now();
    let r = send(
        &server,
        &["--to-file", f.path(), "--text", "bulk", "--rate", "20", "--window", "2", "--json", "--wait-receipt", "10"],
    );
    let elapsed = started.elapsed();
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.events("submitted").len(), 5);
    let s = &r.events("summary")[0];
    assert_eq!((s["messages"].as_u64(), s["sent"].as_u64(), s["accepted"].as_u64()), (Some(5), Some(5), Some(5)));
    assert_eq!(s["delivered"], 5);
    // Five at 20 per second take at least 4/20 s.
    assert!(elapsed >= Duration::from_millis(200), "{elapsed:?}");
    assert!(s["elapsed_s"].as_f64().unwrap() >= 0.2, "{s}");
    // No progress bar when stderr is not a terminal.
    assert!(r.stderr.is_empty(), "{r:?}");
    let bad = TempFile::new("bad.txt", b"+34600000001\nnot-a-number\n");
    let r = send(&server, &["--to-file", bad.path(), "--text", "x"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("line 2") && r.stderr.contains("not a phone number"), "{r:?}");
}

#[test]
fn a_template_goes_as_engagelabs_json_body_with_keepalive() {
    let server = server_with(Profile::engagelab(), |c| c);
    let events = server.subscribe(64);
    let r = send(
        &server,
        &[
            "--to",
            "+6598765432",
            "--service-type",
            "CODE",
            "--template",
            "otp-1",
            "--code",
            "123456",
            "--param",
            "name=Zoë",
            "--enquire-link-interval",
            "30",
            "--validity",
            "10m",
            "--wait-receipt",
            "10",
            "--json",
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let text = events
        .try_iter()
        .find_map(|e| match e {
            ServerEvent::Message { text, data_coding, .. } => Some((text, data_coding)),
            _ => None,
        })
        .unwrap();
    assert_eq!(text.0, r#"{"id":"otp-1","language":"default","code":"123456","params":{"name":"Zoë"}}"#);
    assert_eq!(text.1, 8, "UCS-2 by default for a template");
    assert_eq!(r.events("receipt")[0]["stat"], "DELIVRD");
    // Without the template's service type, EngageLab refuses it.
    let r = send(&server, &["--to", "+6598765432", "--template", "t", "--service-type", "NOPE", "--json"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.events("error")[0]["status"], "ESME_RINVPARAM");
}

#[test]
fn a_scheduled_message_is_queried_cancelled_and_queried_again() {
    let server = server();
    let c = conn(&server);
    let r = run(&with(
        &with(&["send"], &c),
        &[
            "--from",
            "Alarm",
            "--to",
            "+34600000001",
            "--text",
            "later",
            "--schedule",
            "1h",
            "--registered-delivery",
            "--json",
        ]
        .map(String::from),
    ));
    assert_eq!(r.code, 0, "{r:?}");
    let id = r.events("submitted")[0]["message_id"].as_str().unwrap().to_owned();

    let q = run(&with(&with(&["query"], &c), &["--message-id", &id, "--from", "Alarm", "--json"].map(String::from)));
    assert_eq!(q.code, 0, "{q:?}");
    let v = &q.json()[0];
    assert_eq!(
        (v["event"].as_str(), v["message_id"].as_str(), v["status"].as_str()),
        (Some("query"), Some(id.as_str()), Some("ESME_ROK"))
    );
    assert_eq!(v["final_date"], serde_json::Value::Null);
    assert!(v["state"] == "SCHEDULED" || v["state"] == "ENROUTE", "{v}");

    let human = run(&with(&with(&["query"], &c), &["--message-id", &id, "--from", "Alarm"].map(String::from)));
    assert!(human.stdout.starts_with(&format!("{id}: ")), "{human:?}");

    let x = run(&with(&with(&["cancel"], &c), &["--message-id", &id, "--from", "Alarm", "--json"].map(String::from)));
    assert_eq!(x.code, 0, "{x:?}");
    assert_eq!(x.json()[0]["cancelled"], true);
    let q = run(&with(&with(&["query"], &c), &["--message-id", &id, "--from", "Alarm", "--json"].map(String::from)));
    assert_eq!(q.json()[0]["state"], "DELETED", "{q:?}");
    assert_eq!(q.json()[0]["final_date"].as_str().unwrap().len(), 16);

    // Cancelling again fails, and so does asking about an id the SMSC never gave.
    let x = run(&with(&with(&["cancel"], &c), &["--message-id", &id, "--from", "Alarm", "--json"].map(String::from)));
    assert_eq!(x.code, 1, "{x:?}");
    assert_eq!(x.json()[0]["status"], "ESME_RCANCELFAIL");
    let q = run(&with(&with(&["query"], &c), &["--message-id", "ffffffffffff0", "--json"].map(String::from)));
    assert_eq!(q.code, 1);
    assert_eq!(q.events("error")[0]["status"], CommandStatus::QUERY_FAILED.name().unwrap());
    assert_eq!(q.stderr.lines().count(), 1, "{q:?}");
}

#[test]
fn a_wrong_password_is_one_line_and_never_shows_a_password() {
    let server = server();
    let c = conn(&server);
    let r = run_with(smpp().env(PASS_ENV, "Wr0ngPw!").args(with(&["send"], &c)).args([
        "--to",
        "+34600000001",
        "--text",
        "x",
    ]));
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(r.stderr.lines().count(), 1, "{r:?}");
    assert!(r.stderr.contains("refused the bind: ESME_RINVPASWD"), "{r:?}");
    assert!(!r.stderr.contains("Wr0ngPw!") && !r.stdout.contains("Wr0ngPw!"), "{r:?}");
    assert!(r.stdout.is_empty());
}

#[test]
fn an_unreachable_host_is_one_line() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let r = run(&with(&["send", "--to", "+34600000001", "--text", "x"], &conn_port(port)));
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(r.stderr.lines().count(), 1, "{r:?}");
    assert!(r.stderr.starts_with(&format!("smpp: cannot connect to 127.0.0.1:{port}:")), "{r:?}");
}

#[test]
fn passwords_come_only_from_the_environment_a_file_or_a_prompt() {
    let server = server();
    let port = server.local_addr().port().to_string();
    let base = ["send", "--port", &port, "--system-id", USER, "--to", "+34600000001", "--text", "x"];
    // On the command line: refused, without echoing it.
    let r = run(&[&base[..], &["--password", PASS]].concat());
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("--password is not taken on the command line"), "{r:?}");
    r.assert_no_password();
    // From a file (its first line).
    let f = TempFile::new("pw", format!("{PASS}\n").as_bytes());
    let r = run(&[&base[..], &["--password-file", f.path()]].concat());
    assert_eq!(r.code, 0, "{r:?}");
    r.assert_no_password();
    // None at all, and stdin is not a terminal: no prompt, a clear error.
    let r = run(&base);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("no password"), "{r:?}");
    let r = run(&[&base[..], &["--password-env", "SMPP_NO_SUCH_VARIABLE"]].concat());
    assert!(r.stderr.contains("SMPP_NO_SUCH_VARIABLE is not set"), "{r:?}");
}

#[test]
fn bad_command_lines_exit_2_or_get_a_clear_error() {
    let r = run(&["send", "--no-such-flag"]);
    assert_eq!(r.code, 2, "{r:?}");
    let r = run(&["send", "--system-id", "a", "--priority", "7", "--to", "1", "--text", "x"]);
    assert_eq!(r.code, 2, "{r:?}");
    let server = server();
    let c = conn(&server);
    for (args, expect) in [
        (vec!["--to", "+34600000001"], "nothing to send"),
        (vec!["--text", "x"], "no recipient"),
        (vec!["--to", "12ab", "--text", "x"], "not a phone number"),
        (vec!["--from", "MuchTooLongSender", "--to", "1", "--text", "x"], "longer than 11"),
        (vec!["--to", "1", "--text", "x", "--validity", "10x"], "unknown unit"),
        (vec!["--to", "1", "--text", "x", "--schedule", "2025-02-30T25:00"], "--schedule"),
        (vec!["--to", "1", "--text", "Zoë 🚨", "--encoding", "gsm7"], "cannot be sent"),
        (vec!["--to", "1", "--template", "t", "--param", "novalue"], "key=value"),
    ] {
        let r = run(&with(&with(&["send"], &c), &args.iter().map(|s| s.to_string()).collect::<Vec<_>>()));
        assert_eq!(r.code, 1, "{args:?}: {r:?}");
        assert_eq!(r.stderr.lines().count(), 1, "{args:?}: {r:?}");
        assert!(r.stderr.contains(expect), "{args:?}: {r:?}");
        assert!(!r.stderr.contains("panicked"), "{r:?}");
    }
}

#[test]
fn the_demo_sends_three_texts_and_shows_their_receipts() {
    let r = run(&["demo", "--json"]);
    assert_eq!(r.code, 0, "{r:?}");
    let kinds: std::collections::BTreeSet<_> =
        r.events("receipt").iter().map(|x| x["kind"].as_str().unwrap().to_owned()).collect();
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), ["long", "standard", "unicode"]);
    assert_eq!(r.events("submitted").len(), r.events("receipt").len());
    assert!(r.events("receipt").iter().all(|x| x["stat"] == "DELIVRD"));
    let human = run(&["demo"]);
    assert_eq!(human.code, 0, "{human:?}");
    assert!(human.stdout.contains("unicode receipt for"), "{human:?}");
}

/// An SMSC that accepts every submit_sm and answers it with an ACCEPTD receipt (an
/// intermediate state the simulator never sends), for `connections` connections in turn.
fn intermediate_smsc(connections: usize) -> (u16, std::thread::JoinHandle<()>) {
    use smpp_codec::pdu::{BindResp, MessageIdResp, Sm};
    use smpp_codec::{Address, CommandId, EsmClass, MessageState, Pdu, Tlv, TlvTag, Tlvs};

    use crate::listen::{read_pdu, write_pdu};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        for n in 0..connections {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = Vec::new();
            let id = format!("abc{n}");
            while let Some((h, _)) = read_pdu(&mut s, &mut buf) {
                match h.command_id {
                    CommandId::BIND_TRANSCEIVER => {
                        let r = Pdu::BindTransceiverResp(BindResp { system_id: "SMSC".into(), ..BindResp::default() });
                        write_pdu(&mut s, &r, h.sequence_number, CommandStatus::OK);
                    }
                    CommandId::SUBMIT_SM => {
                        write_pdu(
                            &mut s,
                            &Pdu::SubmitSmResp(MessageIdResp::new(&id)),
                            h.sequence_number,
                            CommandStatus::OK,
                        );
                        let text = format!("id:{id} submit date:2504231542 done date:2504231543 stat:ACCEPTD err:000");
                        let tlvs = [
                            Tlv::cstr(TlvTag::RECEIPTED_MESSAGE_ID, id.as_str()),
                            Tlv::message_state(MessageState::ACCEPTED),
                        ];
                        let mut sm =
                            Sm::new(Address::international("34600000001"), Address::default(), text.as_bytes());
                        sm.esm_class = EsmClass::DELIVERY_RECEIPT;
                        sm.tlvs = Tlvs::from_slice(&tlvs);
                        write_pdu(&mut s, &Pdu::DeliverSm(sm), 77, CommandStatus::OK);
                    }
                    CommandId::UNBIND => {
                        write_pdu(&mut s, &Pdu::UnbindResp, h.sequence_number, CommandStatus::OK);
                        break;
                    }
                    _ => {}
                }
            }
        }
    });
    (port, t)
}

#[test]
fn an_intermediate_receipt_is_success_only_with_accept_intermediate() {
    let (port, smsc) = intermediate_smsc(2);
    let c = conn_port(port);
    let r = run(&with(&["send", "--to", "+34600000001", "--text", "hi", "--wait-receipt", "2", "--json"], &c));
    assert_eq!(r.code, 1, "ACCEPTD is not DELIVRD: {r:?}");
    assert_eq!(r.events("receipt")[0]["stat"], "ACCEPTD");
    assert!(r.stderr.contains("1 of 1 message(s) not DELIVRD"), "{r:?}");
    let r = run(&with(
        &["send", "--to", "+34600000001", "--text", "hi", "--wait-receipt", "5", "--accept-intermediate", "--json"],
        &c,
    ));
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.is_empty(), "{r:?}");
    let receipt = &r.events("receipt")[0];
    assert_eq!((receipt["stat"].as_str(), receipt["state"].as_str()), (Some("ACCEPTD"), Some("ACCEPTED")));
    assert_eq!(r.events("summary")[0]["delivered"], 1);
    smsc.join().unwrap();
}

#[test]
fn ctrl_c_during_a_send_unbinds_and_says_so() {
    let server = server_with(Profile::labsmobile(), |c| {
        c.with_faults(Faults { response_delay: Duration::from_secs(5), ..Faults::default() })
    });
    let events = server.subscribe(64);
    let c = conn(&server);
    let send = Live::spawn(&with(&["send", "--to", "+34600000001", "--text", "slow", "--json", "--timeout", "20"], &c));
    // Bound, the submission waiting for its (held back) answer.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !events.try_iter().any(|e| matches!(e, ServerEvent::Submitted { .. })) {
        assert!(Instant::now() < deadline, "no submission");
        std::thread::sleep(Duration::from_millis(20));
    }
    send.interrupt();
    let r = send.finish(Duration::from_secs(10));
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("interrupted"), "{r:?}");
    assert_eq!(r.json().last().unwrap()["interrupted"], true);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let closed = events.try_iter().find_map(|e| match e {
            ServerEvent::Closed { reason, .. } => Some(reason.name()),
            _ => None,
        });
        if let Some(reason) = closed {
            assert_eq!(reason, "peer_unbound", "Ctrl-C unbinds");
            break;
        }
        assert!(Instant::now() < deadline, "the connection did not end");
        std::thread::sleep(Duration::from_millis(20));
    }
}
