//! `smpp send --tls` and `smpp sim --tls`: delivery with receipts through a generated CA, and a
//! clear error of its own for a wrong CA, a wrong name and an expired certificate.

use std::time::Duration;

use smpp_std::server::Profile;
use smpp_std::tls;

use crate::common::*;

const T: Duration = Duration::from_secs(15);

/// A TLS server with a certificate for localhost and 127.0.0.1 valid over `validity`, and its
/// CA file.
fn tls_server(validity: (i64, i64)) -> (smpp_std::Server, TempFile) {
    let g = tls::generate(&["localhost", "127.0.0.1"], validity.0, validity.1).unwrap();
    let config = tls::server_config_from(g.chain, g.key).unwrap();
    let server = server_with(Profile::labsmobile(), |c| c.with_tls(config));
    (server, TempFile::new("ca.pem", g.ca_pem.as_bytes()))
}

fn send_tls(server: &smpp_std::Server, extra: &[&str]) -> Run {
    let port = server.local_addr().port().to_string();
    let args = [
        "send",
        "--tls",
        "--host",
        "localhost",
        "--port",
        &port,
        "--system-id",
        USER,
        "--password-env",
        PASS_ENV,
        "--to",
        "+34600000001",
        "--text",
        "over TLS",
        "--json",
    ];
    run(&[&args[..], extra].concat())
}

#[test]
fn send_over_tls_with_the_right_ca_delivers_with_receipts() {
    let (server, ca) = tls_server((-60, 3600));
    let r = send_tls(&server, &["--ca-file", ca.path(), "--wait-receipt", "10"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.events("receipt")[0]["stat"], "DELIVRD");
    assert!(r.stderr.is_empty(), "{r:?}");
    r.assert_no_password();
}

#[test]
fn a_wrong_ca_a_wrong_name_and_an_expired_certificate_each_say_so() {
    let (server, _ca) = tls_server((-60, 3600));
    let other = tls::generate(&["localhost"], -60, 3600).unwrap();
    let other_ca = TempFile::new("other-ca.pem", other.ca_pem.as_bytes());
    let r = send_tls(&server, &["--ca-file", other_ca.path()]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(r.stderr.lines().count(), 1, "{r:?}");
    assert!(r.stderr.contains("signed by an unknown CA"), "{r:?}");

    let (server2, ca2) = tls_server((-60, 3600));
    let r = send_tls(&server2, &["--ca-file", ca2.path(), "--server-name", "smsc.example.com"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("not for this host name"), "{r:?}");

    let (expired, ca3) = tls_server((-7200, -3600));
    let r = send_tls(&expired, &["--ca-file", ca3.path()]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("has expired"), "{r:?}");
    r.assert_no_password();

    // --insecure gets through, with a loud warning.
    let r = send_tls(&server, &["--insecure"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("WARNING: --insecure"), "{r:?}");

    // Plain TCP to a TLS server never falls back: it fails.
    let port = server.local_addr().port().to_string();
    let r = run(&[
        "send",
        "--port",
        &port,
        "--system-id",
        USER,
        "--password-env",
        PASS_ENV,
        "--to",
        "1",
        "--text",
        "x",
        "--timeout",
        "2",
    ]);
    assert_eq!(r.code, 1, "{r:?}");
}

#[test]
fn the_simulator_over_tls_prints_its_ca_file_first_and_send_delivers_through_it() {
    let mut sim = Live::spawn(&["sim", "--tls", "--port", "0", "--json", "--receipt-delay-ms", "10"]);
    let first: serde_json::Value = serde_json::from_str(&sim.line(T).unwrap()).unwrap();
    assert_eq!((first["event"].as_str(), first["tls"].as_bool()), (Some("listening"), Some(true)));
    let ca = first["ca_file"].as_str().unwrap().to_owned();
    assert!(std::fs::read_to_string(&ca).unwrap().contains("BEGIN CERTIFICATE"));
    let port = first["port"].as_u64().unwrap().to_string();
    for host in ["localhost", "127.0.0.1"] {
        let r = run_with(smpp().env("SIM_PW", "password").args([
            "send",
            "--tls",
            "--ca-file",
            &ca,
            "--host",
            host,
            "--port",
            &port,
            "--system-id",
            "smppclient1",
            "--password-env",
            "SIM_PW",
            "--to",
            "+34600000001",
            "--text",
            "hi",
            "--wait-receipt",
            "10",
            "--json",
        ]));
        assert_eq!(r.code, 0, "{host}: {r:?}");
        assert_eq!(r.events("receipt")[0]["stat"], "DELIVRD");
    }
    // listen over TLS too.
    let r = run_with(smpp().env("SIM_PW", "password").args([
        "listen",
        "--tls",
        "--ca-file",
        &ca,
        "--host",
        "localhost",
        "--port",
        &port,
        "--system-id",
        "smppclient1",
        "--password-env",
        "SIM_PW",
        "--json",
        "--duration",
        "1",
    ]));
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.events("bound")[0]["bind"], "transceiver");
    assert_eq!(r.events("unbound").len(), 1);
    sim.interrupt();
    let run = sim.finish(T);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!std::path::Path::new(&ca).exists(), "the throwaway CA is removed on exit");
}
