//! The runner over embedded-tls (feature `tls`) against the std server (smpp-std, rustls) with a
//! CA generated for the test.
//!
//! The std server needs a real socket and the runner an embassy-net stack, so the test joins
//! them with a bridge inside the process: the runner's stack (10.0.0.2) is joined in memory to a
//! second stack (10.0.0.1), where the bridge accepts each TCP connection on port 2775 and copies
//! it, octet for octet, to the server on a loopback socket. TLS runs end to end between
//! embedded-tls and rustls; the bridge only looks at the octets: it records the size of every
//! record the server sends and everything the runner sends (the password must never be in it),
//! and can cut the server's octets into small pieces to make records arrive in fragments. No
//! root, no network namespace: it runs in every `cargo test`. (The TAP test shows the other
//! way, a Linux socket reached through a TAP device; it needs root.)
#![cfg(feature = "tls")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use std::io::{Read as _, Write as _};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_io::Async;
use embassy_futures::select::{Either, select};
use embassy_net::tcp::TcpSocket;
use embassy_net::{IpEndpoint, Ipv4Address, Stack};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::signal::Signal;
use embassy_time::{Duration as EDuration, Timer, with_timeout};
use embedded_io_adapters::futures_03::FromFutures;
use embedded_io_async::{Read as _, Write as _};
use rand_core::OsRng;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use smpp_embassy::smpp_codec::Address;
use smpp_embassy::smpp_session::{self, Backoff};
use smpp_embassy::tls::{
    HandshakeError, MaxFragmentLength, TlsBuffers, TlsConnectError, TlsConnector, TlsSettings, Trust,
};
use smpp_embassy::{Buffers, Config, Connect, LinkState, Remote, RunError, Runner, Text};
use smpp_std::server::{Faults, Profile, Server, ServerConfig, ServerEvent};
use support::scenarios::{self, IDS, MO, PASSWORD, SYSTEM_ID, TEXT, TICKETS, TestClient, TestState, WINDOW};
use support::{SMSC_PORT, leak, serial, spawn};

type TlsRunner = Runner<'static, CriticalSectionRawMutex, TlsConnector<'static, OsRng>, WINDOW, TICKETS, TEXT, IDS, MO>;
type RunResult = Signal<CriticalSectionRawMutex, Result<(), RunError>>;

/// The buffers of one TLS connection.
#[derive(Copy, Clone, Debug)]
struct Sizes {
    socket: usize,
    record_read: usize,
    record_write: usize,
    stage_read: usize,
    stage_write: usize,
}

/// The alarm panel's (smpp-embassy/alarm-panel/src/tls.rs).
const FIRMWARE: Sizes =
    Sizes { socket: 1024, record_read: 2048, record_write: 640, stage_read: 1024, stage_write: 640 };

fn slice(n: usize) -> &'static mut [u8] {
    Box::leak(vec![0u8; n].into_boxed_slice())
}

fn buffers(s: Sizes) -> TlsBuffers<'static> {
    TlsBuffers {
        socket_rx: slice(s.socket),
        socket_tx: slice(s.socket),
        record_read: slice(s.record_read),
        record_write: slice(s.record_write),
        stage_read: slice(s.stage_read),
        stage_write: slice(s.stage_write),
    }
}

/// The std server over TLS with a CA made for it, and what the runner pins.
struct TlsSmsc {
    server: Server,
    ca: &'static [u8],
    leaf: &'static [u8],
}

impl TlsSmsc {
    fn port(&self) -> u16 {
        self.server.local_addr().port()
    }
}

fn tls_smsc(valid: (i64, i64)) -> TlsSmsc {
    tls_smsc_with(valid, None, Faults::default())
}

/// The same, its records cut to `max_fragment_size` (rustls's own setting) if given, injecting
/// `faults`.
fn tls_smsc_with(valid: (i64, i64), max_fragment_size: Option<usize>, faults: Faults) -> TlsSmsc {
    let g = smpp_std::tls::generate(&["localhost", "127.0.0.1"], valid.0, valid.1).unwrap();
    let ca = CertificateDer::from_pem_slice(g.ca_pem.as_bytes()).unwrap();
    let ca: &'static [u8] = Box::leak(ca.to_vec().into_boxed_slice());
    let leaf: &'static [u8] = Box::leak(g.chain[0].to_vec().into_boxed_slice());
    let mut config = smpp_std::tls::server_config_from(g.chain, g.key).unwrap();
    if max_fragment_size.is_some() {
        let mut c = (*config).clone();
        c.max_fragment_size = max_fragment_size;
        config = std::sync::Arc::new(c);
    }
    let mut profile = Profile::labsmobile();
    profile.receipts.delay = Duration::from_millis(20);
    let config = ServerConfig::new(SYSTEM_ID, PASSWORD, profile).with_tls(config).with_faults(faults);
    let server = Server::start("127.0.0.1:0", config).unwrap();
    TlsSmsc { server, ca, leaf }
}

