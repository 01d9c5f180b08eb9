//! What the server reports: structured events for the application (a channel per
//! subscriber), and an optional JSON-lines log of those events and of every PDU in both
//! directions.
//!
use std::fmt;
use std::io::{self, BufWriter, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crossbeam_channel::{Receiver, Sender, TrySendError};
use log::warn;
use serde_json::{Value, json};
use smpp_codec::{CommandStatus, MessageState};
use smpp_session::{BindKind, CloseReason};

use super::wallclock::{WallClock, iso8601};
use crate::Addr;

/// A fault the server injected (see [`Faults`](super::Faults)).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// A submit_sm was answered ESME_RTHROTTLED.
    Throttled,
    /// The connection was closed without unbind.
    Dropped,
    /// The connection stopped answering.
    HalfOpen,
}

impl Fault {
    fn name(self) -> &'static str {
        match self {
            Fault::Throttled => "throttled",
            Fault::Dropped => "dropped",
            Fault::HalfOpen => "half_open",
        }
    }
}

/// Why a connection ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseCause {
    /// The session closed: unbind (either side), dead link, no bind in time, bind refused,
    /// framing lost, or the server stopping.
    Session(CloseReason),
    /// The bind's credentials were wrong and the profile closes without an answer.
    BadCredentials,
    /// The fault [`Faults::drop_after`](super::Faults::drop_after).
    FaultDrop,
    /// The client closed the connection, or it broke.
    Transport(String),
}

impl CloseCause {
    /// A stable snake_case name (the log's `reason`).
    pub fn name(&self) -> String {
        match self {
            CloseCause::Session(r) => match r {
                CloseReason::Unbound => "unbound".into(),
                CloseReason::PeerUnbound => "peer_unbound".into(),
                CloseReason::BindFailed => "bind_failed".into(),
                CloseReason::LinkDead => "link_dead".into(),
                CloseReason::SessionInitTimeout => "session_init_timeout".into(),
                CloseReason::PeerKeepaliveMissing => "no_enquire_link".into(),
                CloseReason::InvalidCommandLength(n) => format!("invalid_command_length:{n}"),
                CloseReason::ConnectionLost => "connection_lost".into(),
                CloseReason::Closed => "closed".into(),
                other => format!("{other:?}"),
            },
            CloseCause::BadCredentials => "bad_credentials".into(),
            CloseCause::FaultDrop => "fault_drop".into(),
            CloseCause::Transport(e) => format!("transport:{e}"),
        }
    }
}

/// Something the server did or saw. Passwords never appear in events.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerEvent {
    /// A client connected.
    Connected {
        /// The connection's number (from 1, in order of arrival).
        connection: u64,
        /// The client's address.
        peer: SocketAddr,
    },
    /// A bind was accepted.
    Bound {
        /// The connection.
        connection: u64,
        /// The account.
        system_id: String,
        /// The bind type.
        kind: BindKind,
    },
    /// A bind was refused.
    BindRefused {
        /// The connection.
        connection: u64,
        /// The system_id it named.
        system_id: String,
        /// The bind type.
        kind: BindKind,
        /// The status answered; `None` when the connection was closed without an answer.
        status: Option<CommandStatus>,
    },
    /// A submit_sm was accepted.
    Submitted {
        /// The connection.
        connection: u64,
        /// The account.
        system_id: String,
        /// The id given.
        message_id: String,
        /// Sender.
        from: Addr,
        /// Recipient.
        to: Addr,
        /// data_coding.
        data_coding: u8,
        /// `(seq, total)` when it is a part of a longer message (UDH or SAR).
        part: Option<(u8, u8)>,
        /// The text of this submission (decoded, without UDH).
        text: String,
    },
    /// A submit_sm was refused.
    SubmitRefused {
        /// The connection.
        connection: u64,
        /// The account.
        system_id: String,
        /// The status answered.
        status: CommandStatus,
        /// Why, in words.
        reason: String,
    },
    /// A whole message arrived: a single submission, or every part of a long one, reassembled.
    Message {
        /// The connection.
        connection: u64,
        /// The account.
        system_id: String,
        /// Sender.
        from: Addr,
        /// Recipient.
        to: Addr,
        /// data_coding (of the last part).
        data_coding: u8,
        /// The id of each part, in part order.
        message_ids: Vec<String>,
        /// The whole text.
        text: String,
    },
    /// The parts of a long message could not be put together: they did not all come in time,
    /// there were too many long messages at once, a part was invalid, or a part came again
    /// (`received` is then that part's number).
    ReassemblyFailed {
        /// The connection.
        connection: u64,
        /// The account.
        system_id: String,
        /// Sender.
        from: String,
        /// The concatenation reference.
        reference: u16,
        /// Parts received.
        received: u8,
        /// Parts announced.
        total: u8,
        /// Why (expired, evicted, a bad part).
        reason: String,
    },
    /// A receipt was delivered and answered.
    Receipt {
        /// The connection it went out on.
        connection: u64,
        /// The account.
        system_id: String,
        /// The message it is about.
        message_id: String,
        /// The state it reported.
        state: MessageState,
        /// The client's deliver_sm_resp status.
        status: CommandStatus,
    },
    /// A receipt was given up.
    ReceiptDropped {
        /// The account.
        system_id: String,
        /// The message it was about.
        message_id: String,
        /// Why.
        reason: String,
    },
    /// A query_sm was answered.
    Query {
        /// The connection.
        connection: u64,
        /// The account.
        system_id: String,
        /// The message asked about.
        message_id: String,
        /// Its state; `None` when unknown (answered ESME_RQUERYFAIL).
        state: Option<MessageState>,
    },
    /// A cancel_sm was answered.
    Cancel {
        /// The connection.
        connection: u64,
        /// The account.
        system_id: String,
        /// The message named (empty: by addresses).
        message_id: String,
        /// How many messages were cancelled (0: answered ESME_RCANCELFAIL).
        cancelled: usize,
    },
    /// A fault was injected.
    Fault {
        /// The connection.
        connection: u64,
        /// Which.
        fault: Fault,
    },
    /// A connection ended.
    Closed {
        /// The connection.
        connection: u64,
        /// The account, if it was bound.
        system_id: Option<String>,
        /// Why.
        reason: CloseCause,
    },
}

