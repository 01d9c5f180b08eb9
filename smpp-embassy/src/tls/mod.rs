//! SMPP over TLS 1.3: [`TlsConnector`] opens embedded-tls connections on the embassy-net socket
//! for the runner, with the server's CA certificate or its own certificate pinned (in flash)
//! and the application's random number generator (the board's TRNG).
//!
//! What is checked (see the crate's README for the limits):
//!
//! - [`Trust::Ca`]: the server's certificate must be signed by the pinned CA's key (directly:
//!   pin the CA that issued it), name `server_name` among its subject alternative names (a DNS
//!   name, or an IPv4 address), and, when the application gives a clock, be within its validity
//!   period (the CA's too).
//! - [`Trust::Certificate`]: the server's certificate must be the pinned one, octet for octet
//!   (and within its validity period when there is a clock).
//! - Either way the server must prove that it holds the certificate's key (its CertificateVerify
//!   signature); a handshake without it is refused, even though embedded-tls would complete it.
//!
//! Only ECDSA P-256 with SHA-256 is verified, the key exchange is P-256 and the cipher
//! AES-128-GCM with SHA-256; there is no plaintext fallback: a connection that fails its
//! handshake is closed, and the runner tries again after its back-off.

mod verify;
mod wire;
mod x509;

use core::cell::RefCell;
use core::future::{Future, poll_fn};
use core::net::Ipv4Addr;
use core::pin::pin;
use core::task::Poll;

use embassy_net::Stack;
use embassy_net::tcp::{State as TcpState, TcpSocket};
use embassy_time::{Duration, with_timeout};
use embedded_io_async::{ErrorKind, ErrorType, Read, Write};
use embedded_tls::{Aes128GcmSha256, FlushPolicy, TLS_RECORD_OVERHEAD, TlsConfig, TlsConnection, TlsContext, TlsError};
use rand_core::{CryptoRng, RngCore};

pub use embedded_tls::MaxFragmentLength;
pub use embedded_tls::alert::AlertDescription;
pub use wire::WireError;

use crate::connect::{Connect, Remote, TcpConnectError};
use verify::{Provider, Verifier};
use wire::{Gate, Wire};

/// What the server's certificate is checked against: a DER certificate, typically
/// `include_bytes!` of a file, so that it lives in flash.
#[derive(Copy, Clone)]
pub enum Trust<'a> {
    /// The CA that signed the server's certificate (ECDSA P-256).
    Ca(&'a [u8]),
    /// The server's certificate itself.
    Certificate(&'a [u8]),
}

impl core::fmt::Debug for Trust<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Trust::Ca(c) => write!(f, "Ca({} octets)", c.len()),
            Trust::Certificate(c) => write!(f, "Certificate({} octets)", c.len()),
        }
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Trust<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        match self {
            Trust::Ca(c) => defmt::write!(f, "Ca({} octets)", c.len()),
            Trust::Certificate(c) => defmt::write!(f, "Certificate({} octets)", c.len()),
        }
    }
}

/// How the connector talks TLS.
#[derive(Copy, Clone, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TlsSettings<'a> {
    /// The server's name: sent in the handshake (SNI) and, with [`Trust::Ca`], required among the
    /// certificate's names. An IPv4 address is matched against the certificate's IP addresses
    /// and not sent.
    pub server_name: &'a str,
    /// What the server's certificate is checked against.
    pub trust: Trust<'a>,
    /// Seconds since 1970 (UTC), if the application knows the time (SNTP, an RTC): then a
    /// certificate outside its validity period is refused. `None` (the default): validity
    /// periods are not checked, since a board without a clock cannot tell.
    pub clock: Option<fn() -> Option<u64>>,
    /// Asks the server for records of at most this much plaintext (RFC 6066). Servers may
    /// ignore it (rustls does); the buffers must then hold the server's largest record anyway.
    pub max_fragment_length: Option<MaxFragmentLength>,
}

impl<'a> TlsSettings<'a> {
    /// `server_name` checked against `trust`, no clock, no fragment length asked.
    pub const fn new(server_name: &'a str, trust: Trust<'a>) -> Self {
        TlsSettings { server_name, trust, clock: None, max_fragment_length: None }
    }
}

