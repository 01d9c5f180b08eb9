//! The server as a whole: its port, many clients at once, accounts, stopping, hostile input,
//! receipts that clients refuse or lose, its events and its JSON-lines log.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::*;
use smpp_codec::{CommandId, CommandStatus, Pdu};
use smpp_session::{BindFailure, BindKind, CloseReason};
use smpp_std::server::{Account, CloseCause, JsonLog, Profile, ServerConfig, ServerEvent};

const USER: &str = "smppclient1";
const PASS: &str = "password";

fn config() -> ServerConfig {
    ServerConfig::new(USER, PASS, fast(Profile::labsmobile()))
}

#[test]
fn port_zero_picks_a_port_and_reports_it() {
    let server = start(config());
    assert!(server.local_addr().port() != 0);
    assert!(TcpStream::connect(server.local_addr()).is_ok());
}

#[test]
fn many_clients_at_once_each_get_their_answers_and_receipts() {
    let accounts: Vec<(String, String)> = (0..4).map(|i| (format!("acct{i}"), format!("pw{i}"))).collect();
    let mut c = ServerConfig::new("unused", "unused", fast(Profile::labsmobile()));
    c.accounts = accounts.iter().map(|(u, p)| Account::new(u.as_str(), p.as_str())).collect();
    let server = start(c);
    let addr = server.local_addr();
    let threads: Vec<_> = (0..24)
        .map(|i| {
            let (user, pass) = accounts[i % 4].clone();
            std::thread::spawn(move || {
                let mut e = Esme::bound(addr, BindKind::Transceiver, &user, &pass);
                let mut ids: Vec<String> = (0..10).map(|_| e.submit_wait(&sm("34600000001", b"hi")).1).collect();
                let mut got: Vec<String> = Vec::new();
                // Receipts go to any transceiver of the account: take what comes here for a
                // while, then count across all clients.
                while let Some(d) = e.deliver(Duration::from_millis(500)) {
                    got.push(d.receipted_id.unwrap());
                }
                assert_eq!(e.unbind(), Some(CloseReason::Unbound));
                ids.sort();
                (ids, got)
            })
        })
        .collect();
    let mut all_ids = Vec::new();
    let mut all_receipts = Vec::new();
    for t in threads {
        let (ids, got) = t.join().unwrap();
        assert_eq!(ids.len(), 10);
        all_ids.extend(ids);
        all_receipts.extend(got);
    }
    all_ids.sort();
    all_receipts.sort();
    assert_eq!(all_ids.len(), 240);
    assert_eq!(all_receipts, all_ids, "every message has exactly one receipt");
    assert_eq!(server.stats().submitted.load(Ordering::Relaxed), 240);
    assert_eq!(server.stats().binds.load(Ordering::Relaxed), 24);
}

#[test]
fn credentials_are_checked_against_the_account_list() {
    let server = start(config().with_account(Account::new("second", "pw2")));
    Esme::bound(server.local_addr(), BindKind::Transceiver, "second", "pw2");
    Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    let mut e = Esme::connect(server.local_addr(), quiet());
    assert_eq!(
        e.bind(BindKind::Transceiver, "second", PASS),
        Err(BindFailure::Rejected(CommandStatus::INVALID_PASSWORD)),
        "another account's password"
    );
}

#[test]
fn stopping_unbinds_bound_clients_and_closes_the_others() {
    let mut c = config();
    c.session.unbind_timeout = smpp_session::Duration::from_millis(300);
    let mut server = start(c);
    let events = server.subscribe(100);
    let addr = server.local_addr();
    let bound = std::thread::spawn(move || {
        let mut e = Esme::bound(addr, BindKind::Transceiver, USER, PASS);
        e.closed(Duration::from_secs(5))
    });
    let mut unbound = RawEsme::connect(addr);
    // A bound client that never answers the unbind: stop waits only the unbind timeout.
    let mut deaf = RawEsme::bound(addr, USER, PASS);
    assert!(eventually(Duration::from_secs(2), || server.stats().binds.load(Ordering::Relaxed) == 2));
    let started = Instant::now();
    server.stop();
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(bound.join().unwrap(), Some(CloseReason::PeerUnbound));
    assert!(unbound.next().is_none(), "an unbound connection is closed");
    let (h, _) = deaf.next().unwrap();
    assert_eq!(h.command_id, CommandId::UNBIND);
    assert!(deaf.next().is_none());
    let closed: Vec<ServerEvent> = events.try_iter().filter(|e| matches!(e, ServerEvent::Closed { .. })).collect();
    assert_eq!(closed.len(), 3, "{closed:?}");
    assert!(TcpStream::connect(addr).is_err() || server.connections() == 0);
}

