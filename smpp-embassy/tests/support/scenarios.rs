//! The runner's scenarios, seen from the application: each drives a [`TestClient`] bound (or
//! binding) to the test SMSC of `smsc.rs` and checks what both ends saw. `no_std`: the host tests
//! run them over embassy-net (two stacks joined in memory, or a TAP device) and the QEMU test
//! binary runs them over an in-memory pipe.
#![allow(dead_code, clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use core::future::Future;

use embassy_futures::join::join_array;
use embassy_futures::select::{Either, select};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_time::{Duration, Instant, Timer, with_timeout};
use smpp_embassy::smpp_codec::pdu::{QuerySm, SubmitSm};
use smpp_embassy::smpp_codec::text::gsm7::Tables;
use smpp_embassy::smpp_codec::text::segment::Encoding;
use smpp_embassy::smpp_codec::{Address, MessageState, Pdu, RegisteredDelivery};
use smpp_embassy::smpp_session::{self, Backoff, CloseReason, CommandError, Keepalive};
use smpp_embassy::{Client, Config, Failure, LinkState, ReceiptError, Resubmit, State, Text};

use super::smsc::{Shared, stats};

/// Tickets, request slot octets, id octets per message, message-from-handset octets.
pub const TICKETS: usize = 6;
pub const TEXT: usize = 400;
pub const IDS: usize = 64;
pub const MO: usize = 160;
/// The session window.
pub const WINDOW: usize = 4;

pub type TestState = State<CriticalSectionRawMutex, TICKETS, TEXT, IDS, MO>;
pub type TestClient = Client<'static, CriticalSectionRawMutex, TICKETS, TEXT, IDS, MO>;

pub const SYSTEM_ID: &str = "panel01";
pub const PASSWORD: &str = "s3cr3t";

/// The ESME's configuration in every scenario: fast timers so that faults resolve quickly.
pub fn esme_config() -> Config<'static> {
    let mut c = Config::new(SYSTEM_ID, PASSWORD);
    c.session.keepalive = Keepalive::Every(smpp_session::Duration::from_millis(300));
    // Shorter than the interval: with Keepalive::Every, a timeout longer than the interval is
    // pushed back by each new enquire_link and a silent SMSC is never found dead (a session
    // issue, reported).
    c.session.enquire_link_timeout = smpp_session::Duration::from_millis(250);
    c.session.response_timeout = smpp_session::Duration::from_secs(3);
    c.session.throttle_pause = smpp_session::Duration::from_millis(200);
    c.session.unbind_timeout = smpp_session::Duration::from_millis(500);
    c.connect_timeout = Duration::from_secs(2);
    c.backoff = Backoff::new(smpp_session::Duration::from_millis(50), smpp_session::Duration::from_millis(300), None);
    c.resubmit = Resubmit { attempts: 2, pause: Duration::from_millis(50) };
    c.seed = 0x1234_5678;
    c
}

/// `f`, or a panic naming `what` after `ms`.
pub async fn within<F: Future>(ms: u64, what: &str, f: F) -> F::Output {
    match with_timeout(Duration::from_millis(ms), f).await {
        Ok(v) => v,
        Err(_) => panic!("timed out: {}", what),
    }
}

/// Waits until `cond` holds, checking every 5 ms, or panics naming `what` after `ms`.
pub async fn until(ms: u64, what: &str, mut cond: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_millis(ms);
    while !cond() {
        if Instant::now() > end {
            panic!("timed out waiting: {}", what);
        }
        Timer::after(Duration::from_millis(5)).await;
    }
}

pub fn text<'t>(to: &'t str, body: &'t str) -> Text<'t> {
    Text::new(Address::alphanumeric("Alarm"), Address::international(to), body)
}

fn last_seen_payload(smsc: &Shared) -> heapless::Vec<u8, 160> {
    stats(smsc, |s| heapless::Vec::from_slice(s.seen.last().unwrap().payload()).unwrap())
}