/// The buffers of the connection, all the caller's.
///
/// The record buffers are embedded-tls's: `record_read` must hold the largest record the
/// server sends (its handshake flight, with the certificate chain, is usually the largest), and
/// `record_write` the client's hello (about 180 octets, more with a longer server name); a
/// longer one only writes fewer records. The stages hold records whole after the handshake, so
/// that the runner may drop a read or a write anywhere (see the crate's README): `stage_read`
/// the largest record after the handshake (session tickets, SMPP PDUs), `stage_write` at least
/// `record_write.len()`. The crate's `BENCHMARKS.md` has sizes that work against rustls.
#[derive(Debug)]
pub struct TlsBuffers<'a> {
    /// The TCP socket's receive buffer.
    pub socket_rx: &'a mut [u8],
    /// The TCP socket's transmit buffer.
    pub socket_tx: &'a mut [u8],
    /// embedded-tls's read record buffer.
    pub record_read: &'a mut [u8],
    /// embedded-tls's write record buffer.
    pub record_write: &'a mut [u8],
    /// Records received whole before they are decrypted.
    pub stage_read: &'a mut [u8],
    /// Records encrypted, waiting for the socket.
    pub stage_write: &'a mut [u8],
}

/// Buffers that cannot work together.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum BufferError {
    /// `record_write` must be longer than embedded-tls's record overhead (128 octets).
    RecordWriteTooSmall,
    /// `stage_write` must hold a whole record of `record_write`.
    StageWriteTooSmall,
    /// `stage_read` must hold at least a record header and some content (64 octets).
    StageReadTooSmall,
}

impl core::fmt::Display for BufferError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            BufferError::RecordWriteTooSmall => "the write record buffer must be longer than 128 octets",
            BufferError::StageWriteTooSmall => "the write stage must be at least as long as the write record buffer",
            BufferError::StageReadTooSmall => "the read stage must be at least 64 octets",
        })
    }
}

impl core::error::Error for BufferError {}

/// Why the handshake failed.
#[derive(Copy, Clone, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum HandshakeError {
    /// The server's certificate is not signed by the pinned CA.
    UnknownCa,
    /// The server's certificate is not the pinned one.
    NotPinned,
    /// The server's certificate does not name the server name.
    WrongName,
    /// The server's certificate (or the pinned CA) has expired, by the application's clock.
    Expired,
    /// The server's certificate (or the pinned CA) is not valid yet, by the application's clock.
    NotYetValid,
    /// The server's certificate or signature uses an algorithm other than ECDSA P-256 with
    /// SHA-256.
    Unsupported,
    /// The server's certificate cannot be read.
    Malformed,
    /// The pinned CA certificate cannot be read or holds no P-256 key (a configuration error).
    BadPin,
    /// The server sent no certificate, or its signature came without one.
    NoCertificate,
    /// The server's signature of the handshake does not match its certificate's key.
    BadSignature,
    /// The server refused the handshake with this alert (no common version, cipher or group;
    /// or it refused the hello).
    Refused(AlertDescription),
    /// A handshake record longer than the read record buffer.
    RecordTooLarge,
    /// The server closed the connection during the handshake (a server that does not speak TLS
    /// on this port may do that).
    Closed,
    /// The server answered with something other than TLS (plain SMPP on this port?).
    NotTls,
    /// The TCP connection failed during the handshake.
    Wire(WireError),
    /// Any other protocol failure (embedded-tls's own error).
    Protocol(TlsError),
}

