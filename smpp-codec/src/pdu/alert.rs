//! alert_notification (SMPP-REFERENCE §3.12): no response PDU exists.

use super::fields::{self, ESME, SOURCE, put_address, put_address_last};
use crate::wire::{Encode, Reader, Sink};
use crate::{Address, Error, Tlvs};

/// The body of alert_notification (§3.12): a mobile has become available.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AlertNotification<'a> {
    /// The mobile that became available (up to 64 characters).
    pub source: Address<'a>,
    /// The ESME that asked to be alerted (up to 64 characters).
    pub esme: Address<'a>,
    /// Optional parameters (ms_availability_status).
    pub tlvs: Tlvs<'a>,
}

impl<'a> AlertNotification<'a> {
    /// Parses the body (header excluded).
    ///
    /// # Errors
    /// A field that is truncated, unterminated or too long, or a corrupt TLV stream.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        Ok(AlertNotification {
            source: r.address(SOURCE, fields::ADDR_WIDE_MAX)?,
            esme: r.address_last(ESME, fields::ADDR_WIDE_MAX)?,
            tlvs: Tlvs::parse(r.rest())?,
        })
    }
}

impl Encode for AlertNotification<'_> {
    fn encode<S: Sink>(&self, s: &mut S) {
        put_address(s, &self.source, SOURCE, fields::ADDR_WIDE_MAX);
        let max = (fields::ADDR_WIDE_MAX, fields::ADDR_WIDE_MAX);
        put_address_last(s, &self.esme, ESME, max, self.tlvs.is_empty());
        self.tlvs.encode(s);
    }
}

body_codec!(AlertNotification);
