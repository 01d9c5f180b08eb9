//! The SMSC server: a listener, and a thread per connection that drives an SMSC-role session.
//!
//! What the server answers is decided by its [`ServerConfig`] (accounts, profile, faults); the
//! protocol rules are the session's.

mod connection;
mod profile;

use std::collections::HashMap;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use log::{info, warn};
use mio::net::TcpListener;
use mio::{Events, Interest, Poll, Token, Waker};

pub use profile::{IdFormat, Profile, ReceiptStyle};

use crate::secret::Password;

/// What the server accepts and how it behaves.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Accounts allowed to bind: system_id and password.
    pub accounts: Vec<(String, Password)>,
    /// The provider the server imitates.
    pub profile: Profile,
    /// The session's timers (session init, enquire_link, response timeouts) and window.
    pub session: smpp_session::Config,
}

impl ServerConfig {
    /// One account, the given profile, default timers.
    pub fn new(system_id: impl Into<String>, password: impl Into<Password>, profile: Profile) -> Self {
        ServerConfig {
            accounts: vec![(system_id.into(), password.into())],
            profile,
            session: smpp_session::Config::default(),
        }
    }

    /// Whether `system_id` / `password` is an account.
    pub(crate) fn check(&self, system_id: &[u8], password: &[u8]) -> Option<&str> {
        self.accounts
            .iter()
            .find(|(id, pw)| id.as_bytes() == system_id && pw.expose().as_bytes() == password)
            .map(|(id, _)| id.as_str())
    }
}

/// Counters of a running server.
#[derive(Debug, Default)]
pub struct Stats {
    /// Connections accepted.
    pub connections: AtomicU64,
    /// Binds accepted.
    pub binds: AtomicU64,
    /// Submissions accepted.
    pub submitted: AtomicU64,
    /// Receipts sent.
    pub receipts: AtomicU64,
}

/// What connection threads share.
pub(crate) struct Hub {
    pub(crate) config: ServerConfig,
    pub(crate) stats: Stats,
    pub(crate) stopping: AtomicBool,
    pub(crate) next_id: AtomicU64,
    /// Wakers of the live connections, to stop them.
    pub(crate) wakers: Mutex<HashMap<usize, Arc<Waker>>>,
}

/// A running SMSC server; stops when dropped.
pub struct Server {
    addr: SocketAddr,
    hub: Arc<Hub>,
    waker: Arc<Waker>,
    thread: Option<JoinHandle<()>>,
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
        let hub = Arc::new(Hub {
            config,
            stats: Stats::default(),
            stopping: AtomicBool::new(false),
            next_id: AtomicU64::new(0x0006_8090_a534_e551),
            wakers: Mutex::new(HashMap::new()),
        });
        let h = Arc::clone(&hub);
        let thread = std::thread::Builder::new().name("smpp-server".into()).spawn(move || accept(poll, listener, h))?;
        info!("smpp server: listening on {addr}");
        Ok(Server { addr, hub, waker, thread: Some(thread) })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its counters.
    pub fn stats(&self) -> &Stats {
        &self.hub.stats
    }

    /// Stops accepting and closes every connection.
    pub fn stop(&mut self) {
        self.hub.stopping.store(true, Ordering::SeqCst);
        let _ = self.waker.wake();
        for w in self.hub.wakers.lock().unwrap_or_else(std::sync::PoisonError::into_inner).values() {
            let _ = w.wake();
        }
        if let Some(t) = self.thread.take() {
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
    let mut events = Events::with_capacity(8);
    let mut threads = Vec::new();
    let mut n = 0usize;
    while !hub.stopping.load(Ordering::SeqCst) {
        if let Err(e) = poll.poll(&mut events, Some(Duration::from_secs(1))) {
            if e.kind() != io::ErrorKind::Interrupted {
                warn!("smpp server: poll failed: {e}");
                break;
            }
        }
        loop {
            match listener.accept() {
                Ok((stream, peer)) => {
                    n += 1;
                    hub.stats.connections.fetch_add(1, Ordering::Relaxed);
                    let _ = stream.set_nodelay(true);
                    let h = Arc::clone(&hub);
                    let id = n;
                    match std::thread::Builder::new()
                        .name(format!("smpp-conn-{id}"))
                        .spawn(move || connection::serve(stream, peer, id, h))
                    {
                        Ok(t) => threads.push(t),
                        Err(e) => warn!("smpp server: cannot start a thread for {peer}: {e}"),
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