impl core::fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            HandshakeError::UnknownCa => f.write_str("the server's certificate is not signed by the pinned CA"),
            HandshakeError::NotPinned => f.write_str("the server's certificate is not the pinned one"),
            HandshakeError::WrongName => f.write_str("the server's certificate is not for the server name"),
            HandshakeError::Expired => f.write_str("the server's certificate (or the pinned CA) has expired"),
            HandshakeError::NotYetValid => f.write_str("the server's certificate (or the pinned CA) is not valid yet"),
            HandshakeError::Unsupported => {
                f.write_str("the server's certificate or signature is not ECDSA P-256 with SHA-256")
            }
            HandshakeError::Malformed => f.write_str("the server's certificate cannot be read"),
            HandshakeError::BadPin => f.write_str("the pinned CA certificate cannot be read or has no P-256 key"),
            HandshakeError::NoCertificate => f.write_str("the server did not authenticate with a certificate"),
            HandshakeError::BadSignature => {
                f.write_str("the server's handshake signature does not match its certificate")
            }
            HandshakeError::Refused(a) => write!(f, "the server refused the handshake ({a:?})"),
            HandshakeError::RecordTooLarge => f.write_str("a handshake record is larger than the read record buffer"),
            HandshakeError::Closed => {
                f.write_str("the server closed the connection during the handshake (does it speak TLS on this port?)")
            }
            HandshakeError::NotTls => f.write_str("the server does not speak TLS on this port"),
            HandshakeError::Wire(e) => write!(f, "{e}"),
            HandshakeError::Protocol(e) => write!(f, "TLS protocol error: {e:?}"),
        }
    }
}

/// Why a TLS connection attempt failed.
#[derive(Copy, Clone, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TlsConnectError {
    /// No TCP connection.
    Tcp(TcpConnectError),
    /// The TLS handshake failed: the connection was closed without a byte of SMPP sent.
    Handshake(HandshakeError),
}

impl core::fmt::Display for TlsConnectError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            TlsConnectError::Tcp(e) => write!(f, "{e}"),
            TlsConnectError::Handshake(e) => write!(f, "TLS handshake failed: {e}"),
        }
    }
}

impl core::error::Error for TlsConnectError {}

impl embedded_io_async::Error for TlsConnectError {
    fn kind(&self) -> ErrorKind {
        use HandshakeError as H;
        match self {
            TlsConnectError::Tcp(e) => e.kind(),
            TlsConnectError::Handshake(h) => match h {
                H::UnknownCa
                | H::NotPinned
                | H::WrongName
                | H::Expired
                | H::NotYetValid
                | H::NoCertificate
                | H::BadSignature => ErrorKind::PermissionDenied,
                H::Unsupported => ErrorKind::Unsupported,
                H::BadPin => ErrorKind::InvalidInput,
                H::Refused(_) => ErrorKind::ConnectionRefused,
                H::RecordTooLarge => ErrorKind::OutOfMemory,
                H::Closed => ErrorKind::ConnectionAborted,
                H::NotTls => ErrorKind::InvalidData,
                H::Wire(e) => embedded_io_async::Error::kind(e),
                H::Malformed | H::Protocol(_) => ErrorKind::InvalidData,
            },
        }
    }
}

/// Why a read or write of an open TLS connection failed.
#[derive(Copy, Clone, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum StreamError {
    /// The TLS layer failed (a record that does not decrypt, an alert; `ConnectionClosed` is
    /// the server's close_notify).
    Tls(TlsError),
    /// The TCP connection below it failed, or a record did not fit its stage.
    Wire(WireError),
    /// A TLS operation would have waited in the middle of a record (never expected: the stages
    /// prevent it); the connection is given up rather than risk a corrupt stream.
    Suspended,
    /// The connection was closed.
    Closed,
}

impl core::fmt::Display for StreamError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            StreamError::Tls(e) => write!(f, "TLS: {e:?}"),
            StreamError::Wire(e) => write!(f, "{e}"),
            StreamError::Suspended => f.write_str("a TLS operation would have stopped halfway"),
            StreamError::Closed => f.write_str("the TLS connection is closed"),
        }
    }
}

impl core::error::Error for StreamError {}

impl embedded_io_async::Error for StreamError {
    fn kind(&self) -> ErrorKind {
        match self {
            StreamError::Tls(TlsError::ConnectionClosed) | StreamError::Closed => ErrorKind::NotConnected,
            StreamError::Tls(TlsError::Io(kind)) => *kind,
            StreamError::Tls(_) => ErrorKind::InvalidData,
            StreamError::Wire(e) => embedded_io_async::Error::kind(e),
            StreamError::Suspended => ErrorKind::Other,
        }
    }
}

/// TLS connections over an embassy-net stack: one TCP socket, reused for every attempt, and
/// the caller's buffers; `R` is the application's random number generator (it must be a
/// cryptographic one: the board's TRNG).
pub struct TlsConnector<'a, R> {
    stack: Stack<'a>,
    remote: Remote<'a>,
    settings: TlsSettings<'a>,
    wire: RefCell<Wire<'a>>,
    record_read: &'a mut [u8],
    record_write: &'a mut [u8],
    rng: R,
    timeout: Option<Duration>,
}

