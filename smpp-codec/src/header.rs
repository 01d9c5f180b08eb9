//! The 16-octet PDU header, command ids, and framing a byte stream (SMPP-REFERENCE §1.1, §2).

use crate::{CommandStatus, Error, Field};

/// Octets in a PDU header.
pub const HEADER_LEN: usize = 16;

/// Default largest `command_length` accepted by [`frame_len`]: a maximal `message_payload` TLV
/// (4 + 65 535 octets) plus room for the header and the mandatory fields.
pub const DEFAULT_MAX_COMMAND_LENGTH: u32 = 65_536 + 1024;

/// Bit 31 of `command_id`: set on responses.
pub const RESPONSE_BIT: u32 = 0x8000_0000;

open_enum! {
    /// The `command_id` header field. Open: a vendor or unknown id is kept as its number
    /// ([`CommandId::from_raw`], [`CommandId::is_known`]).
    pub enum CommandId: u32 {
        GENERIC_NACK = 0x8000_0000, "generic_nack", "Negative acknowledgement of an undecodable or unsupported PDU.";
        BIND_RECEIVER = 0x0000_0001, "bind_receiver", "Bind to receive messages from the SMSC.";
        BIND_RECEIVER_RESP = 0x8000_0001, "bind_receiver_resp", "Response to bind_receiver.";
        BIND_TRANSMITTER = 0x0000_0002, "bind_transmitter", "Bind to submit messages to the SMSC.";
        BIND_TRANSMITTER_RESP = 0x8000_0002, "bind_transmitter_resp", "Response to bind_transmitter.";
        QUERY_SM = 0x0000_0003, "query_sm", "Query the state of a submitted message.";
        QUERY_SM_RESP = 0x8000_0003, "query_sm_resp", "Response to query_sm.";
        SUBMIT_SM = 0x0000_0004, "submit_sm", "Submit a short message.";
        SUBMIT_SM_RESP = 0x8000_0004, "submit_sm_resp", "Response to submit_sm, with the SMSC message id.";
        DELIVER_SM = 0x0000_0005, "deliver_sm", "SMSC delivers a message or a delivery receipt.";
        DELIVER_SM_RESP = 0x8000_0005, "deliver_sm_resp", "Response to deliver_sm.";
        UNBIND = 0x0000_0006, "unbind", "End the session.";
        UNBIND_RESP = 0x8000_0006, "unbind_resp", "Response to unbind.";
        REPLACE_SM = 0x0000_0007, "replace_sm", "Replace a previously submitted message.";
        REPLACE_SM_RESP = 0x8000_0007, "replace_sm_resp", "Response to replace_sm.";
        CANCEL_SM = 0x0000_0008, "cancel_sm", "Cancel a previously submitted message.";
        CANCEL_SM_RESP = 0x8000_0008, "cancel_sm_resp", "Response to cancel_sm.";
        BIND_TRANSCEIVER = 0x0000_0009, "bind_transceiver", "Bind to submit and receive.";
        BIND_TRANSCEIVER_RESP = 0x8000_0009, "bind_transceiver_resp", "Response to bind_transceiver.";
        OUTBIND = 0x0000_000B, "outbind", "SMSC asks the ESME to bind (no response PDU).";
        ENQUIRE_LINK = 0x0000_0015, "enquire_link", "Link keep-alive probe.";
        ENQUIRE_LINK_RESP = 0x8000_0015, "enquire_link_resp", "Response to enquire_link.";
        SUBMIT_MULTI = 0x0000_0021, "submit_multi", "Submit a message to several destinations.";
        SUBMIT_MULTI_RESP = 0x8000_0021, "submit_multi_resp", "Response to submit_multi, with the failed destinations.";
        ALERT_NOTIFICATION = 0x0000_0102, "alert_notification", "A mobile became available (no response PDU).";
        DATA_SM = 0x0000_0103, "data_sm", "Transfer data in either direction.";
        DATA_SM_RESP = 0x8000_0103, "data_sm_resp", "Response to data_sm.";
        BROADCAST_SM = 0x0000_0111, "broadcast_sm", "Submit a cell broadcast message (5.0).";
        BROADCAST_SM_RESP = 0x8000_0111, "broadcast_sm_resp", "Response to broadcast_sm (5.0).";
        QUERY_BROADCAST_SM = 0x0000_0112, "query_broadcast_sm", "Query a broadcast message (5.0).";
        QUERY_BROADCAST_SM_RESP = 0x8000_0112, "query_broadcast_sm_resp", "Response to query_broadcast_sm (5.0).";
        CANCEL_BROADCAST_SM = 0x0000_0113, "cancel_broadcast_sm", "Cancel a broadcast message (5.0).";
        CANCEL_BROADCAST_SM_RESP = 0x8000_0113, "cancel_broadcast_sm_resp", "Response to cancel_broadcast_sm (5.0).";
    }
}

