//! Every PDU of SMPP 3.4 plus the 5.0 broadcast family, and the [`Pdu`] enum over them.
//!
//! Contract, for every body type and for [`Pdu`]: `parse` never panics on any input; `emit`
//! writes exactly `encoded_len()` octets, or returns an error and leaves the buffer untouched.
//!
//! What a program links: [`Pdu::parse`] and [`Pdu::emit`] reach every body's parser and encoder.
//! A program of one role decodes with that role's [`Decoder`] ([`Pdu::parse_esme_inbound`],
//! [`Pdu::parse_smsc_inbound`]) and encodes each body type it sends with [`emit`], and links
//! only those.

mod alert;
mod bind;
mod body;
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
pub use body::{Body, emit, encoded_len};
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
use crate::{CommandId, CommandStatus, Error};

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
                Self::decode_body::<{ inbound::ANY }>(*header, body).map(|(_, pdu)| pdu)
            }
        }

        impl Pdu<'_> {
            /// The body decoder of the commands in the inbound set `SET` (see [`inbound`]): the
            /// arms of the other commands are removed at compile time, so a decoder for one
            /// role links only the parsers of what that role receives.
            ///
            /// Each arm returns its own variant: the result is written once, where it is known,
            /// instead of being merged from every arm (which costs moves on every decode).
            #[inline(always)]
            fn decode_body<'f, const SET: u8>(header: Header, body: &'f [u8]) -> Result<(Header, Pdu<'f>), Error> {
                match header.command_id {
                    $( CommandId::$bid if const { inbound::accepts(SET, CommandId::$bid) } => {
                        match $bt::parse(body) {
                            Ok(b) => Ok((header, Pdu::$bv(b))),
                            Err(e) => Err(e),
                        }
                    } )+
                    $( CommandId::$eid if const { inbound::accepts(SET, CommandId::$eid) } => {
                        if body.is_empty() { Ok((header, Pdu::$ev)) } else { Err(Error::TrailingBytes) }
                    } )+
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

/// A decoder of whole frames: [`Pdu::parse`], or the decoder of one role
/// ([`Pdu::parse_esme_inbound`], [`Pdu::parse_smsc_inbound`] and their `_with_broadcast`
/// forms, [`Pdu::parse_esme_inbound_basic`]).
///
/// A session stores the one it needs as a plain `fn` pointer, so that a firmware links only
/// the parsers of the PDUs its role receives.
pub type Decoder = for<'a> fn(&'a [u8]) -> Result<(Header, Pdu<'a>), Error>;

/// The sets of commands a decoder accepts: a role's inbound commands, with or without the
/// broadcast family (SMPP 5.0).
mod inbound {
    use crate::{CommandId, RESPONSE_BIT};

    /// Every command the codec knows.
    pub(super) const ANY: u8 = 0;
    /// What an ESME receives: the responses to its requests, deliver_sm, data_sm,
    /// alert_notification, outbind, and the link PDUs (enquire_link, unbind and their
    /// responses, generic_nack).
    pub(super) const ESME: u8 = 1;
    /// What an SMSC receives: the ESME's requests, the responses to deliver_sm and data_sm,
    /// and the link PDUs.
    pub(super) const SMSC: u8 = 2;
    /// Added to `ESME` or `SMSC`: the broadcast family's commands of that role.
    pub(super) const BROADCAST: u8 = 4;
    /// Added to `ESME`: without the two responses that have bodies of their own and answer
    /// requests a basic ESME never sends (query_sm_resp, submit_multi_resp).
    pub(super) const BASIC: u8 = 8;

    /// The roles that receive `id` (`ESME`, `SMSC` or both; 0 for an unknown command).
    pub(super) const fn receivers(id: CommandId) -> u8 {
        match id {
            CommandId::BIND_RECEIVER_RESP
            | CommandId::BIND_TRANSMITTER_RESP
            | CommandId::BIND_TRANSCEIVER_RESP
            | CommandId::SUBMIT_SM_RESP
            | CommandId::QUERY_SM_RESP
            | CommandId::CANCEL_SM_RESP
            | CommandId::REPLACE_SM_RESP
            | CommandId::SUBMIT_MULTI_RESP
            | CommandId::DELIVER_SM
            | CommandId::ALERT_NOTIFICATION
            | CommandId::OUTBIND
            | CommandId::BROADCAST_SM_RESP
            | CommandId::QUERY_BROADCAST_SM_RESP
            | CommandId::CANCEL_BROADCAST_SM_RESP => ESME,
            CommandId::BIND_RECEIVER
            | CommandId::BIND_TRANSMITTER
            | CommandId::BIND_TRANSCEIVER
            | CommandId::SUBMIT_SM
            | CommandId::QUERY_SM
            | CommandId::CANCEL_SM
            | CommandId::REPLACE_SM
            | CommandId::SUBMIT_MULTI
            | CommandId::DELIVER_SM_RESP
            | CommandId::BROADCAST_SM
            | CommandId::QUERY_BROADCAST_SM
            | CommandId::CANCEL_BROADCAST_SM => SMSC,
            CommandId::DATA_SM
            | CommandId::DATA_SM_RESP
            | CommandId::ENQUIRE_LINK
            | CommandId::ENQUIRE_LINK_RESP
            | CommandId::UNBIND
            | CommandId::UNBIND_RESP
            | CommandId::GENERIC_NACK => ESME | SMSC,
            _ => 0,
        }
    }

    /// Whether a decoder of `set` decodes `id`.
    pub(super) const fn accepts(set: u8, id: CommandId) -> bool {
        if set == ANY {
            return true;
        }
        let broadcast = matches!(id.raw() & !RESPONSE_BIT, 0x111..=0x113);
        let queries = matches!(id, CommandId::QUERY_SM_RESP | CommandId::SUBMIT_MULTI_RESP);
        receivers(id) & set != 0 && (set & BROADCAST != 0 || !broadcast) && (set & BASIC == 0 || !queries)
    }
}

impl Pdu<'_> {
    /// Parses one whole PDU: header and body. `frame` must hold exactly `command_length` octets
    /// (use [`frame_len`](crate::frame_len) to cut a stream into frames).
    ///
    /// Never panics, on any input. Decodes every command; see [`Pdu::parse_esme_inbound`] and
    /// [`Pdu::parse_smsc_inbound`] for decoders of one role that link less code.
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
    pub fn parse<'f>(frame: &'f [u8]) -> Result<(Header, Pdu<'f>), Error> {
        Self::parse_frame::<{ inbound::ANY }>(frame)
    }

    /// Parses one whole PDU that an ESME may receive, exactly as [`Pdu::parse`] does; any other
    /// command is [`Error::UnknownCommandId`] (a session answers it with generic_nack).
    ///
    /// Decoded: bind_receiver_resp, bind_transmitter_resp, bind_transceiver_resp,
    /// submit_sm_resp, data_sm_resp, query_sm_resp, cancel_sm_resp, replace_sm_resp,
    /// submit_multi_resp, deliver_sm, data_sm, alert_notification, outbind, enquire_link,
    /// enquire_link_resp, unbind, unbind_resp and generic_nack. The broadcast responses are
    /// decoded by [`Pdu::parse_esme_inbound_with_broadcast`] only, so that an ESME that sends
    /// no broadcast links none of their code.
    ///
    /// A [`Decoder`]: a session stores it as a `fn` pointer, and a firmware built on it links
    /// neither the SMSC's decoders (bind, submit_sm's siblings, ...) nor the broadcast family.
    ///
    /// # Errors
    /// As [`Pdu::parse`], and [`Error::UnknownCommandId`] for a command an ESME does not
    /// receive.
    ///
    /// # Example
    /// ```
    /// use smpp_codec::{Error, Pdu};
    /// let enquire_link = [0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1];
    /// assert_eq!(Pdu::parse_esme_inbound(&enquire_link).unwrap().1, Pdu::EnquireLink);
    /// // bind_transmitter is for an SMSC.
    /// let bind = [0, 0, 0, 23, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0x34, 0, 0, 0];
    /// assert!(Pdu::parse(&bind).is_ok());
    /// assert_eq!(Pdu::parse_esme_inbound(&bind), Err(Error::UnknownCommandId { command_id: 2 }));
    /// ```
    pub fn parse_esme_inbound<'f>(frame: &'f [u8]) -> Result<(Header, Pdu<'f>), Error> {
        Self::parse_frame::<{ inbound::ESME }>(frame)
    }

    /// [`Pdu::parse_esme_inbound`] for an ESME that sends neither query_sm nor submit_multi: their
    /// responses (query_sm_resp, submit_multi_resp, the only ones with bodies of their own) are
    /// [`Error::UnknownCommandId`], so that their parsers are not linked. Everything else an
    /// ESME receives (the responses to bind, submit_sm, data_sm, cancel_sm and replace_sm,
    /// deliver_sm, data_sm, alert_notification, outbind and the link PDUs) is decoded exactly as
    /// [`Pdu::parse`] does.
    ///
    /// A session only reads a response that answers a request it sent, so with this decoder a
    /// query_sm_resp or submit_multi_resp that arrives uninvited is treated as it would be
    /// anyway (an unexpected response); an ESME that does send query_sm or submit_multi needs
    /// [`Pdu::parse_esme_inbound`].
    ///
    /// # Errors
    /// As [`Pdu::parse_esme_inbound`], and [`Error::UnknownCommandId`] for query_sm_resp and
    /// submit_multi_resp.
    ///
    /// # Example
    /// ```
    /// use smpp_codec::pdu::QuerySmResp;
    /// use smpp_codec::{CommandStatus, Error, Pdu};
    /// let mut frame = [0u8; 64];
    /// let n = Pdu::QuerySmResp(QuerySmResp { message_id: "6809".into(), ..QuerySmResp::default() })
    ///     .emit(3, CommandStatus::OK, &mut frame)
    ///     .unwrap();
    /// assert!(Pdu::parse_esme_inbound(&frame[..n]).is_ok());
    /// assert_eq!(Pdu::parse_esme_inbound_basic(&frame[..n]), Err(Error::UnknownCommandId { command_id: 0x8000_0003 }));
    /// ```
    pub fn parse_esme_inbound_basic<'f>(frame: &'f [u8]) -> Result<(Header, Pdu<'f>), Error> {
        Self::parse_frame::<{ inbound::ESME | inbound::BASIC }>(frame)
    }

    /// [`Pdu::parse_esme_inbound`], and the broadcast family's responses (broadcast_sm_resp,
    /// query_broadcast_sm_resp, cancel_broadcast_sm_resp; SMPP 5.0), for an ESME that sends
    /// broadcasts.
    ///
    /// # Errors
    /// As [`Pdu::parse_esme_inbound`].
    pub fn parse_esme_inbound_with_broadcast<'f>(frame: &'f [u8]) -> Result<(Header, Pdu<'f>), Error> {
        Self::parse_frame::<{ inbound::ESME | inbound::BROADCAST }>(frame)
    }

    /// Parses one whole PDU that an SMSC may receive, exactly as [`Pdu::parse`] does; any other
    /// command is [`Error::UnknownCommandId`] (a session answers it with generic_nack).
    ///
    /// Decoded: bind_receiver, bind_transmitter, bind_transceiver, submit_sm, submit_multi,
    /// data_sm, query_sm, cancel_sm, replace_sm, deliver_sm_resp, data_sm_resp, enquire_link,
    /// enquire_link_resp, unbind, unbind_resp and generic_nack. The broadcast requests are
    /// decoded by [`Pdu::parse_smsc_inbound_with_broadcast`] only.
    ///
    /// # Errors
    /// As [`Pdu::parse`], and [`Error::UnknownCommandId`] for a command an SMSC does not
    /// receive.
    pub fn parse_smsc_inbound<'f>(frame: &'f [u8]) -> Result<(Header, Pdu<'f>), Error> {
        Self::parse_frame::<{ inbound::SMSC }>(frame)
    }

    /// [`Pdu::parse_smsc_inbound`], and the broadcast family's requests (broadcast_sm,
    /// query_broadcast_sm, cancel_broadcast_sm; SMPP 5.0), for an SMSC that serves broadcasts.
    ///
    /// # Errors
    /// As [`Pdu::parse_smsc_inbound`].
    pub fn parse_smsc_inbound_with_broadcast<'f>(frame: &'f [u8]) -> Result<(Header, Pdu<'f>), Error> {
        Self::parse_frame::<{ inbound::SMSC | inbound::BROADCAST }>(frame)
    }

    /// The framing checks every decoder shares, then the body decoder of `SET`.
    #[inline(always)]
    fn parse_frame<'f, const SET: u8>(frame: &'f [u8]) -> Result<(Header, Pdu<'f>), Error> {
        let header = Header::parse(frame)?;
        if header.command_length < HEADER_LEN as u32 {
            return Err(Error::InvalidCommandLength { length: header.command_length });
        }
        if header.command_length as usize != frame.len() {
            return Err(Error::LengthMismatch { command_length: header.command_length, actual: frame.len() });
        }
        let body = frame.get(HEADER_LEN..).unwrap_or(&[]);
        Pdu::decode_body::<SET>(header, body)
    }
}

impl<'a> Pdu<'a> {
    /// Exact octets [`Pdu::emit`] writes, header included.
    pub fn encoded_len(&self) -> usize {
        HEADER_LEN + self.measure().len
    }

    /// Writes the whole PDU (header and body) into `buf` and returns the octets written.
    ///
    /// SMPP requires [`CommandStatus::OK`] in requests; the status is written as given, so that
    /// a request that arrived with another one (which receivers ignore, SMPP-REFERENCE §1.1)
    /// re-emits unchanged. A PDU that [`Pdu::parse`] accepted, emitted with its header's
    /// sequence number and status, gives back the very same octets. This links the encoder of
    /// every body; [`pdu::emit`](emit) writes one body type alone.
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
        body::emit_as(self.command_id(), sequence_number, command_status, self, buf)
    }
}
