//! The runner on embassy-net over a TAP device, to an SMSC on the Linux side of it: the test
//! creates a network namespace with the TAP device, runs the scenarios inside it (the embassy-net
//! stack at 192.0.2.2 on the TAP device, the SMSC on a Linux socket at 192.0.2.1), and deletes
//! the namespace.
//!
//! Needs root (CAP_NET_ADMIN) and /dev/net/tun: without them it says so and passes, unless
//! `SMPP_REQUIRE_TAP=1` (as CI sets) turns the skip into a failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use std::process::Command;
use std::time::Duration;

use async_io::Async;
use embedded_io_adapters::futures_03::FromFutures;
use support::scenarios;
use support::smsc::{self, Behaviour, Ended, Shared};
use support::{esme, leak, run, serial, spawn, stack};

/// Set in the child that runs inside the namespace.
const INNER: &str = "SMPP_TAP_INNER";

/// Deletes the namespace however the test ends.
struct Namespace(String);

impl Drop for Namespace {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip").args(args).output().map_err(|e| format!("ip: {e}"))?;
    match out.status.success() {
        true => Ok(()),
        false => Err(format!("ip {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim())),
    }
}

/// Why the test cannot run here, if it cannot.
fn missing() -> Option<String> {
    if !std::path::Path::new("/dev/net/tun").exists() {
        return Some("/dev/net/tun is missing".into());
    }
    let probe = format!("smpp-probe-{}", std::process::id());
    match ip(&["netns", "add", &probe]) {
        Ok(()) => {
            let _ = ip(&["netns", "del", &probe]);
            None
        }
        Err(e) => Some(format!("cannot create a network namespace (root / CAP_NET_ADMIN needed): {e}")),
    }
}

#[test]
fn scenarios_over_a_tap_device() {
    if std::env::var_os(INNER).is_some() {
        return;
    }
    let _one_at_a_time = serial();
    if let Some(why) = missing() {
        assert!(std::env::var_os("SMPP_REQUIRE_TAP").is_none(), "SMPP_REQUIRE_TAP is set but {why}");
        eprintln!("SKIPPED scenarios_over_a_tap_device: {why}");
        return;
    }
    let ns = Namespace(format!("smpp-tap-{}", std::process::id()));
    let setup: [&[&str]; 5] = [
        &["netns", "add", &ns.0],
        &["-n", &ns.0, "link", "set", "lo", "up"],
        &["-n", &ns.0, "tuntap", "add", "name", "tap0", "mode", "tap"],
        &["-n", &ns.0, "addr", "add", "192.0.2.1/24", "dev", "tap0"],
        &["-n", &ns.0, "link", "set", "tap0", "up"],
    ];
    for args in setup {
        ip(args).unwrap();
    }
    let exe = std::env::current_exe().unwrap();
    let out = Command::new("ip")
        .args(["netns", "exec", &ns.0])
        .arg(exe)
        .args(["--exact", "inside_the_namespace", "--include-ignored", "--nocapture", "--test-threads=1"])
        .env(INNER, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "inside the namespace:\n{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "the scenarios did not run:\n{stdout}\n{stderr}");
}

/// The test SMSC on a Linux socket (async-io), one connection at a time.
async fn linux_smsc(shared: &'static Shared) {
    let listener = Async::<std::net::TcpListener>::bind(([192, 0, 2, 1], support::SMSC_PORT)).unwrap();
    let behaviour = Behaviour::labsmobile(scenarios::SYSTEM_ID, scenarios::PASSWORD);
    loop {
        let (stream, _) = listener.accept().await.unwrap();
        stream.get_ref().set_nodelay(true).unwrap();
        let mut io = FromFutures::new(stream);
        let ended = smsc::serve(&mut io, &behaviour, shared).await;
        let stream = io.into_inner();
        if ended == Ended::Abort {
            // No RST without SO_LINGER in std: end both directions at once instead.
            let _ = stream.get_ref().shutdown(std::net::Shutdown::Both);
        }
    }
}

#[test]
#[ignore = "runs inside the network namespace that scenarios_over_a_tap_device creates"]
fn inside_the_namespace() {
    assert!(std::env::var_os(INNER).is_some(), "run through scenarios_over_a_tap_device");
    run(Duration::from_secs(120), |spawner| async move {
        let mut tap = embassy_net_tuntap::TunTapDevice::new("tap0").unwrap();
        tap.set_hardware_address([0x02, 0x00, 0x00, 0x00, 0x00, 0x02]);
        let esme_stack = stack(spawner, tap, [192, 0, 2, 2], 7);
        let shared: &'static Shared = leak(smsc::shared());
        spawn(spawner, linux_smsc(shared));
        let (c, result) = esme(spawner, esme_stack, [192, 0, 2, 1], scenarios::esme_config());
        scenarios::bind(c, shared).await;
        scenarios::standard_text(c, shared).await;
        scenarios::ucs2_text(c, shared).await;
        scenarios::long_text(c, shared).await;
        scenarios::undeliverable(c, shared).await;
        scenarios::mo_messages(c, shared).await;
        scenarios::enquire_link(c, shared).await;
        // Before throttling: it narrows the session's window until the next connection.
        scenarios::cancel_pending(c, shared).await;
        scenarios::cancel_in_flight(c, shared).await;
        scenarios::throttling(c, shared).await;
        scenarios::drop_and_reconnect(c, shared).await;
        scenarios::receipt_after_reconnect(c, shared).await;
        scenarios::link_dead(c, shared).await;
        scenarios::unbind(c, shared).await;
        assert_eq!(result.wait().await, Ok(()));
        println!("TAP scenarios passed: {:?}", c.link());
    });
}
