//! The SMSC server and simulator: a listener, a thread per connection that drives an
//! SMSC-role session, and a scheduler that makes accepted messages final and hands their
//! receipts to a receiver or transceiver bind of the same account.
//!
//! What the server answers is decided by its [`ServerConfig`]: the accounts, the [`Profile`]
//! it imitates (data, not code paths) and the [`Faults`] it injects; the protocol rules are
//! the session's. It reports what happens as [`ServerEvent`]s ([`Server::subscribe`]) and,
//! optionally, in a JSON-lines log of every PDU ([`JsonLog`]).
//!
//! ```
//! use std::time::Duration;
//! use smpp_std::server::{Faults, Profile, Server, ServerConfig, ServerEvent};
//! use smpp_std::{Addr, Client, ClientConfig, TextMessage};
//!
//! let mut profile = Profile::labsmobile(); // or Profile::engagelab(), or your own
//! profile.receipts.delay = Duration::from_millis(10);
//! let config = ServerConfig::new("smppclient1", "password", profile)
//!     .with_faults(Faults { throttle_every: Some(100), ..Faults::default() });
//! let mut server = Server::start("127.0.0.1:0", config)?; // port 0: any free port
//! let events = server.subscribe(1024);
//!
//! let client: Client = Client::connect(server.local_addr(), ClientConfig::new("smppclient1", "password"))?;
//! let msg = TextMessage::new(Addr::sender("Alarm")?, Addr::number("+34600000001")?, "Zone 3 open").with_receipt();
//! let outcome = client.send_text(msg)?.wait(Duration::from_secs(5))?;
//! let receipts = client.wait_for_receipt(&outcome, Duration::from_secs(5))?;
//! assert_eq!(receipts[0].stat.as_deref(), Some("DELIVRD"));
//! client.close()?;
//! server.stop(); // unbinds whoever is still bound
//!
//! let texts: Vec<String> = events
//!     .try_iter()
//!     .filter_map(|e| match e {
//!         ServerEvent::Message { text, .. } => Some(text),
//!         _ => None,
//!     })
//!     .collect();
//! assert_eq!(texts, ["Zone 3 open"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Profiles and faults
//!
//! A [`Profile`] is data: the binds it accepts, what wrong credentials get
//! ([`BadCredentials`]), the requests it answers, its [`IdFormat`], the [`SubmitRules`] a
//! submission must pass, the [`ReceiptStyle`] (esm_class, TLVs, addressing, text template,
//! delay, [`ReceiptPolicy`]), the pattern of undeliverable destinations, a required
//! enquire_link interval, and the [`Statuses`] it answers with. [`Profile::labsmobile`] and
//! [`Profile::engagelab`] say what they do. An [`Account`] may have a balance: once spent,
//! submissions get [`Statuses::no_balance`] and no message_id.
//!
//! [`Faults`] are settings too: throttle every k-th submission, hold answers back, drop the
//! connection after n answers, go silent (half-open) after n answers, write in pieces.
//!
//! Each accepted message is remembered (up to [`ServerConfig::max_messages`]): query_sm
//! reports its state, final_date and error code; cancel_sm takes it while it is pending (no
//! receipt follows). Its state becomes final the receipt delay after it may be delivered
//! (at once, or at its schedule_delivery_time), or when its validity_period ends if that is
//! earlier (EXPIRED); times may be absolute (with their UTC offset) or relative. The receipt
//! then goes to a receiver or transceiver bind of the same account, whichever connection the
//! message came on, and waits (bounded) until one binds.
//!
//! # Events and the JSON-lines log
//!
//! [`Server::subscribe`] gives a channel of [`ServerEvent`]s: binds, submissions (each part,
//! and each whole message with its reassembled text), refusals, receipts, queries, cancels,
//! faults, and the end of each connection. With [`ServerConfig::log`], the same events and
//! every PDU in both directions are written as JSON lines:
//!
//! One JSON object per line, written and flushed as it happens. Every line has `ts` (UTC, ISO
//! 8601 with milliseconds) and either `event` (a server event) or `pdu` (a PDU on the wire).
//! Field names are stable; new fields may be added.
//!
//! Event lines (`event` is the snake_case name of the [`ServerEvent`] variant):
//!
//! | event | fields |
//! |---|---|
//! | `connected` | `conn`, `peer` |
//! | `bound` | `conn`, `system_id`, `bind` (`transmitter`, `receiver`, `transceiver`) |
//! | `bind_refused` | `conn`, `system_id`, `bind`, `status` (`null` when the connection was closed without an answer) |
//! | `submitted` | `conn`, `system_id`, `message_id`, `from`, `to`, `data_coding`, `part` (`[seq, total]` or `null`), `text` |
//! | `submit_refused` | `conn`, `system_id`, `status`, `reason` |
//! | `message` | `conn`, `system_id`, `from`, `to`, `data_coding`, `message_ids`, `text` (the whole text, reassembled) |
//! | `reassembly_failed` | `conn`, `system_id`, `from`, `reference`, `received`, `total`, `reason` |
//! | `receipt` | `conn`, `system_id`, `message_id`, `state` (`DELIVRD`, ...), `status` (the deliver_sm_resp's) |
//! | `receipt_dropped` | `system_id`, `message_id`, `reason` |
//! | `query` | `conn`, `system_id`, `message_id`, `state` (`null` when unknown) |
//! | `cancel` | `conn`, `system_id`, `message_id`, `cancelled` |
//! | `fault` | `conn`, `fault` (`throttled`, `dropped`, `half_open`) |
//! | `closed` | `conn`, `system_id` (`null` if never bound), `reason` ([`CloseCause::name`]: `peer_unbound`, `unbound`, `connection_lost`, `link_dead`, `session_init_timeout`, `bind_failed`, `closed`, `bad_credentials`, `no_enquire_link`, `fault_drop`, ...) |
//!
//! Statuses are written by name (`ESME_ROK`) or, when unnamed, as `0x…`.
//!
//! PDU lines: `pdu` (the command name, `submit_sm`), `conn`, `dir` (`in` from the ESME, `out`
//! to it), `seq`, `status`, `length`, and `fields`: the decoded mandatory fields under their
//! SMPP names (`source_addr`, `data_coding`, ...), `short_message` in hex, `tlvs` as a list of
//! `{tag, name, value}`, and for submit_sm and deliver_sm `text` (decoded by data_coding, the
//! UDH removed) and `udh` (`{reference, total, seq}` of a part). A bind's password is never
//! written. A PDU that does not decode has `error` instead of `fields`.
//!
//! # Bounds
//! Per connection: a 65 KiB receive and a 64 KiB transmit buffer, the session's window (64
//! receipts in flight, 64 requests waiting for a delayed answer), reassembly of 8 long messages
//! at once of up to 32 parts and 5 120 octets each. Per server: `max_connections`,
//! `max_messages` remembered, and per account `max_receipts_queued` receipts waiting for a
//! receiver. Each event subscriber's channel has the capacity it asked for; events it has no
//! room for are dropped and counted ([`Stats::events_dropped`]).

