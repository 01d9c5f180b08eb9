//! What embedded-tls reads from and writes to: the TCP socket, and after the handshake a stage
//! for whole records each way, so that no TLS operation ever stops halfway.
//!
//! embedded-tls is not cancel-safe: it keeps a record's header in a local while it reads the
//! rest, and it encrypts a record before it writes it out; a read or write dropped at either
//! point loses octets of the stream. The runner drops reads and writes whenever something else
//! comes first. So, once the handshake is done:
//!
//! - reading, the [`Gate`] hands embedded-tls no octet of a record until the whole record is in
//!   the read stage; embedded-tls then reads and decrypts it without ever waiting, and the only
//!   place it waits is before a record, with nothing of it taken;
//! - writing, the [`Gate`] takes each encrypted record whole into the write stage without
//!   waiting, and [`Wire::poll_drain`] moves the stage to the socket. The stream makes room for a
//!   whole record in the stage before it lets embedded-tls write.
//!
//! Everything a wait has done so far is kept here, not in the waiting future, so a dropped wait
//! loses nothing. During the handshake the gate reads and writes the socket directly: the
//! runner drops a connection attempt only as a whole.

use core::cell::RefCell;
use core::future::{Future, poll_fn};
use core::pin::pin;
use core::task::{Context, Poll};

use embassy_net::tcp::{self, TcpSocket};
use embedded_io_async::{ErrorKind, ErrorType, Read, Write};

/// A TLS record header: type, version, length.
const HEADER: usize = 5;

/// What went wrong below TLS.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum WireError {
    /// The TCP connection was reset or closed.
    Socket(tcp::Error),
    /// The server sent a record larger than the read stage.
    RecordTooLarge,
    /// A record did not fit the write stage (the stream keeps room for one, so this is a bug).
    StageFull,
    /// The wire was in use by another operation (never expected: one task drives a connection).
    Busy,
}

impl core::fmt::Display for WireError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            WireError::Socket(e) => write!(f, "TCP: {e:?}"),
            WireError::RecordTooLarge => f.write_str("the server sent a TLS record larger than the read stage"),
            WireError::StageFull => f.write_str("a TLS record did not fit the write stage"),
            WireError::Busy => f.write_str("the connection was in use"),
        }
    }
}

impl core::error::Error for WireError {}

impl embedded_io_async::Error for WireError {
    fn kind(&self) -> ErrorKind {
        match self {
            WireError::Socket(_) => ErrorKind::ConnectionReset,
            WireError::RecordTooLarge => ErrorKind::OutOfMemory,
            WireError::StageFull | WireError::Busy => ErrorKind::Other,
        }
    }
}

/// Polls a future of the socket once. The socket's reads and writes keep nothing in their
/// futures, so polling a fresh one each time is the same as polling one again.
fn poll_once<F: Future>(cx: &mut Context<'_>, f: F) -> Poll<F::Output> {
    pin!(f).poll(cx)
}

/// The TCP socket and the stages (see the module's documentation).
pub(crate) struct Wire<'a> {
    pub(crate) socket: TcpSocket<'a>,
    rx: &'a mut [u8],
    /// Octets in `rx`: the current record, maybe the start of the next ones.
    rx_len: usize,
    /// Length of the current record (header included) once it is all in `rx`; 0 before.
    record: usize,
    /// Octets of the current record handed to embedded-tls.
    served: usize,
    tx: &'a mut [u8],
    /// The octets of `tx` still to send.
    tx_start: usize,
    tx_end: usize,
    /// Past the handshake: records go through the stages.
    staged: bool,
    /// The first error seen on this connection (embedded-tls keeps only its kind).
    pub(crate) error: Option<WireError>,
    /// The first octet the server sent: a TLS server's first record is a handshake (22) or an
    /// alert (21).
    pub(crate) first: Option<u8>,
}

impl<'a> Wire<'a> {
    pub(crate) fn new(socket: TcpSocket<'a>, rx: &'a mut [u8], tx: &'a mut [u8]) -> Self {
        Wire {
            socket,
            rx,
            rx_len: 0,
            record: 0,
            served: 0,
            tx,
            tx_start: 0,
            tx_end: 0,
            staged: false,
            error: None,
            first: None,
        }
    }

    /// Empties the stages for a new connection; the gate reads and writes the socket directly
    /// until [`stage`](Self::stage).
    pub(crate) fn reset(&mut self) {
        self.rx_len = 0;
        self.record = 0;
        self.served = 0;
        self.tx_start = 0;
        self.tx_end = 0;
        self.staged = false;
        self.error = None;
        self.first = None;
    }

    /// `p`, its error remembered.
    fn note<T>(&mut self, p: Poll<Result<T, WireError>>) -> Poll<Result<T, WireError>> {
        if let Poll::Ready(Err(e)) = p {
            self.error.get_or_insert(e);
        }
        p
    }

    /// [`poll_drain`](Self::poll_drain), its error remembered.
    pub(crate) fn drain(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), WireError>> {
        let p = self.poll_drain(cx);
        self.note(p)
    }

    /// From now on (the handshake is done), records go through the stages.
    pub(crate) fn stage(&mut self) {
        self.staged = true;
    }

