//! The client: a handle that many threads share, and an I/O thread per client that owns the
//! connection (and the receiver bind beside it) and its session.

mod receipts;
mod runner;
mod shared;
mod types;

use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use smpp_codec::pdu::SubmitSm;
use smpp_codec::text::gsm7::Tables;
use smpp_codec::text::segment::{Encoding, Segmenter, choose};
use smpp_codec::{CommandStatus, Pdu};

pub use shared::Completion;
pub use types::{
    AckToken, Addr, ClientConfig, ClientEvent, Disconnect, Failure, MessageId, MessageKey, MessageOutcome, MoMessage,
    QueryAnswer, Receipt, Reconnect, TextEncoding, TextMessage,
};

use crate::error::Error;
use crate::transport::{Transport, connect_tcp};
use runner::{Request, Runner, WAKE};
use shared::{Command, Reply, Shared};

/// An SMPP client (ESME): bind once, then submit from any number of threads.
///
/// Submitting does not wait for the SMSC: requests are pipelined up to the window `W` (or
/// [`smpp_session::Config::window`] when smaller), and each caller waits for its own outcome
/// ([`Pending::wait`]) or takes outcomes from its own channel ([`Client::submit_tagged`]). An
/// I/O thread owns the connection; it sleeps until the socket, a request or the session's next
/// deadline needs it. The client unbinds on [`close`](Client::close) and when the last handle
/// is dropped.
///
/// ```no_run
/// use smpp_std::{Addr, Client, ClientConfig, TextMessage};
/// use std::time::Duration;
///
/// let client: Client = Client::connect("127.0.0.1:2775", ClientConfig::new("smppclient1", "password"))?;
/// let msg = TextMessage::new(Addr::sender("Alarm")?, Addr::number("+34600000000")?, "Zone 3 open").with_receipt();
/// let outcome = client.send_text(msg)?.wait(Duration::from_secs(30))?;
/// println!("accepted as {:?}", outcome.message_id());
/// let receipts = client.wait_for_receipt(&outcome, Duration::from_secs(60))?;
/// println!("{}", receipts[0].stat.as_deref().unwrap_or("?"));
/// client.close()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Client<const W: usize = 64> {
    inner: Arc<Inner>,
}

impl<const W: usize> Clone for Client<W> {
    fn clone(&self) -> Self {
        Client { inner: Arc::clone(&self.inner) }
    }
}

impl<const W: usize> std::fmt::Debug for Client<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("window", &W).field("closed", &self.is_closed()).finish_non_exhaustive()
    }
}

struct Inner {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        let _ = self.shared.send(Command::Close);
        let _ = self.shared.waker.wake();
        if let Some(t) = self.thread.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take() {
            let _ = t.join();
        }
    }
}

/// The outcome of one request, to wait for.
#[derive(Debug)]
pub struct Pending {
    key: MessageKey,
    rx: Receiver<MessageOutcome>,
}

impl Pending {
    /// The message this is.
    pub fn key(&self) -> MessageKey {
        self.key
    }

    /// Waits up to `timeout` for the outcome.
    ///
    /// # Errors
    /// [`Error::Timeout`] (the outcome may still come: wait again), [`Error::Closed`] when the
    /// client ended without one.
    pub fn wait(&self, timeout: Duration) -> Result<MessageOutcome, Error> {
        match self.rx.recv_timeout(timeout) {
            Ok(o) => Ok(o),
            Err(RecvTimeoutError::Timeout) => Err(Error::Timeout),
            Err(RecvTimeoutError::Disconnected) => Err(Error::Closed),
        }
    }

    /// The outcome if it has come.
    pub fn try_wait(&self) -> Option<MessageOutcome> {
        self.rx.try_recv().ok()
    }
}

impl<const W: usize> Client<W> {
    /// Connects over TCP to `addr` (each address it resolves to, in turn), binds, and returns
    /// once bound.
    ///
    /// # Errors
    /// [`Error::Connect`], [`Error::BindRefused`] with the SMSC's status,
    /// [`Error::BindFailed`], [`Error::Config`].
    pub fn connect(addr: impl ToSocketAddrs, config: ClientConfig) -> Result<Self, Error> {
        let addrs: Vec<SocketAddr> = addr.to_socket_addrs().map_err(Error::Connect)?.collect();
        let timeout = config.connect_timeout;
        Self::connect_with(move || connect_tcp(&addrs[..], timeout), config)
    }