/// What the bridge saw, per connection.
#[derive(Default, Debug)]
struct Seen {
    /// Everything the runner sent.
    from_client: Vec<Vec<u8>>,
    /// The length (header included) of every record the server sent, in order.
    server_records: Vec<Vec<usize>>,
    /// The same of the runner's records.
    client_records: Vec<Vec<usize>>,
}

fn seen() -> &'static Mutex<Seen> {
    leak(Mutex::new(Seen::default()))
}

/// Follows the record framing of one direction of a TLS stream.
#[derive(Default)]
struct Framing {
    header: Vec<u8>,
    left: usize,
}

impl Framing {
    fn feed(&mut self, mut data: &[u8], records: &mut Vec<usize>) {
        while !data.is_empty() {
            if self.left > 0 {
                let n = self.left.min(data.len());
                self.left -= n;
                data = &data[n..];
                continue;
            }
            let n = (5 - self.header.len()).min(data.len());
            self.header.extend_from_slice(&data[..n]);
            data = &data[n..];
            if self.header.len() == 5 {
                self.left = usize::from(u16::from_be_bytes([self.header[3], self.header[4]]));
                records.push(5 + self.left);
                self.header.clear();
            }
        }
    }
}

/// Connections the bridges hold open.
static BRIDGED: AtomicUsize = AtomicUsize::new(0);

/// Runs `main` on an embassy executor (see `support::run`), then waits (a few seconds at most)
/// until the bridges have closed every connection: the executor's tasks are never dropped, and
/// a connection left open would keep the server waiting for it when the test stops it.
fn run<F, Fut>(limit: Duration, main: F)
where
    F: FnOnce(embassy_executor::Spawner) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + 'static,
{
    support::run(limit, move |spawner| async move {
        main(spawner).await;
        let _ = with_timeout(EDuration::from_secs(5), async {
            while BRIDGED.load(Ordering::SeqCst) > 0 {
                Timer::after(EDuration::from_millis(5)).await;
            }
        })
        .await;
    });
}

/// Accepts connections on `stack` port 2775 one at a time and copies each to the server on
/// 127.0.0.1:`port`, in pieces of at most `piece` octets each way (a pause after each when
/// `piece` is small, so that records arrive in several segments and the socket's buffers fill).
async fn bridge(stack: Stack<'static>, port: u16, piece: usize, seen: &'static Mutex<Seen>) {
    let mut rx = vec![0u8; 4096];
    let mut tx = vec![0u8; 4096];
    loop {
        let mut socket = TcpSocket::new(stack, &mut rx, &mut tx);
        if socket.accept(SMSC_PORT).await.is_err() {
            continue;
        }
        let Ok(stream) = Async::<TcpStream>::connect(([127, 0, 0, 1], port)).await else {
            socket.abort();
            continue;
        };
        stream.get_ref().set_nodelay(true).unwrap();
        BRIDGED.fetch_add(1, Ordering::SeqCst);
        let index = {
            let mut s = seen.lock().unwrap();
            s.from_client.push(Vec::new());
            s.server_records.push(Vec::new());
            s.client_records.push(Vec::new());
            s.from_client.len() - 1
        };
        {
            let (mut from_client, mut to_client) = socket.split();
            let mut to_server = FromFutures::new(&stream);
            let mut from_server = FromFutures::new(&stream);
            let up = async {
                let mut buf = [0u8; 2048];
                let mut framing = Framing::default();
                while let Ok(n @ 1..) = from_client.read(&mut buf).await {
                    {
                        let mut s = seen.lock().unwrap();
                        s.from_client[index].extend_from_slice(&buf[..n]);
                        framing.feed(&buf[..n], &mut s.client_records[index]);
                    }
                    for p in buf[..n].chunks(piece) {
                        if to_server.write_all(p).await.is_err() {
                            return;
                        }
                        if piece < 64 {
                            Timer::after(EDuration::from_micros(300)).await;
                        }
                    }
                }
            };
            let down = async {
                let mut buf = [0u8; 2048];
                let mut framing = Framing::default();
                while let Ok(n @ 1..) = from_server.read(&mut buf).await {
                    framing.feed(&buf[..n], &mut seen.lock().unwrap().server_records[index]);
                    for p in buf[..n].chunks(piece) {
                        if to_client.write_all(p).await.is_err() {
                            return;
                        }
                        if piece < 64 {
                            Timer::after(EDuration::from_micros(300)).await;
                        }
                    }
                }
            };
            select(up, down).await;
        }
        let _ = stream.get_ref().shutdown(Shutdown::Both);
        drop(stream);
        BRIDGED.fetch_sub(1, Ordering::SeqCst);
        socket.close();
        let _ = with_timeout(EDuration::from_secs(1), socket.flush()).await;
    }
}

