//! Everything `smpp.h` declares besides the functions: constants and `#[repr(C)]` structs.
//!
//! cbindgen copies these items and their doc comments into the header, so the comments speak
//! to a C programmer. Constants are literals (cbindgen drops constants computed with
//! `size_of`); `lib.rs` checks at compile time that the literals match the Rust types.
#![forbid(unsafe_code)]
#![allow(non_camel_case_types)]

use core::ffi::c_char;
use core::ptr;

// ---- versions -----------------------------------------------------------------------------

/// The ABI this header describes: (major << 16) | minor. A library accepts a header of the
/// same major and a minor not above its own (a minor adds functions or constants, never
/// changes a struct); a different major means the structs differ, and init refuses it.
pub const SMPP_ABI_VERSION: u32 = (SMPP_ABI_MAJOR << 16) | SMPP_ABI_MINOR;

/// The major part of `SMPP_ABI_VERSION`.
pub const SMPP_ABI_MAJOR: u32 = 1;

/// The minor part of `SMPP_ABI_VERSION`.
pub const SMPP_ABI_MINOR: u32 = 0;

// ---- storage ------------------------------------------------------------------------------

/// The build's window: requests in flight, multi-part messages in progress and peer requests
/// awaiting an answer, at most. 8, or 32 in a library built with the `window-32` feature
/// (define `SMPP_WINDOW_32` before including this header to match it).
#[cfg(not(feature = "window-32"))]
pub const SMPP_WINDOW: u32 = 8;
/// The build's window (the `window-32` feature).
#[cfg(feature = "window-32")]
pub const SMPP_WINDOW: u32 = 32;

// The session needs 1784 octets on 32-bit targets and 1904 on 64-bit ones (5240 and 5360 with
// a window of 32); each figure below keeps 64 octets of room so that a small change inside the
// session does not change the ABI. `lib.rs` checks that they suffice.

/// 64-bit words of `smpp_session` on 32-bit targets (Cortex-M, RISC-V 32, ...).
#[cfg(all(target_pointer_width = "32", not(feature = "window-32")))]
pub const SMPP_SESSION_WORDS: usize = 231;
/// 64-bit words of `smpp_session` on 64-bit targets.
#[cfg(all(target_pointer_width = "64", not(feature = "window-32")))]
pub const SMPP_SESSION_WORDS: usize = 246;
/// 64-bit words of `smpp_session` on 32-bit targets, window 32.
#[cfg(all(target_pointer_width = "32", feature = "window-32"))]
pub const SMPP_SESSION_WORDS: usize = 663;
/// 64-bit words of `smpp_session` on 64-bit targets, window 32.
#[cfg(all(target_pointer_width = "64", feature = "window-32"))]
pub const SMPP_SESSION_WORDS: usize = 678;

/// Storage for one session, owned by the caller (static, stack, or heap): `smpp_esme_init` and
/// `smpp_smsc_init` check its size and alignment. Its contents are private. Between init and
/// `smpp_session_deinit` it must not move, and neither may the buffers given to init.
#[repr(C)]
#[derive(Debug)]
pub struct smpp_session {
    /// Private.
    pub opaque: [u64; SMPP_SESSION_WORDS],
}

// ---- return codes -------------------------------------------------------------------------

/// Success.
pub const SMPP_OK: i32 = 0;
/// A required pointer is NULL.
pub const SMPP_ERR_NULL_POINTER: i32 = -1;
/// An argument is out of range: an unknown enum value, a length beyond what was offered, text
/// that is not UTF-8, buffers that overlap.
pub const SMPP_ERR_BAD_ARGUMENT: i32 = -2;
/// The session storage is smaller than `smpp_session_size()`.
pub const SMPP_ERR_STORAGE_TOO_SMALL: i32 = -3;
/// The session storage is not aligned to `smpp_session_align()`.
pub const SMPP_ERR_STORAGE_MISALIGNED: i32 = -4;
/// The header's ABI version is not one this library serves (see `SMPP_ABI_VERSION`).
pub const SMPP_ERR_VERSION_MISMATCH: i32 = -5;
/// The storage holds no live session: never initialized, or deinitialized.
pub const SMPP_ERR_NOT_INITIALIZED: i32 = -6;
/// A bug in the library was caught (host builds); the session is unusable from then on and
/// only `smpp_session_deinit` works on it.
pub const SMPP_ERR_PANIC: i32 = -7;

