//! SMPP over TLS (rustls): a [`Transport`] for the client and the
//! server, the configurations they need, and a throwaway CA for the simulator.
//!
//! The handshake is done before the connection is handed to the poll loop, so that a failure
//! (unknown CA, a certificate for another name, an expired one, no common protocol version) is
//! a connect error that says why. There is no fallback to plaintext.

use std::fs;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use mio::event::Source;
use mio::{Interest, Registry, Token};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, Connection, RootCertStore, ServerConfig, ServerConnection};

use crate::transport::Transport;

/// What the client trusts and presents.
#[derive(Clone, Debug, Default)]
pub struct TlsOptions {
    /// Trust only the CA certificates in this PEM file; `None` for the platform's roots.
    pub ca_file: Option<PathBuf>,
    /// A client certificate chain and its key (PEM), when the provider asks for one.
    pub client_cert: Option<(PathBuf, PathBuf)>,
    /// The name the server's certificate must carry; `None` for the host connected to.
    pub server_name: Option<String>,
    /// Accept any certificate (no verification at all). For tests against a server whose
    /// certificate cannot be checked; never against a real SMSC.
    pub insecure: bool,
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(ErrorKind::InvalidInput, msg)
}

/// The certificates of a PEM file.
///
/// # Errors
/// The file cannot be read, or holds no certificate.
pub fn load_certs(path: &Path) -> io::Result<Vec<CertificateDer<'static>>> {
    let pem = fs::read(path).map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&pem).filter_map(Result::ok).collect();
    if certs.is_empty() {
        return Err(invalid(format!("{} holds no PEM certificate", path.display())));
    }
    Ok(certs)
}

/// The private key of a PEM file.
///
/// # Errors
/// The file cannot be read, or holds no key.
pub fn load_key(path: &Path) -> io::Result<PrivateKeyDer<'static>> {
    let pem = fs::read(path).map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|_| invalid(format!("{} holds no PEM private key", path.display())))
}

/// The client configuration `options` describe.
///
/// # Errors
/// A file that cannot be read, or that holds no usable certificate or key.
pub fn client_config(options: &TlsOptions) -> io::Result<Arc<ClientConfig>> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid(e.to_string()))?;
    let builder = if options.insecure {
        builder.dangerous().with_custom_certificate_verifier(Arc::new(insecure::AcceptAnything(provider())))
    } else {
        let mut roots = RootCertStore::empty();
        match &options.ca_file {
            Some(path) => {
                for cert in load_certs(path)? {
                    roots.add(cert).map_err(|e| invalid(format!("{}: {e}", path.display())))?;
                }
            }
            None => {
                let found = rustls_native_certs::load_native_certs();
                for cert in found.certs {
                    let _ = roots.add(cert);
                }
                if roots.is_empty() {
                    return Err(invalid("no trusted CA certificates on this system: give a CA file".into()));
                }
            }
        }
        builder.with_root_certificates(roots)
    };
    let config = match &options.client_cert {
        Some((chain, key)) => builder
            .with_client_auth_cert(load_certs(chain)?, load_key(key)?)
            .map_err(|e| invalid(format!("client certificate: {e}")))?,
        None => builder.with_no_client_auth(),
    };
    Ok(Arc::new(config))
}

/// A server configuration from a certificate chain and its key (PEM files).
///
/// # Errors
/// A file that cannot be read, or a key that does not match.
pub fn server_config(chain: &Path, key: &Path) -> io::Result<Arc<ServerConfig>> {
    server_config_from(load_certs(chain)?, load_key(key)?)
}

/// A server configuration from a certificate chain and its key.
///
/// # Errors
/// A key that does not match the certificate, or that rustls cannot use.
pub fn server_config_from(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> io::Result<Arc<ServerConfig>> {
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| invalid(format!("server certificate: {e}")))?;
    Ok(Arc::new(config))
}

/// A CA made for the occasion and a certificate it signed for `names` (host names or IP
/// addresses), valid from `not_before` to `not_after` (seconds from now, negative for the past).
/// Its `Debug` shows the certificates, never the key.
pub struct Generated {
    /// The CA certificate, PEM.
    pub ca_pem: String,
    /// The server's certificate chain.
    pub chain: Vec<CertificateDer<'static>>,
    /// Its key.
    pub key: PrivateKeyDer<'static>,
    /// The server's certificate chain (its certificate, then the CA's), PEM: for a server
    /// that reads files, such as another SMPP implementation under test.
    pub chain_pem: String,
    /// The key, PEM (PKCS#8).
    pub key_pem: String,
}

