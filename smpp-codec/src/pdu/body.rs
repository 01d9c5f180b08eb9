//! Encoding one body type without [`Pdu`]: the [`Body`] trait, [`emit`] and [`encoded_len`].
//!
//! [`Pdu::emit`] dispatches on the variant, so a program that calls it links the encoder of
//! every body. A program that sends a few kinds of PDU (an ESME: binds, submit_sm, the bodies of
//! its responses) calls [`emit`] with each body type instead and links only those encoders.

use super::{
    AlertNotification, Bind, BindResp, BroadcastSm, CancelBroadcastSm, CancelSm, DataSm, MessageIdResp, Outbind, Pdu,
    QueryBroadcastSm, QuerySm, QuerySmResp, ReplaceSm, Sm, SubmitMulti, SubmitMultiResp,
};
use crate::header::{HEADER_LEN, Header};
use crate::{CommandId, CommandStatus, Error, Field};

mod sealed {
    use crate::Error;

    /// What [`Body`](super::Body) needs from a body type, in terms of public types only.
    pub trait Sealed {
        /// Octets of the body and the first field that breaks its limit.
        fn measure_body(&self) -> (usize, Option<Error>);
        /// Writes the body into `out`, which is exactly as long as `measure_body` said.
        fn write_body(&self, out: &mut [u8]);
    }

    impl<T: crate::wire::Encode> Sealed for T {
        #[inline(always)]
        fn measure_body(&self) -> (usize, Option<Error>) {
            let m = self.measure();
            (m.len, m.error)
        }

        #[inline(always)]
        fn write_body(&self, out: &mut [u8]) {
            self.encode(&mut crate::wire::Writer::new(out));
        }
    }
}

/// A PDU body that [`emit`] writes on its own, and the commands it is the body of.
///
/// Implemented by every body type of this crate ([`Sm`] for submit_sm and deliver_sm,
/// [`MessageIdResp`] for their responses, [`Bind`], ...) and by [`Pdu`] itself; sealed.
/// Header-only PDUs (enquire_link, unbind, generic_nack, error responses without a body) need
/// no body: write them with [`Header::emit`](crate::Header::emit).
pub trait Body: sealed::Sealed {
    /// Whether this is a body of command `id` (for [`Pdu`]: whether `id` is its own command).
    fn is_body_of(&self, id: CommandId) -> bool;
}

macro_rules! bodies {
    ($($ty:ident => $($id:ident)|+;)+) => {$(
        impl Body for $ty<'_> {
            #[inline]
            fn is_body_of(&self, id: CommandId) -> bool {
                matches!(id, $(CommandId::$id)|+)
            }
        }
    )+};
}

bodies! {
    Bind => BIND_RECEIVER | BIND_TRANSMITTER | BIND_TRANSCEIVER;
    BindResp => BIND_RECEIVER_RESP | BIND_TRANSMITTER_RESP | BIND_TRANSCEIVER_RESP;
    Outbind => OUTBIND;
    Sm => SUBMIT_SM | DELIVER_SM;
    MessageIdResp => SUBMIT_SM_RESP | DELIVER_SM_RESP | DATA_SM_RESP | BROADCAST_SM_RESP | QUERY_BROADCAST_SM_RESP;
    SubmitMulti => SUBMIT_MULTI;
    SubmitMultiResp => SUBMIT_MULTI_RESP;
    DataSm => DATA_SM;
    QuerySm => QUERY_SM;
    QuerySmResp => QUERY_SM_RESP;
    CancelSm => CANCEL_SM;
    ReplaceSm => REPLACE_SM;
    AlertNotification => ALERT_NOTIFICATION;
    BroadcastSm => BROADCAST_SM;
    QueryBroadcastSm => QUERY_BROADCAST_SM;
    CancelBroadcastSm => CANCEL_BROADCAST_SM;
}

impl Body for Pdu<'_> {
    #[inline]
    fn is_body_of(&self, id: CommandId) -> bool {
        self.command_id() == id
    }
}

/// Exact octets [`emit`] writes for `body`, header included.
///
/// # Example
/// ```
/// use smpp_codec::pdu::{self, MessageIdResp};
/// assert_eq!(pdu::encoded_len(&MessageIdResp::new("abc")), 16 + 4);
/// ```
pub fn encoded_len<B: Body + ?Sized>(body: &B) -> usize {
    HEADER_LEN + body.measure_body().0
}

/// Writes a whole PDU, the header of `command_id` and `body`, into `buf` and returns the octets
/// written: the same octets as [`Pdu::emit`] for the same command and body, without linking
/// the encoders of the other bodies.
///
/// # Errors
/// [`Error::InvalidValue`] naming [`Field::CommandId`] when `body` is not a body of
/// `command_id`, and as [`Pdu::emit`]: a field that breaks its limit, or a buffer that is too
/// small. `buf` is untouched then.
///
/// # Example
/// ```
/// use smpp_codec::pdu::{self, SubmitSm};
/// use smpp_codec::{Address, CommandId, CommandStatus, Pdu};
/// let sm = SubmitSm::new(Address::alphanumeric("Panel"), Address::international("447700900123"), b"Hi");
/// let mut buf = [0u8; 64];
/// let n = pdu::emit(CommandId::SUBMIT_SM, 7, CommandStatus::OK, &sm, &mut buf).unwrap();
/// let mut same = [0u8; 64];
/// assert_eq!(Pdu::SubmitSm(sm).emit(7, CommandStatus::OK, &mut same), Ok(n));
/// assert_eq!(buf, same);
/// // A submit_sm body is not a bind's.
/// assert!(pdu::emit(CommandId::BIND_TRANSMITTER, 7, CommandStatus::OK, &sm, &mut buf).is_err());
/// ```
pub fn emit<B: Body + ?Sized>(
    command_id: CommandId,
    sequence_number: u32,
    command_status: CommandStatus,
    body: &B,
    buf: &mut [u8],
) -> Result<usize, Error> {
    if !body.is_body_of(command_id) {
        return Err(Error::InvalidValue { field: Field::CommandId });
    }
    emit_as(command_id, sequence_number, command_status, body, buf)
}

/// [`emit`] for a body already known to be one of `command_id`'s.
#[inline(always)]
pub(super) fn emit_as<B: sealed::Sealed + ?Sized>(
    command_id: CommandId,
    sequence_number: u32,
    command_status: CommandStatus,
    body: &B,
    buf: &mut [u8],
) -> Result<usize, Error> {
    let (len, error) = body.measure_body();
    if let Some(e) = error {
        return Err(e);
    }
    let total = HEADER_LEN + len;
    let length = u32::try_from(total).map_err(|_| Error::TooLong { field: Field::CommandLength, max: u16::MAX })?;
    let out = buf.get_mut(..total).ok_or(Error::BufferTooSmall { needed: total })?;
    let (head, rest) = out.split_at_mut(HEADER_LEN);
    Header { command_length: length, command_id, command_status, sequence_number }.emit(head)?;
    body.write_body(rest);
    Ok(total)
}