impl<R> core::fmt::Debug for TlsConnector<'_, R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TlsConnector")
            .field("remote", &self.remote)
            .field("settings", &self.settings)
            .field("record_read", &self.record_read.len())
            .field("record_write", &self.record_write.len())
            .finish_non_exhaustive()
    }
}

impl<'a, R: RngCore + CryptoRng> TlsConnector<'a, R> {
    /// TLS connections to `remote` over `stack`, checked as `settings` say, with `buffers` and
    /// the random number generator `rng`. The TCP socket is made here (it takes one of the
    /// stack's sockets for as long as the connector lives: the stack must have one free) and
    /// aborts a connection whose sent data is not acknowledged for 60 s.
    ///
    /// # Errors
    /// Buffers that cannot work together ([`BufferError`]).
    pub fn new(
        stack: Stack<'a>,
        remote: Remote<'a>,
        settings: TlsSettings<'a>,
        buffers: TlsBuffers<'a>,
        rng: R,
    ) -> Result<Self, BufferError> {
        let TlsBuffers { socket_rx, socket_tx, record_read, record_write, stage_read, stage_write } = buffers;
        if record_write.len() <= TLS_RECORD_OVERHEAD {
            return Err(BufferError::RecordWriteTooSmall);
        }
        if stage_write.len() < record_write.len() {
            return Err(BufferError::StageWriteTooSmall);
        }
        if stage_read.len() < 64 {
            return Err(BufferError::StageReadTooSmall);
        }
        let socket = TcpSocket::new(stack, socket_rx, socket_tx);
        Ok(TlsConnector {
            stack,
            remote,
            settings,
            wire: RefCell::new(Wire::new(socket, stage_read, stage_write)),
            record_read,
            record_write,
            rng,
            timeout: Some(Duration::from_secs(60)),
        })
    }

    /// The socket timeout (see `TcpSocket::set_timeout`); `None` for none.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }
}

/// Why the handshake failed, from what embedded-tls said and what the verifier and the wire saw.
fn handshake_error(e: TlsError, verifier: &Verifier<'_>, wire: &RefCell<Wire<'_>>) -> HandshakeError {
    if let Some(why) = verifier.failure {
        return why;
    }
    let (below, first) = wire.try_borrow().map_or((None, None), |w| (w.error, w.first));
    if first.is_some_and(|b| b != 22 && b != 21) {
        return HandshakeError::NotTls;
    }
    match (e, below) {
        (TlsError::Io(_), Some(w)) => HandshakeError::Wire(w),
        (TlsError::Io(_) | TlsError::IoError | TlsError::ConnectionClosed, _) => HandshakeError::Closed,
        (TlsError::HandshakeAborted(_, alert), _) => HandshakeError::Refused(alert),
        (TlsError::InsufficientSpace, _) => HandshakeError::RecordTooLarge,
        (other, _) => HandshakeError::Protocol(other),
    }
}

impl<'a, R: RngCore + CryptoRng> Connect for TlsConnector<'a, R> {
    type Error = TlsConnectError;
    type Connection<'c>
        = TlsStream<'c, 'a>
    where
        Self: 'c;