/// A network with the bridge to the server on `port` running on its SMSC side; returns the
/// runner's stack.
fn network(spawner: embassy_executor::Spawner, port: u16, piece: usize, seen: &'static Mutex<Seen>) -> Stack<'static> {
    let (smsc_stack, esme_stack) = support::cable(spawner);
    // Two listeners: the next connection is taken while the last one is still being torn down.
    spawn(spawner, bridge(smsc_stack, port, piece, seen));
    spawn(spawner, bridge(smsc_stack, port, piece, seen));
    esme_stack
}

fn remote() -> Remote<'static> {
    Remote::Addr(IpEndpoint::new(Ipv4Address::new(10, 0, 0, 1).into(), SMSC_PORT))
}

fn connector(stack: Stack<'static>, settings: TlsSettings<'static>, sizes: Sizes) -> TlsConnector<'static, OsRng> {
    TlsConnector::new(stack, remote(), settings, buffers(sizes), OsRng).unwrap()
}

/// The runner over TLS, spawned.
fn esme(
    spawner: embassy_executor::Spawner,
    connector: TlsConnector<'static, OsRng>,
    config: Config<'static>,
) -> (TestClient, &'static RunResult) {
    let state: &'static TestState = leak(TestState::new());
    let buffers = Buffers { rx: slice(1024), tx: slice(1536) };
    let (client, mut runner): (TestClient, TlsRunner) = smpp_embassy::new(state, connector, config, buffers);
    let result: &'static RunResult = leak(Signal::new());
    spawn(spawner, async move { result.signal(runner.run().await) });
    (client, result)
}

fn text(to: &'static str, body: &'static str) -> Text<'static> {
    Text::new(Address::alphanumeric("Alarm"), Address::international(to), body)
}

/// Binds, sends a text and waits for its receipt, unbinds; the runner then ends with `Ok`.
async fn bind_submit_receipt_unbind(client: TestClient, result: &'static RunResult) {
    let link = scenarios::within(10_000, "bind over TLS", client.wait_bound()).await.unwrap();
    assert!(matches!(link.state, LinkState::Bound(_)), "{link:?}");
    let ticket =
        scenarios::within(5000, "submit", client.send_text(&text("34600000001", "Zone 3 open"))).await.unwrap();
    let outcome = ticket.outcome().await;
    assert!(outcome.is_accepted(), "{outcome:?}");
    assert_eq!(outcome.message_id().map(str::len), Some(13), "a LabsMobile id: {outcome:?}");
    let receipt = scenarios::within(5000, "receipt", ticket.receipt()).await.unwrap();
    assert!(receipt.is_delivered(), "{receipt:?}");
    scenarios::within(5000, "unbind", client.unbind()).await;
    assert_eq!(scenarios::within(5000, "the runner ends", result.wait()).await, Ok(()));
}

/// No octet of the password or the system_id went over the wire in clear, and every
/// connection began with a TLS handshake record.
fn nothing_in_clear(seen: &Mutex<Seen>) {
    let s = seen.lock().unwrap();
    assert!(!s.from_client.is_empty());
    for sent in &s.from_client {
        if let Some(first) = sent.first() {
            assert_eq!(*first, 0x16, "a connection began with something else than a TLS handshake");
        }
        for secret in [PASSWORD.as_bytes(), SYSTEM_ID.as_bytes()] {
            assert!(!sent.windows(secret.len()).any(|w| w == secret), "{secret:?} went over the wire in clear");
        }
    }
}

