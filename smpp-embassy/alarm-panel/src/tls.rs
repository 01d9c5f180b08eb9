//! The TLS variant (`--features tls`): the runner reaches the SMSC over TLS 1.3 (embedded-tls),
//! checking the server's certificate against the CA in `tls/smsc-ca.der` (kept in flash), with
//! the chip's TRNG for the handshake's randomness. Everything else is the plain firmware's.
//!
//! `tls/smsc-ca.der` as committed is a placeholder whose key was thrown away: no server can
//! pass it. Put the DER of the CA that issued the SMSC's certificate there (for the workspace's
//! simulator: the CA of the certificate given to `smpp sim --tls --cert`), and set
//! `ALARM_TLS_NAME` when the certificate's name is not `ALARM_SMSC`.

use embassy_net::Stack;
use embassy_stm32::peripherals::RNG;
use smpp_embassy::Remote;
use smpp_embassy::tls::{TlsBuffers, TlsConnector, TlsSettings, Trust};
use static_cell::ConstStaticCell;

use crate::config;

/// The chip's random number generator.
pub type Rng = embassy_stm32::rng::Rng<'static, RNG>;
/// The runner's connections.
pub type Connector = TlsConnector<'static, Rng>;

/// The CA that issued the SMSC's certificate (DER).
static CA: &[u8] = include_bytes!("../tls/smsc-ca.der");

/// The name the SMSC's certificate must carry: `ALARM_TLS_NAME`, or the SMSC's host name.
pub const SERVER_NAME: &str = match option_env!("ALARM_TLS_NAME") {
    Some(name) => name,
    None => config::SMSC_HOST,
};

// The TLS buffers, sized against the workspace's server (rustls; see ../BENCHMARKS.md): the
// read record buffer holds its handshake flight (~950 octets with a P-256 certificate and its
// CA) with room for a longer chain; a written record takes the session's whole transmit buffer
// (448 octets) and embedded-tls's 128 octets of overhead; the read stage holds the largest
// record after the handshake (a session ticket is 184 octets, a receipt about 180).
static RECORD_READ: ConstStaticCell<[u8; 2048]> = ConstStaticCell::new([0; 2048]);
static RECORD_WRITE: ConstStaticCell<[u8; 640]> = ConstStaticCell::new([0; 640]);
static STAGE_READ: ConstStaticCell<[u8; 1024]> = ConstStaticCell::new([0; 1024]);
static STAGE_WRITE: ConstStaticCell<[u8; 640]> = ConstStaticCell::new([0; 640]);

/// TLS connections to `remote`, on a TCP socket with the plain firmware's buffers.
pub fn connector(
    stack: Stack<'static>,
    remote: Remote<'static>,
    socket_rx: &'static mut [u8],
    socket_tx: &'static mut [u8],
    rng: Rng,
) -> Connector {
    let buffers = TlsBuffers {
        socket_rx,
        socket_tx,
        record_read: RECORD_READ.take(),
        record_write: RECORD_WRITE.take(),
        stage_read: STAGE_READ.take(),
        stage_write: STAGE_WRITE.take(),
    };
    let settings = TlsSettings::new(SERVER_NAME, Trust::Ca(CA));
    defmt::unwrap!(TlsConnector::new(stack, remote, settings, buffers, rng))
}