mod connection;
mod events;
mod faults;
mod json;
mod profile;
mod rules;
mod store;
mod tap;
mod wallclock;

use std::collections::{HashMap, HashSet};
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crossbeam_channel::Receiver;
use log::{info, warn};
use mio::net::TcpListener;
use mio::{Events as MioEvents, Interest, Poll, Token, Waker};
use smpp_codec::MessageState;
use smpp_session::Instant;

pub use events::{CloseCause, Fault, JsonLog, ServerEvent};
pub use faults::Faults;
pub use profile::{
    BadCredentials, IdFormat, Profile, ReceiptAddressing, ReceiptPolicy, ReceiptStyle, Statuses, SubmitRules,
};

use crate::secret::Password;
use events::Events;
use store::{Outbox, ReceiptJob, Record, Store};
use wallclock::WallClock;

/// An account allowed to bind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// Its system_id.
    pub system_id: String,
    /// Its password; never printed or logged.
    pub password: Password,
    /// Messages (parts) it may still submit; `None` for no limit. When spent, submissions are
    /// answered with the profile's [`Statuses::no_balance`] and no message_id.
    pub balance: Option<u64>,
}

impl Account {
    /// An account without a balance limit.
    pub fn new(system_id: impl Into<String>, password: impl Into<Password>) -> Self {
        Account { system_id: system_id.into(), password: password.into(), balance: None }
    }

    /// The same, able to submit `messages` more (0: no balance from the start).
    #[must_use]
    pub fn with_balance(mut self, messages: u64) -> Self {
        self.balance = Some(messages);
        self
    }
}

