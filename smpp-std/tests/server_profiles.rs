//! Every rule of the LabsMobile and EngageLab profiles, checked over TCP against the server
//! with a test ESME (the ESME-role session) that sees exactly what the server sent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::io::Read;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::*;
use smpp_codec::pdu::{CancelSm, QuerySm, SubmitSm};
use smpp_codec::text::segment::{Concatenation, Encoding};
use smpp_codec::{Address, CommandStatus, DataCoding, MessageState, Pdu, RegisteredDelivery, Tlv, Tlvs};
use smpp_session::{BindFailure, BindKind, CloseReason, Outcome};
use smpp_std::server::{Account, CloseCause, Profile, ServerConfig, ServerEvent};

const USER: &str = "smppclient1";
const PASS: &str = "password";

fn labsmobile() -> ServerConfig {
    ServerConfig::new(USER, PASS, fast(Profile::labsmobile()))
}

fn engagelab() -> ServerConfig {
    ServerConfig::new(USER, PASS, fast(Profile::engagelab()))
}

/// Checks a receipt text of the LabsMobile form and returns its stat and err.
fn labsmobile_text(text: &str, id: &str) -> (String, String) {
    let words: Vec<&str> = text.split(' ').collect();
    assert_eq!(words.len(), 7, "{text}");
    assert_eq!(words[0], format!("id:{id}"));
    assert_eq!((words[1], words[3]), ("submit", "done"), "{text}");
    for w in [words[2], words[4]] {
        let digits = w.strip_prefix("date:").unwrap_or_else(|| panic!("{text}"));
        assert!(digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit()), "{text}");
    }
    let stat = words[5].strip_prefix("stat:").unwrap().to_string();
    let err = words[6].strip_prefix("err:").unwrap().to_string();
    (stat, err)
}

fn is_hex13(id: &str) -> bool {
    id.len() == 13 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

// ---- LabsMobile ---------------------------------------------------------------------------

#[test]
fn labsmobile_accepts_all_three_binds() {
    let server = start(labsmobile());
    for kind in [BindKind::Transmitter, BindKind::Receiver, BindKind::Transceiver] {
        let mut e = Esme::bound(server.local_addr(), kind, USER, PASS);
        assert_eq!(e.unbind(), Some(CloseReason::Unbound), "{kind:?}");
    }
}

#[test]
fn labsmobile_answers_wrong_credentials_with_rinvpaswd() {
    let server = start(labsmobile());
    for (user, pass) in [(USER, "wrong"), ("nobody", PASS)] {
        let mut e = Esme::connect(server.local_addr(), quiet());
        let r = e.bind(BindKind::Transceiver, user, pass);
        assert_eq!(r, Err(BindFailure::Rejected(CommandStatus::INVALID_PASSWORD)));
        e.idle(Duration::from_millis(50));
        assert!(e.eof, "the server closes after refusing");
    }
}

#[test]
fn labsmobile_ids_are_13_hex_characters_and_unique() {
    let server = start(labsmobile());
    let mut e = Esme::bound(server.local_addr(), BindKind::Transmitter, USER, PASS);
    let mut ids: Vec<String> = (0..20).map(|_| e.submit_wait(&sm("34600000001", b"hi"))).map(|(_, id)| id).collect();
    assert!(ids.iter().all(|id| is_hex13(id)), "{ids:?}");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20);
}

#[test]
fn labsmobile_receipt_is_a_deliver_sm_with_esm_class_4_text_and_tlvs_after_the_delay() {
    let mut profile = Profile::labsmobile();
    profile.receipts.delay = Duration::from_millis(150);
    let server = start(ServerConfig::new(USER, PASS, profile));
    let mut e = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    let h = e.submit(&sm("34600000001", b"Zone 3 open"));
    let resp = e.response(h);
    let id = resp.message_id.clone().unwrap();
    let d = e.deliver(Duration::from_secs(3)).expect("a receipt");
    let waited = d.at.duration_since(resp.at);
    assert!(waited >= Duration::from_millis(120) && waited < Duration::from_secs(2), "{waited:?}");
    assert!(d.receipt);
    assert_eq!(d.esm_class, 4);
    assert_eq!((d.source.as_str(), d.source_ton, d.dest.as_str()), ("34600000001", 1, "Alarm"), "addresses swapped");
    assert_eq!(labsmobile_text(&d.text, &id), ("DELIVRD".into(), "000".into()));
    assert_eq!(d.receipted_id.as_deref(), Some(id.as_str()));
    assert_eq!(d.state, Some(MessageState::DELIVERED));
    assert_eq!(d.data_coding, 0);
}