#[test]
fn bind_submit_receipt_and_unbind_over_tls_with_a_pinned_ca() {
    let _one_at_a_time = serial();
    let smsc = tls_smsc((-60, 3600));
    let server_events = smsc.server.subscribe(256);
    let (port, ca) = (smsc.port(), smsc.ca);
    let seen = seen();
    run(Duration::from_secs(60), move |spawner| async move {
        let stack = network(spawner, port, 2048, seen);
        let settings = TlsSettings::new("localhost", Trust::Ca(ca));
        let c = connector(stack, settings, FIRMWARE);
        // What Debug shows: where, the name, what is pinned (its length, not its octets).
        let shown = format!("{c:?}");
        assert!(shown.contains("localhost") && shown.contains("Ca(") && shown.contains("octets)"), "{shown}");
        assert!(!shown.contains(&format!("{:?}", &ca[..8])), "{shown}");
        let (client, result) = esme(spawner, c, scenarios::esme_config());
        bind_submit_receipt_unbind(client, result).await;
        assert_eq!((client.link().binds, client.link().failed_attempts), (1, 0));
    });
    std::thread::sleep(Duration::from_millis(100));
    let seen_events: Vec<ServerEvent> = server_events.try_iter().collect();
    assert!(seen_events.iter().any(|e| matches!(e, ServerEvent::Bound { .. })), "{seen_events:?}");
    assert!(seen_events.iter().any(|e| matches!(e, ServerEvent::Receipt { .. })), "{seen_events:?}");
    assert!(
        seen_events.iter().any(|e| matches!(e, ServerEvent::Closed { reason, .. } if reason.name() == "peer_unbound")),
        "{seen_events:?}"
    );
    nothing_in_clear(seen);
    let s = seen.lock().unwrap();
    println!("records from the server (octets, header included): {:?}", s.server_records);
}

#[test]
fn the_servers_own_certificate_pinned_and_an_ip_address_as_the_name() {
    let _one_at_a_time = serial();
    let smsc = tls_smsc((-60, 3600));
    let (port, leaf, ca) = (smsc.port(), smsc.leaf, smsc.ca);
    run(Duration::from_secs(60), move |spawner| async move {
        let stack = network(spawner, port, 2048, seen());
        // The certificate itself, whatever the name.
        let settings = TlsSettings::new("not.checked.example", Trust::Certificate(leaf));
        let (client, result) = esme(spawner, connector(stack, settings, FIRMWARE), scenarios::esme_config());
        bind_submit_receipt_unbind(client, result).await;
        // The CA, and the address the certificate names (no SNI is sent for an address).
        let settings = TlsSettings::new("127.0.0.1", Trust::Ca(ca));
        let mut c = connector(stack, settings, FIRMWARE);
        let mut stream = c.connect().await.unwrap();
        TlsConnector::<OsRng>::close(&mut stream).await;
    });
}

/// The server drops the connection after answering the first submission of each: the runner
/// opens a new TLS connection on the same socket, binds again, and the receipt that was pending
/// comes on it. The server writes in 7-octet pieces (rustls makes a record of each): many small
/// records through the read stage.
#[test]
fn reconnects_over_tls_and_the_receipt_follows() {
    let _one_at_a_time = serial();
    let faults = Faults {
        drop_after: Some(1),
        write_chunk: Some(7),
        chunk_pause: Duration::from_millis(1),
        ..Faults::default()
    };
    let smsc = tls_smsc_with((-60, 3600), None, faults);
    let (port, ca) = (smsc.port(), smsc.ca);
    let seen = seen();
    run(Duration::from_secs(60), move |spawner| async move {
        let stack = network(spawner, port, 2048, seen);
        let settings = TlsSettings::new("localhost", Trust::Ca(ca));
        let (client, result) = esme(spawner, connector(stack, settings, FIRMWARE), scenarios::esme_config());
        scenarios::within(10_000, "bind", client.wait_bound()).await.unwrap();
        for (n, to) in ["34600000001", "34600000002"].into_iter().enumerate() {
            let ticket = scenarios::within(10_000, "submit", client.send_text(&text(to, "Zone 3 open"))).await.unwrap();
            assert!(ticket.outcome().await.is_accepted());
            // Dropped after the answer: bound again on a new connection, where the receipt comes.
            scenarios::within(10_000, "bound again", client.wait_link(|l| l.binds as usize >= n + 2)).await;
            let receipt = scenarios::within(10_000, "receipt after the reconnection", ticket.receipt()).await.unwrap();
            assert!(receipt.is_delivered(), "{receipt:?}");
        }
        scenarios::within(5000, "unbind", client.unbind()).await;
        assert_eq!(scenarios::within(5000, "the runner ends", result.wait()).await, Ok(()));
    });
    let s = seen.lock().unwrap();
    assert!(s.from_client.len() >= 3, "three connections at least: {}", s.from_client.len());
    assert!(s.server_records.iter().flatten().filter(|r| **r <= 5 + 7 + 17).count() > 20, "small records");
    drop(s);
    nothing_in_clear(seen);
}