/// The receive buffer is smaller than `smpp_min_receive_buffer()`.
pub const SMPP_ERR_RECEIVE_BUFFER_TOO_SMALL: i32 = -10;
/// The transmit buffer is smaller than `smpp_min_transmit_buffer()`.
pub const SMPP_ERR_TRANSMIT_BUFFER_TOO_SMALL: i32 = -11;
/// The window is 0 or larger than 65535.
pub const SMPP_ERR_INVALID_WINDOW: i32 = -12;

/// Busy: the window is full; wait for an outcome.
pub const SMPP_ERR_WINDOW_FULL: i32 = -20;
/// Busy: submissions are paused after throttling (`smpp_paused_until` tells until when).
pub const SMPP_ERR_PAUSED: i32 = -21;
/// Busy: the transmit buffer is full; send what `smpp_transmit` holds first.
pub const SMPP_ERR_TRANSMIT_BUFFER_FULL: i32 = -22;
/// Not allowed in the session's state or role (submit before bind, bind twice, ...).
pub const SMPP_ERR_INVALID_STATE: i32 = -23;
/// A field cannot be encoded: longer than SMPP allows, or a NUL inside.
pub const SMPP_ERR_ENCODE: i32 = -24;
/// Not a request this call accepts.
pub const SMPP_ERR_NOT_A_REQUEST: i32 = -25;
/// The token names no pending peer request (already answered, or from an earlier session).
pub const SMPP_ERR_UNKNOWN_TOKEN: i32 = -26;
/// That response does not answer that request.
pub const SMPP_ERR_WRONG_RESPONSE: i32 = -27;
/// The text has a character the chosen encoding cannot write.
pub const SMPP_ERR_TEXT_UNREPRESENTABLE: i32 = -28;
/// The text needs more than 255 parts, or is too long for one message_payload.
pub const SMPP_ERR_TEXT_TOO_LONG: i32 = -29;
/// The scratch buffer cannot hold a part (with `SMPP_CONCAT_PAYLOAD`: the whole encoded text).
pub const SMPP_ERR_SCRATCH_TOO_SMALL: i32 = -30;
/// The message can never fit: more parts than the window, or larger than the transmit buffer.
pub const SMPP_ERR_TOO_LARGE: i32 = -31;

// ---- enumerations (each crosses as a checked uint32_t) ------------------------------------

/// No bind (a state without one).
pub const SMPP_BIND_NONE: u32 = 0;
/// bind_transmitter: submit only.
pub const SMPP_BIND_TRANSMITTER: u32 = 1;
/// bind_receiver: receive only.
pub const SMPP_BIND_RECEIVER: u32 = 2;
/// bind_transceiver: both.
pub const SMPP_BIND_TRANSCEIVER: u32 = 3;

/// Connected, not bound.
pub const SMPP_STATE_OPEN: u32 = 0;
/// Bind sent (ESME) or received and awaiting the application (SMSC).
pub const SMPP_STATE_BINDING: u32 = 1;
/// Bound.
pub const SMPP_STATE_BOUND: u32 = 2;
/// unbind sent, waiting for unbind_resp.
pub const SMPP_STATE_UNBINDING: u32 = 3;
/// Closed: send what `smpp_transmit` holds, then close the connection.
pub const SMPP_STATE_CLOSED: u32 = 4;

/// Never send enquire_link (the peer's are still answered).
pub const SMPP_KEEPALIVE_OFF: u32 = 0;
/// Send enquire_link after `keepalive_interval_ms` without any PDU received.
pub const SMPP_KEEPALIVE_WHEN_IDLE: u32 = 1;
/// Send enquire_link every `keepalive_interval_ms`, busy or not.
pub const SMPP_KEEPALIVE_EVERY: u32 = 2;

/// The session answers deliver_sm and data_sm as soon as they decode.
pub const SMPP_ACK_AUTO: u32 = 0;
/// The application answers them with `smpp_ack` once it has stored the message.
pub const SMPP_ACK_MANUAL: u32 = 1;

/// Receipt ids match submit_sm_resp ids byte for byte.
pub const SMPP_ID_MATCH_EXACT: u32 = 0;
/// Receipt ids match ignoring ASCII case.
pub const SMPP_ID_MATCH_CASE_INSENSITIVE: u32 = 1;
/// Exact, then ignoring case, then as numbers in the bases `id_submit_base` and
/// `id_receipt_base`.
pub const SMPP_ID_MATCH_NUMERIC: u32 = 2;

/// Ids in hexadecimal.
pub const SMPP_ID_BASE_HEX: u32 = 0;
/// Ids in decimal.
pub const SMPP_ID_BASE_DECIMAL: u32 = 1;
/// Decimal when every digit is, and hexadecimal as well.
pub const SMPP_ID_BASE_AUTO: u32 = 2;