#[test]
fn a_transmitters_receipts_go_to_a_receiver_of_the_same_account_only() {
    let config = labsmobile().with_account(Account::new("other", "pw"));
    let server = start(config);
    let addr = server.local_addr();
    let mut tx = Esme::bound(addr, BindKind::Transmitter, USER, PASS);
    let mut rx = Esme::bound(addr, BindKind::Receiver, USER, PASS);
    let mut other = Esme::bound(addr, BindKind::Receiver, "other", "pw");
    let (_, id) = tx.submit_wait(&sm("34600000001", b"hi"));
    let d = rx.deliver(Duration::from_secs(3)).expect("the receiver gets it");
    assert_eq!(d.receipted_id.as_deref(), Some(id.as_str()));
    tx.idle(Duration::from_millis(100));
    assert!(tx.deliver(Duration::ZERO).is_none(), "a transmitter takes no deliver_sm");
    assert!(other.deliver(Duration::from_millis(100)).is_none(), "another account's receiver gets nothing");
}

#[test]
fn receipts_wait_for_a_receiver_to_bind() {
    let server = start(labsmobile());
    let mut tx = Esme::bound(server.local_addr(), BindKind::Transmitter, USER, PASS);
    let ids: Vec<String> = (0..3).map(|_| tx.submit_wait(&sm("34600000001", b"hi")).1).collect();
    std::thread::sleep(Duration::from_millis(100));
    let mut rx = Esme::bound(server.local_addr(), BindKind::Receiver, USER, PASS);
    let got: Vec<String> = (0..3).map(|_| rx.deliver(Duration::from_secs(3)).unwrap().receipted_id.unwrap()).collect();
    assert_eq!(got, ids, "in order");
}

#[test]
fn destinations_matching_the_pattern_are_undeliverable() {
    let server = start(labsmobile());
    let mut e = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    let (_, id) = e.submit_wait(&sm("34600000000", b"hi"));
    let d = e.deliver(Duration::from_secs(3)).unwrap();
    assert_eq!(labsmobile_text(&d.text, &id), ("UNDELIV".into(), "001".into()));
    assert_eq!(d.state, Some(MessageState::UNDELIVERABLE));

    let mut profile = fast(Profile::labsmobile());
    profile.undeliverable = Some("3460000?9*".into());
    let server = start(ServerConfig::new(USER, PASS, profile));
    let mut e = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    for (dest, state) in [("34600000000", MessageState::DELIVERED), ("346000019", MessageState::UNDELIVERABLE)] {
        e.submit_wait(&sm(dest, b"hi"));
        assert_eq!(e.deliver(Duration::from_secs(3)).unwrap().state, Some(state), "{dest}");
    }
}

#[test]
fn registered_delivery_decides_which_messages_get_receipts() {
    let server = start(labsmobile());
    let mut e = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    // 0: none; 2: failures only; 1: always.
    for (rd, dest, wanted) in [
        (0, "34600000001", false),
        (0, "34600000000", false),
        (2, "34600000001", false),
        (2, "34600000000", true),
        (1, "34600000001", true),
    ] {
        let mut s = sm(dest, b"hi");
        s.registered_delivery = RegisteredDelivery(rd);
        let (_, id) = e.submit_wait(&s);
        let d = e.deliver(Duration::from_millis(if wanted { 3000 } else { 150 }));
        assert_eq!(d.is_some(), wanted, "registered_delivery {rd} to {dest}");
        if let Some(d) = d {
            assert_eq!(d.receipted_id, Some(id));
        }
    }
}

