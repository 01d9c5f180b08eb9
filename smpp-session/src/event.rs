//! What the session reports to the application: owned values, so that the application can call
//! the session (submit, respond, unbind) while it handles one.

use smpp_codec::{CommandId, CommandStatus, MessageState};

use crate::{BindKind, Instant};

/// Identifies a request the application handed to the session; its outcome carries the same
/// handle. Unique within a session (a `u32` counter).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Handle(pub u32);

/// Identifies a request from the peer that the application must answer (with
/// [`Session::respond`](crate::Session::respond) and friends).
///
/// A token answers only the request it was issued for: each carries a generation, so a token
/// kept after its request was answered is refused even when the peer reuses the sequence number.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IncomingToken {
    pub(crate) slot: u16,
    pub(crate) generation: u32,
    pub(crate) sequence_number: u32,
}

impl IncomingToken {
    /// The sequence number of the peer's request.
    pub const fn sequence_number(&self) -> u32 {
        self.sequence_number
    }
}

/// How a request of the application ended. Exactly one per request.
///
/// The response body, when one came, is read with [`Session::pdu`](crate::Session::pdu) (and
/// [`Session::message_id`](crate::Session::message_id)) right after the event is polled.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Outcome {
    /// The peer answered with this status (for an error status the body is usually empty).
    Response {
        /// The response's command_status.
        status: CommandStatus,
    },
    /// The peer answered generic_nack.
    GenericNack {
        /// Its command_status.
        status: CommandStatus,
    },
    /// The peer answered with a response that does not decode.
    InvalidResponse {
        /// The response's command_status.
        status: CommandStatus,
        /// What was wrong with it.
        error: smpp_codec::Error,
    },
    /// No response within the response timeout. The peer may still have acted on the request.
    Timeout,
    /// The connection ended before a response came. The peer may have acted on the request.
    ConnectionLost,
}

impl Outcome {
    /// Whether the request succeeded (a response with ESME_ROK).
    pub const fn is_ok(&self) -> bool {
        matches!(self, Outcome::Response { status } if status.is_ok())
    }

    /// The response's status, if a response came.
    pub const fn status(&self) -> Option<CommandStatus> {
        match self {
            Outcome::Response { status }
            | Outcome::GenericNack { status }
            | Outcome::InvalidResponse { status, .. } => Some(*status),
            Outcome::Timeout | Outcome::ConnectionLost => None,
        }
    }

    /// Whether sending the same request again later may succeed: a transient status
    /// (throttled, queue full, system error), a timeout or a lost connection.
    ///
    /// After a timeout or a lost connection the peer may already have accepted the request, so a
    /// retry can duplicate it.
    pub const fn is_retryable(&self) -> bool {
        match self {
            Outcome::Response { status } | Outcome::GenericNack { status } => status.is_transient(),
            Outcome::InvalidResponse { .. } => false,
            Outcome::Timeout | Outcome::ConnectionLost => true,
        }
    }

