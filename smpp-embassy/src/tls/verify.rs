//! The server's authentication: its certificate checked against the pinned CA or the pinned
//! certificate, and its CertificateVerify signature checked with the certificate's key.
//!
//! embedded-tls calls [`Verifier::verify_certificate`] and [`Verifier::verify_signature`] when
//! the server sends those messages, but it completes a handshake in which they never came; so
//! the connector asks [`Verifier::proven`] after the handshake and refuses the connection unless
//! both were checked.

use embedded_tls::{
    Aes128GcmSha256, CertificateEntryRef, CertificateRef, CertificateVerifyRef, CryptoProvider, SignatureScheme,
    TlsError, TlsVerifier,
};
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{DerSignature, Signature, VerifyingKey};
use rand_core::{CryptoRng, CryptoRngCore, RngCore};
use sha2::{Digest, Sha256};

use super::x509::{Cert, CertError, Validity};
use super::{HandshakeError, Trust};

/// What TLS 1.3 signs in the server's CertificateVerify, before the transcript hash
/// (RFC 8446, 4.4.3): 64 spaces, the context string and a zero octet.
const CONTEXT: &[u8] = b"TLS 1.3, server CertificateVerify\0";

/// Checks the server's certificate and signature; remembers why it refused.
pub(crate) struct Verifier<'a> {
    trust: Trust<'a>,
    /// The name the certificate must carry (CA mode).
    server_name: &'a str,
    /// Now, from the application's clock, if it has one.
    now: Option<u64>,
    /// The verified certificate's key and the transcript up to its Certificate message.
    key: Option<(VerifyingKey, Sha256)>,
    /// The server's CertificateVerify was checked with that key.
    signed: bool,
    /// Why the handshake was refused, when this verifier refused it.
    pub(crate) failure: Option<HandshakeError>,
}

impl<'a> Verifier<'a> {
    pub(crate) fn new(trust: Trust<'a>, server_name: &'a str, now: Option<u64>) -> Self {
        Verifier { trust, server_name, now, key: None, signed: false, failure: None }
    }

    /// Whether the server showed a trusted certificate and proved that it holds its key.
    pub(crate) fn proven(&self) -> bool {
        self.key.is_some() && self.signed
    }

    fn refuse(&mut self, why: HandshakeError, error: TlsError) -> Result<(), TlsError> {
        self.failure = Some(why);
        self.key = None;
        self.signed = false;
        Err(error)
    }

    /// The key of the server's certificate, once the certificate passes.
    fn check(&self, chain: &CertificateRef<'_>) -> Result<VerifyingKey, HandshakeError> {
        let Some(CertificateEntryRef::X509(leaf_der)) = chain.entries.first() else {
            return Err(HandshakeError::NoCertificate);
        };
        let leaf = Cert::parse(leaf_der).map_err(|_| HandshakeError::Malformed)?;
        match self.trust {
            Trust::Ca(ca_der) => {
                let ca = Cert::parse(ca_der).map_err(|_| HandshakeError::BadPin)?;
                let ca_key = ca.p256_key().map_err(|_| HandshakeError::BadPin)?;
                match leaf.signed_by(&ca_key) {
                    Ok(true) => {}
                    Ok(false) => return Err(HandshakeError::UnknownCa),
                    Err(CertError::Unsupported) => return Err(HandshakeError::Unsupported),
                    Err(CertError::Malformed) => return Err(HandshakeError::Malformed),
                }
                if !leaf.names(self.server_name) {
                    return Err(HandshakeError::WrongName);
                }
                if let Some(now) = self.now {
                    validity(ca.validity(now))?;
                }
            }
            Trust::Certificate(pinned) => {
                if pinned != *leaf_der {
                    return Err(HandshakeError::NotPinned);
                }
            }
        }
        if let Some(now) = self.now {
            validity(leaf.validity(now))?;
        }
        leaf.p256_key().map_err(|e| match e {
            CertError::Unsupported => HandshakeError::Unsupported,
            CertError::Malformed => HandshakeError::Malformed,
        })
    }
}

fn validity(v: Validity) -> Result<(), HandshakeError> {
    match v {
        Validity::Valid => Ok(()),
        Validity::NotYet => Err(HandshakeError::NotYetValid),
        Validity::Expired => Err(HandshakeError::Expired),
    }
}

