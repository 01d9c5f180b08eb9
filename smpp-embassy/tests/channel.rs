//! The runner on embassy-net with embassy-executor's std platform: two stacks in one process
//! joined by embassy-net-driver-channel, the test SMSC (an SMSC-role session) on the other one.
//! No root needed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use std::future::Future;
use std::time::Duration;

use support::scenarios::{self, TestClient};
use support::smsc::{self, Behaviour, Shared};
use support::{esme, esme_with_part_store, leak, listen, run, serial, spawn};

/// A fresh network, SMSC and runner; binds, then runs `scenario`.
fn scenario<S, Fut>(scenario: S)
where
    S: FnOnce(TestClient, &'static Shared) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + 'static,
{
    let _one_at_a_time = serial();
    run(Duration::from_secs(60), move |spawner| async move {
        let (smsc_stack, esme_stack) = support::cable(spawner);
        let shared: &'static Shared = leak(smsc::shared());
        let behaviour = Behaviour::labsmobile(scenarios::SYSTEM_ID, scenarios::PASSWORD);
        spawn(spawner, listen(smsc_stack, behaviour, shared));
        let (client, _) = esme(spawner, esme_stack, [10, 0, 0, 1], scenarios::esme_config());
        scenarios::bind(client, shared).await;
        scenario(client, shared).await;
    });
}

#[test]
fn bind_and_standard_text_with_receipt() {
    scenario(scenarios::standard_text);
}

#[test]
fn ucs2_text() {
    scenario(scenarios::ucs2_text);
}

#[test]
fn long_text_in_two_parts() {
    scenario(scenarios::long_text);
}

#[test]
fn undeliverable_receipt() {
    scenario(scenarios::undeliverable);
}

#[test]
fn messages_from_handsets() {
    scenario(scenarios::mo_messages);
}

#[test]
fn enquire_link_keeps_the_link() {
    scenario(scenarios::enquire_link);
}

#[test]
fn a_silent_smsc_is_found_dead() {
    scenario(scenarios::link_dead);
}

#[test]
fn drop_reconnect_report_and_resubmit() {
    scenario(scenarios::drop_and_reconnect);
}

#[test]
fn receipt_after_reconnect() {
    scenario(scenarios::receipt_after_reconnect);
}

#[test]
fn throttling_pauses_then_resubmits() {
    scenario(scenarios::throttling);
}

/// With a part store the session itself sends a throttled part of a long text again after the
/// pause: the message is accepted whole on its first submission (without one, the throttled part
/// fails the message), with one submit_sm more than it has parts.
#[test]
fn a_part_store_resends_a_throttled_part() {
    let _one_at_a_time = serial();
    run(Duration::from_secs(30), |spawner| async move {
        let (smsc_stack, esme_stack) = support::cable(spawner);
        let shared: &'static Shared = leak(smsc::shared());
        spawn(spawner, listen(smsc_stack, Behaviour::labsmobile(scenarios::SYSTEM_ID, scenarios::PASSWORD), shared));
        let store = leak([0u8; 512]);
        let (client, _) = esme_with_part_store(spawner, esme_stack, [10, 0, 0, 1], scenarios::esme_config(), store);
        scenarios::bind(client, shared).await;
        let body: String = (0..300).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
        let before = smsc::stats(shared, |s| {
            s.throttle_next = 1;
            s.submits
        });
        let ticket = client.submit_text(&scenarios::text("34600000081", &body)).await.unwrap();
        let outcome = scenarios::within(5000, "outcome", ticket.outcome()).await;
        assert!(outcome.is_accepted(), "{outcome:?}");
        assert_eq!((outcome.parts, outcome.accepted, outcome.ids.len()), (2, 2, 2));
        smsc::stats(shared, |s| {
            assert_eq!(s.throttled, 1);
            assert_eq!(s.submits, before + 3, "two parts and the throttled one again");
            let times = &s.submit_times[s.submit_times.len() - 3..];
            assert!(times[2] - times[0] >= 200, "sent again after the 200 ms pause: {times:?}");
        });
    });
}

#[test]
fn cancelling_a_queued_submit_withdraws_it() {
    scenario(scenarios::cancel_pending);
}

#[test]
fn cancelling_a_submit_in_flight_frees_its_ticket() {
    scenario(scenarios::cancel_in_flight);
}

#[test]
fn unbind_stops_the_runner() {
    let _one_at_a_time = serial();
    run(Duration::from_secs(30), |spawner| async move {
        let (smsc_stack, esme_stack) = support::cable(spawner);
        let shared: &'static Shared = leak(smsc::shared());
        spawn(spawner, listen(smsc_stack, Behaviour::labsmobile(scenarios::SYSTEM_ID, scenarios::PASSWORD), shared));
        let (client, result) = esme(spawner, esme_stack, [10, 0, 0, 1], scenarios::esme_config());
        scenarios::bind(client, shared).await;
        scenarios::unbind(client, shared).await;
        assert_eq!(result.wait().await, Ok(()));
    });
}

#[test]
fn a_wrong_password_is_retried_with_backoff_until_the_limit() {
    let _one_at_a_time = serial();
    run(Duration::from_secs(30), |spawner| async move {
        let (smsc_stack, esme_stack) = support::cable(spawner);
        let shared: &'static Shared = leak(smsc::shared());
        spawn(spawner, listen(smsc_stack, Behaviour::labsmobile(scenarios::SYSTEM_ID, "other"), shared));
        let mut config = scenarios::esme_config();
        config.backoff = smpp_embassy::smpp_session::Backoff::new(
            smpp_embassy::smpp_session::Duration::from_millis(20),
            smpp_embassy::smpp_session::Duration::from_millis(40),
            Some(3),
        );
        let (client, result) = esme(spawner, esme_stack, [10, 0, 0, 1], config);
        assert_eq!(result.wait().await, Err(smpp_embassy::RunError::GaveUp));
        let link = client.link();
        assert_eq!(link.state, smpp_embassy::LinkState::Stopped);
        assert_eq!((link.binds, link.failed_attempts), (0, 4));
        assert_eq!(smsc::stats(shared, |s| s.bad_binds), 4);
        assert_eq!(client.wait_bound().await, Err(smpp_embassy::Error::Stopped));
    });
}

#[test]
fn the_runner_checks_its_buffers_and_credentials_before_connecting() {
    let _one_at_a_time = serial();
    run(Duration::from_secs(10), |spawner| async move {
        let (_, esme_stack) = support::cable(spawner);
        let mut config = scenarios::esme_config();
        config.password = "longer than eight";
        let (_, result) = esme(spawner, esme_stack, [10, 0, 0, 1], config);
        assert!(matches!(result.wait().await, Err(smpp_embassy::RunError::Credentials(_))));
    });
}

/// What a hostile or broken SMSC sends after accepting the bind: garbage, frames that lie about
/// their length, responses to nothing, truncated and malformed bodies, floods. Nothing of it may
/// panic the runner: it drops the connection or answers, reconnects, and works once the SMSC is
/// sane again.
#[test]
fn a_hostile_smsc_never_panics_the_runner() {
    let _one_at_a_time = serial();
    run(Duration::from_secs(60), |spawner| async move {
        let (smsc_stack, esme_stack) = support::cable(spawner);
        let shared: &'static Shared = leak(smsc::shared());
        spawn(spawner, hostile_then_sane(smsc_stack, shared));
        let (client, result) = esme(spawner, esme_stack, [10, 0, 0, 1], scenarios::esme_config());
        // Bound on every hostile connection (between them the listener is away: those attempts
        // are refused), then on the sane one.
        client.wait_link(|l| l.binds > HOSTILE_ROUNDS as u32).await;
        scenarios::standard_text(client, shared).await;
        assert!(!result.signaled(), "the runner is still running");
    });
}

const HOSTILE_ROUNDS: usize = 10;

fn frame(id: u32, status: u32, seq: u32, body: &[u8]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&((16 + body.len()) as u32).to_be_bytes());
    f.extend_from_slice(&id.to_be_bytes());
    f.extend_from_slice(&status.to_be_bytes());
    f.extend_from_slice(&seq.to_be_bytes());
    f.extend_from_slice(body);
    f
}