    /// The part failure this outcome means for a part of a multi-part message, `None` when the
    /// part was accepted.
    pub const fn part_failure(&self) -> Option<PartFailure> {
        match self {
            Outcome::Response { status } if status.is_ok() => None,
            Outcome::Response { status } | Outcome::GenericNack { status } => Some(PartFailure::Status(*status)),
            Outcome::InvalidResponse { .. } => Some(PartFailure::InvalidResponse),
            Outcome::Timeout => Some(PartFailure::Timeout),
            Outcome::ConnectionLost => Some(PartFailure::ConnectionLost),
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
    /// The connection ended first (or the application closed the session).
    ConnectionLost,
}

/// Why the session closed.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CloseReason {
    /// We unbound and the peer answered (or did not answer within the unbind timeout).
    Unbound,
    /// The peer unbound; we answered.
    PeerUnbound,
    /// The bind failed.
    BindFailed,
    /// The link is dead: no enquire_link_resp within its timeout, or too many consecutive
    /// response timeouts with nothing received (a half-open connection).
    LinkDead,
    /// SMSC role: no bind within the session init timeout.
    SessionInitTimeout,
    /// The peer sent no enquire_link within [`Config::peer_keepalive`](crate::Config::peer_keepalive).
    PeerKeepaliveMissing,
    /// The peer sent a command_length that cannot be right; framing is lost.
    InvalidCommandLength(u32),
    /// The adapter reported the connection closed or broken.
    ConnectionLost,
    /// The application closed the session.
    Closed,
}

/// What happened, drained with [`Session::poll_event`](crate::Session::poll_event).
///
/// Events are owned: handle one while calling the session. An event that came from a PDU the
/// peer sent (a response, a message, a receipt, a request) leaves that PDU readable through
/// [`Session::pdu`](crate::Session::pdu) and friends until the next `poll_event` or input call.
///
/// [`Event::Closed`] is always the last event of a session.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Event {
    /// ESME: the bind succeeded. The bind_resp (the SMSC's system_id) is in
    /// [`Session::pdu`](crate::Session::pdu).
    Bound {
        /// The bind type.
        kind: BindKind,
        /// The SMSC's sc_interface_version, if it sent one.
        sc_interface_version: Option<u8>,
    },
    /// ESME: the bind failed; [`Event::Closed`] follows.
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
        outcome: Outcome,
    },
    /// Every part of a multi-part message has its outcome (each came as [`Event::Outcome`] with
    /// its message_id); this is the one outcome of the message as a whole.
    MessageDone {
        /// The message's handle.
        message: Handle,
        /// The number of parts the message has.
        total: u8,
        /// Parts the SMSC accepted.
        accepted: u8,
        /// The first part that did not succeed, and how it ended; `None` when all were accepted.
        failed: Option<(u8, PartFailure)>,
    },
    /// ESME: a mobile-originated message (a deliver_sm that is not a receipt), in
    /// [`Session::pdu`](crate::Session::pdu).
    Message {
        /// Answer with [`Session::ack`](crate::Session::ack) in manual ack mode.
        token: Option<IncomingToken>,
    },
    /// ESME: a delivery receipt: a deliver_sm with the receipt or intermediate message type, or
    /// with a receipted_message_id TLV whatever its esm_class (EngageLab sends esm_class 0). The
    /// merged receipt is [`Session::receipt`](crate::Session::receipt), the PDU
    /// [`Session::pdu`](crate::Session::pdu).
    Receipt {
        /// Answer with [`Session::ack`](crate::Session::ack) in manual ack mode.
        token: Option<IncomingToken>,
        /// The submission it is about, when its message id is among those remembered (matched
        /// with [`Config::id_match`](crate::Config::id_match)).
        submit: Option<Handle>,
        /// The multi-part message and part the submission was, if it was one.
        part: Option<PartOf>,
        /// The receipt's state (message_state TLV, else the text's stat), when it names one.
        state: Option<MessageState>,
    },
    /// A data_sm from the peer, in [`Session::pdu`](crate::Session::pdu).
    DataSm {
        /// Answer it (in manual ack mode, or always in the SMSC role).
        token: Option<IncomingToken>,
    },
    /// ESME: an alert_notification (no answer exists), in [`Session::pdu`](crate::Session::pdu).
    Alert,
    /// ESME: the SMSC asks us to bind (outbind, in [`Session::pdu`](crate::Session::pdu)); call
    /// [`Session::bind`](crate::Session::bind).
    Outbind,
    /// SMSC: an ESME asks to bind; accept or reject it. The credentials are in
    /// [`Session::pdu`](crate::Session::pdu).
    BindRequest {
        /// Pass to `accept_bind` or `reject_bind`.
        token: IncomingToken,
        /// The bind type.
        kind: BindKind,
    },
    /// SMSC: a request (submit_sm, submit_multi, query_sm, cancel_sm, replace_sm, broadcast...)
    /// to answer with [`Session::respond`](crate::Session::respond); the PDU is in
    /// [`Session::pdu`](crate::Session::pdu).
    Request {
        /// Pass to `respond`.
        token: IncomingToken,
        /// The request's command.
        command: CommandId,
    },
    /// Submissions are paused after throttling until this instant.
    Throttled {
        /// When submitting may resume.
        until: Instant,
    },
    /// The session is closed; send what [`Session::transmit`](crate::Session::transmit) still
    /// holds, then close the connection. Always the last event.
    Closed(CloseReason),
}