/// The runner connects and binds with the configured credentials.
pub async fn bind(c: TestClient, smsc: &Shared) {
    let link = within(10_000, "bind", c.wait_bound()).await.unwrap();
    assert!(matches!(link.state, LinkState::Bound(_)));
    assert!(link.binds >= 1);
    stats(smsc, |s| {
        assert!(s.binds >= 1);
        assert_eq!(s.bad_binds, 0);
    });
}

/// A GSM text with a receipt; then the same through `submit_pdu`; a text the chosen encoding
/// cannot write is refused without reaching the SMSC.
pub async fn standard_text(c: TestClient, smsc: &Shared) {
    let msg = text("34600000001", "Zone 3 open: back door @ 02:14");
    let t = within(5000, "standard text", c.send_text(&msg)).await.unwrap();
    let o = t.outcome().await;
    assert!(o.is_accepted(), "{:?}", o);
    assert_eq!((o.parts, o.accepted), (1, 1));
    let id = stats(smsc, |s| s.seen.last().unwrap().id.clone());
    assert_eq!(o.message_id(), Some(id.as_str()));
    stats(smsc, |s| {
        let seen = s.seen.last().unwrap();
        assert_eq!(seen.data_coding, 0);
        assert_eq!(seen.dest.as_slice(), b"34600000001");
        assert_eq!(seen.registered_delivery & 1, 1);
    });
    // GSM 03.38 unpacked: '@' is septet 0.
    let mut expected: heapless::Vec<u8, 64> = heapless::Vec::from_slice(b"Zone 3 open: back door @ 02:14").unwrap();
    expected[23] = 0;
    assert_eq!(last_seen_payload(smsc).as_slice(), expected.as_slice());
    let r = within(5000, "receipt", t.receipt()).await.unwrap();
    assert!(r.is_delivered());
    assert_eq!((r.parts, r.delivered), (1, 1));

    let mut sm = SubmitSm::new(Address::alphanumeric("Alarm"), Address::international("34600000002"), b"PDU path");
    sm.registered_delivery = RegisteredDelivery::RECEIPT;
    let t = within(5000, "pdu", c.submit_pdu(&Pdu::SubmitSm(sm))).await.unwrap();
    let o = within(5000, "pdu outcome", t.outcome()).await;
    assert!(o.is_accepted(), "{:?}", o);
    assert_eq!(last_seen_payload(smsc).as_slice(), b"PDU path");
    assert!(within(5000, "pdu receipt", t.receipt()).await.unwrap().is_delivered());

    // A query_sm through `submit_pdu`: the runner's session decodes query_sm_resp only once a
    // query is posted; the answer's message_id comes back in the outcome.
    let queried = stats(smsc, |s| s.seen.last().unwrap().id.clone());
    let query = QuerySm { message_id: queried.as_str().into(), source: Address::alphanumeric("Alarm") };
    let t = within(5000, "query", c.submit_pdu(&Pdu::QuerySm(query))).await.unwrap();
    let o = within(5000, "query outcome", t.outcome()).await;
    assert!(o.is_accepted(), "{:?}", o);
    assert_eq!(o.message_id(), Some(queried.as_str()));

    let before = stats(smsc, |s| s.submits);
    let mut bad = text("34600000003", "漢字");
    bad.encoding = Some(Encoding::Gsm7(Tables::DEFAULT));
    let t = within(5000, "refused", c.send_text(&bad)).await.unwrap();
    let o = t.outcome().await;
    assert!(matches!(o.failure(), Some(Failure::Refused(CommandError::Text(_)))), "{:?}", o);
    assert_eq!(t.receipt().await, Err(ReceiptError::NotAccepted));
    assert_eq!(stats(smsc, |s| s.submits), before, "a refused text never reaches the SMSC");
}

