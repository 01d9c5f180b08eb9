//! Session configuration.

use crate::time::Duration;
use smpp_codec::interface_version;
use smpp_codec::text::receipt::IdMatch;

/// Who acknowledges incoming deliver_sm and data_sm (ESME role).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum AckMode {
    /// The session answers ESME_ROK as soon as the PDU is decoded.
    Auto,
    /// The application answers through [`Session::respond`](crate::Session::respond) once it has
    /// stored the message (at-least-once: an unanswered receipt is redelivered after a
    /// reconnect).
    Manual,
}

/// When enquire_link is sent.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Keepalive {
    /// Never (the peer's enquire_link are still answered).
    Off,
    /// After this long without any PDU sent or received.
    WhenIdle(Duration),
    /// Every interval, busy or not (EngageLab asks for one every 30 s).
    Every(Duration),
}

/// Timers and policies of a [`Session`](crate::Session).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Config {
    /// When to send enquire_link. Default: when idle for 30 s.
    pub keepalive: Keepalive,
    /// How long to wait for enquire_link_resp before the link is declared dead. Default 10 s.
    pub enquire_link_timeout: Duration,
    /// How long to wait for the response to an application request. Default 30 s.
    pub response_timeout: Duration,
    /// How long to wait for bind_resp (ESME). Default 10 s.
    pub bind_timeout: Duration,
    /// How long to wait for unbind_resp before closing anyway. Default 5 s.
    pub unbind_timeout: Duration,
    /// SMSC role: how long a new connection may stay unbound. Default 10 s.
    pub session_init_timeout: Duration,
    /// Largest `command_length` accepted from the peer (also capped by the receive buffer).
    pub max_command_length: u32,
    /// Who answers incoming deliver_sm / data_sm (ESME role). Default: automatic.
    pub ack_mode: AckMode,
    /// First pause of all submissions after ESME_RTHROTTLED or ESME_RMSGQFUL. Default 1 s.
    pub throttle_pause: Duration,
    /// Longest pause after repeated throttling. Default 30 s.
    pub max_throttle_pause: Duration,
    /// SMSC role: the sc_interface_version sent in bind responses. Default 0x34.
    pub sc_interface_version: u8,
    /// How a receipt's message id is matched to the ids of recent submissions (SMSCs disagree
    /// on hex and decimal). Default: exact, then case-insensitive; reading ids as numbers is
    /// `IdMatch::Numeric`, to be chosen per SMSC.
    pub id_match: IdMatch,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            keepalive: Keepalive::WhenIdle(Duration::from_secs(30)),
            enquire_link_timeout: Duration::from_secs(10),
            response_timeout: Duration::from_secs(30),
            bind_timeout: Duration::from_secs(10),
            unbind_timeout: Duration::from_secs(5),
            session_init_timeout: Duration::from_secs(10),
            max_command_length: smpp_codec::DEFAULT_MAX_COMMAND_LENGTH,
            ack_mode: AckMode::Auto,
            throttle_pause: Duration::from_secs(1),
            max_throttle_pause: Duration::from_secs(30),
            sc_interface_version: interface_version::V34,
            id_match: IdMatch::default(),
        }
    }
}