impl CommandId {
    /// Whether bit 31 is set (a response, including generic_nack).
    pub const fn is_response(self) -> bool {
        self.raw() & RESPONSE_BIT != 0
    }

    /// Whether this is a request that the receiver must answer (every request except outbind
    /// and alert_notification).
    pub const fn expects_response(self) -> bool {
        !self.is_response() && !matches!(self.raw(), 0x0B | 0x102)
    }

    /// The response id that answers this request (`id | 0x80000000`), or `None` for responses
    /// and for requests without a response PDU.
    pub const fn response_id(self) -> Option<CommandId> {
        if self.expects_response() { Some(CommandId::from_raw(self.raw() | RESPONSE_BIT)) } else { None }
    }
}

/// The 16-octet header that starts every PDU.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Header {
    /// Total PDU length including the header.
    pub command_length: u32,
    /// What the PDU is.
    pub command_id: CommandId,
    /// Only meaningful in responses; requests carry [`CommandStatus::OK`].
    pub command_status: CommandStatus,
    /// Links a response to its request. 0 is tolerated on decode.
    pub sequence_number: u32,
}

impl Header {
    /// Reads a header from the first 16 octets of `bytes` (the rest is ignored).
    ///
    /// No check on `command_length` is made here; [`frame_len`] does that.
    ///
    /// # Errors
    /// [`Error::Truncated`] when fewer than 16 octets are given.
    #[inline]
    pub fn parse(bytes: &[u8]) -> Result<Header, Error> {
        let (words, _) =
            bytes.split_first_chunk::<HEADER_LEN>().ok_or(Error::Truncated { field: Field::CommandLength })?;
        let [l0, l1, l2, l3, i0, i1, i2, i3, s0, s1, s2, s3, q0, q1, q2, q3] = *words;
        Ok(Header {
            command_length: u32::from_be_bytes([l0, l1, l2, l3]),
            command_id: CommandId::from_raw(u32::from_be_bytes([i0, i1, i2, i3])),
            command_status: CommandStatus::from_raw(u32::from_be_bytes([s0, s1, s2, s3])),
            sequence_number: u32::from_be_bytes([q0, q1, q2, q3]),
        })
    }

    /// Writes the header into the first 16 octets of `buf`.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] when `buf` is shorter than 16 octets; nothing is written then.
    pub fn emit(&self, buf: &mut [u8]) -> Result<(), Error> {
        let (out, _) = buf.split_first_chunk_mut::<HEADER_LEN>().ok_or(Error::BufferTooSmall { needed: HEADER_LEN })?;
        let words = [self.command_length, self.command_id.raw(), self.command_status.raw(), self.sequence_number];
        for (chunk, word) in out.chunks_exact_mut(4).zip(words) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        Ok(())
    }
}

/// What the start of a byte stream holds, as told by [`frame_len`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Frame {
    /// Not enough octets yet: at least this many in total are needed to know more.
    Incomplete {
        /// Total octets needed before calling again.
        needed: usize,
    },
    /// A complete PDU of this many octets starts the buffer.
    Complete(usize),
}

/// Tells whether `buf` starts with a complete PDU, using the header alone.
///
/// `max_command_length` bounds what the peer may send (use
/// [`DEFAULT_MAX_COMMAND_LENGTH`]); anything longer, or shorter than the header, is invalid and
/// the stream cannot be resynchronised.
///
/// # Errors
/// [`Error::InvalidCommandLength`] when `command_length` is below 16 or above the maximum.
///
/// # Example
/// ```
/// use smpp_codec::{frame_len, Frame, DEFAULT_MAX_COMMAND_LENGTH};
/// let enquire_link = [0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1];
/// assert_eq!(frame_len(&enquire_link[..3], DEFAULT_MAX_COMMAND_LENGTH), Ok(Frame::Incomplete { needed: 4 }));
/// assert_eq!(frame_len(&enquire_link[..10], DEFAULT_MAX_COMMAND_LENGTH), Ok(Frame::Incomplete { needed: 16 }));
/// assert_eq!(frame_len(&enquire_link, DEFAULT_MAX_COMMAND_LENGTH), Ok(Frame::Complete(16)));
/// ```
pub fn frame_len(buf: &[u8], max_command_length: u32) -> Result<Frame, Error> {
    let Some(len) = buf.first_chunk::<4>() else {
        return Ok(Frame::Incomplete { needed: 4 });
    };
    let length = u32::from_be_bytes(*len);
    if length < HEADER_LEN as u32 || length > max_command_length {
        return Err(Error::InvalidCommandLength { length });
    }
    let length = length as usize;
    if buf.len() < length { Ok(Frame::Incomplete { needed: length }) } else { Ok(Frame::Complete(length)) }
}
