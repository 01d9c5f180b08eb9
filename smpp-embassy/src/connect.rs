//! How the runner gets a connection: any embedded-io-async `Read + Write` stream through the
//! [`Connect`] trait (a TLS stream or a modem's UART fit), and [`TcpConnector`] for embassy-net.

use core::future::Future;

use embedded_io_async::{ErrorType, Read, Write};

/// Opens connections to the SMSC, one per attempt.
///
/// The runner selects between reading and its other work, dropping the read future when
/// something else comes first: the connection's `read` must be cancel-safe (dropping an
/// unfinished read loses no data), as embassy-net's `TcpSocket` is. Its `write` must be too
/// (a write is dropped when a session deadline comes first).
pub trait Connect {
    /// Why a connection attempt failed.
    type Error: embedded_io_async::Error;
    /// A connection; it may borrow the connector (its buffers).
    type Connection<'c>: Read + Write
    where
        Self: 'c;

    /// Opens a connection.
    ///
    /// # Cancel safety
    /// The runner drops an unfinished `connect` when its connect timeout passes or the
    /// application stops it; the next call must start afresh (for [`TcpConnector`], the
    /// half-open socket is dropped with the future and the next attempt makes a new one).
    fn connect(&mut self) -> impl Future<Output = Result<Self::Connection<'_>, Self::Error>>;

    /// Pushes written octets out. Default: the stream's `flush`. A transport that sends
    /// without one (a TCP socket) can skip it.
    ///
    /// # Cancel safety
    /// Dropped when a session deadline comes first, and called again later: it must lose
    /// nothing when dropped.
    fn flush<'c>(
        connection: &mut Self::Connection<'c>,
    ) -> impl Future<Output = Result<(), <Self::Connection<'c> as ErrorType>::Error>>
    where
        Self: 'c,
    {
        connection.flush()
    }

    /// Ends a connection before it is dropped: after an unbind, or when the session closed.
    /// Default: nothing (dropping it is enough).
    ///
    /// # Cancel safety
    /// Only dropped with the runner's own future; the connection is dropped right after.
    fn close<'c>(connection: &mut Self::Connection<'c>) -> impl Future<Output = ()>
    where
        Self: 'c,
    {
        let _ = connection;
        async {}
    }
}

#[cfg(feature = "embassy-net")]
pub use tcp::{Remote, TcpConnectError, TcpConnector};

#[cfg(feature = "embassy-net")]
mod tcp {
    use core::future::Future;

    use embassy_net::dns::DnsQueryType;
    use embassy_net::tcp::{ConnectError, TcpSocket};
    use embassy_net::{IpEndpoint, Stack};
    use embassy_time::{Duration, with_timeout};
    use embedded_io_async::ErrorKind;

    use super::Connect;

    /// Where the SMSC is.
    #[derive(Copy, Clone, Debug, PartialEq, Eq)]
    #[cfg_attr(feature = "defmt", derive(defmt::Format))]
    pub enum Remote<'a> {
        /// A fixed address.
        Addr(IpEndpoint),
        /// A name resolved through the stack's DNS servers before each attempt (an SMSC that
        /// moves is found again), and a port.
        Host(&'a str, u16),
    }