#[test]
fn labsmobile_without_balance_answers_runknownerr_with_no_message_id() {
    let log = std::env::temp_dir().join(format!("smpp-balance-{}.jsonl", std::process::id()));
    let config = ServerConfig::new("first", "pw", fast(Profile::labsmobile()))
        .with_log(smpp_std::server::JsonLog::create(&log).unwrap());
    let config = ServerConfig { accounts: vec![Account::new(USER, PASS).with_balance(2)], ..config };
    let mut server = start(config);
    let mut e = Esme::bound(server.local_addr(), BindKind::Transmitter, USER, PASS);
    let statuses: Vec<(CommandStatus, String)> = (0..3).map(|_| e.submit_wait(&sm("34600000001", b"hi"))).collect();
    assert_eq!(statuses[0].0, CommandStatus::OK);
    assert_eq!(statuses[1].0, CommandStatus::OK);
    assert_eq!(statuses[2], (CommandStatus::UNKNOWN_ERROR, String::new()));
    e.unbind();
    server.stop();
    // LabsMobile's example: cmdLength 16, an empty message_id.
    let text = std::fs::read_to_string(&log).unwrap();
    let resp: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["pdu"] == "submit_sm_resp")
        .collect();
    assert_eq!(resp.len(), 3);
    assert_eq!(resp[2]["status"], "ESME_RUNKNOWNERR");
    assert_eq!(resp[2]["length"], 16);
    let _ = std::fs::remove_file(log);
}

#[test]
fn query_sm_reports_the_state_final_date_and_error_code() {
    let mut profile = Profile::labsmobile();
    profile.receipts.delay = Duration::from_millis(200);
    let config = ServerConfig::new(USER, PASS, profile).with_account(Account::new("other", "pw"));
    let server = start(config);
    let mut e = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    let (_, ok) = e.submit_wait(&sm("34600000001", b"hi"));
    let (_, bad) = e.submit_wait(&sm("34600000000", b"hi"));
    let query = |e: &mut Esme, id: &str| {
        let h = e.send(&Pdu::QuerySm(QuerySm { message_id: id.into(), source: Address::alphanumeric("Alarm") }));
        e.response(h)
    };
    let r = query(&mut e, &ok);
    assert!(r.outcome.is_ok(), "{:?}", r.outcome);
    assert_eq!(r.message_id.as_deref(), Some(ok.as_str()));
    assert_eq!(r.query, Some((String::new(), MessageState::ENROUTE, 0)), "pending: no final_date");
    std::thread::sleep(Duration::from_millis(300));
    let r = query(&mut e, &ok);
    let (final_date, state, err) = r.query.unwrap();
    assert_eq!((state, err), (MessageState::DELIVERED, 0));
    assert!(final_date.len() == 16 && final_date.ends_with("00+"), "{final_date}");
    let r = query(&mut e, &bad);
    assert_eq!(r.query.map(|q| (q.1, q.2)), Some((MessageState::UNDELIVERABLE, 1)));
    let r = query(&mut e, "0000000000000");
    assert_eq!(r.outcome.status(), Some(CommandStatus::QUERY_FAILED));
    let mut other = Esme::bound(server.local_addr(), BindKind::Transceiver, "other", "pw");
    let r = query(&mut other, &ok);
    assert_eq!(r.outcome.status(), Some(CommandStatus::QUERY_FAILED), "another account's message");
}

fn cancel(e: &mut Esme, id: &str, dest: &str) -> CommandStatus {
    let c = CancelSm {
        service_type: "".into(),
        message_id: id.into(),
        source: Address::alphanumeric("Alarm"),
        dest: Address::international(dest),
    };
    let h = e.send(&Pdu::CancelSm(c));
    e.response(h).outcome.status().unwrap()
}