/// The cheapest encoding that writes the text: GSM 03.38 (with a national shift table among
/// `languages`, when that needs fewer parts), else UCS-2.
pub const SMPP_ENCODING_AUTO: u32 = 0;
/// GSM 03.38 default alphabet (data_coding 0).
pub const SMPP_ENCODING_GSM7: u32 = 1;
/// UCS-2 / UTF-16BE (data_coding 8): any text, emoji as surrogate pairs.
pub const SMPP_ENCODING_UCS2: u32 = 2;
/// Latin-1 (data_coding 3).
pub const SMPP_ENCODING_LATIN1: u32 = 3;
/// IA5 / ASCII (data_coding 1).
pub const SMPP_ENCODING_ASCII: u32 = 4;

/// Parts tied by a UDH with an 8-bit reference.
pub const SMPP_CONCAT_UDH8: u32 = 0;
/// Parts tied by a UDH with a 16-bit reference.
pub const SMPP_CONCAT_UDH16: u32 = 1;
/// Parts tied by the sar_* TLVs (the SMSC builds the UDH).
pub const SMPP_CONCAT_SAR: u32 = 2;
/// The whole text in one message_payload TLV (needs `scratch` for the encoded text).
pub const SMPP_CONCAT_PAYLOAD: u32 = 3;

/// `languages` bit: Turkish national shift tables (language id 1).
pub const SMPP_LANGUAGE_TURKISH: u32 = 1 << 1;
/// `languages` bit: Spanish national single shift table (language id 2).
pub const SMPP_LANGUAGE_SPANISH: u32 = 1 << 2;
/// `languages` bit: Portuguese national shift tables (language id 3).
pub const SMPP_LANGUAGE_PORTUGUESE: u32 = 1 << 3;

/// No event (never returned with a positive result).
pub const SMPP_EVENT_NONE: u32 = 0;
/// ESME: the bind succeeded. `bind_kind`; `system_id` is the SMSC's; `interface_version` when
/// `SMPP_EVENT_HAS_INTERFACE_VERSION`.
pub const SMPP_EVENT_BOUND: u32 = 1;
/// ESME: the bind failed (`reason` is an `SMPP_BIND_FAILURE_*`, `command_status` the SMSC's
/// status); `SMPP_EVENT_CLOSED` follows.
pub const SMPP_EVENT_BIND_FAILED: u32 = 2;
/// The outcome of a request (`handle`, `command_id`, `reason` an `SMPP_OUTCOME_*`,
/// `command_status` when `SMPP_EVENT_HAS_STATUS`, `message_id`; `message`, `part_index`,
/// `part_total` when `SMPP_EVENT_HAS_PART`). Exactly one per request.
pub const SMPP_EVENT_OUTCOME: u32 = 3;
/// Every part of a multi-part message has its outcome: `handle` is the message's,
/// `part_total`, `accepted`; `failed_part` (0 when none) with `reason` an
/// `SMPP_PART_FAILURE_*` and `command_status`.
pub const SMPP_EVENT_MESSAGE_DONE: u32 = 4;
/// ESME: a mobile-originated deliver_sm: addresses, `esm_class`, `data_coding`, `text`;
/// `token` to `smpp_ack` in manual ack mode.
pub const SMPP_EVENT_MESSAGE: u32 = 5;
/// ESME: a delivery receipt: `message_id` (the receipted id), `message_state` when
/// `SMPP_EVENT_HAS_STATE`, `handle` of the submission when `SMPP_EVENT_HAS_HANDLE` (and its
/// part when `SMPP_EVENT_HAS_PART`), `receipt_stat`, `receipt_error`, `network_error`, `text`;
/// `token` in manual ack mode.
pub const SMPP_EVENT_RECEIPT: u32 = 6;
/// A data_sm from the peer: addresses, `esm_class`, `data_coding`, `text` (message_payload);
/// `token` to answer (manual ack mode, or always as an SMSC).
pub const SMPP_EVENT_DATA_SM: u32 = 7;
/// ESME: an alert_notification: `source_addr` (the mobile), `dest_addr` (the ESME address).
pub const SMPP_EVENT_ALERT: u32 = 8;
/// ESME: the SMSC asks us to bind (`system_id`, `password`); call `smpp_bind`.
pub const SMPP_EVENT_OUTBIND: u32 = 9;
/// SMSC: an ESME asks to bind: `bind_kind`, `system_id`, `password`, `interface_version`;
/// answer `token` with `smpp_accept_bind` or `smpp_reject_bind`.
pub const SMPP_EVENT_BIND_REQUEST: u32 = 10;
/// SMSC: a request to answer with `smpp_respond` (`token`, `command_id`); a submit_sm's
/// addresses, `esm_class`, `data_coding` and `text` are filled in.
pub const SMPP_EVENT_REQUEST: u32 = 11;
/// Submissions are paused after throttling until `until_ms`.
pub const SMPP_EVENT_THROTTLED: u32 = 12;
/// The session is closed (`reason` an `SMPP_CLOSE_*`; `detail` the command_length with
/// `SMPP_CLOSE_INVALID_COMMAND_LENGTH`). Always the last event: send what `smpp_transmit`
/// holds, then close the connection.
pub const SMPP_EVENT_CLOSED: u32 = 13;
/// An event this ABI version has no kind for (a newer session); `command_id` and the PDU's
/// fields are filled in where there is one.
pub const SMPP_EVENT_OTHER: u32 = 255;

