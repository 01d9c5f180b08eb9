//! What the client takes and gives: configuration, messages, outcomes, receipts, events.

use std::fmt;
use std::time::Duration;

use smpp_codec::text::segment::Concatenation;
use smpp_codec::{CommandStatus, MessageState, NetworkErrorCode, Npi, Ton};
use smpp_session::{Backoff, BindKind, CloseReason, CommandError};

use crate::secret::Password;

/// How the client connects, binds and behaves.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// The account (system_id).
    pub system_id: String,
    /// Its password; never printed or logged.
    pub password: Password,
    /// system_type, often empty.
    pub system_type: String,
    /// The bind: transceiver (default), transmitter or receiver.
    pub bind: BindKind,
    /// address_range of the bind (receiver and transceiver), often empty.
    pub address_range: String,
    /// With a transmitter bind, also open a receiver bind to the same SMSC for the receipts
    /// (many SMSCs, LabsMobile among them, deliver them only to a receiver or transceiver).
    pub receiver_beside: bool,
    /// The session's timers, keepalive, window and acknowledgement mode.
    pub session: smpp_session::Config,
    /// How long a TCP connection may take.
    pub connect_timeout: Duration,
    /// Reconnect after the connection is lost, or fail everything in flight (`None`).
    pub reconnect: Option<Reconnect>,
    /// Requests waiting to enter the window; `submit` blocks while this many wait.
    pub queue: usize,
    /// Events (receipts, messages) kept for [`Client::events`](crate::Client::events) before the
    /// newest are dropped (and counted in the log).
    pub events: usize,
}

impl ClientConfig {
    /// A transceiver bind with `system_id` and `password`, and the defaults otherwise.
    pub fn new(system_id: impl Into<String>, password: impl Into<Password>) -> Self {
        ClientConfig {
            system_id: system_id.into(),
            password: password.into(),
            system_type: String::new(),
            bind: BindKind::Transceiver,
            address_range: String::new(),
            receiver_beside: false,
            session: smpp_session::Config::default(),
            connect_timeout: Duration::from_secs(10),
            reconnect: None,
            queue: 1024,
            events: 1024,
        }
    }
}

/// What happens after the connection is lost.
#[derive(Copy, Clone, Debug)]
pub struct Reconnect {
    /// When to try again; reset after each successful bind.
    pub backoff: Backoff,
    /// Send the requests lost with the connection again once bound (they may then reach the
    /// handset twice); otherwise they end with [`Failure::ConnectionLost`].
    pub resubmit: bool,
}

/// A source or destination address, owned.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Addr {
    /// Type of number.
    pub ton: Ton,
    /// Numbering plan.
    pub npi: Npi,
    /// The address as it goes on the wire.
    pub addr: String,
}

impl Addr {
    /// An address with explicit TON and NPI.
    pub fn new(ton: Ton, npi: Npi, addr: impl Into<String>) -> Self {
        Addr { ton, npi, addr: addr.into() }
    }

    /// A sender as users write it: letters (up to 11 characters) are alphanumeric (TON 5);
    /// digits after a `+` are international (the `+` is dropped); other digits are of unknown
    /// type with the ISDN plan; empty is empty.
    ///
    /// # Errors
    /// A description of what is wrong: too long, or characters a sender cannot have.
    pub fn sender(s: &str) -> Result<Addr, String> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(Addr::default());
        }
        if let Ok(number) = Addr::number(s) {
            return Ok(number);
        }
        if s.chars().count() > 11 {
            return Err(format!("alphanumeric sender {s:?} is longer than 11 characters"));
        }
        if !s.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
            return Err(format!("sender {s:?} has characters an alphanumeric sender cannot carry"));
        }
        Ok(Addr::new(Ton::ALPHANUMERIC, Npi::UNKNOWN, s))
    }

    /// A phone number: `+` and digits is international (the `+` is dropped on the wire),
    /// digits alone are of unknown type; spaces, dashes, dots and brackets are ignored.
    ///
    /// # Errors
    /// A description: empty, not a number, or longer than 20 digits.
    pub fn number(s: &str) -> Result<Addr, String> {
        let s = s.trim();
        let (international, rest) = match s.strip_prefix('+') {
            Some(r) => (true, r),
            None => (false, s),
        };
        let digits: String = rest.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!("{s:?} is not a phone number"));
        }
        if digits.len() > 20 {
            return Err(format!("{s:?} has more than 20 digits"));
        }
        let ton = if international { Ton::INTERNATIONAL } else { Ton::UNKNOWN };
        Ok(Addr::new(ton, Npi::ISDN, digits))
    }

    /// An owned copy of a decoded address.
    pub fn from_address(a: &smpp_codec::Address<'_>) -> Self {
        Addr { ton: a.ton, npi: a.npi, addr: String::from_utf8_lossy(a.addr.as_bytes()).into_owned() }
    }

    /// The codec's view of it.
    pub fn as_address(&self) -> smpp_codec::Address<'_> {
        smpp_codec::Address::new(self.ton, self.npi, self.addr.as_str())
    }
}