    /// # Cancel safety
    /// Dropped halfway, the attempt leaves the socket connected or half-open; the next call
    /// aborts it and starts afresh.
    async fn connect(&mut self) -> Result<TlsStream<'_, 'a>, TlsConnectError> {
        self.stack.wait_config_up().await;
        let remote = self.remote.resolve(self.stack).await.map_err(TlsConnectError::Tcp)?;
        let TlsConnector { settings, wire, record_read, record_write, rng, timeout, .. } = self;
        {
            // No stream borrows the wire between connections.
            let w = wire.get_mut();
            w.reset();
            // The last connection, if a dropped stream left it: reset it, and let the reset
            // leave before the socket is used again.
            if w.socket.state() != TcpState::Closed {
                w.socket.abort();
            }
            let _ = with_timeout(Duration::from_secs(1), w.socket.flush()).await;
            w.socket.set_timeout(*timeout);
            w.socket.connect(remote).await.map_err(|e| TlsConnectError::Tcp(TcpConnectError::Connect(e)))?;
        }
        let wire: &RefCell<Wire<'a>> = wire;
        let name_is_ip = settings.server_name.parse::<Ipv4Addr>().is_ok();
        let mut config = TlsConfig::new();
        if !name_is_ip {
            config = config.with_server_name(settings.server_name);
        }
        if let Some(mfl) = settings.max_fragment_length {
            config = config.with_max_fragment_length(mfl);
        }
        let now = settings.clock.and_then(|clock| clock());
        let mut provider = Provider { rng, verifier: Verifier::new(settings.trust, settings.server_name, now) };
        let record = record_write.len();
        let mut tls: TlsConnection<'_, Gate<'_, 'a>, Aes128GcmSha256> =
            TlsConnection::new(Gate(wire), record_read, record_write);
        // The stream drains the write stage itself, where a wait is safe.
        tls.set_flush_policy(FlushPolicy::Relaxed);
        let opened = tls.open(TlsContext::new(&config, &mut provider)).await;
        let verdict = match opened {
            Err(e) => Err(handshake_error(e, &provider.verifier, wire)),
            Ok(()) if !provider.verifier.proven() => Err(HandshakeError::NoCertificate),
            Ok(()) => Ok(()),
        };
        if let Err(why) = verdict {
            warn!("tls: handshake failed: {}", why);
            // Reset the connection, and let the reset leave before the socket is used again.
            if let Ok(mut w) = wire.try_borrow_mut() {
                w.socket.abort();
            }
            let _ = with_timeout(Duration::from_secs(1), socket_flush(wire)).await;
            return Err(TlsConnectError::Handshake(why));
        }
        debug!("tls: handshake done");
        wire.try_borrow_mut().map_err(|_| TlsConnectError::Handshake(HandshakeError::Wire(WireError::Busy)))?.stage();
        Ok(TlsStream { tls: Some(tls), wire, record, broken: false })
    }

    fn close<'c>(stream: &mut TlsStream<'c, 'a>) -> impl Future<Output = ()>
    where
        Self: 'c,
    {
        stream.close()
    }
}

/// An open TLS connection (the runner's connection); cancel-safe reads and writes.
pub struct TlsStream<'c, 'a> {
    tls: Option<TlsConnection<'c, Gate<'c, 'a>, Aes128GcmSha256>>,
    wire: &'c RefCell<Wire<'a>>,
    /// The longest record embedded-tls writes: the room kept for it in the write stage.
    record: usize,
    /// An operation failed halfway: nothing more is sent.
    broken: bool,
}

impl core::fmt::Debug for TlsStream<'_, '_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TlsStream").field("open", &self.tls.is_some()).finish_non_exhaustive()
    }
}

