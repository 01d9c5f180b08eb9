//! SMPP over TLS between our client and our server on loopback, with a CA generated for the
//! test: bind, submit, receipt, unbind; a wrong CA, a wrong name and an expired certificate
//! each give an error of their own; credentials and keys appear in no log, event or `Debug`.
#![cfg(feature = "tls")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::sync::Mutex;
use std::time::Duration;

use smpp_std::server::{JsonLog, Profile, Server, ServerConfig, ServerEvent};
use smpp_std::tls::{self, TlsOptions};
use smpp_std::{Addr, Client, ClientConfig, Error, TextMessage};

const USER: &str = "tlsuser";
const PASS: &str = "Tq9!zx7w";

/// Every log record of the process, to look for secrets in.
struct Capture(Mutex<Vec<String>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        self.0.lock().unwrap().push(format!("{} {}", record.target(), record.args()));
    }
    fn flush(&self) {}
}

static LOGS: Capture = Capture(Mutex::new(Vec::new()));

/// A shared writer for the server's JSON-lines log.
#[derive(Clone, Default)]
struct Sink(std::sync::Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Sink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn ca_file(pem: &str, name: &str) -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!("smpp-tls-test-{}-{name}.pem", std::process::id()));
    std::fs::write(&p, pem).unwrap();
    p
}

fn tls_server(valid: (i64, i64), log: Option<Sink>) -> (Server, std::path::PathBuf, String) {
    let g = tls::generate(&["localhost", "127.0.0.1"], valid.0, valid.1).unwrap();
    let dbg = format!("{g:?}");
    let key = format!("{:?}", &g.key.secret_der()[..12]);
    assert!(!dbg.contains(&key), "the key shows in Debug: {dbg}");
    let pem_body = g.key_pem.lines().nth(1).unwrap();
    assert!(!dbg.contains(pem_body), "the PEM key shows in Debug: {dbg}");
    let config = tls::server_config_from(g.chain, g.key).unwrap();
    let mut profile = Profile::labsmobile();
    profile.receipts.delay = Duration::from_millis(20);
    let mut sc = ServerConfig::new(USER, PASS, profile).with_tls(config);
    if let Some(l) = log {
        sc = sc.with_log(JsonLog::new(l));
    }
    assert!(!format!("{sc:?}").contains(PASS), "the password shows in the server's Debug");
    let server = Server::start("127.0.0.1:0", sc).unwrap();
    let ca = ca_file(&g.ca_pem, &format!("{}-{}", valid.0, server.local_addr().port()));
    (server, ca, g.ca_pem)
}

fn options(ca: &std::path::Path) -> TlsOptions {
    TlsOptions { ca_file: Some(ca.to_path_buf()), ..TlsOptions::default() }
}

#[test]
fn over_tls_bind_submit_receipt_unbind_and_each_failure_says_why_without_secrets() {
    let _ = log::set_logger(&LOGS).map(|()| log::set_max_level(log::LevelFilter::Trace));
    let sink = Sink::default();
    let (mut server, ca, _) = tls_server((-60, 3600), Some(sink.clone()));
    let events = server.subscribe(256);
    let port = server.local_addr().port();
    let config = ClientConfig::new(USER, PASS);
    assert!(!format!("{config:?}").contains(PASS), "the password shows in the client's Debug");

    let client: Client = Client::connect_tls("localhost", port, &options(&ca), config.clone()).unwrap();
    let msg = TextMessage::new(Addr::sender("Alarm").unwrap(), Addr::number("+34600000001").unwrap(), "over TLS")
        .with_receipt();
    let outcome = client.send_text(msg).unwrap().wait(Duration::from_secs(10)).unwrap();
    assert!(outcome.is_accepted(), "{outcome:?}");
    let receipts = client.wait_for_receipt(&outcome, Duration::from_secs(10)).unwrap();
    assert_eq!(receipts[0].stat.as_deref(), Some("DELIVRD"));
    client.close().unwrap();
    // By IP address too: the certificate names 127.0.0.1.
    let by_ip: Client<8> = Client::connect_tls("127.0.0.1", port, &options(&ca), config.clone()).unwrap();
    by_ip.close().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let seen: Vec<ServerEvent> = events.try_iter().collect();
    assert!(seen.iter().any(|e| matches!(e, ServerEvent::Bound { .. })), "{seen:?}");
    assert!(seen.iter().any(|e| matches!(e, ServerEvent::Receipt { .. })), "{seen:?}");
    assert!(
        seen.iter().any(|e| matches!(e, ServerEvent::Closed { reason, .. } if reason.name() == "peer_unbound")),
        "{seen:?}"
    );

    // A CA that did not sign the server's certificate.
    let other = tls::generate(&["localhost"], -60, 3600).unwrap();
    let other_ca = ca_file(&other.ca_pem, "other");
    let e = Client::<8>::connect_tls("localhost", port, &options(&other_ca), config.clone()).unwrap_err();
    assert!(matches!(e, Error::Connect(_)), "{e}");
    let unknown = e.to_string();
    assert!(unknown.contains("unknown CA"), "{unknown}");

    // A name the certificate does not carry.
    let wrong = TlsOptions { server_name: Some("smsc.example.com".into()), ..options(&ca) };
    let name = Client::<8>::connect_tls("127.0.0.1", port, &wrong, config.clone()).unwrap_err().to_string();
    assert!(name.contains("not for this host name"), "{name}");

    // A certificate that expired an hour ago.
    let (expired, expired_ca, _) = tls_server((-7200, -3600), None);
    let e = Client::<8>::connect_tls("localhost", expired.local_addr().port(), &options(&expired_ca), config.clone())
        .unwrap_err()
        .to_string();
    assert!(e.contains("has expired"), "{e}");
    assert!(unknown != name && name != e && unknown != e, "three different errors");

    // No plaintext fallback: plain TCP to the TLS port does not bind.
    assert!(Client::<8>::connect(("127.0.0.1", port), config).is_err());

    server.stop();
    let log = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("\"bind_transceiver\""), "the log has the PDUs");
    let logs = LOGS.0.lock().unwrap().join("\n");
    for (what, text) in [("JSON log", &log), ("log records", &logs)] {
        assert!(!text.contains(PASS), "the password is in the {what}");
        assert!(!text.contains("PRIVATE KEY"), "a key is in the {what}");
    }
    for p in [ca, other_ca, expired_ca] {
        let _ = std::fs::remove_file(p);
    }
}
