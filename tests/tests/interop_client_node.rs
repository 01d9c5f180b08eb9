//! The smpp-std client against node-smpp's server (npm `smpp` 0.5.1, from the committed
//! lockfile) on loopback: a transceiver bind, and a transmitter with a receiver bind beside it;
//! a standard, a UCS-2 (emoji) and a long text, each with its receipt; enquire_link both ways;
//! unbind; the same over TLS against node-smpp's secure server (Node's TLS stack), and a client
//! that trusts another CA refused. What node-smpp decoded is checked against what was sent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;
use smpp_session::{BindKind, Keepalive};
use smpp_std::{Addr, Client, ClientConfig, TextMessage};

/// node-smpp's server, with its decoded events read on a thread.
struct Node {
    child: Child,
    port: u16,
    events: mpsc::Receiver<Value>,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Node {
    fn start() -> Option<Node> {
        Node::start_with(&[])
    }

    /// node-smpp's server with environment variables (its TLS files).
    fn start_with(env: &[(&str, &Path)]) -> Option<Node> {
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
            .arg("node-smsc-client.js")
            .envs(env.iter().copied())
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start node");
        let mut lines = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        lines.read_line(&mut first).unwrap();
        let v: Value = serde_json::from_str(&first).expect(&first);
        let port = v["port"].as_u64().expect(&first) as u16;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || read_events(lines, tx));
        Some(Node { child, port, events: rx })
    }

    /// Events until `done` says enough, or 10 s.
    fn collect(&self, mut done: impl FnMut(&[Value]) -> bool) -> Vec<Value> {
        let mut all = Vec::new();
        while !done(&all) {
            match self.events.recv_timeout(Duration::from_secs(10)) {
                Ok(v) => all.push(v),
                Err(_) => panic!("node-smpp events so far: {all:#?}"),
            }
        }
        all
    }
}

fn read_events(mut lines: BufReader<ChildStdout>, tx: mpsc::Sender<Value>) {
    let mut line = String::new();
    while lines.read_line(&mut line).is_ok_and(|n| n > 0) {
        if let Ok(v) = serde_json::from_str(&line) {
            if tx.send(v).is_err() {
                return;
            }
        }
        line.clear();
    }
}

fn count(events: &[Value], name: &str) -> usize {
    events.iter().filter(|e| e["event"] == name).count()
}

fn texts() -> [String; 3] {
    ["Hello from smpp-std @ home".into(), "Unicode ✓ 👋 from Rust".into(), "Long message, part of a test. ".repeat(7)]
}

#[test]
fn the_client_against_node_smpp_over_a_transceiver_bind() {
    let Some(node) = Node::start() else { return };
    let mut config = ClientConfig::new("rust", "secret");
    config.session.keepalive = Keepalive::Every(smpp_session::Duration::from_millis(100));
    let client: Client<8> = Client::connect(("127.0.0.1", node.port), config).unwrap();
    let mut outcomes = Vec::new();
    for t in texts() {
        let msg =
            TextMessage::new(Addr::sender("Test").unwrap(), Addr::number("+447700900123").unwrap(), t).with_receipt();
        outcomes.push(client.send_text(msg).unwrap());
    }
    let outcomes: Vec<_> = outcomes.into_iter().map(|p| p.wait(Duration::from_secs(10)).unwrap()).collect();
    for o in &outcomes {
        assert!(o.is_accepted(), "{o:?}");
        let receipts = client.wait_for_receipt(o, Duration::from_secs(10)).unwrap();
        assert_eq!(receipts.len(), usize::from(o.parts));
        for (r, (_, id)) in receipts.iter().zip(o.ids()) {
            assert_eq!(r.message_id, id.to_string());
            assert!(r.is_delivered(), "{r:?}");
        }
    }
    assert_eq!(outcomes.iter().map(|o| o.parts).collect::<Vec<_>>(), [1, 1, 2]);
    // Keepalive both ways, then unbind.
    std::thread::sleep(Duration::from_millis(250));
    client.close().unwrap();
    let events = node.collect(|e| count(e, "unbind") == 1);

    let binds: Vec<_> = events.iter().filter(|e| e["event"] == "bind_transceiver").collect();
    assert_eq!((binds[0]["system_id"].as_str(), binds[0]["password"].as_str()), (Some("rust"), Some("secret")));
    let submits: Vec<_> = events.iter().filter(|e| e["event"] == "submit_sm").collect();
    assert_eq!(submits.len(), 4);
    let [standard, unicode, long] = texts();
    assert_eq!(
        (submits[0]["data_coding"].as_u64(), submits[0]["message"].as_str()),
        (Some(0), Some(standard.as_str()))
    );
    assert_eq!((submits[1]["data_coding"].as_u64(), submits[1]["message"].as_str()), (Some(8), Some(unicode.as_str())));
    let joined: String = submits[2..].iter().map(|s| s["message"].as_str().unwrap().to_string()).collect();
    assert_eq!(joined, long, "node-smpp reassembles what the client split");
    for s in &submits[2..] {
        assert_eq!(s["esm_class"].as_u64(), Some(0x40), "UDHI set");
        assert!(s["udh"].as_array().is_some_and(|u| !u.is_empty()));
    }
    for s in &submits {
        assert_eq!((s["source_addr"].as_str(), s["source_addr_ton"].as_u64()), (Some("Test"), Some(5)));
        assert_eq!((s["destination_addr"].as_str(), s["dest_addr_ton"].as_u64()), (Some("447700900123"), Some(1)));
        assert_eq!(s["registered_delivery"].as_u64(), Some(1));
    }
    assert_eq!(count(&events, "deliver_sm_resp"), 4, "every receipt acknowledged");
    assert!(events.iter().filter(|e| e["event"] == "deliver_sm_resp").all(|e| e["status"] == 0));
    assert!(count(&events, "enquire_link") >= 1, "the client's keepalive reached node-smpp");
    assert!(
        events.iter().any(|e| e["event"] == "enquire_link_resp" && e["status"] == 0),
        "node's enquire_link answered"
    );
}