/// `flags` bit: `handle` is set.
pub const SMPP_EVENT_HAS_HANDLE: u32 = 1 << 0;
/// `flags` bit: `message`, `part_index` and `part_total` are set.
pub const SMPP_EVENT_HAS_PART: u32 = 1 << 1;
/// `flags` bit: `command_status` is a status the peer sent.
pub const SMPP_EVENT_HAS_STATUS: u32 = 1 << 2;
/// `flags` bit: `message_state` is set.
pub const SMPP_EVENT_HAS_STATE: u32 = 1 << 3;
/// `flags` bit: `interface_version` is set.
pub const SMPP_EVENT_HAS_INTERFACE_VERSION: u32 = 1 << 4;
/// `flags` bit: `network_error` is set.
pub const SMPP_EVENT_HAS_NETWORK_ERROR: u32 = 1 << 5;

/// Outcome: the peer answered (`command_status`; `SMPP_STATUS_OK` means accepted).
pub const SMPP_OUTCOME_RESPONSE: u32 = 0;
/// Outcome: the peer answered generic_nack (`command_status`).
pub const SMPP_OUTCOME_GENERIC_NACK: u32 = 1;
/// Outcome: the response did not decode (`command_status` as it came).
pub const SMPP_OUTCOME_INVALID_RESPONSE: u32 = 2;
/// Outcome: no response within the response timeout (the peer may have acted on it).
pub const SMPP_OUTCOME_TIMEOUT: u32 = 3;
/// Outcome: the connection ended first (the peer may have acted on it).
pub const SMPP_OUTCOME_CONNECTION_LOST: u32 = 4;

/// Bind failure: bind_resp with an error `command_status`.
pub const SMPP_BIND_FAILURE_REJECTED: u32 = 0;
/// Bind failure: generic_nack (`command_status`).
pub const SMPP_BIND_FAILURE_GENERIC_NACK: u32 = 1;
/// Bind failure: no bind_resp within the bind timeout.
pub const SMPP_BIND_FAILURE_TIMEOUT: u32 = 2;
/// Bind failure: the connection ended first, or the application closed the session.
pub const SMPP_BIND_FAILURE_CONNECTION_LOST: u32 = 3;

/// Part failure: answered with an error `command_status` (or a generic_nack).
pub const SMPP_PART_FAILURE_STATUS: u32 = 0;
/// Part failure: the response did not decode.
pub const SMPP_PART_FAILURE_INVALID_RESPONSE: u32 = 1;
/// Part failure: no response in time.
pub const SMPP_PART_FAILURE_TIMEOUT: u32 = 2;
/// Part failure: the connection ended first.
pub const SMPP_PART_FAILURE_CONNECTION_LOST: u32 = 3;
/// Part failure: never submitted.
pub const SMPP_PART_FAILURE_NOT_SUBMITTED: u32 = 4;

