//! The ESME session over a plain `TcpStream` (a minimal loop in test code) against node-smpp's
//! server on loopback: bind as transceiver, submit a GSM and a UCS-2 text, answer the server's
//! deliver_sm, exchange enquire_link both ways, unbind. What node-smpp decoded is checked. The
//! loop is an adapter's: the socket reads straight into the session's receive buffer and writes
//! straight from its transmit buffer, and every step is checked by the oracles.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration as StdDuration, Instant as StdInstant};

use smpp_codec::pdu::{Bind, SubmitSm};
use smpp_codec::{Address, DataCoding, RegisteredDelivery};
use smpp_session::{BindKind, CloseReason, Config, Duration, Event, Instant, Keepalive, Session};
use smpp_tests::{Seen, Watch};

/// Starts the node-smpp server (installing it with `npm ci` when needed); `None` when Node.js
/// is not installed and interop is not required.
fn start_node() -> Option<(std::process::Child, u16, BufReader<std::process::ChildStdout>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("interop");
    let required = std::env::var_os("SMPP_REQUIRE_INTEROP").is_some();
    if Command::new("node").arg("--version").output().is_err() {
        assert!(!required, "SMPP_REQUIRE_INTEROP is set but node is not installed");
        eprintln!("SKIP: node is not installed; the node-smpp interop test did not run");
        return None;
    }
    if !dir.join("node_modules/smpp").exists() {
        let ok = Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&dir).status();
        assert!(matches!(ok, Ok(s) if s.success()), "npm ci in {} failed", dir.display());
    }
    let mut child = Command::new("node")
        .arg("node-smsc.js")
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start node");
    let mut lines = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    lines.read_line(&mut first).unwrap();
    let port = first.split("\"port\":").nth(1).and_then(|p| p.trim().trim_end_matches('}').parse().ok()).expect(&first);
    Some((child, port, lines))
}

fn has_closed(events: &[(Event, Seen)]) -> bool {
    events.iter().any(|(e, _)| matches!(e, Event::Closed(_)))
}

