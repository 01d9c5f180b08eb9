//! What the session reports to the application.

use smpp_codec::pdu::{AlertNotification, Bind, DataSm, Outbind, Sm};
use smpp_codec::text::receipt::DeliveryReceipt;
use smpp_codec::{COctetStr, CommandId, CommandStatus, Pdu};

use crate::{BindKind, Instant};

/// Identifies a request the application handed to the session; its outcome carries the same
/// handle.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Handle(pub u32);

/// Identifies a request from the peer that the application must answer (with
/// [`Session::respond`](crate::Session::respond) and friends).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IncomingToken {
    pub(crate) slot: u8,
    pub(crate) sequence_number: u32,
}

impl IncomingToken {
    /// The sequence number of the peer's request.
    pub const fn sequence_number(&self) -> u32 {
        self.sequence_number
    }
}

/// How a request of the application ended. Exactly one per request.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Outcome<'a> {
    /// The peer answered with this status and body (for an error status the body is usually
    /// empty).
    Response {
        /// The response's command_status.
        status: CommandStatus,
        /// The response body.
        body: Pdu<'a>,
    },
    /// The peer answered generic_nack.
    GenericNack {
        /// Its command_status.
        status: CommandStatus,
    },
    /// The peer answered with a response that does not decode.
    InvalidResponse {
        /// What was wrong with it.
        error: smpp_codec::Error,
    },
    /// No response within the response timeout. The peer may still have acted on the request.
    Timeout,
    /// The connection ended before a response came. The peer may have acted on the request.
    ConnectionLost,
}

impl Outcome<'_> {
    /// Whether the request succeeded (a response with ESME_ROK).
    pub fn is_ok(&self) -> bool {
        matches!(self, Outcome::Response { status, .. } if status.is_ok())
    }

    /// The response's status, if a response came.
    pub fn status(&self) -> Option<CommandStatus> {
        match self {
            Outcome::Response { status, .. } | Outcome::GenericNack { status } => Some(*status),
            _ => None,
        }
    }

    /// Whether sending the same request again later may succeed: a transient status
    /// (throttled, queue full, system error), a timeout or a lost connection.
    ///
    /// After a timeout or a lost connection the peer may already have accepted the request, so a
    /// retry can duplicate it.
    pub fn is_retryable(&self) -> bool {
        match self {
            Outcome::Response { status, .. } | Outcome::GenericNack { status } => status.is_transient(),
            Outcome::InvalidResponse { .. } => false,
            Outcome::Timeout | Outcome::ConnectionLost => true,
        }
    }

    /// The message_id of a submit_sm_resp, data_sm_resp or similar response.
    pub fn message_id(&self) -> Option<COctetStr<'_>> {
        match self {
            Outcome::Response {
                body:
                    Pdu::SubmitSmResp(r)
                    | Pdu::DataSmResp(r)
                    | Pdu::DeliverSmResp(r)
                    | Pdu::BroadcastSmResp(r)
                    | Pdu::QueryBroadcastSmResp(r),
                ..
            } => Some(r.message_id),
            Outcome::Response { body: Pdu::SubmitMultiResp(r), .. } => Some(r.message_id),
            Outcome::Response { body: Pdu::QuerySmResp(r), .. } => Some(r.message_id),
            _ => None,
        }
    }
}

/// Which part of a multi-part message a request is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PartOf {
    /// The message's handle.
    pub message: Handle,
    /// The part's number, from 1.
    pub index: u8,
    /// The number of parts.
    pub total: u8,
}

/// How a part of a multi-part message failed.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PartFailure {
    /// Answered with this status (or a generic_nack with it).
    Status(CommandStatus),
    /// The response did not decode.
    InvalidResponse,
    /// No response in time.
    Timeout,
    /// The connection ended first.
    ConnectionLost,
    /// The application abandoned the message before submitting this part.
    NotSubmitted,
}

impl PartFailure {
    /// Whether submitting the message again later may succeed.
    pub const fn is_retryable(self) -> bool {
        match self {
            PartFailure::Status(s) => s.is_transient(),
            PartFailure::InvalidResponse => false,
            PartFailure::Timeout | PartFailure::ConnectionLost | PartFailure::NotSubmitted => true,
        }
    }
}

/// Why a bind did not succeed.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum BindFailure {
    /// The SMSC answered bind_resp with this status (ESME_RBINDFAIL, ESME_RINVPASWD, ...).
    Rejected(CommandStatus),
    /// The SMSC answered generic_nack.
    GenericNack(CommandStatus),
    /// No bind_resp within the bind timeout.
    Timeout,
    /// The connection ended first.
    ConnectionLost,
}