fn status_name(s: CommandStatus) -> String {
    s.name().map_or_else(|| format!("0x{:08X}", s.raw()), str::to_owned)
}

fn state_name(s: MessageState) -> String {
    s.name().map_or_else(|| format!("0x{:02X}", s.raw()), str::to_owned)
}

fn bind_name(k: BindKind) -> &'static str {
    match k {
        BindKind::Transmitter => "transmitter",
        BindKind::Receiver => "receiver",
        BindKind::Transceiver => "transceiver",
    }
}

impl ServerEvent {
    /// The event as a JSON object (without `ts`), as the log writes it.
    pub fn to_json(&self) -> Value {
        match self {
            ServerEvent::Connected { connection, peer } => {
                json!({"event": "connected", "conn": connection, "peer": peer.to_string()})
            }
            ServerEvent::Bound { connection, system_id, kind } => {
                json!({"event": "bound", "conn": connection, "system_id": system_id, "bind": bind_name(*kind)})
            }
            ServerEvent::BindRefused { connection, system_id, kind, status } => json!({
                "event": "bind_refused", "conn": connection, "system_id": system_id, "bind": bind_name(*kind),
                "status": status.map(status_name),
            }),
            ServerEvent::Submitted { connection, system_id, message_id, from, to, data_coding, part, text } => json!({
                "event": "submitted", "conn": connection, "system_id": system_id, "message_id": message_id,
                "from": from.addr, "to": to.addr, "data_coding": data_coding, "part": part.map(|(s, t)| [s, t]),
                "text": text,
            }),
            ServerEvent::SubmitRefused { connection, system_id, status, reason } => json!({
                "event": "submit_refused", "conn": connection, "system_id": system_id,
                "status": status_name(*status), "reason": reason,
            }),
            ServerEvent::Message { connection, system_id, from, to, data_coding, message_ids, text } => json!({
                "event": "message", "conn": connection, "system_id": system_id, "from": from.addr, "to": to.addr,
                "data_coding": data_coding, "message_ids": message_ids, "text": text,
            }),
            ServerEvent::ReassemblyFailed { connection, system_id, from, reference, received, total, reason } => {
                json!({
                    "event": "reassembly_failed", "conn": connection, "system_id": system_id, "from": from,
                    "reference": reference, "received": received, "total": total, "reason": reason,
                })
            }
            ServerEvent::Receipt { connection, system_id, message_id, state, status } => json!({
                "event": "receipt", "conn": connection, "system_id": system_id, "message_id": message_id,
                "state": state_name(*state), "status": status_name(*status),
            }),
            ServerEvent::ReceiptDropped { system_id, message_id, reason } => json!({
                "event": "receipt_dropped", "system_id": system_id, "message_id": message_id, "reason": reason,
            }),
            ServerEvent::Query { connection, system_id, message_id, state } => json!({
                "event": "query", "conn": connection, "system_id": system_id, "message_id": message_id,
                "state": state.map(state_name),
            }),
            ServerEvent::Cancel { connection, system_id, message_id, cancelled } => json!({
                "event": "cancel", "conn": connection, "system_id": system_id, "message_id": message_id,
                "cancelled": cancelled,
            }),
            ServerEvent::Fault { connection, fault } => {
                json!({"event": "fault", "conn": connection, "fault": fault.name()})
            }
            ServerEvent::Closed { connection, system_id, reason } => json!({
                "event": "closed", "conn": connection, "system_id": system_id, "reason": reason.name(),
            }),
        }
    }
}