    /// Connects over TLS to `host`:`port` (the server's certificate checked against
    /// `tls`'s CA file or the platform's roots, and for `host` unless `tls.server_name` says
    /// otherwise), binds, and returns once bound. There is no fallback to plaintext.
    ///
    /// # Errors
    /// [`Error::Connect`] that says why a handshake failed (unknown CA, wrong name, expired,
    /// no common version), [`Error::Config`] for unreadable certificate files, and as
    /// [`connect`](Self::connect).
    #[cfg(feature = "tls")]
    pub fn connect_tls(
        host: &str,
        port: u16,
        tls: &crate::tls::TlsOptions,
        config: ClientConfig,
    ) -> Result<Self, Error> {
        let client_config = crate::tls::client_config(tls).map_err(|e| Error::Config(e.to_string()))?;
        let name = tls.server_name.clone().unwrap_or_else(|| host.to_string());
        let addrs: Vec<SocketAddr> = (host, port).to_socket_addrs().map_err(Error::Connect)?.collect();
        let timeout = config.connect_timeout;
        Self::connect_with(
            move || crate::tls::connect(&addrs[..], &name, std::sync::Arc::clone(&client_config), timeout),
            config,
        )
    }

    /// Connects with `connect` (called again for each reconnection and for the receiver beside
    /// a transmitter), binds, and returns once bound.
    ///
    /// # Errors
    /// As [`connect`](Self::connect).
    pub fn connect_with<T, F>(connect: F, config: ClientConfig) -> Result<Self, Error>
    where
        T: Transport,
        F: FnMut() -> std::io::Result<T> + Send + 'static,
    {
        if config.system_id.len() >= smpp_codec::pdu::SYSTEM_ID_MAX {
            return Err(Error::Config(format!(
                "system_id is longer than {} characters",
                smpp_codec::pdu::SYSTEM_ID_MAX - 1
            )));
        }
        if config.password.expose().len() >= smpp_codec::pdu::PASSWORD_MAX {
            return Err(Error::Config(format!(
                "the password is longer than {} characters",
                smpp_codec::pdu::PASSWORD_MAX - 1
            )));
        }
        let poll = mio::Poll::new().map_err(Error::Io)?;
        let waker = mio::Waker::new(poll.registry(), WAKE).map_err(Error::Io)?;
        let (tx, rx) = crossbeam_channel::bounded(config.queue.max(1));
        // Every request queued or in the window may return its buffer to the pool at once.
        let buffers = config.queue.max(1).saturating_add(W);
        let shared = Arc::new(Shared::new(tx, waker, config.events, buffers));
        let (ready_tx, ready_rx) = crossbeam_channel::bounded(1);
        let runner: Runner<T, F, W> = Runner::new(config, connect, Arc::clone(&shared), rx, poll);
        let thread = std::thread::Builder::new()
            .name("smpp-client".into())
            .spawn(move || runner.run(ready_tx))
            .map_err(Error::Io)?;
        let inner = Inner { shared, thread: Mutex::new(Some(thread)) };
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(Client { inner: Arc::new(inner) }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(Error::Closed),
        }
    }