/// Why the session closed.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CloseReason {
    /// We unbound and the peer answered (or did not answer within the unbind timeout).
    Unbound,
    /// The peer unbound; we answered.
    PeerUnbound,
    /// The bind failed.
    BindFailed,
    /// No enquire_link_resp within its timeout: the link is dead (half-open).
    LinkDead,
    /// SMSC role: no bind within the session init timeout.
    SessionInitTimeout,
    /// The peer sent a command_length that cannot be right; framing is lost.
    InvalidCommandLength(u32),
    /// The adapter reported the connection closed or broken.
    ConnectionLost,
    /// The application closed the session.
    Closed,
}

/// What happened, drained with [`Session::poll_event`](crate::Session::poll_event).
///
/// Events that carry PDU fields borrow the session's receive buffer; drop them before calling
/// the session again.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Event<'a> {
    /// ESME: the bind succeeded.
    Bound {
        /// The bind type.
        kind: BindKind,
        /// The SMSC's system_id.
        system_id: COctetStr<'a>,
        /// The SMSC's sc_interface_version, if it sent one.
        sc_interface_version: Option<u8>,
    },
    /// ESME: the bind failed; the session is closed.
    BindFailed(BindFailure),
    /// The outcome of an application request.
    Outcome {
        /// The request's handle.
        handle: Handle,
        /// The request's command.
        command: CommandId,
        /// Which part of a multi-part message this was, if any.
        part: Option<PartOf>,
        /// How it ended.
        outcome: Outcome<'a>,
    },
    /// Every part of a multi-part message has its outcome (each came as [`Event::Outcome`] with
    /// its message_id); this is the one outcome of the message as a whole.
    MessageDone {
        /// The handle [`Session::begin_message`](crate::Session::begin_message) returned.
        message: Handle,
        /// The number of parts the message has.
        total: u8,
        /// Parts the SMSC accepted.
        accepted: u8,
        /// The first part that did not succeed, and how it ended; `None` when all were accepted.
        failed: Option<(u8, PartFailure)>,
    },
    /// ESME: a mobile-originated message (deliver_sm that is not a receipt).
    Message {
        /// Answer with [`Session::respond`](crate::Session::respond) in manual ack mode.
        token: Option<IncomingToken>,
        /// The message.
        sm: Sm<'a>,
    },
    /// ESME: a delivery receipt (deliver_sm with the receipt or intermediate message type).
    Receipt {
        /// Answer with [`Session::respond`](crate::Session::respond) in manual ack mode.
        token: Option<IncomingToken>,
        /// The receipt PDU; its text is in `sm.message()`, its TLVs in `sm.tlvs`.
        sm: Sm<'a>,
        /// The receipt's TLVs merged with its text (the TLV wins); `None` when neither names a
        /// message or a state.
        receipt: Option<DeliveryReceipt<'a>>,
        /// The submission it is about, when its message id is among the last `W` accepted ones
        /// (matched with [`Config::id_match`](crate::Config::id_match)).
        submit: Option<Handle>,
    },
    /// A data_sm from the peer.
    DataSm {
        /// Answer it (in manual ack mode, or always in the SMSC role).
        token: Option<IncomingToken>,
        /// The PDU.
        pdu: DataSm<'a>,
    },
    /// ESME: an alert_notification (no answer exists).
    Alert(AlertNotification<'a>),
    /// ESME: the SMSC asks us to bind (outbind); call [`Session::bind`](crate::Session::bind).
    Outbind(Outbind<'a>),
    /// SMSC: an ESME asks to bind; accept or reject it.
    BindRequest {
        /// Pass to `accept_bind` or `reject_bind`.
        token: IncomingToken,
        /// The bind type.
        kind: BindKind,
        /// Credentials and the rest.
        bind: Bind<'a>,
    },
    /// SMSC: a request (submit_sm, submit_multi, query_sm, cancel_sm, replace_sm, broadcast...)
    /// to answer with [`Session::respond`](crate::Session::respond).
    Request {
        /// Pass to `respond`.
        token: IncomingToken,
        /// The request.
        pdu: Pdu<'a>,
    },
    /// Submissions are paused after throttling until this instant.
    Throttled {
        /// When submitting may resume.
        until: Instant,
    },
    /// The session is closed; flush `poll_transmit`, then close the connection.
    Closed(CloseReason),
}
