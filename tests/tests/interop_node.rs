//! The ESME session over a plain `TcpStream` (a minimal loop in test code) against node-smpp's
//! server on loopback: bind as transceiver, submit a GSM and a UCS-2 text, answer the server's
//! deliver_sm, exchange enquire_link both ways, unbind. What node-smpp decoded is checked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration as StdDuration, Instant as StdInstant};

use smpp_codec::pdu::{Bind, SubmitSm};
use smpp_codec::{Address, DataCoding, RegisteredDelivery};
use smpp_session::{BindKind, Config, Duration, Instant, Keepalive, Role, Session, State};
use smpp_tests::{Ev, Res};

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
    let mut esme: Session<'_, 8> = Session::new(Role::Esme, config, &mut rx, &mut tx, now());
    esme.bind(now(), BindKind::Transceiver, &Bind::new("rust", "secret")).unwrap();

    let gsm = b"Hello from Rust \x00 home"; // 0x00 is '@' in GSM 03.38
    let ucs2: Vec<u8> = "Привет 👋".encode_utf16().flat_map(u16::to_be_bytes).collect();
    let mut events = Vec::new();
    let mut submitted = false;
    let mut unbound = false;
    let mut buf = [0u8; 4096];
    while start.elapsed() < StdDuration::from_secs(15) && esme.state() != State::Closed {
        // Drain the session's outputs.
        loop {
            let n = esme.poll_transmit(&mut buf);
            if n == 0 {
                break;
            }
            stream.write_all(&buf[..n]).unwrap();
        }
        while let Some(e) = esme.poll_event() {
            events.push(Ev::from_event(&e));
        }
        // The script.
        if !submitted && matches!(esme.state(), State::Bound(_)) {
            let mut a = SubmitSm::new(Address::alphanumeric("Test"), Address::international("447700900123"), gsm);
            a.registered_delivery = RegisteredDelivery::RECEIPT;
            esme.submit(now(), &a).unwrap();
            let mut b = SubmitSm::new(Address::alphanumeric("Test"), Address::international("447700900456"), &ucs2);
            b.data_coding = DataCoding::UCS2;
            esme.submit(now(), &b).unwrap();
            submitted = true;
            continue;
        }
        let outcomes = events.iter().filter(|e| matches!(e, Ev::Outcome { .. })).count();
        let got_mo = events.iter().any(|e| matches!(e, Ev::Message { .. }));
        if !unbound && outcomes == 2 && got_mo && start.elapsed() > StdDuration::from_millis(700) {
            esme.unbind(now()).unwrap();
            unbound = true;
            continue;
        }
        // Input and timers.
        match stream.read(&mut buf) {
            Ok(0) => esme.handle_connection_lost(now()),
            Ok(n) => {
                let mut used = 0;
                while used < n {
                    used += esme.handle_input(now(), &buf[used..n]);
                    while let Some(e) = esme.poll_event() {
                        events.push(Ev::from_event(&e));
                    }
                    let k = esme.poll_transmit(&mut buf[n..]);
                    stream.write_all(&buf[n..n + k]).unwrap();
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => panic!("read: {e}"),
        }
        if esme.poll_timeout().is_some_and(|t| t <= now()) {
            esme.handle_timeout(now());
        }
    }
    while let Some(e) = esme.poll_event() {
        events.push(Ev::from_event(&e));
    }
    drop(child.stdin.take());
    let _ = child.wait();
    let log: Vec<String> = lines.lines().map_while(Result::ok).collect();
    let find =
        |ev: &str| log.iter().filter(|l| l.contains(&format!("\"event\":\"{ev}\""))).cloned().collect::<Vec<_>>();

    // What we saw.
    assert!(
        matches!(&events[0], Ev::Bound { kind: BindKind::Transceiver, system_id, .. } if system_id == "node-smsc"),
        "{events:?}"
    );
    let ids: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Ev::Outcome { res: Res::Response { message_id, .. }, .. } => message_id.clone(),
            _ => None,
        })
        .collect();
    assert_eq!(ids, ["node-1", "node-2"]);
    assert!(events.iter().any(
        |e| matches!(e, Ev::Message { source, text, .. } if source == "447700900999" && text == b"Reply from node")
    ));
    assert_eq!(events.last(), Some(&Ev::Closed(smpp_session::CloseReason::Unbound)), "{events:?}");

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
