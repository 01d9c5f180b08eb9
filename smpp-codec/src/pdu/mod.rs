//! Every PDU of SMPP 3.4 plus the 5.0 broadcast family, and the [`Pdu`] enum over them.
//!
//! Contract, for every body type and for [`Pdu`]: `parse` never panics on any input; `emit`
//! writes exactly `encoded_len()` octets, or returns an error and leaves the buffer untouched.

mod alert;
mod bind;
mod broadcast;
mod cancel;
mod data_sm;
mod fields;
mod list;
mod multi;
mod query;
mod sm;

pub use alert::AlertNotification;
pub use bind::{ADDRESS_RANGE_MAX, Bind, BindResp, Outbind, PASSWORD_MAX, SYSTEM_ID_MAX, SYSTEM_TYPE_MAX};
pub use broadcast::{BroadcastSm, CancelBroadcastSm, QueryBroadcastSm};
pub use cancel::{CancelSm, ReplaceSm};
pub use data_sm::DataSm;
pub use fields::{
    ADDR_MAX, ADDR_WIDE_MAX, MESSAGE_ID_MAX, SERVICE_TYPE_MAX, SHORT_MESSAGE_DECODE_MAX, SHORT_MESSAGE_MAX, TIME_MAX,
};
pub use list::{List, ListIter};
pub use multi::{DL_NAME_MAX, DestAddress, MAX_DESTS, SubmitMulti, SubmitMultiResp, UnsuccessSme};
pub use query::{QuerySm, QuerySmResp};
pub use sm::{
    BroadcastSmResp, DataSmResp, DeliverSm, DeliverSmResp, MessageIdResp, QueryBroadcastSmResp, Sm, SubmitSm,
    SubmitSmResp,
};

use crate::header::{HEADER_LEN, Header};
use crate::wire::{Encode, Sink};
use crate::{CommandId, CommandStatus, Error, Field};