/// Connects once with `settings`: the handshake's error.
async fn refused(stack: Stack<'static>, settings: TlsSettings<'static>) -> HandshakeError {
    let mut c = connector(stack, settings, FIRMWARE);
    match c.connect().await {
        Err(TlsConnectError::Handshake(e)) => e,
        Err(other) => panic!("not a handshake failure: {other}"),
        Ok(_) => panic!("connected with {settings:?}"),
    }
}

#[test]
fn a_wrong_pin_fails_the_handshake_with_its_own_error_and_nothing_is_sent() {
    let _one_at_a_time = serial();
    let smsc = tls_smsc((-60, 3600));
    let other = tls_smsc((-60, 3600));
    let (port, ca, leaf) = (smsc.port(), smsc.ca, smsc.leaf);
    let (other_ca, other_leaf) = (other.ca, other.leaf);
    let seen = seen();
    run(Duration::from_secs(60), move |spawner| async move {
        let stack = network(spawner, port, 2048, seen);
        let cases = [
            (TlsSettings::new("localhost", Trust::Ca(other_ca)), "not signed by the pinned CA"),
            (TlsSettings::new("localhost", Trust::Certificate(other_leaf)), "not the pinned one"),
            (TlsSettings::new("smsc.example.com", Trust::Ca(ca)), "not for the server name"),
            (TlsSettings::new("127.0.0.2", Trust::Ca(ca)), "not for the server name"),
            // A server certificate is no CA: nothing it signed is presented.
            (TlsSettings::new("localhost", Trust::Ca(leaf)), "not signed by the pinned CA"),
            (TlsSettings::new("localhost", Trust::Ca(b"not a certificate")), "pinned CA certificate cannot be read"),
        ];
        for (settings, expected) in cases {
            let e = refused(stack, settings).await;
            let message = TlsConnectError::Handshake(e).to_string();
            assert!(message.contains(expected), "{settings:?}: {message}");
            let kind = match e {
                HandshakeError::BadPin => embedded_io_async::ErrorKind::InvalidInput,
                _ => embedded_io_async::ErrorKind::PermissionDenied,
            };
            assert_eq!(embedded_io_async::Error::kind(&TlsConnectError::Handshake(e)), kind);
        }

        // The runner with the wrong CA: every attempt fails its handshake, none binds, and no
        // attempt goes on without TLS.
        let mut config = scenarios::esme_config();
        config.backoff =
            Backoff::new(smpp_session::Duration::from_millis(20), smpp_session::Duration::from_millis(40), Some(2));
        let settings = TlsSettings::new("localhost", Trust::Ca(other_ca));
        let (client, result) = esme(spawner, connector(stack, settings, FIRMWARE), config);
        assert_eq!(scenarios::within(10_000, "the runner gives up", result.wait()).await, Err(RunError::GaveUp));
        let link = client.link();
        assert_eq!((link.binds, link.failed_attempts, link.state), (0, 3, LinkState::Stopped));
    });
    assert_eq!(smsc.server.stats().binds.load(Ordering::SeqCst), 0, "the server saw no bind");
    let s = seen.lock().unwrap();
    assert_eq!(s.from_client.len(), 9, "six handshakes and the runner's three attempts");
    drop(s);
    nothing_in_clear(seen);
}

fn unix_now() -> Option<u64> {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok().map(|d| d.as_secs())
}