/// Where the JSON-lines log goes: a file or any writer, shared by every connection. Each line
/// is written and flushed whole.
#[derive(Clone)]
pub struct JsonLog {
    out: Arc<Mutex<Box<dyn Write + Send>>>,
    failed: Arc<AtomicBool>,
}

impl fmt::Debug for JsonLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonLog").finish_non_exhaustive()
    }
}

impl JsonLog {
    /// A log written to `path` (created, or truncated).
    ///
    /// # Errors
    /// The file's error.
    pub fn create(path: impl AsRef<Path>) -> io::Result<JsonLog> {
        Ok(JsonLog::new(std::fs::File::create(path)?))
    }

    /// A log written to `out`.
    pub fn new(out: impl Write + Send + 'static) -> JsonLog {
        JsonLog { out: Arc::new(Mutex::new(Box::new(BufWriter::new(out)))), failed: Arc::new(AtomicBool::new(false)) }
    }

    pub(crate) fn line(&self, v: &Value) {
        let mut out = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        let result = serde_json::to_writer(&mut *out, v)
            .map_err(io::Error::from)
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush());
        if let Err(e) = result {
            if !self.failed.swap(true, Ordering::Relaxed) {
                warn!("smpp server: the JSON log cannot be written: {e}");
            }
        }
    }
}

/// Subscribers and the log, shared by every connection.
#[derive(Debug)]
pub(crate) struct Events {
    subscribers: Mutex<Vec<Sender<ServerEvent>>>,
    any: AtomicBool,
    log: Option<JsonLog>,
    clock: WallClock,
    /// Events a full subscriber channel did not take.
    pub(crate) dropped: AtomicU64,
}

impl Events {
    pub(crate) fn new(log: Option<JsonLog>, clock: WallClock) -> Self {
        Events {
            subscribers: Mutex::new(Vec::new()),
            any: AtomicBool::new(false),
            log,
            clock,
            dropped: AtomicU64::new(0),
        }
    }

    /// Whether anyone takes events (so that they are worth building).
    pub(crate) fn wanted(&self) -> bool {
        self.log.is_some() || self.any.load(Ordering::Relaxed)
    }

    pub(crate) fn log(&self) -> Option<&JsonLog> {
        self.log.as_ref()
    }

    pub(crate) fn timestamp(&self) -> String {
        iso8601(self.clock.unix_ms(self.clock.now()))
    }

    pub(crate) fn subscribe(&self, capacity: usize) -> Receiver<ServerEvent> {
        let (tx, rx) = crossbeam_channel::bounded(capacity.max(1));
        self.subscribers.lock().unwrap_or_else(PoisonError::into_inner).push(tx);
        self.any.store(true, Ordering::Relaxed);
        rx
    }

    /// Reports an event (built only when someone takes it).
    pub(crate) fn emit(&self, event: impl FnOnce() -> ServerEvent) {
        if !self.wanted() {
            return;
        }
        let event = event();
        if let Some(log) = &self.log {
            let mut v = event.to_json();
            if let Value::Object(m) = &mut v {
                m.insert("ts".into(), Value::String(self.timestamp()));
            }
            log.line(&v);
        }
        if !self.any.load(Ordering::Relaxed) {
            return;
        }
        let mut subs = self.subscribers.lock().unwrap_or_else(PoisonError::into_inner);
        subs.retain(|s| match s.try_send(event.clone()) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
                true
            }
            Err(TrySendError::Disconnected(_)) => false,
        });
        if subs.is_empty() {
            self.any.store(false, Ordering::Relaxed);
        }
    }
}