    impl Remote<'_> {
        /// The endpoint to connect to: the address, or the name's first IPv4 address from the
        /// stack's DNS servers.
        pub(crate) async fn resolve(&self, stack: Stack<'_>) -> Result<IpEndpoint, TcpConnectError> {
            match *self {
                Remote::Addr(ep) => Ok(ep),
                Remote::Host(name, port) => {
                    let addrs = stack.dns_query(name, DnsQueryType::A).await.map_err(TcpConnectError::Dns)?;
                    let addr = addrs.first().ok_or(TcpConnectError::NoAddress)?;
                    Ok(IpEndpoint::new(*addr, port))
                }
            }
        }
    }

    /// Why a TCP connection attempt failed.
    #[derive(Copy, Clone, Debug, PartialEq, Eq)]
    #[cfg_attr(feature = "defmt", derive(defmt::Format))]
    pub enum TcpConnectError {
        /// The name did not resolve.
        Dns(embassy_net::dns::Error),
        /// The name resolved to nothing.
        NoAddress,
        /// The connection was refused or reset.
        Connect(ConnectError),
    }

    impl core::fmt::Display for TcpConnectError {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            match self {
                TcpConnectError::Dns(e) => write!(f, "name resolution failed: {e:?}"),
                TcpConnectError::NoAddress => f.write_str("the name resolved to no address"),
                TcpConnectError::Connect(e) => write!(f, "connection failed: {e:?}"),
            }
        }
    }

    impl core::error::Error for TcpConnectError {}

    impl embedded_io_async::Error for TcpConnectError {
        fn kind(&self) -> ErrorKind {
            match self {
                TcpConnectError::Dns(_) | TcpConnectError::NoAddress => ErrorKind::AddrNotAvailable,
                TcpConnectError::Connect(ConnectError::TimedOut) => ErrorKind::TimedOut,
                TcpConnectError::Connect(ConnectError::NoRoute) => ErrorKind::NotConnected,
                TcpConnectError::Connect(_) => ErrorKind::ConnectionRefused,
            }
        }
    }

    /// TCP connections over an embassy-net stack, with the caller's socket buffers (reused for
    /// every attempt).
    pub struct TcpConnector<'a> {
        stack: Stack<'a>,
        remote: Remote<'a>,
        rx: &'a mut [u8],
        tx: &'a mut [u8],
        timeout: Option<Duration>,
    }

    impl core::fmt::Debug for TcpConnector<'_> {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.debug_struct("TcpConnector").field("remote", &self.remote).finish_non_exhaustive()
        }
    }

    impl<'a> TcpConnector<'a> {
        /// Connections to `remote` over `stack`, with `rx` and `tx` as the socket's buffers.
        /// The socket aborts a connection whose sent data is not acknowledged for 60 s (the
        /// session's enquire_link finds a silent peer earlier).
        pub fn new(stack: Stack<'a>, remote: Remote<'a>, rx: &'a mut [u8], tx: &'a mut [u8]) -> Self {
            TcpConnector { stack, remote, rx, tx, timeout: Some(Duration::from_secs(60)) }
        }

        /// The socket timeout (see `TcpSocket::set_timeout`); `None` for none.
        #[must_use]
        pub fn with_timeout(mut self, timeout: Option<Duration>) -> Self {
            self.timeout = timeout;
            self
        }
    }

    impl Connect for TcpConnector<'_> {
        type Error = TcpConnectError;
        type Connection<'c>
            = TcpSocket<'c>
        where
            Self: 'c;

        async fn connect(&mut self) -> Result<TcpSocket<'_>, TcpConnectError> {
            self.stack.wait_config_up().await;
            let remote = self.remote.resolve(self.stack).await?;
            let mut socket = TcpSocket::new(self.stack, self.rx, self.tx);
            socket.set_timeout(self.timeout);
            socket.connect(remote).await.map_err(TcpConnectError::Connect)?;
            Ok(socket)
        }

        async fn flush<'c>(_: &mut TcpSocket<'c>) -> Result<(), embassy_net::tcp::Error>
        where
            Self: 'c,
        {
            // embassy-net sends what is written without a flush; its flush waits for the
            // peer's acknowledgement, a round trip the runner does not need to wait for.
            Ok(())
        }

        fn close<'c>(socket: &mut TcpSocket<'c>) -> impl Future<Output = ()>
        where
            Self: 'c,
        {
            // FIN after what is still queued; give it a moment to leave before the socket is
            // dropped (dropping removes it from the stack at once).
            socket.close();
            async move {
                let _ = with_timeout(Duration::from_secs(1), socket.flush()).await;
            }
        }
    }
}
