//! Moves octets between a [`Transport`] and a session: reads straight into the session's
//! receive buffer and writes straight from its transmit buffer, until the transport would block.
//! The poll loop is edge-triggered, so readiness is remembered here until a read or write
//! reports `WouldBlock`.

use std::io::{self, ErrorKind};

use mio::{Interest, Registry, Token};
use smpp_session::{Instant, Session};

use crate::transport::Transport;

/// A transport registered with a poll loop, and what it is ready for.
#[derive(Debug)]
pub(crate) struct Conn<T> {
    pub(crate) io: T,
    pub(crate) token: Token,
    readable: bool,
    writable: bool,
    /// The transport holds octets it could not write yet (a TLS record): flush when writable.
    unflushed: bool,
    /// The peer closed its side.
    pub(crate) eof: bool,
}

impl<T: Transport> Conn<T> {
    pub(crate) fn register(registry: &Registry, mut io: T, token: Token) -> io::Result<Self> {
        registry.register(&mut io, token, Interest::READABLE | Interest::WRITABLE)?;
        // Assume both until the transport says otherwise: nothing is lost by trying.
        Ok(Conn { io, token, readable: true, writable: true, unflushed: false, eof: false })
    }

    pub(crate) fn deregister(&mut self, registry: &Registry) {
        // The connection is being dropped; a failure here changes nothing.
        let _ = registry.deregister(&mut self.io);
    }

    /// Notes what a poll event says.
    pub(crate) fn ready(&mut self, event: &mio::event::Event) {
        if event.is_readable() || event.is_read_closed() || event.is_error() {
            self.readable = true;
        }
        if event.is_writable() || event.is_write_closed() || event.is_error() {
            self.writable = true;
        }
    }

    /// Reads into the session while the transport has data and the session has room. Returns
    /// whether anything was read.
    ///
    /// # Errors
    /// The transport's error; end of stream sets `eof` instead.
    pub(crate) fn read<const W: usize, const R: usize>(
        &mut self,
        session: &mut Session<'_, W, R>,
        now: Instant,
    ) -> io::Result<bool> {
        self.read_tapped(session, now, &mut |_| {})
    }

