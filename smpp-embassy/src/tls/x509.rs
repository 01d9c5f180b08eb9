//! Just enough DER and X.509 to check a server certificate against a pinned one: the signed
//! part and its ECDSA P-256 signature, the validity dates, the subject alternative names and the
//! P-256 public key. Nothing here allocates or panics on any input; what cannot be read is an
//! error.

use core::net::Ipv4Addr;

use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};

/// Why a certificate cannot be used.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum CertError {
    /// Not the DER of an X.509 certificate (or a part of it this reader does not take).
    Malformed,
    /// Signed with something other than ECDSA with SHA-256, or a key other than P-256.
    Unsupported,
}

/// DER tags used here.
mod tag {
    pub const BOOLEAN: u8 = 0x01;
    pub const INTEGER: u8 = 0x02;
    pub const BIT_STRING: u8 = 0x03;
    pub const OCTET_STRING: u8 = 0x04;
    pub const OID: u8 = 0x06;
    pub const UTC_TIME: u8 = 0x17;
    pub const GENERALIZED_TIME: u8 = 0x18;
    pub const SEQUENCE: u8 = 0x30;
    /// tbsCertificate's `version [0] EXPLICIT`.
    pub const VERSION: u8 = 0xA0;
    /// tbsCertificate's `extensions [3] EXPLICIT`.
    pub const EXTENSIONS: u8 = 0xA3;
    /// GeneralName `dNSName [2] IMPLICIT IA5String`.
    pub const DNS_NAME: u8 = 0x82;
    /// GeneralName `iPAddress [7] IMPLICIT OCTET STRING`.
    pub const IP_ADDRESS: u8 = 0x87;
}

/// Object identifiers (their DER contents).
mod oid {
    /// ecdsa-with-SHA256, 1.2.840.10045.4.3.2.
    pub const ECDSA_SHA256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02];
    /// id-ecPublicKey, 1.2.840.10045.2.1.
    pub const EC_PUBLIC_KEY: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
    /// prime256v1 (P-256), 1.2.840.10045.3.1.7.
    pub const P256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
    /// id-ce-subjectAltName, 2.5.29.17.
    pub const SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1D, 0x11];
}

/// One DER element.
#[derive(Copy, Clone)]
struct Tlv<'a> {
    tag: u8,
    value: &'a [u8],
    /// The whole element, tag and length included.
    raw: &'a [u8],
}

/// Reads DER elements one after the other.
#[derive(Copy, Clone)]
struct Der<'a> {
    rest: &'a [u8],
}

impl<'a> Der<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Der { rest: bytes }
    }

    fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The next element.
    fn next(&mut self) -> Result<Tlv<'a>, CertError> {
        let input = self.rest;
        let (&tag, after_tag) = input.split_first().ok_or(CertError::Malformed)?;
        if tag & 0x1F == 0x1F {
            // High tag numbers appear in no field read here.
            return Err(CertError::Malformed);
        }
        let (&first, after_len) = after_tag.split_first().ok_or(CertError::Malformed)?;
        let (len, body) = match first {
            0..=0x7F => (usize::from(first), after_len),
            0x81..=0x84 => {
                let n = usize::from(first & 0x7F);
                let digits = after_len.get(..n).ok_or(CertError::Malformed)?;
                let len = digits.iter().fold(0usize, |l, &d| (l << 8) | usize::from(d));
                (len, after_len.get(n..).ok_or(CertError::Malformed)?)
            }
            // Indefinite lengths are not DER; longer ones do not fit a certificate.
            _ => return Err(CertError::Malformed),
        };
        let value = body.get(..len).ok_or(CertError::Malformed)?;
        let header = input.len() - body.len();
        let raw = input.get(..header + len).ok_or(CertError::Malformed)?;
        self.rest = body.get(len..).ok_or(CertError::Malformed)?;
        Ok(Tlv { tag, value, raw })
    }

    /// The next element, which must carry `tag`.
    fn expect(&mut self, tag: u8) -> Result<Tlv<'a>, CertError> {
        let tlv = self.next()?;
        match tlv.tag == tag {
            true => Ok(tlv),
            false => Err(CertError::Malformed),
        }
    }

    /// The next element if it carries `tag`; nothing is read otherwise.
    fn optional(&mut self, tag: u8) -> Result<Option<Tlv<'a>>, CertError> {
        match self.rest.first() {
            Some(&t) if t == tag => self.next().map(Some),
            _ => Ok(None),
        }
    }
}

