//! What a connection runs over: a non-blocking byte stream the poll loop can wait on.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

/// A non-blocking, bidirectional byte stream registered with the poll loop: a TCP stream, or a
/// TLS stream or serial line wrapped to behave as one (reads and writes return
/// `WouldBlock` instead of waiting; readiness is reported through [`mio::event::Source`]).
pub trait Transport: Read + Write + mio::event::Source + Send + 'static {
    /// Whether a read or write that moves fewer octets than it was offered shows that the
    /// transport has nothing more to read (or no room to write) until its next readiness event,
    /// as with a socket under edge-triggered polling. The poll loop then skips the call that
    /// would only return `WouldBlock`: one system call fewer per wake-up. A transport that
    /// buffers (TLS) keeps the default, `false`.
    fn short_io_drains(&self) -> bool {
        false
    }
}

impl Transport for mio::net::TcpStream {
    fn short_io_drains(&self) -> bool {
        true
    }
}

/// Connects to the first address of `addr` that answers within `timeout` each, with Nagle's
/// algorithm off (PDUs are small and latency matters), and returns a non-blocking stream.
///
/// # Errors
/// The last connection error, or `InvalidInput` when `addr` resolves to nothing.
pub fn connect_tcp(addr: impl ToSocketAddrs, timeout: Duration) -> io::Result<mio::net::TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::InvalidInput, "the address resolves to nothing");
    for a in addr.to_socket_addrs()? {
        match connect_one(a, timeout) {
            Ok(s) => return Ok(s),
            Err(e) => last = e,
        }
    }
    Err(last)
}

fn connect_one(addr: SocketAddr, timeout: Duration) -> io::Result<mio::net::TcpStream> {
    let s = std::net::TcpStream::connect_timeout(&addr, timeout)?;
    s.set_nodelay(true)?;
    s.set_nonblocking(true)?;
    Ok(mio::net::TcpStream::from_std(s))
}