impl TlsVerifier<Aes128GcmSha256> for Verifier<'_> {
    fn set_hostname_verification(&mut self, _hostname: &str) -> Result<(), TlsError> {
        // The connector gave this verifier its server name already.
        Ok(())
    }

    fn verify_certificate(&mut self, transcript: &Sha256, chain: CertificateRef<'_>) -> Result<(), TlsError> {
        match self.check(&chain) {
            Ok(key) => {
                self.key = Some((key, transcript.clone()));
                self.signed = false;
                Ok(())
            }
            Err(why) => self.refuse(why, TlsError::InvalidCertificate),
        }
    }

    fn verify_signature(&mut self, verify: CertificateVerifyRef<'_>) -> Result<(), TlsError> {
        // A CertificateVerify without a certificate checked before it proves nothing.
        let Some((key, transcript)) = self.key.as_ref() else {
            return self.refuse(HandshakeError::NoCertificate, TlsError::InvalidHandshake);
        };
        if verify.signature_scheme != SignatureScheme::EcdsaSecp256r1Sha256 {
            return self.refuse(HandshakeError::Unsupported, TlsError::InvalidSignatureScheme);
        }
        let mut message = [0x20u8; 64 + CONTEXT.len() + 32];
        let (context, hash) = message.split_at_mut(64).1.split_at_mut(CONTEXT.len());
        context.copy_from_slice(CONTEXT);
        hash.copy_from_slice(&transcript.clone().finalize());
        let good = Signature::from_der(verify.signature).is_ok_and(|s| key.verify(&message, &s).is_ok());
        match good {
            true => {
                self.signed = true;
                Ok(())
            }
            false => self.refuse(HandshakeError::BadSignature, TlsError::InvalidSignature),
        }
    }
}

/// The handshake's randomness (the application's RNG) and the verifier.
pub(crate) struct Provider<'p, R> {
    pub(crate) rng: &'p mut R,
    pub(crate) verifier: Verifier<'p>,
}