/// A text with a character outside GSM 03.38 goes as UCS-2.
pub async fn ucs2_text(c: TestClient, smsc: &Shared) {
    let body = "Alarma ⚠ zona 3: puerta — 😀";
    let msg = text("34600000011", body);
    let t = within(5000, "ucs2 text", c.send_text(&msg)).await.unwrap();
    assert!(t.outcome().await.is_accepted());
    stats(smsc, |s| assert_eq!(s.seen.last().unwrap().data_coding, 8));
    let payload = last_seen_payload(smsc);
    let mut expected: heapless::Vec<u8, 160> = heapless::Vec::new();
    for unit in body.encode_utf16() {
        expected.extend_from_slice(&unit.to_be_bytes()).unwrap();
    }
    assert_eq!(payload.as_slice(), expected.as_slice());
    assert!(within(5000, "receipt", t.receipt()).await.unwrap().is_delivered());
}

/// A text of 300 characters goes in two parts tied by one UDH reference, each with its id and
/// its receipt.
pub async fn long_text(c: TestClient, smsc: &Shared) {
    let mut body: heapless::String<300> = heapless::String::new();
    while body.len() < 300 {
        let _ = body.push(char::from(b'a' + (body.len() % 26) as u8));
    }
    let first = stats(smsc, |s| s.seen.len());
    let msg = text("34600000021", &body);
    let t = within(5000, "long text", c.send_text(&msg)).await.unwrap();
    let o = t.outcome().await;
    assert!(o.is_accepted(), "{:?}", o);
    assert_eq!((o.parts, o.accepted), (2, 2));
    assert_eq!(o.ids.len(), 2);
    assert!(o.ids.get(1).is_some() && o.ids.get(2).is_some() && o.ids.get(1) != o.ids.get(2));
    stats(smsc, |s| {
        let parts = &s.seen[first..];
        assert_eq!(parts.len(), 2);
        let (r1, t1, s1) = parts[0].concat().unwrap();
        let (r2, t2, s2) = parts[1].concat().unwrap();
        assert_eq!((r1, t1, t2), (r2, 2, 2));
        assert_eq!((s1, s2), (1, 2));
        let mut joined: heapless::Vec<u8, 320> = heapless::Vec::new();
        joined.extend_from_slice(parts[0].payload()).unwrap();
        joined.extend_from_slice(parts[1].payload()).unwrap();
        assert_eq!(joined.as_slice(), body.as_bytes());
    });
    let r = within(5000, "receipts of both parts", t.receipt()).await.unwrap();
    assert_eq!((r.parts, r.delivered), (2, 2));
}

/// An undeliverable destination: the receipt says so, with its error code.
pub async fn undeliverable(c: TestClient, _smsc: &Shared) {
    let t = within(5000, "text", c.send_text(&text("34600000990", "Zone 1"))).await.unwrap();
    assert!(t.outcome().await.is_accepted());
    let r = within(5000, "receipt", t.receipt()).await.unwrap();
    assert_eq!(r.state, MessageState::UNDELIVERABLE);
    assert_eq!((r.delivered, r.error), (0, Some(1)));
}

/// A message from a handset reaches the application; while one waits untaken, the next is
/// answered "try later".
pub async fn mo_messages(c: TestClient, smsc: &Shared) {
    stats(smsc, |s| s.mo_next.push_back("ARM 1").unwrap());
    let m = within(5000, "message from a handset", c.receive_message()).await;
    assert_eq!(m.from.as_str(), "34600111222");
    assert!(m.chars().eq("ARM 1".chars()));
    let ok = stats(smsc, |s| s.delivers_ok);
    stats(smsc, |s| {
        s.mo_next.push_back("FIRST").unwrap();
        s.mo_next.push_back("SECOND").unwrap();
    });
    until(5000, "second message refused", || stats(smsc, |s| s.delivers_try_later >= 1)).await;
    assert!(stats(smsc, |s| s.delivers_ok) > ok);
    let m = c.try_receive_message().unwrap();
    assert!(m.chars().eq("FIRST".chars()));
    assert!(c.try_receive_message().is_none());
}

