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
    /// After this long without any PDU received. Sending does not count: a peer that takes our
    /// submissions and never answers is dead however busy we are.
    WhenIdle(Duration),
    /// Every interval, busy or not (EngageLab asks for one every 30 s).
    Every(Duration),
}

/// Timers and policies of a [`Session`](crate::Session).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Config {
    /// When to send enquire_link. Default: when nothing was received for 30 s.
    pub keepalive: Keepalive,
    /// Close the session when the peer sends no enquire_link for this long once bound (an SMSC
    /// that requires its clients' keepalive, as EngageLab does after 40 s). Default: never.
    pub peer_keepalive: Option<Duration>,
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
    /// The most application requests awaiting a response at once, when fewer than the session's
    /// `W` are wanted (an adapter that picks the window at run time); `None` for `W`.
    pub window: Option<u16>,
    /// SMSC role: the sc_interface_version sent in bind responses. Default 0x34.
    pub sc_interface_version: u8,
    /// How a receipt's message id is matched to the ids of recent submissions. Default: the
    /// codec's [`IdMatch::default`]; choose the cross-base match explicitly for SMSCs that
    /// answer in hex and receipt in decimal.
    pub id_match: IdMatch,
    /// After this many response timeouts in a row, with nothing received from the peer since
    /// the first of them, the link is declared dead (half-open). 0 turns it off. Default 3.
    pub dead_after_timeouts: u32,
    /// How many times, in all, the throttled parts of one multi-part message are sent again after
    /// the pause before the message fails (only with a part store, see
    /// [`Session::with_part_store`](crate::Session::with_part_store)). Default 3.
    pub part_retries: u8,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            keepalive: Keepalive::WhenIdle(Duration::from_secs(30)),
            peer_keepalive: None,
            enquire_link_timeout: Duration::from_secs(10),
            response_timeout: Duration::from_secs(30),
            bind_timeout: Duration::from_secs(10),
            unbind_timeout: Duration::from_secs(5),
            session_init_timeout: Duration::from_secs(10),
            max_command_length: smpp_codec::DEFAULT_MAX_COMMAND_LENGTH,
            ack_mode: AckMode::Auto,
            throttle_pause: Duration::from_secs(1),
            max_throttle_pause: Duration::from_secs(30),
            window: None,
            sc_interface_version: interface_version::V34,
            id_match: IdMatch::default(),
            dead_after_timeouts: 3,
            part_retries: 3,
        }
    }
}