/// The hostile bytes of round `round`.
fn hostile(round: usize, rng: &mut u64) -> Vec<u8> {
    let mut next = || {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        *rng
    };
    let receipt_text = b"id:zz sub:x dlvrd:\xff submit date:99999999999999 done date: stat:?????? err:-1 text:\x00\x00";
    let mut deliver = vec![0u8, 1, 1];
    deliver.extend_from_slice(b"34600000001\0\x05\x00Alarm\0\x04\0\0\0\0\0\0\0\0");
    deliver.push(receipt_text.len() as u8);
    deliver.extend_from_slice(receipt_text);
    deliver.extend_from_slice(&[0x00, 0x1E, 0x00, 0x40]); // receipted_message_id claiming 64 octets
    match round {
        0 => (0..2000).map(|_| next() as u8).collect(),
        1 => frame(0x0000_0004, 0, 9, &[0xFF; 8]), // a submit_sm, which an ESME never takes
        2 => {
            let mut f = frame(0x0000_0005, 0, 3, &[]);
            f[..4].copy_from_slice(&0xFFFF_FFF0u32.to_be_bytes()); // a length that cannot be
            f
        }
        3 => frame(0x0000_0005, 0, 4, &deliver),
        4 => (0..200).flat_map(|i| frame(0x8000_0004, 0, 1000 + i, b"nobody\0")).collect(),
        5 => (0..300).flat_map(|i| frame(0x0000_0015, 0, 5000 + i, &[])).collect(), // an enquire_link flood
        6 => {
            let mut f = frame(0x0000_0005, 0, 6, &[]);
            f[..4].copy_from_slice(&70_000u32.to_be_bytes()); // longer than the receive buffer
            f.extend((0..70_000 - 16).map(|_| next() as u8));
            f
        }
        7 => [
            frame(0x8000_0009, 0, 1, b"again\0"),
            frame(0x0000_0102, 0, 7, b"\x01\x01123\0"),
            frame(0x0000_0006, 0, 8, &[]),
        ]
        .concat(),
        8 => frame(0x0000_0005, 0, 9, &deliver[..deliver.len() / 2]), // truncated
        _ => (0..50).flat_map(|i| frame(next() as u32, next() as u32, i, &[next() as u8; 7])).collect(),
    }
}