impl<'c, 'a> TlsStream<'c, 'a> {
    fn tls(&mut self) -> Result<&mut TlsConnection<'c, Gate<'c, 'a>, Aes128GcmSha256>, StreamError> {
        match (self.broken, self.tls.as_mut()) {
            (false, Some(tls)) => Ok(tls),
            _ => Err(StreamError::Closed),
        }
    }

    /// The wire's error if it had one, else embedded-tls's.
    fn error(&self, e: TlsError) -> StreamError {
        match self.wire.try_borrow().ok().and_then(|w| w.error) {
            Some(w) => StreamError::Wire(w),
            None => StreamError::Tls(e),
        }
    }

    /// Waits until the write stage has room for a whole record, sending what it holds.
    async fn make_room(&self) -> Result<(), StreamError> {
        let record = self.record;
        poll_fn(|cx| {
            let Ok(mut w) = self.wire.try_borrow_mut() else { return Poll::Ready(Err(WireError::Busy)) };
            loop {
                if w.tx_room() >= record {
                    return Poll::Ready(Ok(()));
                }
                match w.drain(cx) {
                    Poll::Ready(Ok(())) => continue,
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                    Poll::Pending if w.tx_room() >= record => return Poll::Ready(Ok(())),
                    Poll::Pending => return Poll::Pending,
                }
            }
        })
        .await
        .map_err(StreamError::Wire)
    }

    /// Sends everything staged.
    async fn drain(&self) -> Result<(), StreamError> {
        poll_fn(|cx| match self.wire.try_borrow_mut() {
            Ok(mut w) => w.drain(cx),
            Err(_) => Poll::Ready(Err(WireError::Busy)),
        })
        .await
        .map_err(StreamError::Wire)
    }

    fn fail(&mut self, e: TlsError) -> StreamError {
        self.broken = true;
        self.error(e)
    }

    /// What [`at_once`] gave: the result, or the connection given up.
    fn settle<T>(&mut self, done: Option<Result<T, TlsError>>) -> Result<T, StreamError> {
        match done {
            Some(Ok(v)) => Ok(v),
            Some(Err(e)) => Err(self.fail(e)),
            None => {
                self.broken = true;
                Err(StreamError::Suspended)
            }
        }
    }

    /// Sends close_notify, then ends the TCP connection (FIN); gives each a moment to leave.
    async fn close(&mut self) {
        if let (false, Some(tls)) = (self.broken, self.tls.take()) {
            let notify = async {
                if self.make_room().await.is_ok() {
                    let _ = tls.close().await;
                }
            };
            let _ = with_timeout(Duration::from_secs(1), notify).await;
        }
        if let Ok(mut w) = self.wire.try_borrow_mut() {
            w.socket.close();
        }
        let _ = with_timeout(Duration::from_secs(1), socket_flush(self.wire)).await;
    }
}

/// Waits until the socket has sent what it holds (data, FIN or reset).
async fn socket_flush(wire: &RefCell<Wire<'_>>) {
    poll_fn(|cx| match wire.try_borrow_mut() {
        Ok(mut w) => pin!(w.socket.flush()).poll(cx).map(|_| ()),
        Err(_) => Poll::Ready(()),
    })
    .await;
}

/// Runs a TLS operation that must finish without waiting (the stages make sure it can): its
/// result, or `None` if it would have waited (it is dropped then, and the connection must be
/// given up rather than left halfway).
async fn at_once<T>(op: impl Future<Output = Result<T, TlsError>>) -> Option<Result<T, TlsError>> {
    let mut op = pin!(op);
    poll_fn(|cx| {
        Poll::Ready(match op.as_mut().poll(cx) {
            Poll::Ready(r) => Some(r),
            Poll::Pending => None,
        })
    })
    .await
}

impl Drop for TlsStream<'_, '_> {
    fn drop(&mut self) {
        // A connection not closed (the runner's future dropped, a broken stream): reset it,
        // as dropping a TcpSocket would.
        if self.tls.is_some() || self.broken {
            if let Ok(mut w) = self.wire.try_borrow_mut() {
                w.socket.abort();
            }
        }
    }
}

impl ErrorType for TlsStream<'_, '_> {
    type Error = StreamError;
}

impl Read for TlsStream<'_, '_> {
    /// # Cancel safety
    /// Cancel-safe: the wire hands embedded-tls a record only once all of it is here, so the
    /// read waits only between records, with nothing taken.
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, StreamError> {
        let result = self.tls()?.read(buf).await;
        result.map_err(|e| self.fail(e))
    }
}

impl Write for TlsStream<'_, '_> {
    /// # Cancel safety
    /// Cancel-safe: it waits only for room in the write stage, before anything is taken; then
    /// embedded-tls takes the octets (and encrypts a full record into the stage) at once.
    async fn write(&mut self, buf: &[u8]) -> Result<usize, StreamError> {
        self.tls()?;
        self.make_room().await?;
        let Some(tls) = self.tls.as_mut() else { return Err(StreamError::Closed) };
        let done = at_once(tls.write(buf)).await;
        self.settle(done)
    }

    /// # Cancel safety
    /// Cancel-safe: the record is made at once; dropped while it is being sent, the rest stays
    /// in the stage and goes with the next read, write or flush.
    async fn flush(&mut self) -> Result<(), StreamError> {
        self.tls()?;
        self.make_room().await?;
        let Some(tls) = self.tls.as_mut() else { return Err(StreamError::Closed) };
        let done = at_once(tls.flush()).await;
        self.settle(done)?;
        self.drain().await
    }
}
