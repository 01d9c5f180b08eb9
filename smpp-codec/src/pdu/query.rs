//! query_sm and query_sm_resp (SMPP-REFERENCE §3.9).

use super::fields::{self, SOURCE, put_address, put_time};
use crate::wire::{Encode, Reader, Sink};
use crate::{Address, COctetStr, Error, Field, MessageState};

/// The body of query_sm (§3.9).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct QuerySm<'a> {
    /// The SMSC's id of the message.
    pub message_id: COctetStr<'a>,
    /// The message's original source address.
    pub source: Address<'a>,
}

impl<'a> QuerySm<'a> {
    /// Parses the body (header excluded).
    ///
    /// # Errors
    /// A field that is truncated, unterminated or too long, or octets after the last field.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let v = QuerySm {
            message_id: r.cstr(Field::MessageId, fields::MESSAGE_ID_MAX)?,
            source: r.address(SOURCE, fields::ADDR_MAX)?,
        };
        r.finish()?;
        Ok(v)
    }
}

impl Encode for QuerySm<'_> {
    fn encode<S: Sink>(&self, s: &mut S) {
        s.cstr(Field::MessageId, self.message_id, fields::MESSAGE_ID_MAX);
        put_address(s, &self.source, SOURCE, fields::ADDR_MAX);
    }
}

/// The body of query_sm_resp (§3.9).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct QuerySmResp<'a> {
    /// The SMSC's id of the message.
    pub message_id: COctetStr<'a>,
    /// When the message reached a final state; empty if it has not.
    pub final_date: COctetStr<'a>,
    /// The message's state.
    pub message_state: MessageState,
    /// Network error code (e.g. GSM), 0 if none.
    pub error_code: u8,
}

impl<'a> QuerySmResp<'a> {
    /// Parses the body (header excluded).
    ///
    /// # Errors
    /// A field that is truncated, unterminated or too long, or octets after the last field.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let v = QuerySmResp {
            message_id: r.cstr(Field::MessageId, fields::MESSAGE_ID_MAX)?,
            final_date: r.cstr(Field::FinalDate, fields::TIME_MAX)?,
            message_state: r.u8(Field::MessageState)?.into(),
            error_code: r.u8(Field::ErrorCode)?,
        };
        r.finish()?;
        Ok(v)
    }
}

impl Encode for QuerySmResp<'_> {
    fn encode<S: Sink>(&self, s: &mut S) {
        s.cstr(Field::MessageId, self.message_id, fields::MESSAGE_ID_MAX);
        put_time(s, Field::FinalDate, self.final_date);
        s.u8(self.message_state.raw());
        s.u8(self.error_code);
    }
}

body_codec!(QuerySm, QuerySmResp);