/// What is read of a certificate.
#[derive(Copy, Clone)]
pub(crate) struct Cert<'a> {
    /// The signed part (tbsCertificate), as signed.
    pub(crate) tbs: &'a [u8],
    /// The signature algorithm's OID.
    signature_alg: &'a [u8],
    /// The signature (the BIT STRING's contents).
    signature: &'a [u8],
    not_before: u64,
    not_after: u64,
    /// The public key's algorithm and curve OIDs.
    key_alg: &'a [u8],
    key_curve: Option<&'a [u8]>,
    /// The public key (the BIT STRING's contents: a SEC1 point for EC keys).
    key: &'a [u8],
    /// The subjectAltName extension's GeneralNames, if any.
    alt_names: Option<&'a [u8]>,
}

impl<'a> Cert<'a> {
    /// Reads the certificate `der`.
    pub(crate) fn parse(der: &'a [u8]) -> Result<Self, CertError> {
        let mut outer = Der::new(der);
        let cert = outer.expect(tag::SEQUENCE)?;
        if !outer.is_empty() {
            return Err(CertError::Malformed);
        }
        let mut fields = Der::new(cert.value);
        let tbs = fields.expect(tag::SEQUENCE)?;
        let mut alg = Der::new(fields.expect(tag::SEQUENCE)?.value);
        let signature_alg = alg.expect(tag::OID)?.value;
        let signature = bit_string(fields.expect(tag::BIT_STRING)?.value)?;

        let mut t = Der::new(tbs.value);
        t.optional(tag::VERSION)?;
        t.expect(tag::INTEGER)?; // serialNumber
        t.expect(tag::SEQUENCE)?; // signature (repeats signatureAlgorithm)
        t.expect(tag::SEQUENCE)?; // issuer
        let mut validity = Der::new(t.expect(tag::SEQUENCE)?.value);
        let not_before = time(validity.next()?)?;
        let not_after = time(validity.next()?)?;
        t.expect(tag::SEQUENCE)?; // subject
        let mut spki = Der::new(t.expect(tag::SEQUENCE)?.value);
        let mut key_id = Der::new(spki.expect(tag::SEQUENCE)?.value);
        let key_alg = key_id.expect(tag::OID)?.value;
        let key_curve = key_id.optional(tag::OID)?.map(|o| o.value);
        let key = bit_string(spki.expect(tag::BIT_STRING)?.value)?;
        let mut alt_names = None;
        while !t.is_empty() {
            let field = t.next()?;
            if field.tag != tag::EXTENSIONS {
                continue; // issuerUniqueID, subjectUniqueID
            }
            let mut list = Der::new(field.value);
            let mut extensions = Der::new(list.expect(tag::SEQUENCE)?.value);
            while !extensions.is_empty() {
                let mut ext = Der::new(extensions.expect(tag::SEQUENCE)?.value);
                let id = ext.expect(tag::OID)?.value;
                ext.optional(tag::BOOLEAN)?; // critical
                let value = ext.expect(tag::OCTET_STRING)?.value;
                if id == oid::SUBJECT_ALT_NAME {
                    let mut names = Der::new(value);
                    alt_names = Some(names.expect(tag::SEQUENCE)?.value);
                }
            }
        }
        Ok(Cert { tbs: tbs.raw, signature_alg, signature, not_before, not_after, key_alg, key_curve, key, alt_names })
    }