#[test]
fn cancel_sm_takes_undelivered_messages_and_they_get_no_receipt() {
    let mut profile = Profile::labsmobile();
    profile.receipts.delay = Duration::from_millis(300);
    let server = start(ServerConfig::new(USER, PASS, profile));
    let events = server.subscribe(1000);
    let mut e = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    let (_, a) = e.submit_wait(&sm("34600000001", b"one"));
    let (_, b) = e.submit_wait(&sm("34600000002", b"two"));
    let (_, c) = e.submit_wait(&sm("34600000002", b"three"));
    assert_eq!(cancel(&mut e, &a, ""), CommandStatus::OK);
    assert_eq!(cancel(&mut e, &a, ""), CommandStatus::CANCEL_FAILED, "already cancelled");
    assert_eq!(cancel(&mut e, "", "34600000002"), CommandStatus::OK, "by addresses: b and c");
    let (_, d) = e.submit_wait(&sm("34600000003", b"four"));
    let r = e.deliver(Duration::from_secs(3)).unwrap();
    assert_eq!(r.receipted_id.as_deref(), Some(d.as_str()), "only the message not cancelled");
    assert!(e.deliver(Duration::from_millis(400)).is_none());
    assert_eq!(cancel(&mut e, &d, ""), CommandStatus::CANCEL_FAILED, "delivered already");
    let h = e.send(&Pdu::QuerySm(QuerySm { message_id: b.as_str().into(), source: Address::default() }));
    assert_eq!(e.response(h).query.map(|q| q.1), Some(MessageState::DELETED));
    let cancels = take_events(&events, 4, Duration::from_secs(1), |e| matches!(e, ServerEvent::Cancel { .. }));
    let counts: Vec<usize> = cancels
        .iter()
        .map(|e| match e {
            ServerEvent::Cancel { cancelled, .. } => *cancelled,
            _ => 9,
        })
        .collect();
    assert_eq!(counts, [1, 0, 2, 0]);
    let _ = c;
}

/// An absolute SMPP time `secs` from now, written with a UTC offset of +2 h.
fn absolute_in(secs: i64) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let t = now + secs + 2 * 3600;
    let (days, rem) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    // Civil date from days since 1970 (Howard Hinnant's algorithm, written out for the test).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{:02}{:02}{:02}{:02}{:02}{:02}008+", y % 100, m, d, rem / 3600, rem / 60 % 60, rem % 60)
}

#[test]
fn a_message_whose_validity_ends_before_its_receipt_is_expired() {
    let mut profile = Profile::labsmobile();
    profile.receipts.delay = Duration::from_millis(2000);
    let server = start(ServerConfig::new(USER, PASS, profile));
    let mut e = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    let started = Instant::now();
    // Relative: 1 s.
    let mut s = sm("34600000001", b"hi");
    s.validity_period = "000000000001000R".into();
    let (_, rel) = e.submit_wait(&s);
    // Absolute, in the past (with an offset): expired at once.
    let past = absolute_in(-3600);
    let mut s = sm("34600000001", b"hi");
    s.validity_period = past.as_str().into();
    let (_, abs) = e.submit_wait(&s);
    let first = e.deliver(Duration::from_secs(3)).unwrap();
    assert_eq!(first.receipted_id.as_deref(), Some(abs.as_str()));
    assert_eq!(first.state, Some(MessageState::EXPIRED));
    assert!(first.text.contains("stat:EXPIRED"), "{}", first.text);
    let second = e.deliver(Duration::from_secs(3)).unwrap();
    assert_eq!(second.receipted_id.as_deref(), Some(rel.as_str()));
    assert_eq!(second.state, Some(MessageState::EXPIRED));
    let at = second.at.duration_since(started);
    assert!(
        at >= Duration::from_millis(900) && at < Duration::from_millis(1900),
        "expired at the validity's end: {at:?}"
    );
    // A validity past the receipt: delivered.
    let mut s = sm("34600000001", b"hi");
    let later = absolute_in(3600);
    s.validity_period = later.as_str().into();
    e.submit_wait(&s);
    assert_eq!(e.deliver(Duration::from_secs(3)).unwrap().state, Some(MessageState::DELIVERED));
}