#[test]
fn esme_session_against_node_smpp_server() {
    let Some((mut child, port, lines)) = start_node() else { return };
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(StdDuration::from_millis(20))).unwrap();
    stream.set_nodelay(true).unwrap();

    let (mut rx, mut tx) = (vec![0u8; 4096], vec![0u8; 4096]);
    let config = Config { keepalive: Keepalive::Every(Duration::from_millis(300)), ..Config::default() };
    let start = StdInstant::now();
    let now = || Instant(start.elapsed().as_millis() as u64);
    let mut esme: Session<'_, 8> = Session::esme(config, &mut rx, &mut tx, now()).unwrap();
    // The oracles watch the session over a real socket too.
    let mut watch = Watch::new(&mut esme, "esme");
    esme.bind(now(), BindKind::Transceiver, &Bind::new("rust", "secret")).unwrap();

    let gsm = b"Hello from Rust \x00 home"; // 0x00 is '@' in GSM 03.38
    let ucs2: Vec<u8> = "Привет 👋".encode_utf16().flat_map(u16::to_be_bytes).collect();
    let mut events: Vec<(Event, Seen)> = Vec::new();
    let mut submitted = false;
    let mut unbound = false;
    while start.elapsed() < StdDuration::from_secs(15) && !has_closed(&events) {
        // The events, each acted on at once (they borrow nothing), then what they queued.
        loop {
            let e = esme.poll_event();
            watch.polled(&esme, e.as_ref());
            let Some(e) = e else { break };
            let seen = Seen::capture(&esme);
            if let Event::Bound { .. } = e {
                let mut a = SubmitSm::new(Address::alphanumeric("Test"), Address::international("447700900123"), gsm);
                a.registered_delivery = RegisteredDelivery::RECEIPT;
                watch.issued(esme.submit(now(), &a).unwrap());
                let mut b = SubmitSm::new(Address::alphanumeric("Test"), Address::international("447700900456"), &ucs2);
                b.data_coding = DataCoding::UCS2;
                watch.issued(esme.submit(now(), &b).unwrap());
                submitted = true;
            }
            watch.observe(&esme);
            events.push((e, seen));
        }
        // Straight from the session's transmit buffer to the socket; a partial write is fine.
        while !esme.transmit().is_empty() {
            let n = stream.write(esme.transmit()).unwrap();
            watch.sent(&esme.transmit()[..n]);
            esme.transmitted(n);
        }
        watch.settled(&esme);
        let outcomes = events.iter().filter(|(e, _)| matches!(e, Event::Outcome { .. })).count();
        let got_mo = events.iter().any(|(e, _)| matches!(e, Event::Message { .. }));
        if submitted && !unbound && outcomes == 2 && got_mo && start.elapsed() > StdDuration::from_millis(700) {
            esme.unbind(now()).unwrap();
            unbound = true;
            continue;
        }
        // Straight from the socket into the session's receive buffer (never empty here: the
        // events were drained, and with them the frames they came from).
        let room = esme.receive_buffer();
        assert!(!room.is_empty());
        match stream.read(room) {
            Ok(0) => esme.handle_connection_lost(now()),
            Ok(n) => {
                watch.accepted(&room[..n]);
                esme.commit(now(), n);
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => panic!("read: {e}"),
        }
        if esme.poll_timeout().is_some_and(|t| t <= now()) {
            watch.handle_timeout(&mut esme, now());
        }
    }
    watch.finish(&esme);
    drop(child.stdin.take());
    let _ = child.wait();
    let log: Vec<String> = lines.lines().map_while(Result::ok).collect();
    let find =
        |ev: &str| log.iter().filter(|l| l.contains(&format!("\"event\":\"{ev}\""))).cloned().collect::<Vec<_>>();

    // What we saw.
    let (first, seen) = &events[0];
    assert!(matches!(first, Event::Bound { kind: BindKind::Transceiver, .. }), "{events:?}");
    assert_eq!(seen.system_id.as_deref(), Some("node-smsc"));
    let ids: Vec<_> = events
        .iter()
        .filter_map(|(e, seen)| match e {
            Event::Outcome { outcome, .. } if outcome.is_ok() => seen.message_id.clone(),
            _ => None,
        })
        .collect();
    assert_eq!(ids, ["node-1", "node-2"]);
    assert!(events.iter().any(|(e, seen)| matches!(e, Event::Message { .. })
        && seen.source.as_deref() == Some("447700900999")
        && seen.text.as_deref() == Some(&b"Reply from node"[..])));
    assert_eq!(events.last().map(|e| e.0), Some(Event::Closed(CloseReason::Unbound)), "{events:?}");

    // What node-smpp decoded.
    let bind = &find("bind_transceiver")[0];
    assert!(bind.contains("\"system_id\":\"rust\"") && bind.contains("\"password\":\"secret\""), "{bind}");
    assert!(bind.contains("\"interface_version\":52"), "{bind}");
    let submits = find("submit_sm");
    assert_eq!(submits.len(), 2, "{log:?}");
    assert!(submits[0].contains("\"message\":\"Hello from Rust @ home\""), "{}", submits[0]);
    assert!(submits[0].contains("\"source_addr_ton\":5") && submits[0].contains("\"source_addr\":\"Test\""));
    assert!(
        submits[0].contains("\"destination_addr\":\"447700900123\"")
            && submits[0].contains("\"registered_delivery\":1")
    );
    assert!(
        submits[1].contains("\"data_coding\":8") && submits[1].contains("\"message\":\"Привет 👋\""),
        "{}",
        submits[1]
    );
    assert_eq!(find("deliver_sm_resp"), ["{\"event\":\"deliver_sm_resp\",\"status\":0}"]);
    assert!(!find("enquire_link").is_empty(), "our enquire_link reached node: {log:?}");
    assert_eq!(find("enquire_link_resp"), ["{\"event\":\"enquire_link_resp\",\"status\":0}"], "we answered node's");
    assert_eq!(find("unbind").len(), 1);
    assert!(find("error").is_empty(), "{log:?}");
}