    /// The certificate's P-256 public key.
    pub(crate) fn p256_key(&self) -> Result<VerifyingKey, CertError> {
        if self.key_alg != oid::EC_PUBLIC_KEY || self.key_curve != Some(oid::P256) {
            return Err(CertError::Unsupported);
        }
        VerifyingKey::from_sec1_bytes(self.key).map_err(|_| CertError::Malformed)
    }

    /// Whether `issuer` signed this certificate (ECDSA P-256 with SHA-256 only).
    pub(crate) fn signed_by(&self, issuer: &VerifyingKey) -> Result<bool, CertError> {
        if self.signature_alg != oid::ECDSA_SHA256 {
            return Err(CertError::Unsupported);
        }
        let Ok(signature) = Signature::from_der(self.signature) else { return Ok(false) };
        Ok(issuer.verify(self.tbs, &signature).is_ok())
    }

    /// Where `now` (seconds since 1970, UTC) falls against the validity period.
    pub(crate) fn validity(&self, now: u64) -> Validity {
        if now < self.not_before {
            Validity::NotYet
        } else if now > self.not_after {
            Validity::Expired
        } else {
            Validity::Valid
        }
    }

    /// Whether a subject alternative name is `name`: a DNS name (wildcards in the leftmost
    /// label only, for one label), or an IPv4 address given as one. The common name is not
    /// looked at (as in current browsers and rustls).
    pub(crate) fn names(&self, name: &str) -> bool {
        let Some(list) = self.alt_names else { return false };
        let ip = name.parse::<Ipv4Addr>().ok();
        let mut names = Der::new(list);
        while let Ok(general) = names.next() {
            let matched = match (general.tag, ip) {
                (tag::DNS_NAME, None) => dns_matches(general.value, name.as_bytes()),
                (tag::IP_ADDRESS, Some(ip)) => general.value == ip.octets(),
                _ => false,
            };
            if matched {
                return true;
            }
        }
        false
    }
}

/// Where a moment falls against a certificate's validity period.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Validity {
    Valid,
    NotYet,
    Expired,
}

/// A BIT STRING's contents: whole octets only.
fn bit_string(value: &[u8]) -> Result<&[u8], CertError> {
    match value.split_first() {
        Some((0, bits)) => Ok(bits),
        _ => Err(CertError::Malformed),
    }
}

/// A certificate's UTCTime (`YYMMDDHHMMSSZ`) or GeneralizedTime (`YYYYMMDDHHMMSSZ`), in seconds
/// since 1970.
fn time(t: Tlv<'_>) -> Result<u64, CertError> {
    let (year, rest) = match (t.tag, t.value.len()) {
        (tag::UTC_TIME, 13) => {
            let yy = digits(t.value.get(..2))?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, t.value.get(2..))
        }
        (tag::GENERALIZED_TIME, 15) => (digits(t.value.get(..4))?, t.value.get(4..)),
        _ => return Err(CertError::Malformed),
    };
    let rest = rest.ok_or(CertError::Malformed)?;
    if rest.last() != Some(&b'Z') {
        return Err(CertError::Malformed);
    }
    let field = |i: usize| digits(rest.get(i..i + 2));
    let (month, day, hour, minute, second) = (field(0)?, field(2)?, field(4)?, field(6)?, field(8)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return Err(CertError::Malformed);
    }
    let days = days_since_1970(year, month, day).ok_or(CertError::Malformed)?;
    Ok(days * 86_400 + hour * 3_600 + minute * 60 + second)
}

/// The decimal number in `s`.
fn digits(s: Option<&[u8]>) -> Result<u64, CertError> {
    let s = s.ok_or(CertError::Malformed)?;
    s.iter().try_fold(0u64, |n, &d| match d.is_ascii_digit() {
        true => Ok(n * 10 + u64::from(d - b'0')),
        false => Err(CertError::Malformed),
    })
}

