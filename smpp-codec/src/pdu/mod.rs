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

            /// Parses a body whose header was already read.
            ///
            /// Error responses (non-zero status) whose body is absent or a lone NUL decode as
            /// the body's default (empty message_id and so on), as SMSCs send all three forms.
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
                let error = match header.command_id {
                    $( CommandId::$bid if const { inbound::accepts(SET, CommandId::$bid) } => {
                        match $bt::parse(body) {
                            Ok(b) => return Ok((header, Pdu::$bv(b))),
                            Err(e) => e,
                        }
                    } )+
                    $( CommandId::$eid if const { inbound::accepts(SET, CommandId::$eid) } => {
                        if body.is_empty() {
                            return Ok((header, Pdu::$ev));
                        }
                        Error::TrailingBytes
                    } )+
                    other => return Err(Error::UnknownCommandId { command_id: other.raw() }),
                };
                if header.command_id.is_response() && !header.command_status.is_ok() && body.len() <= 1 {
                    Ok((header, Self::empty_response::<SET>(header.command_id)))
                } else {
                    Err(error)
                }
            }

            fn empty_response<'f, const SET: u8>(id: CommandId) -> Pdu<'f> {
                match id {
                    $( CommandId::$bid if const { inbound::accepts(SET, CommandId::$bid) } => {
                        Pdu::$bv($bt::default())
                    } )+
                    $( CommandId::$eid if const { inbound::accepts(SET, CommandId::$eid) } => Pdu::$ev, )+
                    _ => Pdu::GenericNack,
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
        BindReceiver(Bind) = BindReceiver,
        /// bind_receiver_resp.
        BindReceiverResp(BindResp) = BindReceiverResp,
        /// bind_transmitter.
        BindTransmitter(Bind) = BindTransmitter,
        /// bind_transmitter_resp.
        BindTransmitterResp(BindResp) = BindTransmitterResp,
        /// bind_transceiver.
        BindTransceiver(Bind) = BindTransceiver,
        /// bind_transceiver_resp.
        BindTransceiverResp(BindResp) = BindTransceiverResp,
        /// outbind (no response).
        Outbind(Outbind) = Outbind,
        /// submit_sm.
        SubmitSm(Sm) = SubmitSm,
        /// submit_sm_resp.
        SubmitSmResp(MessageIdResp) = SubmitSmResp,
        /// deliver_sm.
        DeliverSm(Sm) = DeliverSm,
        /// deliver_sm_resp.
        DeliverSmResp(MessageIdResp) = DeliverSmResp,
        /// submit_multi.
        SubmitMulti(SubmitMulti) = SubmitMulti,
        /// submit_multi_resp.
        SubmitMultiResp(SubmitMultiResp) = SubmitMultiResp,
        /// data_sm.
        DataSm(DataSm) = DataSm,
        /// data_sm_resp.
        DataSmResp(MessageIdResp) = DataSmResp,
        /// query_sm.
        QuerySm(QuerySm) = QuerySm,
        /// query_sm_resp.
        QuerySmResp(QuerySmResp) = QuerySmResp,
        /// cancel_sm.
        CancelSm(CancelSm) = CancelSm,
        /// replace_sm.
        ReplaceSm(ReplaceSm) = ReplaceSm,
        /// alert_notification (no response).
        AlertNotification(AlertNotification) = AlertNotification,
        /// broadcast_sm (5.0).
        BroadcastSm(BroadcastSm) = BroadcastSm,
        /// broadcast_sm_resp (5.0).
        BroadcastSmResp(MessageIdResp) = BroadcastSmResp,
        /// query_broadcast_sm (5.0).
        QueryBroadcastSm(QueryBroadcastSm) = QueryBroadcastSm,
        /// query_broadcast_sm_resp (5.0).
        QueryBroadcastSmResp(MessageIdResp) = QueryBroadcastSmResp,
        /// cancel_broadcast_sm (5.0).
        CancelBroadcastSm(CancelBroadcastSm) = CancelBroadcastSm,
    }
    empty {
        /// generic_nack.
        GenericNack = GenericNack,
        /// unbind.
        Unbind = Unbind,
        /// unbind_resp.
        UnbindResp = UnbindResp,
        /// enquire_link.
        EnquireLink = EnquireLink,
        /// enquire_link_resp.
        EnquireLinkResp = EnquireLinkResp,
        /// cancel_sm_resp.
        CancelSmResp = CancelSmResp,
        /// replace_sm_resp.
        ReplaceSmResp = ReplaceSmResp,
        /// cancel_broadcast_sm_resp (5.0).
        CancelBroadcastSmResp = CancelBroadcastSmResp,
    }
}