macro_rules! pdus {
    (
        bodies { $( $(#[$bm:meta])* $bv:ident($bt:ident) = $bid:ident, )+ }
        empty { $( $(#[$em:meta])* $ev:ident = $eid:ident, )+ }
    ) => {
        /// Any SMPP PDU body, tagged by its command.
        ///
        /// Parse a whole frame with [`Pdu::parse`]; emit one with [`Pdu::emit`]. Header-only
        /// PDUs are unit variants.
        #[derive(Copy, Clone, Debug, PartialEq, Eq)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        #[non_exhaustive]
        pub enum Pdu<'a> {
            $( $(#[$bm])* $bv($bt<'a>), )+
            $( $(#[$em])* $ev, )+
        }

        impl<'a> Pdu<'a> {
            /// The command this body belongs to.
            pub const fn command_id(&self) -> CommandId {
                match self {
                    $( Pdu::$bv(_) => CommandId::$bid, )+
                    $( Pdu::$ev => CommandId::$eid, )+
                }
            }

            /// Parses a body whose header was already read, by the crate's leniency rule (the
            /// same whatever the `command_status`).
            ///
            /// # Errors
            /// [`Error::UnknownCommandId`] for a command this codec does not know, or the body's
            /// own parse error.
            #[inline(always)]
            pub fn parse_body(header: &Header, body: &'a [u8]) -> Result<Pdu<'a>, Error> {
                match header.command_id {
                    $( CommandId::$bid => $bt::parse(body).map(Pdu::$bv), )+
                    $( CommandId::$eid => if body.is_empty() { Ok(Pdu::$ev) } else { Err(Error::TrailingBytes) }, )+
                    other => Err(Error::UnknownCommandId { command_id: other.raw() }),
                }
            }
        }

        impl Encode for Pdu<'_> {
            #[inline]
            fn encode<S: Sink>(&self, s: &mut S) {
                match self {
                    $( Pdu::$bv(b) => b.encode(s), )+
                    $( Pdu::$ev => {}, )+
                }
            }
        }
    };
}

pdus! {
    bodies {
        /// bind_receiver.
        BindReceiver(Bind) = BIND_RECEIVER,
        /// bind_receiver_resp.
        BindReceiverResp(BindResp) = BIND_RECEIVER_RESP,
        /// bind_transmitter.
        BindTransmitter(Bind) = BIND_TRANSMITTER,
        /// bind_transmitter_resp.
        BindTransmitterResp(BindResp) = BIND_TRANSMITTER_RESP,
        /// bind_transceiver.
        BindTransceiver(Bind) = BIND_TRANSCEIVER,
        /// bind_transceiver_resp.
        BindTransceiverResp(BindResp) = BIND_TRANSCEIVER_RESP,
        /// outbind (no response).
        Outbind(Outbind) = OUTBIND,
        /// submit_sm.
        SubmitSm(Sm) = SUBMIT_SM,
        /// submit_sm_resp.
        SubmitSmResp(MessageIdResp) = SUBMIT_SM_RESP,
        /// deliver_sm.
        DeliverSm(Sm) = DELIVER_SM,
        /// deliver_sm_resp.
        DeliverSmResp(MessageIdResp) = DELIVER_SM_RESP,
        /// submit_multi.
        SubmitMulti(SubmitMulti) = SUBMIT_MULTI,
        /// submit_multi_resp.
        SubmitMultiResp(SubmitMultiResp) = SUBMIT_MULTI_RESP,
        /// data_sm.
        DataSm(DataSm) = DATA_SM,
        /// data_sm_resp.
        DataSmResp(MessageIdResp) = DATA_SM_RESP,
        /// query_sm.
        QuerySm(QuerySm) = QUERY_SM,
        /// query_sm_resp.
        QuerySmResp(QuerySmResp) = QUERY_SM_RESP,
        /// cancel_sm.
        CancelSm(CancelSm) = CANCEL_SM,
        /// replace_sm.
        ReplaceSm(ReplaceSm) = REPLACE_SM,
        /// alert_notification (no response).
        AlertNotification(AlertNotification) = ALERT_NOTIFICATION,
        /// broadcast_sm (5.0).
        BroadcastSm(BroadcastSm) = BROADCAST_SM,
        /// broadcast_sm_resp (5.0).
        BroadcastSmResp(MessageIdResp) = BROADCAST_SM_RESP,
        /// query_broadcast_sm (5.0).
        QueryBroadcastSm(QueryBroadcastSm) = QUERY_BROADCAST_SM,
        /// query_broadcast_sm_resp (5.0).
        QueryBroadcastSmResp(MessageIdResp) = QUERY_BROADCAST_SM_RESP,
        /// cancel_broadcast_sm (5.0).
        CancelBroadcastSm(CancelBroadcastSm) = CANCEL_BROADCAST_SM,
    }
    empty {
        /// generic_nack.
        GenericNack = GENERIC_NACK,
        /// unbind.
        Unbind = UNBIND,
        /// unbind_resp.
        UnbindResp = UNBIND_RESP,
        /// enquire_link.
        EnquireLink = ENQUIRE_LINK,
        /// enquire_link_resp.
        EnquireLinkResp = ENQUIRE_LINK_RESP,
        /// cancel_sm_resp.
        CancelSmResp = CANCEL_SM_RESP,
        /// replace_sm_resp.
        ReplaceSmResp = REPLACE_SM_RESP,
        /// cancel_broadcast_sm_resp (5.0).
        CancelBroadcastSmResp = CANCEL_BROADCAST_SM_RESP,
    }
}

impl<'a> Pdu<'a> {
    /// Parses one whole PDU: header and body. `frame` must hold exactly `command_length` octets
    /// (use [`frame_len`](crate::frame_len) to cut a stream into frames).
    ///
    /// Never panics, on any input.
    ///
    /// # Errors
    /// [`Error::InvalidCommandLength`], [`Error::LengthMismatch`] when `frame` is not exactly
    /// `command_length` octets, [`Error::UnknownCommandId`], or a field error naming the field.
    ///
    /// # Example
    /// ```
    /// use smpp_codec::{Pdu, CommandStatus};
    /// let bytes = [0, 0, 0, 0x10, 0x80, 0, 0, 0x04, 0, 0, 0, 0x58, 0, 0, 0, 2];
    /// let (header, pdu) = Pdu::parse(&bytes).unwrap();
    /// assert_eq!(header.command_status, CommandStatus::THROTTLED);
    /// let Pdu::SubmitSmResp(resp) = pdu else { panic!() };
    /// assert!(resp.message_id.is_empty());
    /// ```
    pub fn parse(frame: &'a [u8]) -> Result<(Header, Pdu<'a>), Error> {
        let header = Header::parse(frame)?;
        if header.command_length < HEADER_LEN as u32 {
            return Err(Error::InvalidCommandLength { length: header.command_length });
        }
        if header.command_length as usize != frame.len() {
            return Err(Error::LengthMismatch { command_length: header.command_length, actual: frame.len() });
        }
        let body = frame.get(HEADER_LEN..).unwrap_or(&[]);
        Ok((header, Pdu::parse_body(&header, body)?))
    }

    /// Exact octets [`Pdu::emit`] writes, header included.
    pub fn encoded_len(&self) -> usize {
        HEADER_LEN + self.measure().len
    }

    /// Writes the whole PDU (header and body) into `buf` and returns the octets written.
    ///
    /// SMPP requires [`CommandStatus::OK`] in requests; the status is written as given, so that
    /// a request that arrived with another one (which receivers ignore, SMPP-REFERENCE §1.1)
    /// re-emits unchanged. A PDU that [`Pdu::parse`] accepted, emitted with its header's
    /// sequence number and status, gives back the very same octets.
    ///
    /// # Errors
    /// A field that breaks its limit (naming the field), or a buffer that is too small. `buf`
    /// is untouched then.
    ///
    /// # Example
    /// ```
    /// use smpp_codec::{Pdu, CommandStatus};
    /// let mut buf = [0u8; 16];
    /// let n = Pdu::EnquireLink.emit(1, CommandStatus::OK, &mut buf).unwrap();
    /// assert_eq!(&buf[..n], &[0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1]);
    /// ```
    pub fn emit(&self, sequence_number: u32, command_status: CommandStatus, buf: &mut [u8]) -> Result<usize, Error> {
        let id = self.command_id();
        let m = self.measure();
        if let Some(e) = m.error {
            return Err(e);
        }
        let total = HEADER_LEN + m.len;
        let length = u32::try_from(total).map_err(|_| Error::TooLong { field: Field::CommandLength, max: u16::MAX })?;
        let out = buf.get_mut(..total).ok_or(Error::BufferTooSmall { needed: total })?;
        let (head, body) = out.split_at_mut(HEADER_LEN);
        Header { command_length: length, command_id: id, command_status, sequence_number }.emit(head)?;
        self.encode(&mut crate::wire::Writer::new(body));
        Ok(total)
    }
}
