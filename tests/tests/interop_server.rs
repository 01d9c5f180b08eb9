//! Independent ESMEs against our SMSC simulator on loopback: node-smpp's client
//! (`interop/node-esme.js`) and python-smpplib's client (`interop/smpplib_esme.py`). Each binds,
//! submits short, long (UDH or SAR) and UCS-2 texts with emoji, takes a receipt per part and
//! unbinds. Both sides are checked: what the peer decoded (its submit_sm_resp ids, each
//! receipt's fields) and what the server decoded (the reassembled texts equal what was sent,
//! each part's id in order).
//!
//! Node.js and Python are optional: without them the tests say so and pass, unless
//! `SMPP_REQUIRE_INTEROP` is set (as `.ci/run` does), when they fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use smpp_std::server::{Profile, Server, ServerConfig, ServerEvent};

const USER: &str = "interop";
const PASS: &str = "secret";

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("interop")
}

fn required() -> bool {
    std::env::var_os("SMPP_REQUIRE_INTEROP").is_some()
}

fn skip(why: &str) -> Option<PathBuf> {
    assert!(!required(), "SMPP_REQUIRE_INTEROP is set but {why}");
    eprintln!("SKIP: {why}; this interop test did not run");
    None
}

/// node, with node-smpp installed from the lockfile.
fn node() -> Option<PathBuf> {
    if Command::new("node").arg("--version").output().is_err() {
        return skip("node is not installed");
    }
    if !dir().join("node_modules/smpp").exists() {
        let ok = Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(dir()).status();
        assert!(matches!(ok, Ok(s) if s.success()), "npm ci in {} failed", dir().display());
    }
    Some(PathBuf::from("node"))
}

/// The venv's python, with smpplib installed from the pinned requirements.
fn python() -> Option<PathBuf> {
    let venv = dir().join(".venv/bin/python");
    if !venv.exists() {
        if Command::new("python3").arg("--version").output().is_err() {
            return skip("python3 is not installed");
        }
        let ok = Command::new("bash").arg(dir().join("setup-python.sh")).status();
        if !matches!(ok, Ok(s) if s.success()) {
            return skip("tests/interop/setup-python.sh could not create the venv (python3-venv missing?)");
        }
    }
    Some(venv)
}

/// A server for a peer: LabsMobile's rules, receipts 50 ms after each part.
fn server() -> Server {
    let mut profile = Profile::labsmobile();
    profile.receipts.delay = Duration::from_millis(50);
    Server::start("127.0.0.1:0", ServerConfig::new(USER, PASS, profile)).unwrap()
}

/// Runs a peer script with the messages on its stdin; returns its JSON lines.
fn run_peer(program: &Path, script: &str, port: u16, messages: &Value) -> Vec<Value> {
    run_peer_with(program, script, port, messages, &[])
}