impl std::fmt::Debug for Generated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generated")
            .field("ca_pem", &self.ca_pem)
            .field("chain", &self.chain)
            .field("key", &"***")
            .field("chain_pem", &self.chain_pem)
            .field("key_pem", &"***")
            .finish()
    }
}

/// Generates a throwaway CA and a server certificate for `names`.
///
/// # Errors
/// A name that is neither a DNS name nor an IP address, or a failure of the generator.
pub fn generate(names: &[&str], valid_from: i64, valid_until: i64) -> io::Result<Generated> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
    let err = |e: rcgen::Error| io::Error::other(format!("certificate generation: {e}"));
    let now = time::OffsetDateTime::now_utc();
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    // A name of its own: a client that trusts another throwaway CA then finds no issuer (an
    // unknown CA) rather than a namesake whose signature does not match.
    ca.distinguished_name.push(DnType::CommonName, format!("smpp simulator CA (throwaway) {:08x}", unique()));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.not_before = now - time::Duration::days(1);
    ca.not_after = now + time::Duration::days(3650);
    let ca_key = KeyPair::generate().map_err(err)?;
    let ca_cert = ca.self_signed(&ca_key).map_err(err)?;
    let mut leaf = CertificateParams::new(names.iter().map(|n| (*n).to_string()).collect::<Vec<_>>()).map_err(err)?;
    leaf.distinguished_name.push(DnType::CommonName, names.first().copied().unwrap_or("localhost"));
    leaf.not_before = now + time::Duration::seconds(valid_from);
    leaf.not_after = now + time::Duration::seconds(valid_until);
    let leaf_key = KeyPair::generate().map_err(err)?;
    let issuer = rcgen::Issuer::from_params(&ca, &ca_key);
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).map_err(err)?;
    Ok(Generated {
        ca_pem: ca_cert.pem(),
        chain_pem: format!("{}{}", leaf_cert.pem(), ca_cert.pem()),
        key_pem: leaf_key.serialize_pem(),
        chain: vec![leaf_cert.der().clone(), ca_cert.der().clone()],
        key: PrivateKeyDer::try_from(leaf_key.serialize_der()).map_err(|e| io::Error::other(e.to_string()))?,
    })
}

/// A value that differs from one call (and one process) to the next.
fn unique() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
    h.finish() as u32
}

/// Explains a TLS failure in the terms an operator acts on.
fn explain(e: &rustls::Error) -> String {
    use rustls::{CertificateError, Error as E};
    match e {
        E::InvalidCertificate(CertificateError::UnknownIssuer) => {
            "the server's certificate is signed by an unknown CA (give the right --ca-file)".into()
        }
        E::InvalidCertificate(CertificateError::BadSignature) => {
            "the server's certificate was not signed by the CA trusted here (give the right --ca-file)".into()
        }
        E::InvalidCertificate(CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }) => {
            "the server's certificate is not for this host name".into()
        }
        E::InvalidCertificate(CertificateError::Expired | CertificateError::ExpiredContext { .. }) => {
            "the server's certificate has expired".into()
        }
        E::InvalidCertificate(CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. }) => {
            "the server's certificate is not valid yet".into()
        }
        E::PeerIncompatible(why) => format!("no TLS version or cipher in common with the peer ({why:?})"),
        E::AlertReceived(alert) => format!("the peer refused the handshake ({alert:?})"),
        other => format!("TLS: {other}"),
    }
}

fn tls_error(e: rustls::Error) -> io::Error {
    io::Error::new(ErrorKind::InvalidData, explain(&e))
}

/// A TLS stream over a non-blocking TCP stream, client or server side.
#[derive(Debug)]
pub struct TlsStream {
    tcp: mio::net::TcpStream,
    tls: Connection,
}