    /// Room left in the write stage.
    pub(crate) fn tx_room(&self) -> usize {
        self.tx.len() - (self.tx_end - self.tx_start)
    }

    /// Moves the write stage to the socket, as far as the socket takes it now.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), WireError>> {
        while self.tx_start < self.tx_end {
            let Some(out) = self.tx.get(self.tx_start..self.tx_end) else { return Poll::Ready(Err(WireError::Busy)) };
            match poll_once(cx, self.socket.write(out)) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(WireError::Socket(tcp::Error::ConnectionReset))),
                Poll::Ready(Ok(n)) => self.tx_start += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(WireError::Socket(e))),
                Poll::Pending => return Poll::Pending,
            }
        }
        self.tx_start = 0;
        self.tx_end = 0;
        Poll::Ready(Ok(()))
    }

    /// The length of the record at the start of the read stage, once all of it is there.
    fn whole_record(&self) -> Result<Option<usize>, WireError> {
        let Some(&[_, _, _, hi, lo]) = self.rx.get(..HEADER).filter(|_| self.rx_len >= HEADER) else {
            return Ok(None);
        };
        let len = HEADER + usize::from(u16::from_be_bytes([hi, lo]));
        if len > self.rx.len() {
            return Err(WireError::RecordTooLarge);
        }
        Ok((self.rx_len >= len).then_some(len))
    }

    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<Result<usize, WireError>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if !self.staged {
            let read = poll_once(cx, self.socket.read(buf)).map_err(WireError::Socket);
            if let (Poll::Ready(Ok(1..)), None) = (&read, self.first) {
                self.first = buf.first().copied();
            }
            return read;
        }
        while self.record == 0 {
            match self.whole_record() {
                Err(e) => return Poll::Ready(Err(e)),
                Ok(Some(len)) => self.record = len,
                Ok(None) => {
                    let Some(room) = self.rx.get_mut(self.rx_len..) else { return Poll::Ready(Err(WireError::Busy)) };
                    match poll_once(cx, self.socket.read(room)) {
                        // The end of the stream (a partial record staged is cut short too).
                        Poll::Ready(Ok(0)) => return Poll::Ready(Ok(0)),
                        Poll::Ready(Ok(n)) => self.rx_len += n,
                        Poll::Ready(Err(e)) => return Poll::Ready(Err(WireError::Socket(e))),
                        Poll::Pending => {
                            // While waiting for the peer, send what is staged: the runner waits
                            // here between its own writes, and a record left in the stage by a
                            // dropped flush must not wait for the next one.
                            let _ = self.poll_drain(cx);
                            return Poll::Pending;
                        }
                    }
                }
            }
        }
        let Some(rest) = self.rx.get(self.served..self.record) else { return Poll::Ready(Err(WireError::Busy)) };
        let n = rest.len().min(buf.len());
        let (Some(to), Some(from)) = (buf.get_mut(..n), rest.get(..n)) else {
            return Poll::Ready(Err(WireError::Busy));
        };
        to.copy_from_slice(from);
        self.served += n;
        if self.served == self.record {
            self.rx.copy_within(self.record..self.rx_len, 0);
            self.rx_len -= self.record;
            self.record = 0;
            self.served = 0;
        }
        Poll::Ready(Ok(n))
    }

    fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<Result<usize, WireError>> {
        if !self.staged {
            return poll_once(cx, self.socket.write(buf)).map_err(WireError::Socket);
        }
        if self.tx_start > 0 {
            self.tx.copy_within(self.tx_start..self.tx_end, 0);
            self.tx_end -= self.tx_start;
            self.tx_start = 0;
        }
        // Whole or not at all, and never waiting: embedded-tls has encrypted this record already.
        let Some(to) = self.tx.get_mut(self.tx_end..self.tx_end + buf.len()) else {
            return Poll::Ready(Err(WireError::StageFull));
        };
        to.copy_from_slice(buf);
        self.tx_end += buf.len();
        Poll::Ready(Ok(buf.len()))
    }
}

/// embedded-tls's view of the [`Wire`]: it owns the gate, the stream shares the wire with it.
pub(crate) struct Gate<'w, 'a>(pub(crate) &'w RefCell<Wire<'a>>);

impl Gate<'_, '_> {
    fn with<T>(&self, f: impl FnOnce(&mut Wire<'_>) -> Poll<Result<T, WireError>>) -> Poll<Result<T, WireError>> {
        match self.0.try_borrow_mut() {
            Ok(mut wire) => {
                let p = f(&mut wire);
                wire.note(p)
            }
            Err(_) => Poll::Ready(Err(WireError::Busy)),
        }
    }
}

impl ErrorType for Gate<'_, '_> {
    type Error = WireError;
}

impl Read for Gate<'_, '_> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, WireError> {
        poll_fn(|cx| self.with(|w| w.poll_read(cx, buf))).await
    }
}

impl Write for Gate<'_, '_> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, WireError> {
        poll_fn(|cx| self.with(|w| w.poll_write(cx, buf))).await
    }

    async fn flush(&mut self) -> Result<(), WireError> {
        // Staged: called by embedded-tls only once a record is complete (after close_notify);
        // before, the socket sends what it has without being asked.
        poll_fn(|cx| self.with(|w| if w.staged { w.drain(cx) } else { Poll::Ready(Ok(())) })).await
    }
}
