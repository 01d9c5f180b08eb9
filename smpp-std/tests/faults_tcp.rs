//! The fault matrix over TCP: the smpp-std client, reconnecting and resubmitting, against the
//! SMSC server with each of its faults. Every message ends in exactly one outcome, nothing is
//! lost or reported twice, and the client reconnects exactly where it should.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::HashMap;
use std::time::Duration;

use smpp_session::{Backoff, Duration as SDuration, Keepalive};
use smpp_std::server::Faults;
use smpp_std::{
    Addr, Client, ClientConfig, ClientEvent, Completion, MessageKey, Profile, Reconnect, Server, ServerConfig,
    TextMessage,
};

const MESSAGES: u64 = 20;

struct Run {
    /// Outcomes by message: how many each got, and whether the last was an acceptance.
    outcomes: HashMap<MessageKey, (u32, bool)>,
    /// Connections the client made (binds of the main connection).
    binds: usize,
    /// Submissions the server accepted (more than MESSAGES when a lost answer is resent).
    accepted_by_server: u64,
}

fn run(faults: Faults, tune: impl FnOnce(&mut ClientConfig)) -> Run {
    let mut profile = Profile::labsmobile();
    profile.receipts.delay = Duration::from_secs(3600);
    let server = Server::start("127.0.0.1:0", ServerConfig::new("u", "p", profile).with_faults(faults)).unwrap();
    let mut config = ClientConfig::new("u", "p");
    config.session.window = Some(8);
    config.session.response_timeout = SDuration::from_millis(400);
    config.session.throttle_pause = SDuration::from_millis(30);
    config.session.max_throttle_pause = SDuration::from_millis(200);
    config.session.part_retries = 50;
    config.session.keepalive = Keepalive::WhenIdle(SDuration::from_millis(300));
    config.session.enquire_link_timeout = SDuration::from_millis(300);
    config.session.dead_after_timeouts = 2;
    config.reconnect = Some(Reconnect {
        backoff: Backoff::new(SDuration::from_millis(20), SDuration::from_millis(100), None),
        resubmit: true,
    });
    tune(&mut config);
    let client: Client<8> = Client::connect(server.local_addr(), config).unwrap();
    let events = client.events();
    let (tx, rx) = crossbeam_channel::unbounded::<Completion>();
    let mut keys = Vec::new();
    for i in 0..MESSAGES {
        let msg = TextMessage::new(
            Addr::sender("Panel").unwrap(),
            Addr::number("+34600000001").unwrap(),
            format!("alarm {i}"),
        );
        keys.push(client.send_text_tagged(msg, i, &tx).unwrap());
    }
    let mut outcomes: HashMap<MessageKey, (u32, bool)> = HashMap::new();
    while outcomes.values().map(|(n, _)| *n).sum::<u32>() < MESSAGES as u32 {
        let Completion { outcome, .. } =
            rx.recv_timeout(Duration::from_secs(30)).unwrap_or_else(|_| panic!("outcomes so far: {outcomes:?}"));
        let e = outcomes.entry(outcome.key).or_default();
        e.0 += 1;
        e.1 = outcome.is_accepted();
    }
    // Nothing more comes: no message gets a second outcome.
    assert!(rx.recv_timeout(Duration::from_millis(300)).is_err(), "a second outcome");
    client.close().unwrap();
    let binds = events.try_iter().filter(|e| matches!(e, ClientEvent::Bound { connection: 0 })).count();
    assert_eq!(keys.len(), outcomes.len());
    let accepted_by_server = server.stats().submitted.load(std::sync::atomic::Ordering::Relaxed);
    Run { outcomes, binds, accepted_by_server }
}

fn all_accepted_once(r: &Run) {
    for (k, (n, ok)) in &r.outcomes {
        assert_eq!(*n, 1, "{k:?}: {n} outcomes");
        assert!(ok, "{k:?} not accepted");
    }
    assert!(r.accepted_by_server >= MESSAGES, "the server accepted {} of {MESSAGES}", r.accepted_by_server);
}

#[test]
fn dropped_connections_lose_nothing() {
    let r = run(Faults { drop_after: Some(3), ..Faults::default() }, |_| {});
    all_accepted_once(&r);
    assert!(r.binds >= 7, "20 messages through connections dropped after 3 answers: {} binds", r.binds);
}

#[test]
fn a_half_open_smsc_is_left_for_a_new_connection() {
    let r = run(Faults { half_open_after: Some(5), ..Faults::default() }, |_| {});
    // The requests that timed out before the link was found dead end with their timeout (the
    // SMSC may have them); the ones the connection took with it go again and are accepted.
    let mut timed_out = 0;
    for (k, (n, ok)) in &r.outcomes {
        assert_eq!(*n, 1, "{k:?}: {n} outcomes");
        timed_out += usize::from(!ok);
    }
    assert!(timed_out <= 2 * (r.binds - 1), "{timed_out} timeouts over {} dead links", r.binds - 1);
    assert!(r.binds >= 3, "the silent connection was given up {} times", r.binds - 1);
}

#[test]
fn a_throttling_storm_delays_but_does_not_reconnect() {
    let r = run(Faults { throttle_every: Some(2), ..Faults::default() }, |_| {});
    all_accepted_once(&r);
    assert_eq!(r.binds, 1, "throttling is no reason to reconnect");
    assert_eq!(r.accepted_by_server, MESSAGES, "nothing twice");
}

#[test]
fn answers_written_a_few_octets_at_a_time_change_nothing() {
    let faults = Faults { write_chunk: Some(3), chunk_pause: Duration::from_millis(1), ..Faults::default() };
    let r = run(faults, |_| {});
    all_accepted_once(&r);
    assert_eq!((r.binds, r.accepted_by_server), (1, MESSAGES));
}

#[test]
fn late_answers_within_the_timeout_change_nothing() {
    let r = run(Faults { response_delay: Duration::from_millis(150), ..Faults::default() }, |_| {});
    all_accepted_once(&r);
    assert_eq!((r.binds, r.accepted_by_server), (1, MESSAGES));
}

#[test]
fn answers_later_than_the_timeout_end_once_each_without_reconnecting_forever() {
    // Without resubmission a timed-out message ends with its timeout: one outcome, not two,
    // when its late answer comes.
    let r = run(Faults { response_delay: Duration::from_millis(600), ..Faults::default() }, |c| {
        c.reconnect = None;
        c.session.dead_after_timeouts = 0;
        c.session.keepalive = Keepalive::Off;
    });
    for (k, (n, _)) in &r.outcomes {
        assert_eq!(*n, 1, "{k:?}: {n} outcomes");
    }
    assert_eq!(r.binds, 1);
}