/// enquire_link goes out on the configured interval and the link stays up.
pub async fn enquire_link(c: TestClient, smsc: &Shared) {
    let binds = c.link().binds;
    let before = stats(smsc, |s| s.keepalives);
    Timer::after(Duration::from_millis(1300)).await;
    let sent = stats(smsc, |s| s.keepalives) - before;
    assert!((3..=6).contains(&sent), "{} enquire_link in 1.3 s at 300 ms", sent);
    assert_eq!(c.link().binds, binds, "no reconnection");
    assert!(matches!(c.link().state, LinkState::Bound(_)));
}

/// An SMSC that stops answering is found dead by enquire_link: the message in flight is
/// reported lost, and the runner reconnects.
pub async fn link_dead(c: TestClient, smsc: &Shared) {
    let binds = c.link().binds;
    stats(smsc, |s| {
        s.mute_next = 1;
        s.mute_ms = 1500;
    });
    let t = within(5000, "submit", c.submit_text(&text("34600000031", "mute"))).await.unwrap();
    let o = within(5000, "outcome", t.outcome()).await;
    assert_eq!(o.failure(), Some(Failure::ConnectionLost));
    let link = within(10_000, "rebind", c.wait_link(|l| l.binds > binds)).await;
    assert_eq!(link.last_close, Some(CloseReason::LinkDead));
    assert_eq!(link.lost_last, 1);
}

/// The connection drops with a message in flight: it is reported lost (outcome and link
/// status), the runner reconnects and binds again, and `send_text` resubmits.
pub async fn drop_and_reconnect(c: TestClient, smsc: &Shared) {
    let binds = c.link().binds;
    let lost = c.link().lost;
    stats(smsc, |s| s.drop_next = 1);
    let t = within(5000, "submit", c.submit_text(&text("34600000041", "dropped"))).await.unwrap();
    let o = within(5000, "outcome", t.outcome()).await;
    assert_eq!(o.failure(), Some(Failure::ConnectionLost));
    let link = within(10_000, "rebind", c.wait_link(|l| l.binds > binds)).await;
    assert_eq!(link.lost, lost + 1);
    assert_eq!(link.lost_last, 1);
    assert_eq!(link.last_close, Some(CloseReason::ConnectionLost));

    stats(smsc, |s| s.drop_next = 1);
    let before = stats(smsc, |s| s.seen.len());
    let t = within(10_000, "resubmitted", c.send_text(&text("34600000042", "resubmit me"))).await.unwrap();
    assert!(t.outcome().await.is_accepted());
    stats(smsc, |s| {
        let copies = s.seen[before..].iter().filter(|x| x.payload() == b"resubmit me").count();
        assert_eq!(copies, 2, "lost once, then sent again after the reconnection");
    });
    assert!(within(5000, "receipt", t.receipt()).await.unwrap().is_delivered());
}

/// A receipt that comes on the next connection still finds its message.
pub async fn receipt_after_reconnect(c: TestClient, smsc: &Shared) {
    stats(smsc, |s| s.receipt_delay_ms = 700);
    let t = within(5000, "text", c.send_text(&text("34600000051", "receipt later"))).await.unwrap();
    assert!(t.outcome().await.is_accepted());
    let binds = c.link().binds;
    stats(smsc, |s| s.drop_next = 1);
    let lost = within(5000, "submit", c.submit_text(&text("34600000052", "dropped"))).await.unwrap();
    assert_eq!(within(5000, "lost", lost.outcome()).await.failure(), Some(Failure::ConnectionLost));
    within(10_000, "rebind", c.wait_link(|l| l.binds > binds)).await;
    let r = within(5000, "receipt on the new connection", t.receipt()).await.unwrap();
    assert!(r.is_delivered());
    stats(smsc, |s| s.receipt_delay_ms = 20);
}

/// ESME_RTHROTTLED pauses submissions for the session's throttle pause; the message is sent
/// again after it and accepted.
pub async fn throttling(c: TestClient, smsc: &Shared) {
    stats(smsc, |s| s.throttle_next = 1);
    let before = stats(smsc, |s| (s.throttled, s.submit_times.len()));
    let t = within(5000, "throttled text", c.send_text(&text("34600000061", "throttled"))).await.unwrap();
    assert!(t.outcome().await.is_accepted());
    stats(smsc, |s| {
        assert_eq!(s.throttled, before.0 + 1);
        let times = &s.submit_times[before.1..];
        assert_eq!(times.len(), 2);
        let gap = times[1] - times[0];
        assert!(gap >= 200, "sent again after {} ms; the pause is 200 ms", gap);
    });
}