#[test]
fn times_that_do_not_parse_are_refused() {
    let server = start(labsmobile());
    let mut raw = RawEsme::bound(server.local_addr(), USER, PASS);
    // The codec will not write a bad time, so the fields are patched in the encoded frame.
    for (field, status) in
        [(0, CommandStatus::INVALID_SCHEDULED_DELIVERY_TIME), (1, CommandStatus::INVALID_VALIDITY_PERIOD)]
    {
        let mut s = sm("34600000001", b"hi");
        let good = "000000000001000R";
        if field == 0 {
            s.schedule_delivery_time = good.into();
        } else {
            s.validity_period = good.into();
        }
        let mut frame = encode(&Pdu::SubmitSm(s), 7);
        let at = frame.windows(16).position(|w| w == good.as_bytes()).unwrap();
        frame[at..at + 16].copy_from_slice(b"250431256100000+");
        let h = raw.request(&frame);
        assert_eq!((h.command_status, h.sequence_number), (status, 7));
    }
}

#[test]
fn scheduled_delivery_times_the_receipt_from_the_schedule() {
    let server = start(labsmobile());
    let mut e = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    let started = Instant::now();
    let mut s = sm("34600000001", b"later");
    s.schedule_delivery_time = "000000000001000R".into();
    let (_, rel) = e.submit_wait(&s);
    let mut s = sm("34600000001", b"later");
    let abs_time = absolute_in(2);
    s.schedule_delivery_time = abs_time.as_str().into();
    let (_, abs) = e.submit_wait(&s);
    let h = e.send(&Pdu::QuerySm(QuerySm { message_id: rel.as_str().into(), source: Address::default() }));
    assert_eq!(e.response(h).query.map(|q| q.1), Some(MessageState::ENROUTE), "scheduled, not delivered yet");
    let first = e.deliver(Duration::from_secs(4)).unwrap();
    assert_eq!(first.receipted_id.as_deref(), Some(rel.as_str()));
    let at = first.at.duration_since(started);
    assert!(at >= Duration::from_millis(1000) && at < Duration::from_millis(1600), "{at:?}");
    let second = e.deliver(Duration::from_secs(4)).unwrap();
    assert_eq!(second.receipted_id.as_deref(), Some(abs.as_str()));
    let at = second.at.duration_since(started);
    assert!(at >= Duration::from_millis(1000) && at < Duration::from_millis(3100), "{at:?}");
}

#[test]
fn long_messages_are_reassembled_and_each_part_gets_its_own_receipt() {
    let server = start(labsmobile());
    let events = server.subscribe(1000);
    let mut e = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    let gsm = "Alarm panel 12 daily report: all zones armed at 22:00, zone 3 opened at 02:14 {ok} €5. ".repeat(4);
    let ucs2 = "Alarma 🚨 zona 3 abierta — ¿todo en orden? ✅ Привет 👋 ".repeat(4);
    let cases = [
        (gsm.as_str(), Encoding::Gsm7(Default::default()), Concatenation::Udh8, 0x2A),
        (ucs2.as_str(), Encoding::Ucs2, Concatenation::Udh16, 0x1234),
        (gsm.as_str(), Encoding::Gsm7(Default::default()), Concatenation::Sar, 0x77),
        (ucs2.as_str(), Encoding::Ucs2, Concatenation::Sar, 0x78),
    ];
    for (text, encoding, concat, reference) in cases {
        let parts = split(text, encoding, concat, reference);
        assert!(parts.len() >= 3, "{concat:?}: {} parts", parts.len());
        let ids = submit_parts(&mut e, "34600000001", &parts);
        let msg = take_events(&events, 1, Duration::from_secs(3), |e| matches!(e, ServerEvent::Message { .. }));
        let Some(ServerEvent::Message { text: got, message_ids, data_coding, .. }) = msg.first() else {
            panic!("{concat:?}: no message event")
        };
        assert_eq!(got, text, "{concat:?}");
        assert_eq!(message_ids, &ids, "{concat:?}");
        assert_eq!(*data_coding, encoding.data_coding().0);
        let mut receipted: Vec<String> =
            (0..ids.len()).map(|_| e.deliver(Duration::from_secs(3)).unwrap().receipted_id.unwrap()).collect();
        receipted.sort();
        let mut want = ids.clone();
        want.sort();
        assert_eq!(receipted, want, "{concat:?}: one receipt per part");
    }
}