/// Closed: we unbound (answered or not within the unbind timeout).
pub const SMPP_CLOSE_UNBOUND: u32 = 0;
/// Closed: the peer unbound; we answered.
pub const SMPP_CLOSE_PEER_UNBOUND: u32 = 1;
/// Closed: the bind failed.
pub const SMPP_CLOSE_BIND_FAILED: u32 = 2;
/// Closed: the link is dead (no enquire_link_resp, or responses stopped altogether).
pub const SMPP_CLOSE_LINK_DEAD: u32 = 3;
/// Closed: SMSC role, no bind within the session init timeout.
pub const SMPP_CLOSE_SESSION_INIT_TIMEOUT: u32 = 4;
/// Closed: the peer sent an impossible command_length (in `detail`); framing is lost.
pub const SMPP_CLOSE_INVALID_COMMAND_LENGTH: u32 = 5;
/// Closed: `smpp_handle_connection_lost` was called.
pub const SMPP_CLOSE_CONNECTION_LOST: u32 = 6;
/// Closed: `smpp_close` was called.
pub const SMPP_CLOSE_CLOSED: u32 = 7;
/// The peer sent no enquire_link within `peer_keepalive_ms`.
pub const SMPP_CLOSE_PEER_KEEPALIVE_MISSING: u32 = 8;
/// A reason this version of the header does not name.
pub const SMPP_CLOSE_OTHER: u32 = 0xFFFF;

/// command_status ESME_ROK.
pub const SMPP_STATUS_OK: u32 = 0x0000_0000;
/// command_status ESME_RBINDFAIL.
pub const SMPP_STATUS_BIND_FAILED: u32 = 0x0000_000D;
/// command_status ESME_RINVPASWD.
pub const SMPP_STATUS_INVALID_PASSWORD: u32 = 0x0000_000E;
/// command_status ESME_RSYSERR.
pub const SMPP_STATUS_SYSTEM_ERROR: u32 = 0x0000_0008;
/// command_status ESME_RMSGQFUL.
pub const SMPP_STATUS_MESSAGE_QUEUE_FULL: u32 = 0x0000_0014;
/// command_status ESME_RTHROTTLED.
pub const SMPP_STATUS_THROTTLED: u32 = 0x0000_0058;
/// command_status ESME_RX_T_APPN: a transient error, deliver again later.
pub const SMPP_STATUS_TEMPORARY_APP_ERROR: u32 = 0x0000_0064;

/// command_id submit_sm.
pub const SMPP_COMMAND_SUBMIT_SM: u32 = 0x0000_0004;
/// command_id submit_sm_resp.
pub const SMPP_COMMAND_SUBMIT_SM_RESP: u32 = 0x80000004;
/// command_id deliver_sm.
pub const SMPP_COMMAND_DELIVER_SM: u32 = 0x0000_0005;
/// command_id deliver_sm_resp.
pub const SMPP_COMMAND_DELIVER_SM_RESP: u32 = 0x8000_0005;
/// command_id data_sm.
pub const SMPP_COMMAND_DATA_SM: u32 = 0x0000_0103;
/// command_id enquire_link.
pub const SMPP_COMMAND_ENQUIRE_LINK: u32 = 0x0000_0015;
/// command_id generic_nack.
pub const SMPP_COMMAND_GENERIC_NACK: u32 = 0x8000_0000;

/// esm_class bit: the short message starts with a user data header.
pub const SMPP_ESM_CLASS_UDHI: u8 = 0x40;
/// esm_class message type: SMSC delivery receipt.
pub const SMPP_ESM_CLASS_DELIVERY_RECEIPT: u8 = 0x04;
/// registered_delivery: a receipt on final success or failure.
pub const SMPP_REGISTERED_DELIVERY_RECEIPT: u8 = 0x01;

/// TON international (numbers without '+').
pub const SMPP_TON_INTERNATIONAL: u8 = 1;
/// TON alphanumeric (a sender name).
pub const SMPP_TON_ALPHANUMERIC: u8 = 5;
/// NPI ISDN / E.164.
pub const SMPP_NPI_ISDN: u8 = 1;

/// What `smpp_poll_timeout` stores when there is no deadline.
pub const SMPP_NO_TIMEOUT: u64 = 0xFFFF_FFFF_FFFF_FFFF;

// ---- structs --------------------------------------------------------------------------------