/// A message still queued when a `select` drops its future is withdrawn: never sent. Needs the
/// session's full window (no throttling since the connection opened).
pub async fn cancel_pending(c: TestClient, smsc: &Shared) {
    stats(smsc, |s| {
        s.delay_next = 4;
        s.delay_ms = 500;
    });
    let before = stats(smsc, |s| s.submits);
    let bodies = ["held 1", "held 2", "held 3", "held 4"];
    let msgs = bodies.map(|b| text("34600000071", b));
    let tickets = join_array([
        c.submit_text(&msgs[0]),
        c.submit_text(&msgs[1]),
        c.submit_text(&msgs[2]),
        c.submit_text(&msgs[3]),
    ])
    .await
    .map(Result::unwrap);
    until(5000, "the window full", || stats(smsc, |s| s.submits) == before + 4).await;
    // The window is full: the fifth waits in the request slot, and is dropped there.
    let fifth = text("34600000072", "never sent");
    match select(c.send_text(&fifth), Timer::after(Duration::from_millis(100))).await {
        Either::First(r) => panic!(
            "the fifth message went through a full window: {:?} at {} ms; SMSC: {:?}",
            r.map(|t| t.try_outcome()),
            Instant::now().as_millis(),
            stats(smsc, |s| (s.submits, s.accepted, s.submit_times.clone()))
        ),
        Either::Second(()) => {}
    }
    for t in &tickets {
        assert!(within(5000, "held outcome", t.outcome()).await.is_accepted());
    }
    Timer::after(Duration::from_millis(200)).await;
    stats(smsc, |s| {
        assert_eq!(s.submits, before + 4);
        assert!(s.seen.iter().all(|x| x.payload() != b"never sent"));
    });
    drop(tickets);
    let t = within(5000, "sent for real", c.send_text(&fifth)).await.unwrap();
    assert!(t.outcome().await.is_accepted());
}

/// A message already at the SMSC when its future is dropped: the SMSC has it, its outcome is
/// discarded, and its ticket is free again.
pub async fn cancel_in_flight(c: TestClient, smsc: &Shared) {
    stats(smsc, |s| {
        s.delay_next = 1;
        s.delay_ms = 300;
    });
    let before = stats(smsc, |s| s.accepted);
    let msg = text("34600000081", "in flight");
    match select(c.send_text(&msg), Timer::after(Duration::from_millis(100))).await {
        Either::First(_) => panic!("answered before the delay"),
        Either::Second(()) => {}
    }
    until(5000, "the SMSC answers", || stats(smsc, |s| s.accepted) == before + 1).await;
    // Every ticket is free: as many messages as there are tickets go at once.
    let msgs = [0u8; TICKETS].map(|_| text("34600000082", "after"));
    let outcomes = within(
        10_000,
        "all tickets",
        join_array([
            c.send_text(&msgs[0]),
            c.send_text(&msgs[1]),
            c.send_text(&msgs[2]),
            c.send_text(&msgs[3]),
            c.send_text(&msgs[4]),
            c.send_text(&msgs[5]),
        ]),
    )
    .await;
    for t in outcomes {
        assert!(t.unwrap().try_outcome().unwrap().is_accepted());
    }
}

/// unbind: the SMSC sees it, the runner stops, later requests fail at once.
pub async fn unbind(c: TestClient, smsc: &Shared) {
    let before = stats(smsc, |s| s.unbinds);
    within(5000, "unbind", c.unbind()).await;
    assert_eq!(c.link().state, LinkState::Stopped);
    assert_eq!(stats(smsc, |s| s.unbinds), before + 1);
    assert!(c.submit_text(&text("34600000091", "too late")).await.is_err());
}