#[test]
fn garbage_closes_only_its_own_connection() {
    let server = start(config());
    let mut good = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    // A length that cannot be right: generic_nack ESME_RINVCMDLEN, then close.
    let mut bad = RawEsme::connect(server.local_addr());
    bad.write(&[0, 0, 0, 5, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 0, 0, 0, 7]);
    let (h, _) = bad.next().unwrap();
    assert_eq!((h.command_id, h.command_status), (CommandId::GENERIC_NACK, CommandStatus::INVALID_COMMAND_LENGTH));
    assert!(bad.next().is_none());
    // Longer than the server takes.
    let mut big = RawEsme::connect(server.local_addr());
    big.write(&[0, 0x10, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 9]);
    let (h, _) = big.next().unwrap();
    assert_eq!(h.command_status, CommandStatus::INVALID_COMMAND_LENGTH);
    assert!(big.next().is_none());
    // Random octets, many times.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..20 {
        let mut s = TcpStream::connect(server.local_addr()).unwrap();
        let junk: Vec<u8> = (0..300)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect();
        let _ = s.write_all(&junk);
    }
    // An unknown command: generic_nack, and the session goes on.
    let mut raw = RawEsme::bound(server.local_addr(), USER, PASS);
    let h = raw.request(&[0, 0, 0, 16, 0, 0, 0x12, 0x34, 0, 0, 0, 0, 0, 0, 0, 5]);
    assert_eq!((h.command_id, h.command_status), (CommandId::GENERIC_NACK, CommandStatus::INVALID_COMMAND_ID));
    let h = raw.request(&encode(&Pdu::SubmitSm(sm("34600000001", b"hi")), 6));
    assert_eq!(h.command_status, CommandStatus::OK);
    let (status, _) = good.submit_wait(&sm("34600000001", b"still here"));
    assert_eq!(status, CommandStatus::OK);
}

#[test]
fn coalesced_pdus_are_all_answered_in_order() {
    let server = start(config());
    let mut raw = RawEsme::bound(server.local_addr(), USER, PASS);
    let mut burst = Vec::new();
    for seq in 10..110 {
        burst.extend(encode(&Pdu::SubmitSm(sm("34600000001", b"burst")), seq));
        burst.extend(encode(&Pdu::EnquireLink, seq + 1000));
    }
    raw.write(&burst);
    let mut seqs = Vec::new();
    while seqs.len() < 200 {
        let (h, frame) = raw.next().unwrap();
        if h.command_id == CommandId::DELIVER_SM {
            raw.write(&encode(&Pdu::DeliverSmResp(Default::default()), h.sequence_number));
            continue;
        }
        assert!(Pdu::parse(&frame).is_ok());
        seqs.push(h.sequence_number);
    }
    let want: Vec<u32> = (10..110).flat_map(|s| [s, s + 1000]).collect();
    assert_eq!(seqs, want);
}

#[test]
fn a_flood_from_a_client_that_never_reads_does_not_wedge_the_server() {
    let mut c = config();
    c.session.unbind_timeout = smpp_session::Duration::from_millis(200);
    let mut server = start(c);
    let mut flood = RawEsme::bound(server.local_addr(), USER, PASS);
    flood.stream.set_write_timeout(Some(Duration::from_millis(500))).unwrap();
    let one = encode(&Pdu::EnquireLink, 1);
    let burst: Vec<u8> = one.iter().copied().cycle().take(one.len() * 4096).collect();
    // Write until the server stops reading (its buffers are full, ours too).
    let started = Instant::now();
    let mut written = 0usize;
    while started.elapsed() < Duration::from_secs(3) {
        match flood.stream.write(&burst) {
            Ok(n) => written += n,
            Err(_) => break,
        }
    }
    assert!(written > 0);
    // Others are served meanwhile.
    let mut good = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    assert_eq!(good.submit_wait(&sm("34600000001", b"hi")).0, CommandStatus::OK);
    let started = Instant::now();
    server.stop();
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
}

