//! The runner on embassy-net with embassy-executor's std platform: two stacks in one process
//! joined by embassy-net-driver-channel, the test SMSC (an SMSC-role session) on the other one.
//! No root needed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use std::future::Future;
use std::time::Duration;

use support::scenarios::{self, TestClient};
use support::smsc::{self, Behaviour, Shared};
use support::{esme, leak, listen, run, serial, spawn};

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