#[test]
fn parts_that_never_complete_are_reported() {
    let mut config = labsmobile();
    config.reassembly_timeout = Duration::from_millis(100);
    let server = start(config);
    let events = server.subscribe(1000);
    let mut e = Esme::bound(server.local_addr(), BindKind::Transmitter, USER, PASS);
    let parts = split(&"x".repeat(400), Encoding::Gsm7(Default::default()), Concatenation::Udh8, 9);
    submit_parts(&mut e, "34600000001", &parts[..2]);
    let failed = take_events(&events, 1, Duration::from_secs(2), |e| matches!(e, ServerEvent::ReassemblyFailed { .. }));
    match failed.first() {
        Some(ServerEvent::ReassemblyFailed { received, total, reference, .. }) => {
            assert_eq!((*received, *total, *reference), (2, 3, 9));
        }
        other => panic!("{other:?}"),
    }
    // A part numbered beyond its total.
    let mut s = sm("34600000001", &[0x05, 0x00, 0x03, 0x01, 0x02, 0x03, b'x']);
    s.esm_class = smpp_codec::EsmClass(0).with_udhi(true);
    assert_eq!(e.submit_wait(&s).0, CommandStatus::OK, "accepted as a submission all the same");
    let failed = take_events(&events, 1, Duration::from_secs(2), |e| matches!(e, ServerEvent::ReassemblyFailed { .. }));
    assert_eq!(failed.len(), 1);
    // A part sent again after its message was whole is reported, not a new message.
    let parts = split(&"z".repeat(200), Encoding::Gsm7(Default::default()), Concatenation::Udh8, 10);
    submit_parts(&mut e, "34600000001", &parts);
    assert_eq!(take_events(&events, 1, Duration::from_secs(2), |e| matches!(e, ServerEvent::Message { .. })).len(), 1);
    submit_parts(&mut e, "34600000001", &parts[1..]);
    let again = take_events(&events, 1, Duration::from_secs(2), |e| matches!(e, ServerEvent::ReassemblyFailed { .. }));
    assert!(matches!(again.first(), Some(ServerEvent::ReassemblyFailed { received: 2, total: 2, .. })), "{again:?}");
}

// ---- EngageLab ----------------------------------------------------------------------------

fn engagelab_sm<'a>(service_type: &'a str, dest: &'a str, dc: u8, body: &'a [u8]) -> SubmitSm<'a> {
    let mut s = SubmitSm::new(Address::default(), Address::new(Default::default(), Default::default(), dest), body);
    s.service_type = service_type.into();
    s.data_coding = DataCoding(dc);
    s
}

fn ucs2(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

#[test]
fn engagelab_accepts_bind_transceiver_only() {
    let server = start(engagelab());
    let mut e = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    assert_eq!(e.unbind(), Some(CloseReason::Unbound));
    for kind in [BindKind::Transmitter, BindKind::Receiver] {
        let mut e = Esme::connect(server.local_addr(), quiet());
        // EngageLab answers generic_nack.
        assert_eq!(e.bind(kind, USER, PASS), Err(BindFailure::GenericNack(CommandStatus::INVALID_COMMAND_ID)));
    }
}

#[test]
fn engagelab_bind_resp_carries_the_clients_system_id() {
    let log = std::env::temp_dir().join(format!("smpp-echo-{}.jsonl", std::process::id()));
    let config = engagelab().with_log(smpp_std::server::JsonLog::create(&log).unwrap());
    let mut server = start(config);
    let mut e = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    e.unbind();
    server.stop();
    let text = std::fs::read_to_string(&log).unwrap();
    let resp = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["pdu"] == "bind_transceiver_resp")
        .unwrap();
    assert_eq!(resp["fields"]["system_id"], USER);
    let _ = std::fs::remove_file(log);
}

