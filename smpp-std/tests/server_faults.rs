//! Each fault the server injects, driven by a client over TCP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::io::Read;
use std::time::{Duration, Instant};

use common::*;
use smpp_codec::pdu::{Bind, QuerySm};
use smpp_codec::{Address, CommandId, CommandStatus, Pdu};
use smpp_session::{BindKind, CloseReason, Config, Keepalive, Outcome};
use smpp_std::server::{CloseCause, Fault, Faults, Profile, ServerConfig, ServerEvent};

const USER: &str = "smppclient1";
const PASS: &str = "password";

fn with(faults: Faults) -> ServerConfig {
    ServerConfig::new(USER, PASS, fast(Profile::labsmobile())).with_faults(faults)
}

#[test]
fn every_kth_submit_is_throttled() {
    let server = start(with(Faults { throttle_every: Some(3), ..Faults::default() }));
    let events = server.subscribe(100);
    // The client's own pause after throttling is made short.
    let config =
        Config { throttle_pause: smpp_session::Duration(1), max_throttle_pause: smpp_session::Duration(1), ..quiet() };
    let mut e = Esme::connect(server.local_addr(), config);
    e.bind(BindKind::Transmitter, USER, PASS).unwrap();
    let statuses: Vec<CommandStatus> = (0..7).map(|_| e.submit_wait(&sm("34600000001", b"hi")).0).collect();
    use CommandStatus as S;
    assert_eq!(statuses, [S::OK, S::OK, S::THROTTLED, S::OK, S::OK, S::THROTTLED, S::OK]);
    let faults = take_events(&events, 2, Duration::from_secs(1), |e| matches!(e, ServerEvent::Fault { .. }));
    assert!(faults.iter().all(|e| matches!(e, ServerEvent::Fault { fault: Fault::Throttled, .. })), "{faults:?}");
    assert_eq!(faults.len(), 2);
    // Counted per connection: a new one starts afresh.
    let mut e = Esme::connect(server.local_addr(), config);
    e.bind(BindKind::Transmitter, USER, PASS).unwrap();
    let statuses: Vec<CommandStatus> = (0..3).map(|_| e.submit_wait(&sm("34600000001", b"hi")).0).collect();
    assert_eq!(statuses, [S::OK, S::OK, S::THROTTLED]);
}

#[test]
fn answers_are_delayed_but_enquire_link_is_not() {
    let delay = Duration::from_millis(300);
    let server = start(with(Faults { response_delay: delay, ..Faults::default() }));
    let mut raw = RawEsme::bound(server.local_addr(), USER, PASS);
    let started = Instant::now();
    raw.write(&encode(&Pdu::SubmitSm(sm("34600000001", b"hi")), 2));
    raw.write(&encode(&Pdu::EnquireLink, 3));
    let (first, _) = raw.next().unwrap();
    assert_eq!((first.command_id, first.sequence_number), (CommandId::ENQUIRE_LINK_RESP, 3));
    assert!(started.elapsed() < Duration::from_millis(200), "{:?}", started.elapsed());
    let (second, frame) = raw.next().unwrap();
    assert_eq!((second.command_id, second.sequence_number), (CommandId::SUBMIT_SM_RESP, 2));
    assert!(started.elapsed() >= delay, "{:?}", started.elapsed());
    let Ok((_, Pdu::SubmitSmResp(r))) = Pdu::parse(&frame) else { panic!() };
    let id = String::from_utf8_lossy(r.message_id.as_bytes()).into_owned();
    // query_sm too (a receipt may come meanwhile: it follows the submit_sm_resp above).
    let started = Instant::now();
    raw.write(&encode(&Pdu::QuerySm(QuerySm { message_id: id.as_str().into(), source: Address::default() }), 4));
    loop {
        let (h, _) = raw.next().unwrap();
        if h.command_id == CommandId::DELIVER_SM {
            raw.write(&encode(&Pdu::DeliverSmResp(Default::default()), h.sequence_number));
            continue;
        }
        assert_eq!((h.command_id, h.sequence_number), (CommandId::QUERY_SM_RESP, 4));
        break;
    }
    assert!(started.elapsed() >= delay, "{:?}", started.elapsed());
}

