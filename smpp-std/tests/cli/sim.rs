//! `smpp sim` run as a process, with `smpp send` against it.

use std::time::Duration;

use crate::common::*;

const T: Duration = Duration::from_secs(15);

fn sim_flags(port: u64) -> Vec<String> {
    ["--host", "127.0.0.1", "--port", &port.to_string(), "--system-id", "smppclient1", "--password-env", "SIM_PW"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

#[test]
fn the_simulator_says_its_port_first_then_a_line_per_bind_submit_receipt_and_unbind() {
    let log = TempFile::new("sim-log.jsonl", b"");
    let mut sim = Live::spawn(&["sim", "--port", "0", "--json", "--receipt-delay-ms", "10", "--log", log.path()]);
    let first = sim.line(T).expect("a first line");
    let listening: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(listening["event"], "listening");
    assert_eq!(listening["tls"], false);
    let port = listening["port"].as_u64().unwrap();
    assert_ne!(port, 0);
    let r = run_with(
        smpp()
            .env("SIM_PW", "password")
            .args(["send", "--to", "+34600000001", "--text", "hello sim", "--wait-receipt", "10", "--json"])
            .args(sim_flags(port)),
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(sim.until("bound", T)["bind"], "transceiver");
    let submitted = sim.until("submitted", T);
    assert_eq!(submitted["text"], "hello sim");
    assert_eq!(submitted["message_id"], r.events("submitted")[0]["message_id"]);
    assert_eq!(sim.until("receipt", T)["state"], "DELIVRD");
    assert_eq!(sim.until("closed", T)["reason"], "peer_unbound");
    sim.interrupt();
    let stopped = sim.until("stopped", T);
    assert_eq!(stopped["submitted"], 1);
    let run = sim.finish(T);
    assert_eq!(run.code, 0, "{run:?}");
    json_lines(&run.stdout);
    // The log has every PDU, and the bind's password in none of them.
    let text = std::fs::read_to_string(&log.0).unwrap();
    let lines = json_lines(&text);
    assert!(lines.iter().any(|l| l["pdu"] == "bind_transceiver"), "{text}");
    assert!(!text.contains("\"password\""), "{text}");
}

#[test]
fn the_simulators_faults_and_profiles_are_flags() {
    let mut sim = Live::spawn(&[
        "sim",
        "--port",
        "0",
        "--json",
        "--profile",
        "engagelab",
        "--throttle-every",
        "2",
        "--undeliverable",
        "*1",
        "--delay-ms",
        "5",
        "--split-writes",
        "--system-id",
        "acct",
        "--password",
        "pw2",
    ]);
    let listening: serde_json::Value = serde_json::from_str(&sim.line(T).unwrap()).unwrap();
    assert_eq!(listening["profile"], "engagelab");
    let port = listening["port"].as_u64().unwrap().to_string();
    let args = [
        "send",
        "--host",
        "127.0.0.1",
        "--port",
        &port,
        "--system-id",
        "acct",
        "--password-env",
        "SIM_PW",
        "--to",
        "+6598765431",
        "--to",
        "+6598765439",
        "--service-type",
        "MSG",
        "--template",
        "t1",
        "--wait-receipt",
        "10",
        "--json",
    ];
    let r = run_with(smpp().env("SIM_PW", "pw2").args(args));
    // The second submission is throttled; the first, to a number ending in 1, is undeliverable.
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(r.events("error")[0]["status"], "ESME_RTHROTTLED", "{r:?}");
    assert_eq!(r.events("error")[0]["to"], "+6598765439");
    assert_eq!(r.events("receipt")[0]["stat"], "UNDELIV", "{r:?}");
    assert_eq!(sim.until("fault", T)["fault"], "throttled");
    sim.interrupt();
    assert_eq!(sim.finish(T).code, 0);
    // A bad profile name is one clear line.
    let r = run(&["sim", "--port", "0", "--profile", "nope"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("use labsmobile or engagelab"), "{r:?}");
}

#[test]
fn the_simulator_stops_by_itself_after_its_duration() {
    let r = run(&["sim", "--port", "0", "--duration", "1"]);
    assert_eq!(r.code, 0, "{r:?}");
    let mut lines = r.stdout.lines();
    assert!(lines.next().unwrap().contains("listening on 127.0.0.1:"), "{r:?}");
    assert!(r.stdout.contains("stopped: 0 connection(s)"), "{r:?}");
}