#[test]
fn a_transmitter_gets_its_receipts_through_a_receiver_bind_beside_it() {
    let Some(node) = Node::start() else { return };
    let mut config = ClientConfig::new("rust", "secret");
    config.bind = BindKind::Transmitter;
    config.receiver_beside = true;
    let client: Client<8> = Client::connect(("127.0.0.1", node.port), config).unwrap();
    let msg = TextMessage::new(Addr::sender("Test").unwrap(), Addr::number("+447700900123").unwrap(), "via rx")
        .with_receipt();
    let o = client.send_text(msg).unwrap().wait(Duration::from_secs(10)).unwrap();
    assert!(o.is_accepted());
    let receipts = client.wait_for_receipt(&o, Duration::from_secs(10)).unwrap();
    assert_eq!(receipts[0].message_id, o.message_id().unwrap().to_string());
    client.close().unwrap();
    let events = node.collect(|e| count(e, "unbind") == 2);
    assert_eq!(count(&events, "bind_transmitter"), 1);
    assert_eq!(count(&events, "bind_receiver"), 1);
    assert_eq!(count(&events, "deliver_sm_resp"), 1);
}

/// The client over TLS (rustls) against node-smpp's secure server (Node's TLS stack): the
/// server's certificate checked against a generated CA, then a text with its receipt, the
/// keepalive and unbind, as over TCP.
#[test]
fn the_tls_client_against_node_smpps_tls_server() {
    let generated = smpp_std::tls::generate(&["localhost", "127.0.0.1"], -60, 86_400).unwrap();
    let tmp = std::env::temp_dir().join(format!("smpp-interop-client-tls-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let (ca, cert, key) = (tmp.join("ca.pem"), tmp.join("chain.pem"), tmp.join("key.pem"));
    std::fs::write(&ca, &generated.ca_pem).unwrap();
    std::fs::write(&cert, &generated.chain_pem).unwrap();
    std::fs::write(&key, &generated.key_pem).unwrap();
    let node = Node::start_with(&[("SMPP_TLS_CERT", &cert), ("SMPP_TLS_KEY", &key)]);
    let Some(node) = node else { return };
    let mut config = ClientConfig::new("rust", "secret");
    config.session.keepalive = Keepalive::Every(smpp_session::Duration::from_millis(100));
    let options = smpp_std::tls::TlsOptions { ca_file: Some(ca.clone()), ..Default::default() };
    // A client that trusts another CA is refused before any SMPP is spoken.
    let other = smpp_std::tls::generate(&["127.0.0.1"], -60, 86_400).unwrap();
    let other_ca = tmp.join("other-ca.pem");
    std::fs::write(&other_ca, &other.ca_pem).unwrap();
    let wrong = smpp_std::tls::TlsOptions { ca_file: Some(other_ca), ..Default::default() };
    let refused = Client::<8>::connect_tls("127.0.0.1", node.port, &wrong, config.clone());
    let why = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(why.contains("unknown CA"), "{why}");

    let client: Client<8> = Client::connect_tls("127.0.0.1", node.port, &options, config).unwrap();
    let _ = std::fs::remove_dir_all(&tmp);
    let [_, unicode, long] = texts();
    let mut outcomes = Vec::new();
    for t in [unicode, long] {
        let msg =
            TextMessage::new(Addr::sender("Test").unwrap(), Addr::number("+447700900123").unwrap(), t).with_receipt();
        outcomes.push(client.send_text(msg).unwrap().wait(Duration::from_secs(10)).unwrap());
    }
    for o in &outcomes {
        assert!(o.is_accepted(), "{o:?}");
        let receipts = client.wait_for_receipt(o, Duration::from_secs(10)).unwrap();
        assert_eq!(receipts.len(), usize::from(o.parts));
        assert!(receipts.iter().all(|r| r.is_delivered()), "{receipts:?}");
    }
    std::thread::sleep(Duration::from_millis(250));
    client.close().unwrap();
    let events = node.collect(|e| count(e, "unbind") == 1);
    assert_eq!(count(&events, "bind_transceiver"), 1, "one bind: the refused client never got past TLS");
    assert_eq!(count(&events, "submit_sm"), 3);
    assert_eq!(count(&events, "deliver_sm_resp"), 3);
    assert!(count(&events, "enquire_link") >= 1, "the keepalive went over TLS");
    assert!(events.iter().any(|e| e["event"] == "enquire_link_resp" && e["status"] == 0));
}