impl<R: RngCore + CryptoRng> CryptoProvider for Provider<'_, R> {
    type CipherSuite = Aes128GcmSha256;
    // No client certificate: nothing is ever signed.
    type Signature = DerSignature;

    fn rng(&mut self) -> impl CryptoRngCore {
        &mut *self.rng
    }

    fn verifier(&mut self) -> Result<&mut impl TlsVerifier<Aes128GcmSha256>, TlsError> {
        Ok(&mut self.verifier)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use std::vec::Vec;

    use embedded_tls::CertificateRef;
    use p256::ecdsa::SigningKey;
    use p256::ecdsa::signature::Signer as _;
    use p256::pkcs8::DecodePrivateKey;
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;

    use super::*;

    /// A CA, the leaf it signed for "localhost" and 127.0.0.1, and the leaf's key.
    struct Pki {
        ca: Vec<u8>,
        leaf: Vec<u8>,
        chain_ca: Vec<u8>,
        key: SigningKey,
    }

    fn pki(valid: (i64, i64)) -> Pki {
        let g = smpp_std::tls::generate(&["localhost", "127.0.0.1"], valid.0, valid.1).unwrap();
        Pki {
            ca: CertificateDer::from_pem_slice(g.ca_pem.as_bytes()).unwrap().to_vec(),
            leaf: g.chain[0].to_vec(),
            chain_ca: g.chain[1].to_vec(),
            key: SigningKey::from_pkcs8_der(g.key.secret_der()).unwrap(),
        }
    }

    fn chain<'c>(certs: &[&'c [u8]]) -> CertificateRef<'c> {
        let mut chain = CertificateRef::with_context(&[]);
        for c in certs {
            chain.add(CertificateEntryRef::X509(c)).unwrap();
        }
        chain
    }

    /// A transcript hash standing for the handshake so far.
    fn transcript(label: &[u8]) -> Sha256 {
        let mut h = Sha256::new();
        h.update(label);
        h
    }

    /// The server's CertificateVerify signature over `transcript`, DER.
    fn sign(key: &SigningKey, transcript: &Sha256) -> Vec<u8> {
        let mut message = Vec::from([0x20u8; 64]);
        message.extend_from_slice(CONTEXT);
        message.extend_from_slice(&transcript.clone().finalize());
        let s: Signature = key.sign(&message);
        s.to_der().as_bytes().to_vec()
    }

    fn verify_ref(signature: &[u8]) -> CertificateVerifyRef<'_> {
        CertificateVerifyRef { signature_scheme: SignatureScheme::EcdsaSecp256r1Sha256, signature }
    }

    #[test]
    fn a_certificate_of_the_pinned_ca_and_its_signature_prove_the_server() {
        let p = pki((-60, 3600));
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        for (name, clock) in [("localhost", None), ("LOCALHOST", Some(now)), ("127.0.0.1", Some(now))] {
            let mut v = Verifier::new(Trust::Ca(&p.ca), name, clock);
            let t = transcript(b"hello..certificate");
            v.verify_certificate(&t, chain(&[&p.leaf, &p.chain_ca])).unwrap();
            assert!(!v.proven(), "a certificate alone proves nothing");
            v.verify_signature(verify_ref(&sign(&p.key, &t))).unwrap();
            assert!(v.proven());
            assert!(v.failure.is_none());
        }
    }

    #[test]
    fn the_pinned_certificate_itself() {
        let p = pki((-60, 3600));
        let other = pki((-60, 3600));
        let mut v = Verifier::new(Trust::Certificate(&p.leaf), "ignored", None);
        let t = transcript(b"x");
        v.verify_certificate(&t, chain(&[&p.leaf])).unwrap();
        v.verify_signature(verify_ref(&sign(&p.key, &t))).unwrap();
        assert!(v.proven());
        let mut v = Verifier::new(Trust::Certificate(&p.leaf), "localhost", None);
        assert!(v.verify_certificate(&t, chain(&[&other.leaf])).is_err());
        assert!(matches!(v.failure, Some(HandshakeError::NotPinned)));
    }

    #[test]
    fn each_refusal_says_why() {
        let p = pki((-60, 3600));
        let other = pki((-60, 3600));
        let t = transcript(b"x");
        let refusal = |trust, name: &str, now, certs: &[&[u8]]| {
            let mut v = Verifier::new(trust, name, now);
            assert!(v.verify_certificate(&t, chain(certs)).is_err());
            assert!(!v.proven());
            v.failure.unwrap()
        };
        assert!(matches!(refusal(Trust::Ca(&other.ca), "localhost", None, &[&p.leaf]), HandshakeError::UnknownCa));
        // The right CA sent along does not help a leaf it did not sign.
        assert!(matches!(
            refusal(Trust::Ca(&p.ca), "localhost", None, &[&other.leaf, &p.chain_ca]),
            HandshakeError::UnknownCa
        ));
        assert!(matches!(refusal(Trust::Ca(&p.ca), "smsc.example.com", None, &[&p.leaf]), HandshakeError::WrongName));
        assert!(matches!(refusal(Trust::Ca(&p.ca), "127.0.0.2", None, &[&p.leaf]), HandshakeError::WrongName));
        assert!(matches!(refusal(Trust::Ca(&p.ca), "localhost", Some(0), &[&p.leaf]), HandshakeError::NotYetValid));
        assert!(matches!(
            refusal(Trust::Ca(&p.ca), "localhost", Some(u64::MAX / 2), &[&p.leaf]),
            HandshakeError::Expired
        ));
        assert!(matches!(refusal(Trust::Ca(b"junk"), "localhost", None, &[&p.leaf]), HandshakeError::BadPin));
        assert!(matches!(refusal(Trust::Ca(&p.ca), "localhost", None, &[]), HandshakeError::NoCertificate));
        assert!(matches!(refusal(Trust::Ca(&p.ca), "localhost", None, &[b"junk"]), HandshakeError::Malformed));
    }

    #[test]
    fn a_signature_without_a_certificate_or_by_another_key_proves_nothing() {
        let p = pki((-60, 3600));
        let other = pki((-60, 3600));
        let t = transcript(b"x");
        // CertificateVerify first: refused, no panic.
        let mut v = Verifier::new(Trust::Ca(&p.ca), "localhost", None);
        assert!(matches!(v.verify_signature(verify_ref(&sign(&p.key, &t))), Err(TlsError::InvalidHandshake)));
        assert!(matches!(v.failure, Some(HandshakeError::NoCertificate)));
        assert!(!v.proven());
        // Signed by another key, or over another transcript, or garbage, or another scheme.
        for (signature, scheme) in [
            (sign(&other.key, &t), SignatureScheme::EcdsaSecp256r1Sha256),
            (sign(&p.key, &transcript(b"y")), SignatureScheme::EcdsaSecp256r1Sha256),
            (Vec::from(&b"\x30\x02\x02\x00"[..]), SignatureScheme::EcdsaSecp256r1Sha256),
            (sign(&p.key, &t), SignatureScheme::EcdsaSecp384r1Sha384),
        ] {
            let mut v = Verifier::new(Trust::Ca(&p.ca), "localhost", None);
            v.verify_certificate(&t, chain(&[&p.leaf])).unwrap();
            let verify = CertificateVerifyRef { signature_scheme: scheme, signature: &signature };
            assert!(v.verify_signature(verify).is_err());
            assert!(!v.proven());
            assert!(matches!(v.failure, Some(HandshakeError::BadSignature | HandshakeError::Unsupported)));
        }
        // And a handshake that skips both messages leaves the verifier unproven.
        assert!(!Verifier::new(Trust::Ca(&p.ca), "localhost", None).proven());
    }

    #[test]
    fn no_input_panics_the_certificate_reader() {
        let p = pki((-60, 3600));
        let key = Cert::parse(&p.ca).unwrap().p256_key().unwrap();
        let leaf = Cert::parse(&p.leaf).unwrap();
        assert_eq!(leaf.signed_by(&key), Ok(true));
        for cut in 0..p.leaf.len() {
            assert!(Cert::parse(&p.leaf[..cut]).is_err(), "a certificate cut at {cut} was read");
        }
        let signed_from = leaf.tbs.as_ptr() as usize - p.leaf.as_ptr() as usize;
        let signed = signed_from..signed_from + leaf.tbs.len();
        let mut flipped = p.leaf.clone();
        let mut read = 0;
        for i in 0..flipped.len() {
            for bit in [0x01, 0x80, 0xFF] {
                flipped[i] ^= bit;
                if let Ok(c) = Cert::parse(&flipped) {
                    read += 1;
                    let _ = (c.names("localhost"), c.validity(0), c.p256_key());
                    if signed.contains(&i) {
                        assert_ne!(c.signed_by(&key), Ok(true), "a change at {i} kept the signature");
                    }
                }
                flipped[i] ^= bit;
            }
        }
        assert!(read > 100, "flips in names and keys still read ({read})");
    }
}