/// What the server accepts and how it behaves.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Accounts allowed to bind.
    pub accounts: Vec<Account>,
    /// The provider the server imitates.
    pub profile: Profile,
    /// The faults it injects.
    pub faults: Faults,
    /// The session's timers (session init, enquire_link, response and unbind timeouts).
    pub session: smpp_session::Config,
    /// Connections served at once; more are closed as they arrive. Default 1024.
    pub max_connections: usize,
    /// Accepted messages remembered for query_sm, cancel_sm and receipts. Default 100 000.
    pub max_messages: usize,
    /// Receipts kept per account while no receiver takes them (the oldest is dropped to make
    /// room). Default 10 000.
    pub max_receipts_queued: usize,
    /// How long the parts of a long message may take to arrive. Default 60 s.
    pub reassembly_timeout: Duration,
    /// The JSON-lines log, if one is wanted.
    pub log: Option<JsonLog>,
    /// Speak SMPP over TLS with this configuration (see [`crate::tls::server_config`] and
    /// [`crate::tls::generate`]); every connection then starts with a handshake, within the
    /// session init timeout. `None`: plain TCP.
    #[cfg(feature = "tls")]
    pub tls: Option<std::sync::Arc<rustls::ServerConfig>>,
}

impl ServerConfig {
    /// One account, the given profile, no faults, default limits and timers.
    pub fn new(system_id: impl Into<String>, password: impl Into<Password>, profile: Profile) -> Self {
        ServerConfig {
            accounts: vec![Account::new(system_id, password)],
            profile,
            faults: Faults::default(),
            session: smpp_session::Config::default(),
            max_connections: 1024,
            max_messages: 100_000,
            max_receipts_queued: 10_000,
            reassembly_timeout: Duration::from_secs(60),
            log: None,
            #[cfg(feature = "tls")]
            tls: None,
        }
    }

    /// The same, over TLS.
    #[cfg(feature = "tls")]
    #[must_use]
    pub fn with_tls(mut self, config: std::sync::Arc<rustls::ServerConfig>) -> Self {
        self.tls = Some(config);
        self
    }

    /// The same with one more account.
    #[must_use]
    pub fn with_account(mut self, account: Account) -> Self {
        self.accounts.push(account);
        self
    }

    /// The same with these faults.
    #[must_use]
    pub fn with_faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// The same, writing the JSON-lines log to `log`.
    #[must_use]
    pub fn with_log(mut self, log: JsonLog) -> Self {
        self.log = Some(log);
        self
    }
}

/// Counters of a running server.
#[derive(Debug, Default)]
pub struct Stats {
    /// Connections accepted.
    pub connections: AtomicU64,
    /// Connections closed at once because `max_connections` were open.
    pub connections_refused: AtomicU64,
    /// Binds accepted.
    pub binds: AtomicU64,
    /// Submissions accepted.
    pub submitted: AtomicU64,
    /// Submissions refused (any status but ESME_ROK).
    pub refused: AtomicU64,
    /// Receipts delivered and acknowledged.
    pub receipts: AtomicU64,
    /// Receipts given up (no room while no receiver was bound, or refused too often).
    pub receipts_dropped: AtomicU64,
    /// Events a subscriber had no room for.
    pub events_dropped: AtomicU64,
}

/// An account as the running server keeps it.
#[derive(Debug)]
pub(crate) struct AccountState {
    pub(crate) system_id: Arc<str>,
    pub(crate) password: Password,
    pub(crate) balance: Option<AtomicU64>,
    pub(crate) outbox: Arc<Outbox>,
}

impl AccountState {
    /// Takes one message from the balance; false when it is spent.
    pub(crate) fn charge(&self) -> bool {
        match &self.balance {
            None => true,
            Some(b) => b.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1)).is_ok(),
        }
    }

    /// Gives one back (a message charged and then not accepted).
    pub(crate) fn refund(&self) {
        if let Some(b) = &self.balance {
            b.fetch_add(1, Ordering::AcqRel);
        }
    }
}