    fn key(&self) -> MessageKey {
        MessageKey(self.inner.shared.next_key.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }

    fn queue(&self, key: MessageKey, request: Request, reply: Reply, receipt: bool) -> Result<MessageKey, Error> {
        self.inner.shared.send(Command::Submit { key, request, reply, receipt }).map_err(|_| Error::Closed)?;
        Ok(key)
    }

    /// Encodes `pdu` here (on the caller's thread) into a pooled buffer.
    fn encode(&self, pdu: &Pdu<'_>) -> Result<Request, Error> {
        let mut buf = self.inner.shared.buffer();
        buf.resize(pdu.encoded_len(), 0);
        pdu.emit(0, CommandStatus::OK, &mut buf).map_err(|e| Error::Text(format!("cannot encode the PDU: {e}")))?;
        Ok(Request::Frame(buf))
    }

    /// Submits a short message as it is (one PDU); the outcome comes through the [`Pending`].
    ///
    /// # Errors
    /// [`Error::Closed`]; [`Error::Text`] for a field that breaks its limit.
    pub fn submit(&self, sm: &SubmitSm<'_>) -> Result<Pending, Error> {
        self.send(&Pdu::SubmitSm(*sm))
    }

    /// Sends a request (submit_sm, data_sm, query_sm, cancel_sm, replace_sm, submit_multi).
    ///
    /// # Errors
    /// As [`submit`](Self::submit).
    pub fn send(&self, pdu: &Pdu<'_>) -> Result<Pending, Error> {
        let request = self.encode(pdu)?;
        let receipt = matches!(pdu, Pdu::SubmitSm(sm) if sm.registered_delivery.0 & 3 != 0);
        let (tx, rx) = crossbeam_channel::bounded(1);
        let key = self.queue(self.key(), request, Reply::Once(tx), receipt)?;
        Ok(Pending { key, rx })
    }

    /// Submits a short message; its outcome goes to `to` with `tag`. No allocation per message
    /// once warm: the way to pipeline at full speed from one thread.
    ///
    /// # Errors
    /// As [`submit`](Self::submit).
    pub fn submit_tagged(&self, sm: &SubmitSm<'_>, tag: u64, to: &Sender<Completion>) -> Result<MessageKey, Error> {
        let request = self.encode(&Pdu::SubmitSm(*sm))?;
        let receipt = sm.registered_delivery.0 & 3 != 0;
        self.queue(self.key(), request, Reply::Tagged { tag, to: to.clone() }, receipt)
    }

    /// Sends a text, split into as many parts as it needs; one outcome with every part's id.
    ///
    /// # Errors
    /// [`Error::Text`] when the text cannot be written in the chosen encoding or needs more
    /// than 255 parts; [`Error::Closed`].
    pub fn send_text(&self, msg: TextMessage) -> Result<Pending, Error> {
        check_text(&msg)?;
        let receipt = msg.receipt;
        let (tx, rx) = crossbeam_channel::bounded(1);
        let key = self.queue(self.key(), Request::Text(Box::new(msg)), Reply::Once(tx), receipt)?;
        Ok(Pending { key, rx })
    }

    /// Sends a text; its outcome goes to `to` with `tag`.
    ///
    /// # Errors
    /// As [`send_text`](Self::send_text).
    pub fn send_text_tagged(&self, msg: TextMessage, tag: u64, to: &Sender<Completion>) -> Result<MessageKey, Error> {
        check_text(&msg)?;
        let receipt = msg.receipt;
        self.queue(self.key(), Request::Text(Box::new(msg)), Reply::Tagged { tag, to: to.clone() }, receipt)
    }

    /// Receipts and messages from handsets, connection changes. Every handle reads the same
    /// stream; each event goes to one reader.
    pub fn events(&self) -> Receiver<ClientEvent> {
        self.inner.shared.events_rx.clone()
    }

    /// Waits until every accepted part of a message has its final receipt (DELIVRD, UNDELIV,
    /// EXPIRED...), then returns them, one per part in part order. The message must have asked
    /// for a receipt.
    ///
    /// # Errors
    /// [`Error::Timeout`] (what came is in [`receipts`](Self::receipts)), [`Error::Closed`].
    pub fn wait_for_receipt(&self, outcome: &MessageOutcome, timeout: Duration) -> Result<Vec<Receipt>, Error> {
        let parts: Vec<u8> = outcome.ids().map(|(p, _)| p).collect();
        self.inner.shared.wait_receipts(outcome.key, &parts, timeout, false)
    }

    /// As [`wait_for_receipt`](Self::wait_for_receipt), taking intermediate receipts (ACCEPTD,
    /// ENROUTE) as well.
    ///
    /// # Errors
    /// As [`wait_for_receipt`](Self::wait_for_receipt).
    pub fn wait_for_any_receipt(&self, outcome: &MessageOutcome, timeout: Duration) -> Result<Vec<Receipt>, Error> {
        let parts: Vec<u8> = outcome.ids().map(|(p, _)| p).collect();
        self.inner.shared.wait_receipts(outcome.key, &parts, timeout, true)
    }

    /// The receipts received so far for a message.
    pub fn receipts(&self, key: MessageKey) -> Vec<Receipt> {
        self.inner.shared.receipts(key)
    }

    /// Answers a message or receipt (manual acknowledgement mode): ESME_ROK, or
    /// ESME_RX_T_APPN to have the SMSC deliver it again later.
    ///
    /// # Errors
    /// [`Error::Closed`].
    pub fn ack(&self, ack: AckToken, status: CommandStatus) -> Result<(), Error> {
        self.inner.shared.send(Command::Ack { ack, status }).map_err(|_| Error::Closed)
    }

    /// Whether the client has stopped (closed, or the connection ended without reconnect).
    pub fn is_closed(&self) -> bool {
        self.inner.shared.closed.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Unbinds (waiting for the SMSC's answer up to the unbind timeout) and stops. Requests not
    /// sent yet end with [`Failure::Closed`].
    ///
    /// # Errors
    /// None today; kept for transports whose shutdown can fail.
    pub fn close(&self) -> Result<(), Error> {
        let _ = self.inner.shared.send(Command::Close);
        let _ = self.inner.shared.waker.wake();
        if let Some(t) = self.inner.thread.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take() {
            let _ = t.join();
        }
        Ok(())
    }
}

/// Checks on the caller's thread that a text can be written as asked.
fn check_text(msg: &TextMessage) -> Result<(), Error> {
    let encoding = match msg.encoding {
        TextEncoding::Auto => choose(&msg.text, &[], msg.concatenation),
        TextEncoding::Gsm7 => Encoding::Gsm7(Tables::DEFAULT),
        TextEncoding::Ucs2 => Encoding::Ucs2,
        TextEncoding::Latin1 => Encoding::Latin1,
    };
    Segmenter::new(&msg.text, encoding, msg.concatenation, 0).map(|_| ()).map_err(|e| Error::Text(e.to_string()))
}