#[test]
fn validity_periods_are_checked_only_with_a_clock() {
    let _one_at_a_time = serial();
    let expired = tls_smsc((-7200, -3600));
    let future = tls_smsc((3600, 7200));
    let (expired_port, expired_ca) = (expired.port(), expired.ca);
    let (future_port, future_ca) = (future.port(), future.ca);
    run(Duration::from_secs(60), move |spawner| async move {
        let clocked = |ca| TlsSettings { clock: Some(unix_now), ..TlsSettings::new("localhost", Trust::Ca(ca)) };
        let stack = network(spawner, expired_port, 2048, seen());
        assert!(matches!(refused(stack, clocked(expired_ca)).await, HandshakeError::Expired));
        // Without a clock the board cannot tell: the certificate passes.
        let mut c = connector(stack, TlsSettings::new("localhost", Trust::Ca(expired_ca)), FIRMWARE);
        let mut stream = c.connect().await.unwrap();
        TlsConnector::<OsRng>::close(&mut stream).await;
        let stack = network(spawner, future_port, 2048, seen());
        assert!(matches!(refused(stack, clocked(future_ca)).await, HandshakeError::NotYetValid));
    });
}

#[test]
fn a_plain_smpp_server_is_not_spoken_to_in_clear() {
    let _one_at_a_time = serial();
    let profile = Profile::labsmobile();
    let mut plain = Server::start("127.0.0.1:0", ServerConfig::new(SYSTEM_ID, PASSWORD, profile)).unwrap();
    let port = plain.local_addr().port();
    let ca = tls_smsc((-60, 3600)).ca;
    let seen = seen();
    run(Duration::from_secs(60), move |spawner| async move {
        let stack = network(spawner, port, 2048, seen);
        let e = refused(stack, TlsSettings::new("localhost", Trust::Ca(ca))).await;
        assert!(matches!(e, HandshakeError::NotTls), "{e:?}");
        assert!(TlsConnectError::Handshake(e).to_string().contains("does not speak TLS"));
    });
    assert_eq!(plain.stats().binds.load(Ordering::SeqCst), 0);
    nothing_in_clear(seen);
    plain.stop();
}

/// A rustls echo server on loopback for one connection; returns its port.
fn echo_server() -> (u16, &'static [u8]) {
    let g = smpp_std::tls::generate(&["localhost"], -60, 3600).unwrap();
    let ca = CertificateDer::from_pem_slice(g.ca_pem.as_bytes()).unwrap();
    let ca: &'static [u8] = Box::leak(ca.to_vec().into_boxed_slice());
    let config = smpp_std::tls::server_config_from(g.chain, g.key).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        tcp.set_nodelay(true).unwrap();
        let conn = rustls::ServerConnection::new(config).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        let mut buf = [0u8; 700];
        loop {
            match tls.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tls.write_all(&buf[..n]).and_then(|()| tls.flush()).is_err() {
                        break;
                    }
                }
            }
        }
    });
    (port, ca)
}