/// The same with environment variables for the peer.
fn run_peer_with(program: &Path, script: &str, port: u16, messages: &Value, env: &[(&str, &Path)]) -> Vec<Value> {
    let mut child = Command::new(program)
        .arg(script)
        .envs(env.iter().copied())
        .args([port.to_string().as_str(), USER, PASS])
        .current_dir(dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(messages.to_string().as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{script} failed: {}\nstdout:\n{stdout}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

fn events_of<'a>(lines: &'a [Value], event: &str) -> Vec<&'a Value> {
    lines.iter().filter(|l| l["event"] == event).collect()
}

/// Checks both sides: every part accepted with a LabsMobile id, one DELIVRD receipt per part
/// as the peer decoded it, and the server's reassembled texts and part ids.
fn check(lines: &[Value], messages: &Value, server_events: &[ServerEvent], sender: &str) {
    assert_eq!(events_of(lines, "bind_resp")[0]["status"], 0, "{lines:?}");
    // The peer's view of the submissions: ids by message and part.
    let mut ids: HashMap<u64, Vec<(u64, String)>> = HashMap::new();
    for r in events_of(lines, "submit_sm_resp") {
        assert_eq!(r["status"], 0, "{r}");
        let id = r["message_id"].as_str().unwrap().to_string();
        assert!(id.len() == 13 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{r}");
        ids.entry(r["ref"].as_u64().unwrap()).or_default().push((r["part"].as_u64().unwrap(), id));
    }
    let mut all_ids: Vec<String> = Vec::new();
    for list in ids.values_mut() {
        list.sort();
        all_ids.extend(list.iter().map(|(_, id)| id.clone()));
    }
    // The peer's view of the receipts: one per part, each naming its part.
    let receipts = events_of(lines, "deliver_sm");
    let mut receipted: Vec<String> = Vec::new();
    for d in &receipts {
        let id = d["receipted_message_id"].as_str().unwrap().to_string();
        assert_eq!(d["esm_class"], 4, "{d}");
        assert_eq!(d["message_state"], 2, "{d}");
        assert_eq!(d["destination_addr"], sender, "{d}");
        assert_eq!(d["source_addr"], "34600000001", "{d}");
        let text = d["text"].as_str().unwrap();
        assert!(text.starts_with(&format!("id:{id} submit date:")) && text.ends_with(" stat:DELIVRD err:000"), "{d}");
        receipted.push(id);
    }
    receipted.sort();
    all_ids.sort();
    assert_eq!(receipted, all_ids, "one receipt per part");
    assert_eq!(events_of(lines, "unbind_resp")[0]["status"], 0, "{lines:?}");
    // The server's view: each message reassembled to the text sent, with its parts' ids.
    let received: Vec<(&String, &Vec<String>)> = server_events
        .iter()
        .filter_map(|e| match e {
            ServerEvent::Message { text, message_ids, .. } => Some((text, message_ids)),
            _ => None,
        })
        .collect();
    let messages = messages.as_array().unwrap();
    assert_eq!(received.len(), messages.len(), "{received:?}");
    for m in messages {
        let want = m["text"].as_str().unwrap();
        let part_ids: Vec<String> = ids[&m["ref"].as_u64().unwrap()].iter().map(|(_, id)| id.clone()).collect();
        let found = received.iter().find(|(_, mids)| **mids == part_ids);
        let Some((text, _)) = found else { panic!("no message with ids {part_ids:?}: {received:?}") };
        assert_eq!(text.as_str(), want, "ref {}", m["ref"]);
    }
    let closed = server_events.iter().any(|e| {
        matches!(
            e,
            ServerEvent::Closed {
                reason: smpp_std::server::CloseCause::Session(smpp_session::CloseReason::PeerUnbound),
                ..
            }
        )
    });
    assert!(closed, "the peer unbound");
}

/// What each peer sent, by message, for the report: parts and what the server decoded.
fn summary(name: &str, lines: &[Value], server_events: &[ServerEvent]) {
    let parts = events_of(lines, "submit_sm_resp").len();
    let receipts = events_of(lines, "deliver_sm").len();
    eprintln!("{name}: {parts} submit_sm_resp, {receipts} receipts");
    for e in server_events {
        if let ServerEvent::Message { text, message_ids, data_coding, .. } = e {
            eprintln!("  server reassembled {} part(s), data_coding {data_coding}: {text:?}", message_ids.len());
        }
    }
}

#[test]
fn node_smpp_client_against_our_server() {
    let Some(node) = node() else { return };
    let server = server();
    let events = server.subscribe(10_000);
    let long_gsm = "Long report from node-smpp, zone 3 {open} at 02:14, €5 fee; ".repeat(7);
    let long_ucs2 = "Emoji 😀🎉 и кириллица — ".repeat(7);
    let messages = json!([
        {"ref": 1, "to": "34600000001", "text": "Hello from node-smpp: @£¥èéñü {braces} [brackets] €5 ~^|\\", "data_coding": 0, "concat": null},
        {"ref": 2, "to": "34600000001", "text": long_gsm, "data_coding": 0, "concat": "udh8"},
        {"ref": 3, "to": "34600000001", "text": "Alarma 🚨 zona 3 abierta ✅ Привет 👋", "data_coding": 8, "concat": null},
        {"ref": 300, "to": "34600000001", "text": long_ucs2, "data_coding": 8, "concat": "udh16"},
    ]);
    let lines = run_peer(&node, "node-esme.js", server.local_addr().port(), &messages);
    std::thread::sleep(Duration::from_millis(50));
    let server_events: Vec<ServerEvent> = events.try_iter().collect();
    summary("node-smpp", &lines, &server_events);
    check(&lines, &messages, &server_events, "NodeESME");
    // node-smpp decoded the UCS-2 message's receipt too, and split the long ones into parts.
    let parts = |r: u64| events_of(&lines, "submit_sm_resp").iter().filter(|l| l["ref"] == r).count();
    assert!(parts(2) >= 3 && parts(300) >= 3, "{lines:?}");
}

/// node-smpp's TLS client (Node's own TLS stack, `ssmpp://`) against our server with TLS: the
/// server's certificate checked against a generated CA and the address 127.0.0.1, then the
/// same texts, receipts and unbind as over plain TCP.
#[test]
fn node_smpp_tls_client_against_our_tls_server() {
    let Some(node) = node() else { return };
    let generated = smpp_std::tls::generate(&["localhost", "127.0.0.1"], -60, 86_400).unwrap();
    let tmp = std::env::temp_dir().join(format!("smpp-interop-tls-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let ca = tmp.join("ca.pem");
    std::fs::write(&ca, &generated.ca_pem).unwrap();
    let tls = smpp_std::tls::server_config_from(generated.chain, generated.key).unwrap();
    let mut profile = Profile::labsmobile();
    profile.receipts.delay = Duration::from_millis(50);
    let server = Server::start("127.0.0.1:0", ServerConfig::new(USER, PASS, profile).with_tls(tls)).unwrap();
    let events = server.subscribe(10_000);
    let messages = json!([
        {"ref": 21, "to": "34600000001", "text": "Over TLS from node-smpp: {ok} €5", "data_coding": 0, "concat": null},
        {"ref": 22, "to": "34600000001", "text": "TLS ✅ 🔒 ".repeat(12), "data_coding": 8, "concat": "udh8"},
    ]);
    let lines = run_peer_with(&node, "node-esme.js", server.local_addr().port(), &messages, &[("SMPP_TLS_CA", &ca)]);
    let _ = std::fs::remove_dir_all(&tmp);
    std::thread::sleep(Duration::from_millis(50));
    let server_events: Vec<ServerEvent> = events.try_iter().collect();
    summary("node-smpp over TLS", &lines, &server_events);
    let secure = events_of(&lines, "secure");
    assert_eq!(secure.len(), 1, "{lines:?}");
    assert_eq!(secure[0]["authorized"], true, "node checked our certificate: {}", secure[0]);
    eprintln!("  negotiated {}", secure[0]["protocol"]);
    check(&lines, &messages, &server_events, "NodeESME");
}

#[test]
fn smpplib_client_against_our_server() {
    let Some(python) = python() else { return };
    let server = server();
    let events = server.subscribe(10_000);
    // smpplib cuts GSM texts every 153 octets and UCS-2 texts every 134 octets, even inside an
    // escape sequence or a surrogate pair: these two put one right on the cut. The server puts
    // the parts' octets back together before decoding, so the texts come out whole.
    let escape_on_cut = format!("{}€{}", "x".repeat(152), "y".repeat(200));
    let surrogate_on_cut = format!("{}😀{}", "a".repeat(66), "b".repeat(100));
    let messages = json!([
        {"ref": 11, "to": "34600000001", "text": "Hello from smpplib: @£¥ {x} €5", "concat": null},
        {"ref": 12, "to": "34600000001", "text": escape_on_cut, "concat": "udh"},
        {"ref": 13, "to": "34600000001", "text": surrogate_on_cut, "concat": "udh"},
        {"ref": 1400, "to": "34600000001", "text": "SAR parts from smpplib, no UDH. ".repeat(12), "concat": "sar"},
        {"ref": 15, "to": "34600000001", "text": "Python 🐍 dice Привет ✅", "concat": null},
    ]);
    let lines = run_peer(&python, "smpplib_esme.py", server.local_addr().port(), &messages);
    std::thread::sleep(Duration::from_millis(50));
    let server_events: Vec<ServerEvent> = events.try_iter().collect();
    summary("smpplib", &lines, &server_events);
    check(&lines, &messages, &server_events, "PyESME");
    // smpplib's query_sm of the first message, after its receipt: DELIVERED, with a final date.
    let q = events_of(&lines, "query_sm_resp");
    assert_eq!(q.len(), 1, "{lines:?}");
    assert_eq!(
        (q[0]["status"].as_u64(), q[0]["message_state"].as_u64(), q[0]["error_code"].as_u64()),
        (Some(0), Some(2), Some(0))
    );
    assert_eq!(q[0]["final_date"].as_str().map(str::len), Some(16), "{}", q[0]);
}