/// What connection threads share.
#[derive(Debug)]
pub(crate) struct Hub {
    pub(crate) config: ServerConfig,
    pub(crate) clock: WallClock,
    pub(crate) stats: Stats,
    pub(crate) stopping: AtomicBool,
    pub(crate) accounts: Vec<AccountState>,
    pub(crate) store: Mutex<Store>,
    /// Signalled when a message is due earlier than the scheduler sleeps, and on stop.
    pub(crate) due: Condvar,
    pub(crate) events: Events,
    /// Wakers of the live connections, to stop them.
    pub(crate) wakers: Mutex<HashMap<u64, Arc<Waker>>>,
    pub(crate) live: AtomicUsize,
}

impl Hub {
    /// The account with these credentials.
    pub(crate) fn account(&self, system_id: &[u8], password: &[u8]) -> Option<&AccountState> {
        self.accounts.iter().find(|a| a.system_id.as_bytes() == system_id && a.password.expose().as_bytes() == password)
    }

    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes final what is due at `now` and queues the receipts (call with the store locked).
    pub(crate) fn advance(&self, store: &mut Store, now: Instant) {
        let done = store.advance(now, |r| self.wants_receipt(r));
        if done.is_empty() {
            return;
        }
        let mut touched = HashSet::new();
        for record in done {
            let Some(account) = self.accounts.iter().find(|a| a.system_id == record.sub.account) else { continue };
            let job = ReceiptJob { record, attempts: 0, not_before: Instant(0) };
            if let Some(old) = account.outbox.push(job) {
                let dropped = self.stats.receipts_dropped.fetch_add(1, Ordering::Relaxed) + 1;
                // Said once in a while, not for each receipt of a long outage.
                if dropped.is_power_of_two() {
                    warn!(
                        "smpp server: {dropped} receipts dropped so far ({} wait for a receiver of {})",
                        self.config.max_receipts_queued, account.system_id
                    );
                }
                self.events.emit(|| ServerEvent::ReceiptDropped {
                    system_id: old.record.sub.account.to_string(),
                    message_id: old.record.id.clone(),
                    reason: "no receiver took it before the queue filled".into(),
                });
            }
            touched.insert(Arc::clone(&account.system_id));
        }
        for a in self.accounts.iter().filter(|a| touched.contains(&a.system_id)) {
            a.outbox.wake();
        }
    }

    fn wants_receipt(&self, r: &Record) -> bool {
        match self.config.profile.receipts.policy {
            ReceiptPolicy::Always => true,
            ReceiptPolicy::AsRequested => match r.sub.registered_delivery & 0x03 {
                1 => true,
                2 => r.state != MessageState::DELIVERED,
                3 => r.state == MessageState::DELIVERED,
                _ => false,
            },
        }
    }
}

/// A running SMSC server; stops when dropped.
pub struct Server {
    addr: SocketAddr,
    hub: Arc<Hub>,
    waker: Arc<Waker>,
    threads: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server").field("addr", &self.addr).finish_non_exhaustive()
    }
}

const LISTENER: Token = Token(0);
const STOP: Token = Token(1);