/// Reads and writes dropped at random points (the runner drops them whenever a deadline or a
/// request comes first), with the server's records cut into 7-octet pieces so that reads are
/// dropped in the middle of records and the write stage fills: every octet still comes back in
/// order, through one TLS connection.
#[test]
fn dropped_reads_writes_and_flushes_lose_nothing() {
    let _one_at_a_time = serial();
    let (port, ca) = echo_server();
    run(Duration::from_secs(120), move |spawner| async move {
        let stack = network(spawner, port, 7, seen());
        let sizes = Sizes { socket: 512, record_read: 2048, record_write: 256, stage_read: 1024, stage_write: 256 };
        let mut c = connector(stack, TlsSettings::new("localhost", Trust::Ca(ca)), sizes);
        let mut stream = c.connect().await.unwrap();
        let total = 24_000usize;
        let sent_byte = |i: usize| (i * 7 + i / 251) as u8;
        let (mut sent, mut flushed, mut got) = (0usize, 0usize, 0usize);
        let mut random = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            random ^= random << 13;
            random ^= random >> 7;
            random ^= random << 17;
            random
        };
        let (mut dropped_reads, mut dropped_writes) = (0u32, 0u32);
        let mut buf = [0u8; 300];
        while got < total {
            let budget = EDuration::from_micros(next() % 1500);
            match next() % 3 {
                0 if sent < total => {
                    let n = (1 + next() as usize % 300).min(total - sent);
                    let chunk: Vec<u8> = (sent..sent + n).map(sent_byte).collect();
                    match with_timeout(budget, stream.write(&chunk)).await {
                        Ok(Ok(w)) => sent += w,
                        Ok(Err(e)) => panic!("write: {e}"),
                        Err(_) => dropped_writes += 1,
                    }
                }
                1 if flushed < sent => match with_timeout(budget, TlsConnector::<OsRng>::flush(&mut stream)).await {
                    Ok(Ok(())) => flushed = sent,
                    Ok(Err(e)) => panic!("flush: {e}"),
                    Err(_) => dropped_writes += 1,
                },
                _ => {
                    let want = 1 + next() as usize % buf.len();
                    match with_timeout(budget, stream.read(&mut buf[..want])).await {
                        Ok(Ok(0)) => panic!("the echo server closed after {got} octets"),
                        Ok(Ok(n)) => {
                            for (k, b) in buf[..n].iter().enumerate() {
                                assert_eq!(*b, sent_byte(got + k), "octet {} came back wrong", got + k);
                            }
                            got += n;
                        }
                        Ok(Err(e)) => panic!("read after {got} octets: {e}"),
                        Err(_) => dropped_reads += 1,
                    }
                }
            }
            if sent == total && flushed < sent {
                TlsConnector::<OsRng>::flush(&mut stream).await.unwrap();
                flushed = sent;
            }
        }
        println!("{total} octets echoed; {dropped_reads} reads and {dropped_writes} writes or flushes dropped");
        assert!(dropped_reads > 100 && dropped_writes > 20, "the test dropped too little to mean anything");
        TlsConnector::<OsRng>::close(&mut stream).await;
    });
}

/// A configuration's outcome against the std server: bind, a text with its receipt, unbind.
async fn works_with(
    spawner: embassy_executor::Spawner,
    port: u16,
    ca: &'static [u8],
    sizes: Sizes,
    mfl: Option<MaxFragmentLength>,
) -> Result<(), String> {
    let seen = seen();
    let stack = network(spawner, port, 2048, seen);
    let settings = TlsSettings { max_fragment_length: mfl, ..TlsSettings::new("localhost", Trust::Ca(ca)) };
    let mut c = connector(stack, settings, sizes);
    // The handshake alone first, for its error.
    match c.connect().await {
        Ok(mut s) => {
            // The records the server sends after the handshake (session tickets) too.
            if let Ok(Err(e)) = with_timeout(EDuration::from_millis(300), s.read(&mut [0u8; 16])).await {
                return Err(format!("after the handshake: {e}"));
            }
            TlsConnector::<OsRng>::close(&mut s).await;
        }
        Err(e) => return Err(e.to_string()),
    }
    let mut config = scenarios::esme_config();
    config.backoff =
        Backoff::new(smpp_session::Duration::from_millis(20), smpp_session::Duration::from_millis(40), Some(3));
    let (client, result) = esme(spawner, c, config);
    match select(client.wait_bound(), result.wait()).await {
        Either::First(Ok(_)) => {}
        Either::First(Err(e)) => return Err(format!("{e:?}")),
        Either::Second(r) => return Err(format!("the runner ended: {r:?}")),
    }
    bind_submit_receipt_unbind(client, result).await;
    Ok(())
}