/// Timers and policies of a session. Fill it with `smpp_config_default`, then change fields;
/// passing NULL to init means the defaults. Durations are in milliseconds.
#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct smpp_config {
    /// `SMPP_KEEPALIVE_*`. Default `SMPP_KEEPALIVE_WHEN_IDLE`.
    pub keepalive: u32,
    /// The keepalive interval. Default 30000.
    pub keepalive_interval_ms: u32,
    /// How long to wait for enquire_link_resp before the link is dead. Default 10000.
    pub enquire_link_timeout_ms: u32,
    /// How long to wait for the response to a request. Default 30000.
    pub response_timeout_ms: u32,
    /// How long to wait for bind_resp (ESME). Default 10000.
    pub bind_timeout_ms: u32,
    /// How long to wait for unbind_resp before closing anyway. Default 5000.
    pub unbind_timeout_ms: u32,
    /// SMSC: how long a connection may stay unbound. Default 10000.
    pub session_init_timeout_ms: u32,
    /// Largest command_length accepted from the peer (also capped by the receive buffer).
    pub max_command_length: u32,
    /// `SMPP_ACK_*`. Default `SMPP_ACK_AUTO`.
    pub ack_mode: u32,
    /// First pause of submissions after ESME_RTHROTTLED or ESME_RMSGQFUL. Default 1000.
    pub throttle_pause_ms: u32,
    /// Longest pause after repeated throttling. Default 30000.
    pub max_throttle_pause_ms: u32,
    /// Requests in flight at most, 1..=`SMPP_WINDOW`; 0 for `SMPP_WINDOW`.
    pub window: u32,
    /// SMSC: the sc_interface_version sent in bind responses (0..=255). Default 0x34.
    pub sc_interface_version: u32,
    /// `SMPP_ID_MATCH_*`: how receipt ids are matched to submissions. Default case-insensitive
    /// (exact, then ignoring case).
    pub id_match: u32,
    /// `SMPP_ID_BASE_*` of submit_sm_resp ids, for `SMPP_ID_MATCH_NUMERIC`. Default auto.
    pub id_submit_base: u32,
    /// `SMPP_ID_BASE_*` of receipt ids, for `SMPP_ID_MATCH_NUMERIC`. Default auto.
    pub id_receipt_base: u32,
    /// After this many response timeouts in a row with nothing received, the link is dead;
    /// 0 turns it off. Default 3.
    pub dead_after_timeouts: u32,
    /// How many times in all the throttled parts of one message are sent again (needs a part
    /// store, see `smpp_buffers`), 0..=255. Default 3.
    pub part_retries: u32,
    /// Close the session when the peer sends no enquire_link for this long once bound (an SMSC
    /// that requires its clients' keepalive); 0: never. Default 0.
    pub peer_keepalive_ms: u32,
}

/// The caller's buffers for one session. They belong to the session from init to deinit:
/// the caller neither reads nor writes them meanwhile (except through the pointers the
/// functions hand out), and they must not overlap each other or the session storage.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct smpp_buffers {
    /// Receive buffer, at least `smpp_min_receive_buffer()` octets; a PDU longer than it is
    /// skipped and answered with ESME_RINVCMDLEN. 1024 suits texts.
    pub rx: *mut u8,
    /// Its length.
    pub rx_len: usize,
    /// Transmit buffer, at least `smpp_min_transmit_buffer()` octets; it must also hold every
    /// part of a long text at once (about 200 octets a part).
    pub tx: *mut u8,
    /// Its length.
    pub tx_len: usize,
    /// Optional (NULL): storage for the encoded parts in flight, so that a part the SMSC
    /// throttles is sent again after the pause instead of failing its message. About 200
    /// octets a part in flight.
    pub part_store: *mut u8,
    /// Its length (0 without a part store).
    pub part_store_len: usize,
}

/// Credentials and fields of a bind. NULL strings are empty.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct smpp_bind_params {
    /// The ESME's identity (at most 15 characters).
    pub system_id: *const c_char,
    /// The password (at most 8 characters).
    pub password: *const c_char,
    /// The ESME type, often NULL.
    pub system_type: *const c_char,
    /// 0x34 for SMPP 3.4, 0x50 for 5.0; 0 means 0x34.
    pub interface_version: u8,
    /// TON of the addresses served.
    pub addr_ton: u8,
    /// NPI of the addresses served.
    pub addr_npi: u8,
    /// Addresses served, often NULL.
    pub address_range: *const c_char,
}