impl Server {
    /// Listens on `addr` (port 0 picks a free port: see [`local_addr`](Self::local_addr)) and
    /// serves every connection on its own thread.
    ///
    /// # Errors
    /// The listener's error (address in use, permission).
    pub fn start(addr: impl ToSocketAddrs, config: ServerConfig) -> io::Result<Server> {
        let addr = addr
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the address resolves to nothing"))?;
        let mut listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let poll = Poll::new()?;
        poll.registry().register(&mut listener, LISTENER, Interest::READABLE)?;
        let waker = Arc::new(Waker::new(poll.registry(), STOP)?);
        let clock = WallClock::new();
        let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let ids = config.profile.ids;
        let accounts = config
            .accounts
            .iter()
            .map(|a| AccountState {
                system_id: a.system_id.as_str().into(),
                password: a.password.clone(),
                balance: a.balance.map(AtomicU64::new),
                outbox: Arc::new(Outbox::new(config.max_receipts_queued)),
            })
            .collect();
        let hub = Arc::new(Hub {
            store: Mutex::new(Store::new(ids, ids.first(since), config.max_messages)),
            events: Events::new(config.log.clone(), clock),
            config,
            clock,
            stats: Stats::default(),
            stopping: AtomicBool::new(false),
            accounts,
            due: Condvar::new(),
            wakers: Mutex::new(HashMap::new()),
            live: AtomicUsize::new(0),
        });
        let h = Arc::clone(&hub);
        let acceptor =
            std::thread::Builder::new().name("smpp-server".into()).spawn(move || accept(poll, listener, h))?;
        let h = Arc::clone(&hub);
        let scheduler = match std::thread::Builder::new().name("smpp-server-due".into()).spawn(move || schedule(&h)) {
            Ok(t) => t,
            Err(e) => {
                hub.stopping.store(true, Ordering::SeqCst);
                let _ = waker.wake();
                let _ = acceptor.join();
                return Err(e);
            }
        };
        info!("smpp server: listening on {addr} ({} profile)", hub.config.profile.name);
        Ok(Server { addr, hub, waker, threads: vec![acceptor, scheduler] })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its counters.
    pub fn stats(&self) -> &Stats {
        self.hub.stats.events_dropped.store(self.hub.events.dropped.load(Ordering::Relaxed), Ordering::Relaxed);
        &self.hub.stats
    }

    /// A channel of the server's events from now on, holding up to `capacity` events the
    /// caller has not taken (further ones are dropped, and counted in
    /// [`Stats::events_dropped`]). Dropping the receiver unsubscribes.
    pub fn subscribe(&self, capacity: usize) -> Receiver<ServerEvent> {
        self.hub.events.subscribe(capacity)
    }

    /// Connections open now.
    pub fn connections(&self) -> usize {
        self.hub.live.load(Ordering::SeqCst)
    }

    /// Stops accepting and ends every connection: a bound one with unbind (waiting for the
    /// answer up to the session's unbind timeout), any other by closing it. Returns when every
    /// connection thread has ended.
    pub fn stop(&mut self) {
        self.hub.stopping.store(true, Ordering::SeqCst);
        let _ = self.waker.wake();
        for w in self.hub.wakers.lock().unwrap_or_else(PoisonError::into_inner).values() {
            let _ = w.wake();
        }
        {
            let _store = self.hub.store();
            self.hub.due.notify_all();
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Accepts connections until stopped; each gets its own thread.
fn accept(mut poll: Poll, listener: TcpListener, hub: Arc<Hub>) {
    let mut events = MioEvents::with_capacity(8);
    let mut threads: Vec<JoinHandle<()>> = Vec::new();
    let mut n = 0u64;
    while !hub.stopping.load(Ordering::SeqCst) {
        if let Err(e) = poll.poll(&mut events, Some(Duration::from_secs(1))) {
            if e.kind() != io::ErrorKind::Interrupted {
                warn!("smpp server: poll failed: {e}");
                break;
            }
        }
        while !hub.stopping.load(Ordering::SeqCst) {
            match listener.accept() {
                Ok((stream, peer)) => {
                    if hub.live.load(Ordering::SeqCst) >= hub.config.max_connections {
                        hub.stats.connections_refused.fetch_add(1, Ordering::Relaxed);
                        warn!("smpp server: {peer} refused: {} connections are open", hub.config.max_connections);
                        drop(stream);
                        continue;
                    }
                    n += 1;
                    hub.stats.connections.fetch_add(1, Ordering::Relaxed);
                    hub.live.fetch_add(1, Ordering::SeqCst);
                    let _ = stream.set_nodelay(true);
                    let h = Arc::clone(&hub);
                    let id = n;
                    match std::thread::Builder::new()
                        .name(format!("smpp-conn-{id}"))
                        .spawn(move || connection::start(stream, peer, id, h))
                    {
                        Ok(t) => threads.push(t),
                        Err(e) => {
                            hub.live.fetch_sub(1, Ordering::SeqCst);
                            warn!("smpp server: cannot start a thread for {peer}: {e}");
                        }
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    warn!("smpp server: accept failed: {e}");
                    break;
                }
            }
        }
        threads.retain(|t| !t.is_finished());
    }
    for t in threads {
        let _ = t.join();
    }
}

/// Makes states final as they fall due and queues their receipts, until stopped.
fn schedule(hub: &Hub) {
    let mut store = hub.store();
    while !hub.stopping.load(Ordering::SeqCst) {
        let now = hub.clock.now();
        hub.advance(&mut store, now);
        store = match store.next_due() {
            Some(due) => {
                let wait = hub.clock.mono().until(due);
                hub.due.wait_timeout(store, wait).unwrap_or_else(PoisonError::into_inner).0
            }
            None => hub.due.wait(store).unwrap_or_else(PoisonError::into_inner),
        };
    }
}