/// Which encoding a text goes in.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum TextEncoding {
    /// GSM 03.38 when the text fits it, else UCS-2.
    #[default]
    Auto,
    /// GSM 03.38 (an error if the text has characters outside it).
    Gsm7,
    /// UCS-2 (UTF-16).
    Ucs2,
    /// Latin-1 (an error for characters outside it).
    Latin1,
}

/// A text to send, split into as many parts as it needs.
#[derive(Clone, Debug)]
pub struct TextMessage {
    /// Sender.
    pub from: Addr,
    /// Recipient.
    pub to: Addr,
    /// The text.
    pub text: String,
    /// Its encoding.
    pub encoding: TextEncoding,
    /// How long texts are split and tied together.
    pub concatenation: Concatenation,
    /// service_type (EngageLab: MSG, CODE or MRKT).
    pub service_type: String,
    /// Ask for a delivery receipt.
    pub receipt: bool,
    /// validity_period, as an SMPP time (absolute or relative), empty for the SMSC's default.
    pub validity: String,
    /// schedule_delivery_time, as an SMPP time, empty for now.
    pub schedule: String,
    /// priority_flag (0–3).
    pub priority: u8,
}

impl TextMessage {
    /// A text from `from` to `to`, encoding chosen automatically, UDH concatenation, no receipt.
    pub fn new(from: Addr, to: Addr, text: impl Into<String>) -> Self {
        TextMessage {
            from,
            to,
            text: text.into(),
            encoding: TextEncoding::Auto,
            concatenation: Concatenation::Udh8,
            service_type: String::new(),
            receipt: false,
            validity: String::new(),
            schedule: String::new(),
            priority: 0,
        }
    }

    /// The same, asking for a delivery receipt.
    #[must_use]
    pub fn with_receipt(mut self) -> Self {
        self.receipt = true;
        self
    }
}

/// Identifies a message (or request) handed to the client, for the whole life of the client
/// (across reconnections).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageKey(pub u64);

/// A message id given by the SMSC (at most 64 characters), kept without allocating.
#[derive(Copy, Clone, PartialEq, Eq, Hash)]
pub struct MessageId {
    len: u8,
    bytes: [u8; 64],
}

impl MessageId {
    /// The id of `bytes` (cut at 64 octets).
    pub fn new(bytes: &[u8]) -> Self {
        let n = bytes.len().min(64);
        let mut id = MessageId { len: n as u8, bytes: [0; 64] };
        if let (Some(dst), Some(src)) = (id.bytes.get_mut(..n), bytes.get(..n)) {
            dst.copy_from_slice(src);
        }
        id
    }

    /// Its octets.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// As text (non-UTF-8 octets are replaced).
    pub fn as_str(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.as_bytes())
    }
}

impl fmt::Debug for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

/// Why a message, or one of its parts, was not accepted.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The SMSC answered with this error status.
    Status(CommandStatus),
    /// The SMSC answered generic_nack with this status.
    GenericNack(CommandStatus),
    /// The SMSC's response did not decode.
    InvalidResponse,
    /// No response in time: the SMSC may have accepted it.
    Timeout,
    /// The connection ended first: the SMSC may have accepted it.
    ConnectionLost,
    /// A part was never sent (an earlier part failed, or the connection ended first).
    NotSubmitted,
    /// The session refused the request (it cannot be encoded or can never fit).
    Refused(CommandError),
    /// The client was closed before the request was sent.
    Closed,
}

impl Failure {
    /// Whether sending the message again later may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Failure::Status(s) | Failure::GenericNack(s) => s.is_transient(),
            Failure::Timeout | Failure::ConnectionLost | Failure::NotSubmitted | Failure::Closed => true,
            Failure::InvalidResponse | Failure::Refused(_) => false,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Status(s) => write!(f, "rejected with {s} ({})", s.description().unwrap_or("no description")),
            Failure::GenericNack(s) => write!(f, "generic_nack {s} ({})", s.description().unwrap_or("no description")),
            Failure::InvalidResponse => f.write_str("the response did not decode"),
            Failure::Timeout => f.write_str("no response in time (it may have been accepted)"),
            Failure::ConnectionLost => f.write_str("the connection ended first (it may have been accepted)"),
            Failure::NotSubmitted => f.write_str("not submitted"),
            Failure::Refused(e) => write!(f, "refused: {e}"),
            Failure::Closed => f.write_str("the client was closed"),
        }
    }
}

/// How a message handed to the client ended: the id of every part the SMSC accepted, and the
/// first part that was not, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageOutcome {
    /// The message.
    pub key: MessageKey,
    /// Its number of parts.
    pub parts: u8,
    first: Option<(u8, MessageId)>,
    rest: Vec<(u8, MessageId)>,
    /// The first part not accepted (from 1) and why; `None` when all were.
    pub failure: Option<(u8, Failure)>,
    /// The request's response status when it was not a submission (query_sm, cancel_sm).
    pub status: Option<CommandStatus>,
    /// What a query_sm_resp said (when the request was a query_sm and the response carried
    /// its fields).
    pub query: Option<QueryAnswer>,
}