/// A submit_sm or deliver_sm. NULL strings are empty; a zeroed struct plus addresses and a
/// short message is a valid message.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct smpp_sm {
    /// service_type, usually NULL (the SMSC default).
    pub service_type: *const c_char,
    /// Originator: digits without '+', or an alphanumeric name.
    pub source_addr: *const c_char,
    /// Originator TON (`SMPP_TON_*`).
    pub source_ton: u8,
    /// Originator NPI (`SMPP_NPI_*`).
    pub source_npi: u8,
    /// Recipient.
    pub dest_addr: *const c_char,
    /// Recipient TON.
    pub dest_ton: u8,
    /// Recipient NPI.
    pub dest_npi: u8,
    /// Messaging mode, message type, UDHI.
    pub esm_class: u8,
    /// GSM TP-PID, normally 0.
    pub protocol_id: u8,
    /// Priority 0-3.
    pub priority_flag: u8,
    /// `SMPP_REGISTERED_DELIVERY_RECEIPT` asks for a delivery receipt.
    pub registered_delivery: u8,
    /// 1 to replace a pending message from the same source to the same destination.
    pub replace_if_present_flag: u8,
    /// The alphabet of `short_message` (ignored by `smpp_submit_text`).
    pub data_coding: u8,
    /// Canned message id, normally 0.
    pub sm_default_msg_id: u8,
    /// Empty (NULL) for immediate delivery, or an SMPP time.
    pub schedule_delivery_time: *const c_char,
    /// Empty (NULL) for the SMSC default, or an SMPP time.
    pub validity_period: *const c_char,
    /// User data, at most 254 octets (ignored by `smpp_submit_text`).
    pub short_message: *const u8,
    /// Its length.
    pub short_message_len: usize,
    /// Optional parameters, encoded (tag, length, value, big-endian) and appended as they
    /// are; NULL for none. `smpp_submit_text` keeps up to 8 of them on each part.
    pub tlvs: *const u8,
    /// Their length in octets.
    pub tlvs_len: usize,
}

/// How `smpp_submit_text` encodes and splits a text. A zeroed struct (or NULL) means:
/// cheapest encoding, 8-bit UDH, an automatic reference, no national tables, the session's
/// own part buffer.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct smpp_text_options {
    /// `SMPP_ENCODING_*`.
    pub encoding: u32,
    /// `SMPP_CONCAT_*`.
    pub concatenation: u32,
    /// Concatenation reference 1..=65535 (the low 8 bits with an 8-bit UDH); 0 takes the
    /// session's counter, which changes with every message.
    pub reference: u32,
    /// `SMPP_LANGUAGE_*` bits: national shift tables `SMPP_ENCODING_AUTO` may choose.
    pub languages: u32,
    /// Optional (NULL): where each part is encoded, instead of the session's own 160 octets.
    /// Needed with `SMPP_CONCAT_PAYLOAD`: it must hold the whole encoded text.
    pub scratch: *mut u8,
    /// Its length.
    pub scratch_len: usize,
}

/// Octets borrowed from the session: valid until the next `smpp_poll_event`, input call
/// (`smpp_receive_buffer`, `smpp_commit`, `smpp_handle_input`, `smpp_handle_timeout`,
/// `smpp_handle_connection_lost`) or `smpp_session_deinit`. Not NUL-terminated. `ptr` is NULL
/// when `len` is 0.
#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct smpp_bytes {
    /// The first octet.
    pub ptr: *const u8,
    /// How many.
    pub len: usize,
}

impl smpp_bytes {
    /// No octets.
    pub const EMPTY: smpp_bytes = smpp_bytes { ptr: ptr::null(), len: 0 };

    /// A view of `bytes` (which the caller keeps alive as documented above).
    pub fn of(bytes: &[u8]) -> smpp_bytes {
        if bytes.is_empty() { smpp_bytes::EMPTY } else { smpp_bytes { ptr: bytes.as_ptr(), len: bytes.len() } }
    }
}