#[test]
fn the_connection_drops_after_n_answered_submits() {
    let server = start(with(Faults { drop_after: Some(2), ..Faults::default() }));
    let events = server.subscribe(100);
    let mut e = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    // Four in flight at once: two answers, then the connection ends.
    let handles: Vec<_> = (0..4).map(|_| e.submit(&sm("34600000001", b"hi"))).collect();
    let outcomes: Vec<Outcome> = handles.into_iter().map(|h| e.response(h).outcome).collect();
    let ok = Outcome::Response { status: CommandStatus::OK };
    assert_eq!(outcomes, [ok, ok, Outcome::ConnectionLost, Outcome::ConnectionLost]);
    assert_eq!(e.closed(Duration::from_secs(1)), Some(CloseReason::ConnectionLost));
    let closed = take_events(&events, 1, Duration::from_secs(1), |e| matches!(e, ServerEvent::Closed { .. }));
    assert!(matches!(closed.first(), Some(ServerEvent::Closed { reason: CloseCause::FaultDrop, .. })), "{closed:?}");
    // The receipts of the two accepted messages wait for the next receiver.
    let mut again = Esme::bound(server.local_addr(), BindKind::Receiver, USER, PASS);
    assert!(again.deliver(Duration::from_secs(2)).is_some());
    assert!(again.deliver(Duration::from_secs(2)).is_some());
}

#[test]
fn drop_after_zero_drops_right_after_the_bind() {
    let server = start(with(Faults { drop_after: Some(0), ..Faults::default() }));
    let mut e = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    assert_eq!(e.closed(Duration::from_secs(2)), Some(CloseReason::ConnectionLost));
}

#[test]
fn a_half_open_connection_answers_nothing_and_stays_open() {
    let server = start(with(Faults { half_open_after: Some(1), ..Faults::default() }));
    let events = server.subscribe(100);
    let mut e = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    let first = e.submit(&sm("34600000001", b"one"));
    assert!(e.response(first).outcome.is_ok());
    let second = e.submit(&sm("34600000001", b"two"));
    e.idle(Duration::from_millis(400));
    assert!(!e.got.iter().any(|g| matches!(g, Got::Response(r) if r.handle == second)), "no answer");
    assert!(!e.got.iter().any(|g| matches!(g, Got::Deliver(_))), "no receipt either");
    assert!(!e.eof, "the connection stays open");
    assert_eq!(server.connections(), 1);
    let fault = take_events(&events, 1, Duration::from_secs(1), |e| matches!(e, ServerEvent::Fault { .. }));
    assert!(matches!(fault.first(), Some(ServerEvent::Fault { fault: Fault::HalfOpen, .. })));
    // The receipt of the first message goes to another receiver of the account.
    let mut rx = Esme::bound(server.local_addr(), BindKind::Receiver, USER, PASS);
    assert!(rx.deliver(Duration::from_secs(2)).is_some());
    drop(e);
    assert!(
        eventually(Duration::from_secs(2), || server.connections() == 1),
        "the silent one ends when the client goes"
    );
}

#[test]
fn a_client_with_keepalive_finds_a_half_open_link_dead() {
    let server = start(with(Faults { half_open_after: Some(0), ..Faults::default() }));
    let config = Config {
        // An interval longer than the timeout: with a shorter one the session re-arms the
        // response timer at each enquire_link and never finds the link dead.
        keepalive: Keepalive::Every(smpp_session::Duration::from_millis(100)),
        enquire_link_timeout: smpp_session::Duration::from_millis(80),
        ..quiet()
    };
    let mut e = Esme::connect(server.local_addr(), config);
    e.bind(BindKind::Transceiver, USER, PASS).unwrap();
    assert_eq!(e.closed(Duration::from_secs(2)), Some(CloseReason::LinkDead));
}

#[test]
fn chunked_writes_split_every_pdu_and_still_work() {
    let faults = Faults { write_chunk: Some(3), chunk_pause: Duration::from_millis(3), ..Faults::default() };
    let server = start(with(faults));
    let mut raw = RawEsme::connect(server.local_addr());
    raw.write(&encode(&Pdu::BindTransceiver(Bind::new(USER, PASS)), 1));
    let mut reads = Vec::new();
    let mut got = 0;
    while got < 16 {
        let mut buf = [0u8; 64];
        let n = raw.stream.read(&mut buf).unwrap();
        assert!(n > 0);
        reads.push(n);
        got += n;
    }
    assert!(reads.iter().all(|&n| n <= 3), "pieces of at most 3 octets: {reads:?}");
    // A whole exchange in pieces of one octet.
    let server = start(with(Faults { write_chunk: Some(1), ..Faults::default() }));
    let mut e = Esme::bound(server.local_addr(), BindKind::Transceiver, USER, PASS);
    let (status, id) = e.submit_wait(&sm("34600000001", b"hi"));
    assert_eq!(status, CommandStatus::OK);
    assert_eq!(e.deliver(Duration::from_secs(3)).unwrap().receipted_id, Some(id));
    assert_eq!(e.unbind(), Some(CloseReason::Unbound));
}