    /// As [`read`](Self::read), showing `tap` the octets read before the session takes them.
    ///
    /// # Errors
    /// As [`read`](Self::read).
    pub(crate) fn read_tapped<const W: usize, const R: usize>(
        &mut self,
        session: &mut Session<'_, W, R>,
        now: Instant,
        tap: &mut impl FnMut(&[u8]),
    ) -> io::Result<bool> {
        let mut progress = false;
        while self.readable && !self.eof {
            let buf = session.receive_buffer();
            if buf.is_empty() {
                // Frames wait for the application; the transport stays readable.
                break;
            }
            let room = buf.len();
            match self.io.read(buf) {
                Ok(0) => self.eof = true,
                Ok(n) => {
                    tap(buf.get(..n).unwrap_or(&[]));
                    session.commit(now, n);
                    progress = true;
                    if n < room && self.io.short_io_drains() {
                        self.readable = false;
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => self.readable = false,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(progress)
    }

    /// Whether the transport may have data the session had no room for.
    pub(crate) fn wants_read(&self) -> bool {
        self.readable && !self.eof
    }

    /// Writes what the session has to send while the transport takes it. Returns whether
    /// anything was written.
    ///
    /// # Errors
    /// The transport's error.
    pub(crate) fn write<const W: usize, const R: usize>(
        &mut self,
        session: &mut Session<'_, W, R>,
    ) -> io::Result<bool> {
        self.write_tapped(session, None, &mut |_| {})
    }

    /// As [`write`](Self::write), showing `tap` the octets written; with `chunk`, one write of
    /// at most that many octets.
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub(crate) fn write_tapped<const W: usize, const R: usize>(
        &mut self,
        session: &mut Session<'_, W, R>,
        chunk: Option<usize>,
        tap: &mut impl FnMut(&[u8]),
    ) -> io::Result<bool> {
        let mut progress = false;
        if self.unflushed && self.writable {
            progress |= self.flush()?;
        }
        while self.writable {
            let out = session.transmit();
            if out.is_empty() {
                break;
            }
            let out = match chunk {
                Some(c) => out.get(..c.max(1)).unwrap_or(out),
                None => out,
            };
            match self.io.write(out) {
                Ok(0) => return Err(io::Error::new(ErrorKind::WriteZero, "the connection takes no more octets")),
                Ok(n) => {
                    let short = n < out.len();
                    tap(out.get(..n).unwrap_or(&[]));
                    session.transmitted(n);
                    progress = true;
                    if chunk.is_some() {
                        break;
                    }
                    if short && self.io.short_io_drains() {
                        self.writable = false;
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => self.writable = false,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if progress {
            self.flush()?;
        }
        Ok(progress)
    }

    /// Reads and discards what the transport has (a connection that no longer answers).
    /// Returns whether anything was read; end of stream sets `eof`.
    ///
    /// # Errors
    /// The transport's error.
    pub(crate) fn discard(&mut self, scratch: &mut [u8]) -> io::Result<bool> {
        let mut progress = false;
        while self.readable && !self.eof {
            match self.io.read(scratch) {
                Ok(0) => self.eof = true,
                Ok(_) => progress = true,
                Err(e) if e.kind() == ErrorKind::WouldBlock => self.readable = false,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(progress)
    }

    /// Flushes what the transport holds (TLS records); `WouldBlock` waits for writability.
    fn flush(&mut self) -> io::Result<bool> {
        match self.io.flush() {
            Ok(()) => {
                let was = self.unflushed;
                self.unflushed = false;
                Ok(was)
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                self.unflushed = true;
                self.writable = false;
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::io::{Read, Write};

    use super::*;

    /// A transport that has `incoming` to read and room for `room` octets, and counts calls.
    struct Fake {
        incoming: Vec<u8>,
        room: usize,
        reads: usize,
        writes: usize,
        drains: bool,
    }

    impl Read for Fake {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.reads += 1;
            if self.incoming.is_empty() {
                return Err(ErrorKind::WouldBlock.into());
            }
            let n = buf.len().min(self.incoming.len());
            buf[..n].copy_from_slice(&self.incoming[..n]);
            self.incoming.drain(..n);
            Ok(n)
        }
    }

    impl Write for Fake {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.writes += 1;
            if self.room == 0 {
                return Err(ErrorKind::WouldBlock.into());
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl mio::event::Source for Fake {
        fn register(&mut self, _: &Registry, _: Token, _: Interest) -> io::Result<()> {
            Ok(())
        }
        fn reregister(&mut self, _: &Registry, _: Token, _: Interest) -> io::Result<()> {
            Ok(())
        }
        fn deregister(&mut self, _: &Registry) -> io::Result<()> {
            Ok(())
        }
    }

    impl Transport for Fake {
        fn short_io_drains(&self) -> bool {
            self.drains
        }
    }

    /// Reads one enquire_link and writes its 16-octet answer through a socket that takes 10.
    fn calls(drains: bool) -> (usize, usize) {
        let poll = mio::Poll::new().unwrap();
        let enquire_link = [0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 7];
        let fake = Fake { incoming: enquire_link.to_vec(), room: 10, reads: 0, writes: 0, drains };
        let mut conn = Conn::register(poll.registry(), fake, Token(0)).unwrap();
        let (mut rx, mut tx) = (vec![0u8; 1024], vec![0u8; 1024]);
        let config = smpp_session::Config::default();
        let mut session: Session<'_, 4> = Session::esme(config, &mut rx, &mut tx, Instant(0)).unwrap();
        assert!(conn.read(&mut session, Instant(0)).unwrap());
        while session.poll_event().is_some() {}
        assert_eq!(session.transmit().len(), 16, "the enquire_link_resp");
        assert!(conn.write(&mut session).unwrap());
        assert_eq!(session.transmit().len(), 6);
        (conn.io.reads, conn.io.writes)
    }

    #[test]
    fn a_short_read_or_write_on_a_socket_ends_the_round_without_would_block() {
        assert_eq!(calls(true), (1, 1), "a socket: the short read and the short write say it all");
        assert_eq!(calls(false), (2, 2), "a buffering transport: each is tried until WouldBlock");
    }
}