/// One event, written by `smpp_poll_event`. Which fields are set depends on `kind` (see the
/// `SMPP_EVENT_*` kinds) and `flags`; the others are 0 or empty. The `smpp_bytes` fields point
/// into the session's receive buffer (see `smpp_bytes` for how long).
#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct smpp_event {
    /// `SMPP_EVENT_*`.
    pub kind: u32,
    /// `SMPP_EVENT_HAS_*` bits.
    pub flags: u32,
    /// Outcome: the request's handle. Message done: the message's. Receipt: the submission's.
    pub handle: u32,
    /// With `SMPP_EVENT_HAS_PART`: the handle of the multi-part message the request was a part
    /// of.
    pub message: u32,
    /// With `SMPP_EVENT_HAS_PART`: the part's number, from 1.
    pub part_index: u32,
    /// With `SMPP_EVENT_HAS_PART`, and in message done: the number of parts.
    pub part_total: u32,
    /// Message done: parts the SMSC accepted.
    pub accepted: u32,
    /// Message done: the first part that failed (0 when none); `reason` says how.
    pub failed_part: u32,
    /// Non-zero when the peer's request must be answered with it (`smpp_ack`,
    /// `smpp_respond`, `smpp_accept_bind`, `smpp_reject_bind`).
    pub token: u32,
    /// The sequence number of the PDU behind the event.
    pub sequence_number: u32,
    /// The command: the request's (outcome, request), else the PDU's.
    pub command_id: u32,
    /// The peer's command_status (see `SMPP_EVENT_HAS_STATUS`).
    pub command_status: u32,
    /// Outcome: `SMPP_OUTCOME_*`; bind failed: `SMPP_BIND_FAILURE_*`; message done:
    /// `SMPP_PART_FAILURE_*`; closed: `SMPP_CLOSE_*`.
    pub reason: u32,
    /// Closed with `SMPP_CLOSE_INVALID_COMMAND_LENGTH`: the command_length.
    pub detail: u32,
    /// Bound, bind request: `SMPP_BIND_*`.
    pub bind_kind: u32,
    /// With `SMPP_EVENT_HAS_INTERFACE_VERSION`: the SMSC's sc_interface_version (bound) or the
    /// ESME's interface_version (bind request).
    pub interface_version: u32,
    /// Receipt, with `SMPP_EVENT_HAS_STATE`: the message_state (2 DELIVRD, 5 UNDELIV, ...).
    pub message_state: u32,
    /// Receipt, with `SMPP_EVENT_HAS_NETWORK_ERROR`: (network_type << 16) | error_code.
    pub network_error: u32,
    /// Messages: esm_class.
    pub esm_class: u32,
    /// Messages: data_coding (0 GSM 03.38, 8 UCS-2, ...), the alphabet of `text`.
    pub data_coding: u32,
    /// Messages: source TON.
    pub source_ton: u32,
    /// Messages: source NPI.
    pub source_npi: u32,
    /// Messages: destination TON.
    pub dest_ton: u32,
    /// Messages: destination NPI.
    pub dest_npi: u32,
    /// Throttled: when submissions may resume (ms, the session's clock).
    pub until_ms: u64,
    /// Outcome: the response's message_id. Receipt: the receipted message id.
    pub message_id: smpp_bytes,
    /// Messages: the user data (short_message, or message_payload), UDH included when
    /// `esm_class` has UDHI, in `data_coding`.
    pub text: smpp_bytes,
    /// Messages: the source address.
    pub source_addr: smpp_bytes,
    /// Messages: the destination address.
    pub dest_addr: smpp_bytes,
    /// Bound: the SMSC's system_id. Bind request, outbind: the peer's system_id.
    pub system_id: smpp_bytes,
    /// Bind request, outbind: the password.
    pub password: smpp_bytes,
    /// Receipt: the text's `stat:` as it came (DELIVRD, ...).
    pub receipt_stat: smpp_bytes,
    /// Receipt: the text's `err:` as it came.
    pub receipt_error: smpp_bytes,
}

impl smpp_event {
    /// Every field 0 or empty.
    pub const EMPTY: smpp_event = smpp_event {
        kind: SMPP_EVENT_NONE,
        flags: 0,
        handle: 0,
        message: 0,
        part_index: 0,
        part_total: 0,
        accepted: 0,
        failed_part: 0,
        token: 0,
        sequence_number: 0,
        command_id: 0,
        command_status: 0,
        reason: 0,
        detail: 0,
        bind_kind: 0,
        interface_version: 0,
        message_state: 0,
        network_error: 0,
        esm_class: 0,
        data_coding: 0,
        source_ton: 0,
        source_npi: 0,
        dest_ton: 0,
        dest_npi: 0,
        until_ms: 0,
        message_id: smpp_bytes::EMPTY,
        text: smpp_bytes::EMPTY,
        source_addr: smpp_bytes::EMPTY,
        dest_addr: smpp_bytes::EMPTY,
        system_id: smpp_bytes::EMPTY,
        password: smpp_bytes::EMPTY,
        receipt_stat: smpp_bytes::EMPTY,
        receipt_error: smpp_bytes::EMPTY,
    };
}

/// Counters for monitoring (each wraps at 2^32).
#[repr(C)]
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct smpp_counters {
    /// PDUs received.
    pub pdus_received: u32,
    /// PDUs queued for sending.
    pub pdus_sent: u32,
    /// Responses that matched no outstanding request.
    pub unexpected_responses: u32,
    /// PDUs from the peer that did not decode or were not allowed.
    pub malformed: u32,
    /// Throttling responses.
    pub throttled: u32,
    /// Throttled parts sent again after the pause.
    pub part_retries: u32,
    /// Peer requests refused because every incoming slot was taken.
    pub refused_busy: u32,
    /// Requests that got no response in time.
    pub response_timeouts: u32,
    /// PDUs longer than the receive buffer, skipped and answered with an error.
    pub oversized: u32,
}