impl TlsStream {
    /// Runs the handshake on a blocking stream (each step bounded by `timeout`), then turns it
    /// non-blocking.
    fn handshake(mut tcp: TcpStream, mut tls: Connection, timeout: Duration) -> io::Result<TlsStream> {
        tcp.set_read_timeout(Some(timeout))?;
        tcp.set_write_timeout(Some(timeout))?;
        while tls.is_handshaking() {
            match tls.complete_io(&mut tcp) {
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::InvalidData => {
                    // Tell the peer why, as far as it can be told, then report it.
                    let _ = tls.write_tls(&mut tcp);
                    let inner = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()).map(explain);
                    return Err(io::Error::new(ErrorKind::InvalidData, inner.unwrap_or_else(|| e.to_string())));
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return Err(io::Error::new(ErrorKind::TimedOut, "the TLS handshake did not finish in time"));
                }
                Err(e) if e.kind() == ErrorKind::UnexpectedEof => {
                    return Err(io::Error::new(
                        ErrorKind::ConnectionAborted,
                        "the peer closed the connection during the TLS handshake (it may not speak TLS, or refused our certificate)",
                    ));
                }
                Err(e) => return Err(e),
            }
        }
        // Send what the handshake left (the client's Finished) before going non-blocking.
        while tls.wants_write() {
            tls.write_tls(&mut tcp)?;
        }
        tcp.set_read_timeout(None)?;
        tcp.set_write_timeout(None)?;
        tcp.set_nodelay(true)?;
        tcp.set_nonblocking(true)?;
        Ok(TlsStream { tcp: mio::net::TcpStream::from_std(tcp), tls })
    }

    /// Writes out the TLS records rustls holds.
    fn flush_tls(&mut self) -> io::Result<()> {
        while self.tls.wants_write() {
            match self.tls.write_tls(&mut self.tcp) {
                Ok(0) => return Err(io::Error::new(ErrorKind::WriteZero, "the connection takes no more octets")),
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// Connects to `addr` and runs the TLS handshake with `server_name`, within `timeout` for the
/// connection and again for the handshake.
///
/// # Errors
/// The connection's error, or the handshake's, which says why (unknown CA, wrong name,
/// expired, no common version).
pub fn connect(
    addr: impl ToSocketAddrs,
    server_name: &str,
    config: Arc<ClientConfig>,
    timeout: Duration,
) -> io::Result<TlsStream> {
    let name = ServerName::try_from(server_name.to_string())
        .map_err(|_| invalid(format!("{server_name:?} is not a host name or an IP address")))?;
    let mut last = io::Error::new(ErrorKind::InvalidInput, "the address resolves to nothing");
    let addrs: Vec<SocketAddr> = addr.to_socket_addrs()?.collect();
    for a in addrs {
        match TcpStream::connect_timeout(&a, timeout) {
            Ok(tcp) => {
                let tls = ClientConnection::new(Arc::clone(&config), name.clone()).map_err(tls_error)?;
                return TlsStream::handshake(tcp, tls.into(), timeout);
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Runs the server side of the handshake on an accepted connection.
///
/// # Errors
/// The handshake's error.
pub fn accept(tcp: TcpStream, config: Arc<ServerConfig>, timeout: Duration) -> io::Result<TlsStream> {
    let tls = ServerConnection::new(config).map_err(tls_error)?;
    TlsStream::handshake(tcp, tls.into(), timeout)
}

impl Read for TlsStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.tls.reader().read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                // The peer closed the TCP connection without close_notify: the end all the same.
                Err(e) if e.kind() == ErrorKind::UnexpectedEof => return Ok(0),
                Err(e) => return Err(e),
            }
            match self.tls.read_tls(&mut self.tcp) {
                Ok(0) => return Ok(0),
                Ok(_) => {
                    self.tls.process_new_packets().map_err(tls_error)?;
                    // Answers the peer may need (a key update, an alert).
                    match self.flush_tls() {
                        Ok(()) => {}
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                        Err(e) => return Err(e),
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }
}

impl Write for TlsStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let n = self.tls.writer().write(buf)?;
        match self.flush_tls() {
            Ok(()) => {}
            // The records wait in rustls; `flush` sends them when the socket takes more.
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
        if n == 0 {
            // rustls holds as much as it will: wait for the socket.
            return Err(ErrorKind::WouldBlock.into());
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_tls()
    }
}

impl Source for TlsStream {
    fn register(&mut self, registry: &Registry, token: Token, interests: Interest) -> io::Result<()> {
        self.tcp.register(registry, token, interests)
    }

    fn reregister(&mut self, registry: &Registry, token: Token, interests: Interest) -> io::Result<()> {
        self.tcp.reregister(registry, token, interests)
    }

    fn deregister(&mut self, registry: &Registry) -> io::Result<()> {
        self.tcp.deregister(registry)
    }
}

impl Transport for TlsStream {}

/// The verifier of [`TlsOptions::insecure`].
mod insecure {
    use std::sync::Arc;

    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::{DigitallySignedStruct, SignatureScheme};

    /// Accepts any certificate; still checks that the handshake's signatures are sound.
    #[derive(Debug)]
    pub(super) struct AcceptAnything(pub(super) Arc<CryptoProvider>);

    impl ServerCertVerifier for AcceptAnything {
        fn verify_server_cert(
            &self,
            _end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp_response: &[u8],
            _now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.signature_verification_algorithms.supported_schemes()
        }
    }
}