/// HOSTILE_ROUNDS connections that accept the bind and then misbehave, then the test SMSC.
async fn hostile_then_sane(stack: embassy_net::Stack<'static>, shared: &'static Shared) {
    use embedded_io_async::Write as _;
    let mut rx = [0u8; 2048];
    let mut tx = [0u8; 2048];
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    for round in 0..HOSTILE_ROUNDS {
        let mut socket = embassy_net::tcp::TcpSocket::new(stack, &mut rx, &mut tx);
        if socket.accept(support::SMSC_PORT).await.is_err() {
            continue;
        }
        // Accept the bind (whatever it is) with its sequence number.
        let mut bind = [0u8; 64];
        let mut got = 0;
        while got < 16 {
            match socket.read(&mut bind[got..]).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got += n,
            }
        }
        let seq = u32::from_be_bytes(bind[12..16].try_into().unwrap());
        let _ = socket.write_all(&frame(0x8000_0009, 0, seq, b"Hostile\0")).await;
        let _ = socket.write_all(&hostile(round, &mut rng)).await;
        // Read what the runner answers for a while, then go.
        let mut sink = [0u8; 512];
        let _ = embassy_time::with_timeout(embassy_time::Duration::from_millis(300), async {
            while let Ok(n) = socket.read(&mut sink).await {
                if n == 0 {
                    break;
                }
            }
        })
        .await;
        socket.abort();
        let _ = embassy_time::with_timeout(embassy_time::Duration::from_millis(200), socket.flush()).await;
    }
    listen(stack, Behaviour::labsmobile(scenarios::SYSTEM_ID, scenarios::PASSWORD), shared).await;
}