#[test]
fn a_connection_that_never_binds_is_closed() {
    let mut c = config();
    c.session.session_init_timeout = smpp_session::Duration::from_millis(150);
    let server = start(c);
    let mut s = TcpStream::connect(server.local_addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 16];
    assert_eq!(s.read(&mut buf).unwrap(), 0);
    assert!(started.elapsed() >= Duration::from_millis(140));
}

#[test]
fn connections_beyond_the_limit_are_closed_at_once() {
    let mut c = config();
    c.max_connections = 2;
    let server = start(c);
    let _a = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    let _b = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    let mut third = RawEsme::connect(server.local_addr());
    third.write(&encode(&Pdu::EnquireLink, 1));
    assert!(third.next().is_none());
    assert_eq!(server.stats().connections_refused.load(Ordering::Relaxed), 1);
}

#[test]
fn a_receipt_refused_for_now_comes_again_and_one_refused_for_good_does_not() {
    let server = start(config());
    let events = server.subscribe(1000);
    let mut e = Esme::connect(server.local_addr(), manual_ack());
    e.bind(BindKind::Transceiver, USER, PASS).unwrap();
    let (_, id) = e.submit_wait(&sm("34600000001", b"hi"));
    let first = e.deliver(Duration::from_secs(3)).unwrap();
    let now = e.now();
    e.session.ack(now, first.token.unwrap(), CommandStatus::RECEIVER_TEMPORARY_ERROR).unwrap();
    let again = e.deliver(Duration::from_secs(3)).unwrap();
    assert_eq!(again.receipted_id.as_deref(), Some(id.as_str()));
    let gap = again.at.duration_since(first.at);
    assert!(gap >= Duration::from_millis(900), "retried after a pause: {gap:?}");
    let now = e.now();
    e.session.ack(now, again.token.unwrap(), CommandStatus::OK).unwrap();

    let (_, id2) = e.submit_wait(&sm("34600000001", b"hi"));
    let d = e.deliver(Duration::from_secs(3)).unwrap();
    let now = e.now();
    e.session.ack(now, d.token.unwrap(), CommandStatus::RECEIVER_PERMANENT_ERROR).unwrap();
    assert!(e.deliver(Duration::from_millis(1300)).is_none(), "refused for good");
    let receipts = take_events(&events, 3, Duration::from_secs(1), |e| matches!(e, ServerEvent::Receipt { .. }));
    let statuses: Vec<(String, CommandStatus)> = receipts
        .into_iter()
        .map(|e| match e {
            ServerEvent::Receipt { message_id, status, .. } => (message_id, status),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(statuses, [(id, CommandStatus::OK), (id2, CommandStatus::RECEIVER_PERMANENT_ERROR)]);
}

#[test]
fn receipts_in_flight_when_a_receiver_goes_come_to_the_next_one() {
    let server = start(config());
    let mut tx = Esme::bound(server.local_addr(), BindKind::Transmitter, USER, PASS);
    let mut rx = Esme::connect(server.local_addr(), manual_ack());
    rx.bind(BindKind::Receiver, USER, PASS).unwrap();
    let (_, id) = tx.submit_wait(&sm("34600000001", b"hi"));
    let d = rx.deliver(Duration::from_secs(3)).unwrap();
    assert_eq!(d.receipted_id.as_deref(), Some(id.as_str()));
    drop(rx); // never answered
    let mut next = Esme::bound(server.local_addr(), BindKind::Receiver, USER, PASS);
    assert_eq!(next.deliver(Duration::from_secs(3)).unwrap().receipted_id, Some(id));
}

#[test]
fn events_tell_the_story_of_a_session() {
    let server = start(config());
    let events = server.subscribe(1000);
    let mut e = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    let (_, id) = e.submit_wait(&sm("34600000001", b"Zone 3 open"));
    e.deliver(Duration::from_secs(3)).unwrap();
    e.unbind();
    let all = take_events(&events, 6, Duration::from_secs(3), |_| true);
    let kinds: Vec<&str> = all
        .iter()
        .map(|e| match e {
            ServerEvent::Connected { .. } => "connected",
            ServerEvent::Bound { .. } => "bound",
            ServerEvent::Submitted { .. } => "submitted",
            ServerEvent::Message { .. } => "message",
            ServerEvent::Receipt { .. } => "receipt",
            ServerEvent::Closed { .. } => "closed",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["connected", "bound", "submitted", "message", "receipt", "closed"]);
    match &all[3] {
        ServerEvent::Message { text, message_ids, from, to, .. } => {
            assert_eq!(text, "Zone 3 open");
            assert_eq!(message_ids, std::slice::from_ref(&id));
            assert_eq!((from.addr.as_str(), to.addr.as_str()), ("Alarm", "34600000001"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(&all[4], ServerEvent::Receipt { message_id, status, .. } if *message_id == id && status.is_ok()));
    assert!(matches!(&all[5], ServerEvent::Closed { reason: CloseCause::Session(CloseReason::PeerUnbound), .. }));
}

#[test]
fn the_json_log_has_every_pdu_both_ways_and_the_events_but_no_password() {
    let path = std::env::temp_dir().join(format!("smpp-log-{}.jsonl", std::process::id()));
    let mut server = start(config().with_log(JsonLog::create(&path).unwrap()));
    let mut e = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    let text = "Alarma 🚨 zona 3".encode_utf16().flat_map(u16::to_be_bytes).collect::<Vec<u8>>();
    let mut s = sm("34600000001", &text);
    s.data_coding = smpp_codec::DataCoding(8);
    let (_, id) = e.submit_wait(&s);
    e.deliver(Duration::from_secs(3)).unwrap();
    e.idle(Duration::from_millis(20));
    e.unbind();
    server.stop();
    let raw = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(!raw.contains(PASS), "the password is never written");
    let lines: Vec<serde_json::Value> = raw.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(lines.iter().all(|l| l["ts"].as_str().is_some_and(|t| t.ends_with('Z'))));
    let pdus: Vec<(String, String)> = lines
        .iter()
        .filter(|l| l["pdu"].is_string())
        .map(|l| (l["dir"].as_str().unwrap().to_string(), l["pdu"].as_str().unwrap().to_string()))
        .collect();
    let want = [
        ("in", "bind_transceiver"),
        ("out", "bind_transceiver_resp"),
        ("in", "submit_sm"),
        ("out", "submit_sm_resp"),
        ("out", "deliver_sm"),
        ("in", "deliver_sm_resp"),
        ("in", "unbind"),
        ("out", "unbind_resp"),
    ];
    let want: Vec<(String, String)> = want.iter().map(|(d, p)| (d.to_string(), p.to_string())).collect();
    assert_eq!(pdus, want);
    let submit = lines.iter().find(|l| l["pdu"] == "submit_sm").unwrap();
    assert_eq!(submit["fields"]["text"], "Alarma 🚨 zona 3");
    assert_eq!(submit["fields"]["data_coding"], 8);
    assert_eq!(submit["fields"]["destination_addr"], "34600000001");
    let resp = lines.iter().find(|l| l["pdu"] == "submit_sm_resp").unwrap();
    assert_eq!(resp["fields"]["message_id"], id.as_str());
    let receipt = lines.iter().find(|l| l["pdu"] == "deliver_sm").unwrap();
    assert!(receipt["fields"]["text"].as_str().unwrap().contains("stat:DELIVRD"));
    let events: Vec<&str> = lines.iter().filter_map(|l| l["event"].as_str()).collect();
    assert_eq!(events, ["connected", "bound", "submitted", "message", "receipt", "closed"]);
    let message = lines.iter().find(|l| l["event"] == "message").unwrap();
    assert_eq!(message["text"], "Alarma 🚨 zona 3");
    assert_eq!(message["message_ids"][0], id.as_str());
}

/// A small deterministic generator, so that a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn byte(&mut self) -> u8 {
        self.next() as u8
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.byte()).collect()
    }
}

#[test]
fn odd_submissions_are_each_answered_and_never_break_the_server() {
    use smpp_codec::pdu::SubmitSm;
    use smpp_codec::{Address, DataCoding, EsmClass, RegisteredDelivery, Tlv, Tlvs};

    let path = std::env::temp_dir().join(format!("smpp-odd-{}.jsonl", std::process::id()));
    let mut c = config().with_log(JsonLog::create(&path).unwrap());
    c.reassembly_timeout = Duration::from_millis(200);
    c.session.unbind_timeout = smpp_session::Duration::from_millis(100);
    let mut profile = Profile::engagelab();
    profile.receipts.delay = Duration::from_millis(5);
    let mut server = start(ServerConfig { profile, ..c });
    let events = server.subscribe(100_000);
    let mut raw = RawEsme::bound(server.local_addr(), USER, PASS);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let times = ["", "000000000001000R", "991231235959948-", "250423154200004+", "000000000000000R"];
    for seq in 2..1500u32 {
        let dest = match rng.below(4) {
            0 => String::new(),
            1 => "+6598765432".to_string(),
            2 => format!("34600{}", rng.below(1_000_000)),
            _ => rng.bytes(12).iter().map(|b| char::from(b % 94 + 33)).collect(),
        };
        // User data: sometimes a concatenation UDH with odd numbers, sometimes JSON.
        let mut data = match rng.below(4) {
            0 => vec![0x05, 0x00, 0x03, rng.byte() % 4, rng.byte() % 4, rng.byte() % 4],
            1 => vec![0x06, 0x08, 0x04, 0, rng.byte() % 4, rng.byte() % 5, rng.byte() % 5],
            2 => br#"{"id":"t1","params":{"a":"b"}}"#.to_vec(),
            _ => Vec::new(),
        };
        let len = rng.below(140) as usize;
        data.extend(rng.bytes(len));
        data.truncate(254);
        let service = ["", "MSG", "CODE", "XYZ"][rng.below(4) as usize];
        let mut sm = SubmitSm::new(Address::alphanumeric("Odd"), Address::international(&dest), &data);
        sm.service_type = service.into();
        sm.esm_class = EsmClass(rng.byte());
        sm.data_coding = DataCoding(rng.byte());
        sm.registered_delivery = RegisteredDelivery(rng.byte());
        sm.validity_period = times[rng.below(5) as usize].into();
        sm.schedule_delivery_time = if rng.below(8) == 0 { times[1] } else { "" }.into();
        let payload_len = rng.below(300) as usize;
        let payload = rng.bytes(payload_len);
        let tlvs = [
            Tlv::sar_msg_ref_num(rng.below(3) as u16),
            Tlv::sar_total_segments(rng.byte() % 4),
            Tlv::sar_segment_seqnum(rng.byte() % 5),
            Tlv::message_payload(&payload),
        ];
        let n = rng.below(5) as usize;
        // The encoder will not write both short_message and message_payload.
        let n = if data.is_empty() { n.min(4) } else { n.min(3) };
        sm.tlvs = Tlvs::from_slice(&tlvs[..n]);
        let mut frame = encode(&smpp_codec::Pdu::SubmitSm(sm), seq);
        // Now and then a time field that does not parse.
        if rng.below(10) == 0 {
            if let Some(at) = frame.windows(16).position(|w| w == times[1].as_bytes()) {
                frame[at + rng.below(16) as usize] = rng.byte();
            }
        }
        raw.write(&frame);
        loop {
            let (h, _) = raw.next().unwrap_or_else(|| panic!("the server went away at {seq}"));
            if h.command_id == CommandId::DELIVER_SM {
                raw.write(&encode(&Pdu::DeliverSmResp(Default::default()), h.sequence_number));
                continue;
            }
            assert_eq!(h.sequence_number, seq, "{h:?}");
            break;
        }
    }
    // Still serving, others too.
    let h = raw.request(&encode(&Pdu::EnquireLink, 9999));
    assert_eq!(h.command_status, CommandStatus::OK);
    let mut good = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    let mut s = sm("+6598765432", br#"{"id":"t1"}"#);
    s.service_type = "MSG".into();
    s.data_coding = smpp_codec::DataCoding(1);
    assert_eq!(good.submit_wait(&s).0, CommandStatus::OK);
    server.stop();
    assert!(events.try_iter().count() > 1000);
    let log = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(log.lines().all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
}

#[cfg(feature = "tls")]
#[test]
fn over_tls_a_client_binds_submits_and_gets_its_receipt_and_plain_tcp_is_refused() {
    use smpp_std::{Addr, Client, ClientConfig, TextMessage};

    let generated = smpp_std::tls::generate(&["localhost", "127.0.0.1"], -60, 3600).unwrap();
    let tls = smpp_std::tls::server_config_from(generated.chain, generated.key).unwrap();
    let server = start(config().with_tls(tls));
    let events = server.subscribe(100);
    let ca = std::env::temp_dir().join(format!("smpp-tls-ca-{}.pem", std::process::id()));
    std::fs::write(&ca, &generated.ca_pem).unwrap();
    let options = smpp_std::tls::TlsOptions { ca_file: Some(ca.clone()), ..Default::default() };
    let port = server.local_addr().port();
    let client: Client = Client::connect_tls("127.0.0.1", port, &options, ClientConfig::new(USER, PASS)).unwrap();
    let msg = TextMessage::new(Addr::sender("Alarm").unwrap(), Addr::number("+34600000001").unwrap(), "over TLS 🔒")
        .with_receipt();
    let outcome = client.send_text(msg).unwrap().wait(Duration::from_secs(5)).unwrap();
    assert!(outcome.is_accepted(), "{outcome:?}");
    let receipts = client.wait_for_receipt(&outcome, Duration::from_secs(5)).unwrap();
    assert_eq!(receipts[0].stat.as_deref(), Some("DELIVRD"));
    client.close().unwrap();
    let _ = std::fs::remove_file(ca);
    let texts: Vec<String> =
        take_events(&events, 1, Duration::from_secs(2), |e| matches!(e, ServerEvent::Message { .. }))
            .into_iter()
            .filter_map(|e| match e {
                ServerEvent::Message { text, .. } => Some(text),
                _ => None,
            })
            .collect();
    assert_eq!(texts, ["over TLS 🔒"]);
    // A plaintext bind gets no SMPP answer: the handshake fails and the connection closes.
    let mut plain = RawEsme::connect(server.local_addr());
    plain.write(&encode(&Pdu::BindTransceiver(smpp_codec::pdu::Bind::new(USER, PASS)), 1));
    let mut buf = Vec::new();
    let _ = plain.stream.read_to_end(&mut buf);
    assert!(smpp_codec::Header::parse(&buf).map_or(true, |h| !h.command_id.is_response()), "{buf:?}");
    let closed = take_events(&events, 2, Duration::from_secs(2), |e| matches!(e, ServerEvent::Closed { .. }));
    assert!(
        closed
            .iter()
            .any(|e| matches!(e, ServerEvent::Closed { reason: CloseCause::Transport(t), .. } if t.contains("TLS"))),
        "{closed:?}"
    );
}

#[test]
fn receipts_beyond_the_queue_without_a_receiver_are_dropped_oldest_first_and_reported() {
    let mut c = config();
    c.max_receipts_queued = 2;
    let server = start(c);
    let events = server.subscribe(100);
    let mut tx = Esme::bound(server.local_addr(), BindKind::Transmitter, USER, PASS);
    let ids: Vec<String> = (0..4).map(|_| tx.submit_wait(&sm("34600000001", b"hi")).1).collect();
    let dropped = take_events(&events, 2, Duration::from_secs(2), |e| matches!(e, ServerEvent::ReceiptDropped { .. }));
    let dropped: Vec<String> = dropped
        .into_iter()
        .map(|e| match e {
            ServerEvent::ReceiptDropped { message_id, .. } => message_id,
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(dropped, ids[..2]);
    let mut rx = Esme::bound(server.local_addr(), BindKind::Receiver, USER, PASS);
    let got: Vec<String> = (0..2).map(|_| rx.deliver(Duration::from_secs(2)).unwrap().receipted_id.unwrap()).collect();
    assert_eq!(got, ids[2..]);
    assert!(rx.deliver(Duration::from_millis(100)).is_none());
    assert_eq!(server.stats().receipts_dropped.load(Ordering::Relaxed), 2);
}