/// The fields of a query_sm_resp: the state of a message the SMSC accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryAnswer {
    /// The message asked about.
    pub message_id: String,
    /// When it reached its final state, as an SMPP time; empty while it is not final.
    pub final_date: String,
    /// Its state.
    pub state: MessageState,
    /// The network error code (GSM), 0 for none.
    pub error_code: u8,
}

impl MessageOutcome {
    pub(crate) fn new(key: MessageKey, parts: u8) -> Self {
        MessageOutcome { key, parts, first: None, rest: Vec::new(), failure: None, status: None, query: None }
    }

    pub(crate) fn failed(key: MessageKey, parts: u8, failure: Failure) -> Self {
        MessageOutcome { failure: Some((1, failure)), ..MessageOutcome::new(key, parts) }
    }

    pub(crate) fn add_id(&mut self, part: u8, id: MessageId) {
        if self.first.is_none() {
            self.first = Some((part, id));
        } else {
            self.rest.push((part, id));
            self.rest.sort_by_key(|(p, _)| *p);
        }
    }

    pub(crate) fn fail(&mut self, part: u8, failure: Failure) {
        if self.failure.is_none_or(|(p, _)| part < p) {
            self.failure = Some((part, failure));
        }
    }

    /// Whether every part was accepted.
    pub fn is_accepted(&self) -> bool {
        self.failure.is_none()
    }

    /// The accepted parts' numbers (from 1) and message ids, in part order.
    pub fn ids(&self) -> impl Iterator<Item = (u8, &MessageId)> {
        let mut all: Vec<(u8, &MessageId)> = self.first.iter().chain(&self.rest).map(|(p, id)| (*p, id)).collect();
        all.sort_by_key(|(p, _)| *p);
        all.into_iter()
    }

    /// The first accepted part's message id (the message's id when it has one part).
    pub fn message_id(&self) -> Option<&MessageId> {
        self.first.iter().chain(&self.rest).min_by_key(|(p, _)| *p).map(|(_, id)| id)
    }
}

/// A delivery receipt, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// The message it is about, when it was sent by this client.
    pub message: Option<MessageKey>,
    /// The part of that message (from 1).
    pub part: Option<u8>,
    /// The receipted message id.
    pub message_id: String,
    /// The state (TLV, else the text's stat).
    pub state: MessageState,
    /// The text's stat field (DELIVRD, UNDELIV, ...).
    pub stat: Option<String>,
    /// The text's err field.
    pub err: Option<String>,
    /// The text's done date, as written.
    pub done_date: Option<String>,
    /// The network_error_code TLV.
    pub network_error: Option<NetworkErrorCode>,
    /// Who the message was for (the receipt's source).
    pub recipient: String,
    /// The receipt text as received.
    pub text: String,
}

impl Receipt {
    /// Whether the message reached the handset.
    pub fn is_delivered(&self) -> bool {
        self.state == MessageState::DELIVERED
    }
}

/// A message from a handset (mobile originated), reassembled when it came in parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoMessage {
    /// The sender.
    pub from: Addr,
    /// The recipient (our number or short code).
    pub to: Addr,
    /// The text, decoded from its data_coding (undecodable octets replaced).
    pub text: String,
    /// The octets as received (of the last part, without UDH).
    pub data: Vec<u8>,
    /// data_coding.
    pub data_coding: u8,
    /// Parts it came in.
    pub parts: u8,
}

/// Answers a message or receipt in manual acknowledgement mode, through
/// [`Client::ack`](crate::Client::ack).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct AckToken {
    pub(crate) connection: u64,
    pub(crate) token: smpp_session::IncomingToken,
}

/// What the client reports besides outcomes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientEvent {
    /// Bound (again); which connection (0 the main one, 1 the receiver beside it).
    Bound {
        /// The connection.
        connection: u8,
    },
    /// A delivery receipt.
    Receipt {
        /// The receipt.
        receipt: Receipt,
        /// To answer, in manual acknowledgement mode.
        ack: Option<AckToken>,
    },
    /// A message from a handset.
    Message {
        /// The message.
        message: MoMessage,
        /// To answer, in manual acknowledgement mode.
        ack: Option<AckToken>,
    },
    /// The SMSC throttled us; submissions pause until then (milliseconds from now).
    Throttled {
        /// How long.
        pause: Duration,
    },
    /// A connection ended, with the requests it took with it (already failed, or queued again
    /// when resubmitting).
    Disconnected {
        /// The connection.
        connection: u8,
        /// Why.
        reason: Disconnect,
        /// The messages in flight then.
        lost: Vec<MessageKey>,
    },
}

/// Why a connection ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Disconnect {
    /// The session closed (unbind, dead link, ...).
    Session(CloseReason),
    /// A transport error.
    Io(String),
    /// The peer closed the connection.
    Eof,
}