#[test]
fn engagelab_closes_the_connection_on_wrong_credentials_without_answering() {
    let server = start(engagelab());
    let events = server.subscribe(100);
    let mut e = Esme::connect(server.local_addr(), quiet());
    assert_eq!(e.bind(BindKind::Transceiver, USER, "wrong"), Err(BindFailure::ConnectionLost));
    assert_eq!(e.received, 0, "not one octet came back");
    let closed = take_events(&events, 1, Duration::from_secs(2), |e| matches!(e, ServerEvent::Closed { .. }));
    assert!(matches!(closed.first(), Some(ServerEvent::Closed { reason: CloseCause::BadCredentials, .. })));
    // The same on a raw socket: EOF, nothing else.
    let mut raw = TcpStream::connect(server.local_addr()).unwrap();
    let bind = [
        0, 0, 0, 0x1D, 0, 0, 0, 0x09, 0, 0, 0, 0, 0, 0, 0, 1, b't', b'e', b's', b't', 0, b'p', b'w', 0, 0, 0x34, 0, 0,
        0,
    ];
    std::io::Write::write_all(&mut raw, &bind).unwrap();
    raw.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let mut buf = [0u8; 64];
    assert_eq!(raw.read(&mut buf).unwrap(), 0);
}

#[test]
fn engagelab_checks_service_type_destination_and_the_json_body() {
    let server = start(engagelab());
    let mut e = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    let body = r#"{"id":"tmpl-1","language":"default","params":{"name":"Zoë 😀"}}"#;
    let u = ucs2(body);
    let hello = ucs2("Hello");
    let cases: Vec<(SubmitSm<'_>, CommandStatus)> = vec![
        (engagelab_sm("MSG", "+6598765432", 8, &u), CommandStatus::OK),
        (engagelab_sm("CODE", "6598765432", 8, &u), CommandStatus::OK),
        (engagelab_sm("MRKT", "+6598765432", 0, br#"{"id":"t2"}"#), CommandStatus::OK),
        (engagelab_sm("", "+6598765432", 8, &u), CommandStatus::OK),
        (engagelab_sm("SMS", "+6598765432", 8, &u), CommandStatus::INVALID_PARAMETER),
        (engagelab_sm("MSG", "12345", 8, &u), CommandStatus::INVALID_PARAMETER),
        (engagelab_sm("MSG", "+6598765432", 8, &hello), CommandStatus::INVALID_NUMBER_OF_MESSAGES),
        (
            engagelab_sm("MSG", "+6598765432", 1, br#"{"language":"default"}"#),
            CommandStatus::INVALID_NUMBER_OF_MESSAGES,
        ),
        (
            engagelab_sm("MSG", "+6598765432", 1, br#"{"id":"t","params":{"n":1}}"#),
            CommandStatus::INVALID_NUMBER_OF_MESSAGES,
        ),
    ];
    for (i, (s, want)) in cases.iter().enumerate() {
        let (status, id) = e.submit_wait(s);
        assert_eq!(status, *want, "case {i}");
        assert_eq!(id.is_empty(), !status.is_ok(), "case {i}");
    }
    // The body in message_payload.
    let payload = [Tlv::message_payload(&u)];
    let mut s = engagelab_sm("MSG", "+6598765432", 8, b"");
    s.tlvs = Tlvs::from_slice(&payload);
    assert_eq!(e.submit_wait(&s).0, CommandStatus::OK);
}

#[test]
fn engagelab_receipts_have_esm_class_0_service_type_msg_and_delivrd_or_undeliv() {
    let server = start(engagelab());
    let mut e = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    let body = ucs2(r#"{"id":"t1"}"#);
    // registered_delivery 0: EngageLab reports every message.
    let (_, ok) = e.submit_wait(&engagelab_sm("MSG", "+6598765432", 8, &body));
    let (_, bad) = e.submit_wait(&engagelab_sm("MSG", "+6598765430", 8, &body));
    let mut got = [e.deliver(Duration::from_secs(3)).unwrap(), e.deliver(Duration::from_secs(3)).unwrap()];
    got.sort_by_key(|d| d.receipted_id.clone());
    let mut want = [(ok, "DELIVRD", MessageState::DELIVERED), (bad, "UNDELIV", MessageState::UNDELIVERABLE)];
    want.sort();
    for (d, (id, stat, state)) in got.iter().zip(&want) {
        assert!(d.receipt, "a receipt by its TLV, whatever its esm_class");
        assert_eq!(d.esm_class, 0);
        assert_eq!(d.service_type, "MSG");
        assert_eq!(d.source, "", "source_addr left empty");
        assert_eq!(d.dest, "+6598765432".replace('2', if *stat == "UNDELIV" { "0" } else { "2" }));
        assert_eq!(d.data_coding, 0);
        assert_eq!(d.receipted_id.as_deref(), Some(id.as_str()));
        assert_eq!(d.state, Some(*state));
        assert!(d.text.starts_with(&format!("id:{id} ")) && d.text.contains(&format!("stat:{stat} ")), "{}", d.text);
    }
    // EXPIRED is reported as UNDELIV: EngageLab names only two states.
    let mut s = engagelab_sm("MSG", "+6598765432", 8, &body);
    s.validity_period = "000000000000000R".into();
    e.submit_wait(&s);
    let d = e.deliver(Duration::from_secs(3)).unwrap();
    assert_eq!(d.state, Some(MessageState::UNDELIVERABLE));
    assert!(d.text.contains("stat:UNDELIV"), "{}", d.text);
}

#[test]
fn engagelab_refuses_what_it_does_not_support() {
    let server = start(engagelab());
    let mut e = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    let (_, id) = e.submit_wait(&engagelab_sm("MSG", "+6598765432", 1, br#"{"id":"t1"}"#));
    let h = e.send(&Pdu::QuerySm(QuerySm { message_id: id.as_str().into(), source: Address::default() }));
    assert_eq!(e.response(h).outcome, Outcome::GenericNack { status: CommandStatus::INVALID_COMMAND_ID });
    assert_eq!(cancel(&mut e, &id, ""), CommandStatus::INVALID_COMMAND_ID);
    assert!(e.is_bound(), "and stays bound");
}

#[test]
fn engagelab_closes_a_session_without_enquire_link() {
    let mut profile = fast(Profile::engagelab());
    profile.require_enquire_link = Some(Duration::from_millis(300));
    let server = start(ServerConfig::new(USER, PASS, profile));
    let events = server.subscribe(100);
    let started = Instant::now();
    let mut silent = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    let config = smpp_session::Config {
        keepalive: smpp_session::Keepalive::Every(smpp_session::Duration::from_millis(100)),
        ..quiet()
    };
    let mut alive = Esme::connect(server.local_addr(), config);
    alive.bind(BindKind::Transceiver, USER, PASS).unwrap();
    // Both are pumped, so that the one with keepalive sends it.
    while silent.closed(Duration::ZERO).is_none() && started.elapsed() < Duration::from_secs(2) {
        silent.pump();
        alive.pump();
    }
    assert!(silent.closed(Duration::ZERO).is_some());
    let closed_after = started.elapsed();
    assert!(closed_after >= Duration::from_millis(280), "{closed_after:?}");
    alive.idle(Duration::from_millis(700));
    assert!(alive.is_bound(), "enquire_link every 100 ms keeps it");
    let closed = take_events(&events, 1, Duration::from_secs(1), |e| matches!(e, ServerEvent::Closed { .. }));
    assert!(
        matches!(
            closed.first(),
            Some(ServerEvent::Closed {
                reason: CloseCause::Session(smpp_session::CloseReason::PeerKeepaliveMissing),
                ..
            })
        ),
        "{closed:?}"
    );
}

#[test]
fn requests_a_profile_does_not_answer_are_refused_with_rinvcmdid() {
    use smpp_codec::pdu::{DataSm, ReplaceSm};
    let server = start(labsmobile());
    let mut e = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    let (_, id) = e.submit_wait(&sm("34600000001", b"hi"));
    let replace = ReplaceSm { message_id: id.as_str().into(), short_message: b"new", ..Default::default() };
    let h = e.send(&Pdu::ReplaceSm(replace));
    assert_eq!(e.response(h).outcome.status(), Some(CommandStatus::INVALID_COMMAND_ID));
    let data = DataSm { dest: Address::international("34600000001"), ..Default::default() };
    let h = e.send(&Pdu::DataSm(data));
    assert_eq!(e.response(h).outcome.status(), Some(CommandStatus::INVALID_COMMAND_ID));
    assert_eq!(e.submit_wait(&sm("34600000001", b"still bound")).0, CommandStatus::OK);
}