/// Which record buffer sizes work against the std server (rustls), and whether asking for a
/// smaller max_fragment_length lets them shrink. The lines starting with `TLS-SIZES` go into
/// BENCHMARKS.md (alarm-panel/footprint-tls.sh).
#[test]
fn record_buffer_sizes_against_the_std_server() {
    let _one_at_a_time = serial();
    let smsc = tls_smsc((-60, 3600));
    let (port, ca) = (smsc.port(), smsc.ca);
    // The same server with its records cut to 512 octets by its own configuration.
    let small = tls_smsc_with((-60, 3600), Some(512), Faults::default());
    let (small_port, small_ca) = (small.port(), small.ca);
    run(Duration::from_secs(120), move |spawner| async move {
        // What the server sends: the bridge's view of one connection.
        let seen = seen();
        let stack = network(spawner, port, 2048, seen);
        let (client, result) = esme(
            spawner,
            connector(stack, TlsSettings::new("localhost", Trust::Ca(ca)), FIRMWARE),
            scenarios::esme_config(),
        );
        bind_submit_receipt_unbind(client, result).await;
        let (records, hello) = {
            let s = seen.lock().unwrap();
            (s.server_records[0].clone(), s.client_records[0][0])
        };
        // ServerHello, a ChangeCipherSpec (6 octets) if any, then the encrypted flight.
        let handshake = if records[1] == 6 { 3 } else { 2 };
        let flight = records[..handshake].iter().copied().max().unwrap();
        let after = records[handshake..].iter().copied().max().unwrap();
        println!("TLS-SIZES server records {records:?}");
        println!("TLS-SIZES client hello {hello}");
        println!("TLS-SIZES largest handshake record {flight}, largest record after the handshake {after}");
        let mut probe = connector(
            network(spawner, port, 2048, crate::seen()),
            TlsSettings::new("localhost", Trust::Ca(ca)),
            FIRMWARE,
        );
        let (connector_size, connect_size) = (size_of_val(&probe), size_of_val(&probe.connect()));
        let stream_size = size_of::<smpp_embassy::tls::TlsStream<'static, 'static>>();
        println!(
            "TLS-SIZES on the host (x86-64, pointers twice as long as on the MCU): the connector {connector_size} octets, \
             its connect future (the handshake) {connect_size}, an open connection {stream_size}"
        );

        let base = FIRMWARE;
        // The flight's size varies by a few octets with the length of its ECDSA signature.
        let cases: Vec<(&str, Sizes, Option<MaxFragmentLength>, bool)> = vec![
            ("the alarm panel's", base, None, true),
            ("record_read 8 octets over the handshake flight", Sizes { record_read: flight + 8, ..base }, None, true),
            ("record_read 8 octets short of the flight", Sizes { record_read: flight - 8, ..base }, None, false),
            (
                "record_read 800 with max_fragment_length 512",
                Sizes { record_read: 800, ..base },
                Some(MaxFragmentLength::Bits9),
                false,
            ),
            ("record_read 16640 (embedded-tls's advice)", Sizes { record_read: 16_640, ..base }, None, true),
            ("record_write = client hello", Sizes { record_write: hello, stage_write: hello, ..base }, None, true),
            (
                "record_write 1 octet short of the client hello",
                Sizes { record_write: hello - 1, stage_write: hello - 1, ..base },
                None,
                false,
            ),
            ("stage_read = largest record after the handshake", Sizes { stage_read: after, ..base }, None, true),
            ("stage_read 1 octet short of it", Sizes { stage_read: after - 1, ..base }, None, false),
        ];
        for (name, sizes, mfl, expected) in cases {
            let outcome = works_with(spawner, port, ca, sizes, mfl).await;
            let mfl = mfl.map_or("-".to_string(), |m| format!("{m:?}"));
            let said = match &outcome {
                Ok(()) => "works".to_string(),
                Err(e) => format!("fails: {e}"),
            };
            let Sizes { record_read, record_write, stage_read, stage_write, .. } = sizes;
            println!(
                "TLS-SIZES case | {name} | {record_read} | {record_write} | {stage_read} | {stage_write} | {mfl} | {said} |"
            );
            assert_eq!(outcome.is_ok(), expected, "{name}: {said}");
        }
        // Records shrink when the server itself is told to cut them (rustls's
        // max_fragment_size), but its handshake messages then span records, and embedded-tls
        // takes a handshake message only whole within one record.
        let seen_small = crate::seen();
        let stack = network(spawner, small_port, 2048, seen_small);
        let mut c = connector(stack, TlsSettings::new("localhost", Trust::Ca(small_ca)), base);
        let Err(e) = c.connect().await else { panic!("connected through a flight cut into records") };
        let small_records = seen_small.lock().unwrap().server_records[0].clone();
        println!("TLS-SIZES server records with rustls max_fragment_size 512: {small_records:?}");
        let Sizes { record_read, record_write, stage_read, stage_write, .. } = base;
        let name = "the alarm panel's against a server set to max_fragment_size 512";
        println!(
            "TLS-SIZES case | {name} | {record_read} | {record_write} | {stage_read} | {stage_write} | - | fails: {e} |"
        );
        assert!(small_records.len() >= 4 && small_records.iter().all(|r| *r <= 512 + 5 + 17), "{small_records:?}");
    });
}