/// A decoder of whole frames: [`Pdu::parse`], or the decoder of one role
/// ([`Pdu::parse_esme_inbound`], [`Pdu::parse_smsc_inbound`] and their `_with_broadcast`
/// forms).
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

    /// The roles that receive `id` (`ESME`, `SMSC` or both; 0 for an unknown command).
    pub(super) const fn receivers(id: CommandId) -> u8 {
        match id {
            CommandId::BindReceiverResp
            | CommandId::BindTransmitterResp
            | CommandId::BindTransceiverResp
            | CommandId::SubmitSmResp
            | CommandId::QuerySmResp
            | CommandId::CancelSmResp
            | CommandId::ReplaceSmResp
            | CommandId::SubmitMultiResp
            | CommandId::DeliverSm
            | CommandId::AlertNotification
            | CommandId::Outbind
            | CommandId::BroadcastSmResp
            | CommandId::QueryBroadcastSmResp
            | CommandId::CancelBroadcastSmResp => ESME,
            CommandId::BindReceiver
            | CommandId::BindTransmitter
            | CommandId::BindTransceiver
            | CommandId::SubmitSm
            | CommandId::QuerySm
            | CommandId::CancelSm
            | CommandId::ReplaceSm
            | CommandId::SubmitMulti
            | CommandId::DeliverSmResp
            | CommandId::BroadcastSm
            | CommandId::QueryBroadcastSm
            | CommandId::CancelBroadcastSm => SMSC,
            CommandId::DataSm
            | CommandId::DataSmResp
            | CommandId::EnquireLink
            | CommandId::EnquireLinkResp
            | CommandId::Unbind
            | CommandId::UnbindResp
            | CommandId::GenericNack => ESME | SMSC,
            _ => 0,
        }
    }

    /// Whether a decoder of `set` decodes `id`.
    pub(super) const fn accepts(set: u8, id: CommandId) -> bool {
        if set == ANY {
            return true;
        }
        let broadcast = matches!(id.raw() & !RESPONSE_BIT, 0x111..=0x113);
        receivers(id) & set != 0 && (set & BROADCAST != 0 || !broadcast)
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
    /// assert_eq!(header.command_status, CommandStatus::Throttled);
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
    /// `command_status` must be `Ok` for requests (SMPP requires 0 there). This links the
    /// encoder of every body; [`pdu::emit`](emit) writes one body type alone.
    ///
    /// # Errors
    /// A field that breaks its limit (naming the field), a non-zero status on a request, or a
    /// buffer that is too small. `buf` is untouched then.
    ///
    /// # Example
    /// ```
    /// use smpp_codec::{Pdu, CommandStatus};
    /// let mut buf = [0u8; 16];
    /// let n = Pdu::EnquireLink.emit(1, CommandStatus::Ok, &mut buf).unwrap();
    /// assert_eq!(&buf[..n], &[0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1]);
    /// ```
    pub fn emit(&self, sequence_number: u32, command_status: CommandStatus, buf: &mut [u8]) -> Result<usize, Error> {
        body::emit_as(self.command_id(), sequence_number, command_status, self, buf)
    }
}