/// Days from 1970-01-01 to the given day of the proleptic Gregorian calendar; `None` before
/// 1970.
fn days_since_1970(year: u64, month: u64, day: u64) -> Option<u64> {
    // Count from 1 March of year 0, so that the leap day ends a year.
    let (y, m) = match month > 2 {
        true => (year, month - 3),
        false => (year.checked_sub(1)?, month + 9),
    };
    let leap_days = y / 4 - y / 100 + y / 400;
    let day_of_year = (153 * m + 2) / 5 + day - 1;
    let days = y * 365 + leap_days + day_of_year;
    // 1970-01-01 counted the same way.
    days.checked_sub(719_468)
}

/// Whether the certificate's DNS name `pattern` covers the host `name` (ASCII, no case).
fn dns_matches(pattern: &[u8], name: &[u8]) -> bool {
    if let Some(suffix) = pattern.strip_prefix(b"*.") {
        // One whole label, and not a wildcard over a top-level domain.
        let Some(dot) = name.iter().position(|&c| c == b'.') else { return false };
        return dot > 0
            && suffix.contains(&b'.')
            && !suffix.contains(&b'*')
            && name.get(dot + 1..).is_some_and(|rest| rest.eq_ignore_ascii_case(suffix));
    }
    !pattern.contains(&b'*') && !pattern.is_empty() && pattern.eq_ignore_ascii_case(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_days() {
        assert_eq!(days_since_1970(1970, 1, 1), Some(0));
        assert_eq!(days_since_1970(2000, 3, 1), Some(11_017));
        assert_eq!(days_since_1970(2024, 2, 29), Some(19_782));
        assert_eq!(days_since_1970(2038, 1, 19), Some(24_855));
        assert_eq!(days_since_1970(1969, 12, 31), None);
    }

    #[test]
    fn certificate_times() {
        let utc = |s: &'static [u8]| time(Tlv { tag: tag::UTC_TIME, value: s, raw: s });
        let generalized = |s: &'static [u8]| time(Tlv { tag: tag::GENERALIZED_TIME, value: s, raw: s });
        assert_eq!(utc(b"700101000000Z"), Ok(0));
        assert_eq!(utc(b"380119031407Z"), Ok(2_147_483_647));
        assert_eq!(generalized(b"20380119031408Z"), Ok(2_147_483_648));
        assert_eq!(generalized(b"99991231235959Z"), Ok(253_402_300_799));
        for bad in [&b"700101000000+"[..], b"701301000000Z", b"7001010000a0Z", b"70010100000Z"] {
            assert_eq!(utc(bad), Err(CertError::Malformed), "{bad:?}");
        }
    }

    #[test]
    fn dns_names() {
        assert!(dns_matches(b"localhost", b"localhost"));
        assert!(dns_matches(b"SMSC.example.com", b"smsc.EXAMPLE.com"));
        assert!(!dns_matches(b"smsc.example.com", b"smsc.example.co"));
        assert!(dns_matches(b"*.example.com", b"smsc.example.com"));
        assert!(!dns_matches(b"*.example.com", b"a.smsc.example.com"));
        assert!(!dns_matches(b"*.example.com", b"example.com"));
        assert!(!dns_matches(b"*.example.com", b".example.com"));
        assert!(!dns_matches(b"*.com", b"example.com"));
        assert!(!dns_matches(b"s*.example.com", b"smsc.example.com"));
        assert!(!dns_matches(b"", b""));
    }

    #[test]
    fn lengths_that_lie_are_errors() {
        // A SEQUENCE claiming more than there is, long forms, indefinite and high tags.
        for bad in [
            &[0x30, 0x05, 0x01][..],
            &[0x30, 0x82, 0xFF],
            &[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x00],
            &[0x30, 0x80, 0x00, 0x00],
            &[0x1F, 0x01, 0x00],
            &[0x30],
            &[],
        ] {
            assert_eq!(Cert::parse(bad).err(), Some(CertError::Malformed), "{bad:02x?}");
        }
        let mut d = Der::new(&[0x30, 0x81, 0x02, 0xAA, 0xBB, 0x05]);
        let tlv = d.next().unwrap();
        assert_eq!((tlv.tag, tlv.value, tlv.raw.len()), (0x30, &[0xAA, 0xBB][..], 5));
        assert!(d.next().is_err());
    }
}
