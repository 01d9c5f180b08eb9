//! Checked conversions between the C structs and enumerations and the session's types.
//!
//! Every `uint32_t` that stands for an enumeration is checked here: an unknown value is
//! `SMPP_ERR_BAD_ARGUMENT`, never a transmuted Rust enum.
#![forbid(unsafe_code)]

use session::{AckMode, BindKind, Config, Duration, Keepalive, State};
use smpp_codec::pdu::{Bind, SubmitSm};
use smpp_codec::text::gsm7::Language;
use smpp_codec::text::receipt::{Base, IdMatch};
use smpp_codec::text::segment::{Concatenation, Encoding};
use smpp_codec::{Address, COctetStr, DataCoding, EsmClass, Npi, Priority, RegisteredDelivery, Tlvs, Ton};

use crate::abi::*;

fn ms(d: Duration) -> u32 {
    u32::try_from(d.as_millis()).unwrap_or(u32::MAX)
}

fn duration(ms: u32) -> Duration {
    Duration::from_millis(u64::from(ms))
}

/// The session's default configuration, as the C struct.
pub(crate) fn config_default() -> smpp_config {
    let c = Config::default();
    let (keepalive, keepalive_interval_ms) = match c.keepalive {
        Keepalive::Off => (SMPP_KEEPALIVE_OFF, 0),
        Keepalive::WhenIdle(d) => (SMPP_KEEPALIVE_WHEN_IDLE, ms(d)),
        Keepalive::Every(d) => (SMPP_KEEPALIVE_EVERY, ms(d)),
    };
    let (id_match, id_submit_base, id_receipt_base) = match c.id_match {
        IdMatch::Exact => (SMPP_ID_MATCH_EXACT, SMPP_ID_BASE_AUTO, SMPP_ID_BASE_AUTO),
        IdMatch::CaseInsensitive => (SMPP_ID_MATCH_CASE_INSENSITIVE, SMPP_ID_BASE_AUTO, SMPP_ID_BASE_AUTO),
        IdMatch::Numeric { submit, receipt } => (SMPP_ID_MATCH_NUMERIC, base_code(submit), base_code(receipt)),
    };
    smpp_config {
        keepalive,
        keepalive_interval_ms,
        enquire_link_timeout_ms: ms(c.enquire_link_timeout),
        response_timeout_ms: ms(c.response_timeout),
        bind_timeout_ms: ms(c.bind_timeout),
        unbind_timeout_ms: ms(c.unbind_timeout),
        session_init_timeout_ms: ms(c.session_init_timeout),
        max_command_length: c.max_command_length,
        ack_mode: match c.ack_mode {
            AckMode::Auto => SMPP_ACK_AUTO,
            AckMode::Manual => SMPP_ACK_MANUAL,
        },
        throttle_pause_ms: ms(c.throttle_pause),
        max_throttle_pause_ms: ms(c.max_throttle_pause),
        window: c.window.map_or(0, u32::from),
        sc_interface_version: u32::from(c.sc_interface_version),
        id_match,
        id_submit_base,
        id_receipt_base,
        dead_after_timeouts: c.dead_after_timeouts,
        part_retries: u32::from(c.part_retries),
        peer_keepalive_ms: c.peer_keepalive.map_or(0, ms),
    }
}

const fn base_code(b: Base) -> u32 {
    match b {
        Base::Hex => SMPP_ID_BASE_HEX,
        Base::Decimal => SMPP_ID_BASE_DECIMAL,
        Base::Auto => SMPP_ID_BASE_AUTO,
    }
}

const fn base(code: u32) -> Result<Base, i32> {
    match code {
        SMPP_ID_BASE_HEX => Ok(Base::Hex),
        SMPP_ID_BASE_DECIMAL => Ok(Base::Decimal),
        SMPP_ID_BASE_AUTO => Ok(Base::Auto),
        _ => Err(SMPP_ERR_BAD_ARGUMENT),
    }
}

/// The session configuration a C struct describes.
pub(crate) fn config(c: &smpp_config) -> Result<Config, i32> {
    let keepalive = match c.keepalive {
        SMPP_KEEPALIVE_OFF => Keepalive::Off,
        SMPP_KEEPALIVE_WHEN_IDLE => Keepalive::WhenIdle(duration(c.keepalive_interval_ms)),
        SMPP_KEEPALIVE_EVERY => Keepalive::Every(duration(c.keepalive_interval_ms)),
        _ => return Err(SMPP_ERR_BAD_ARGUMENT),
    };
    let ack_mode = match c.ack_mode {
        SMPP_ACK_AUTO => AckMode::Auto,
        SMPP_ACK_MANUAL => AckMode::Manual,
        _ => return Err(SMPP_ERR_BAD_ARGUMENT),
    };
    let id_match = match c.id_match {
        SMPP_ID_MATCH_EXACT => IdMatch::Exact,
        SMPP_ID_MATCH_CASE_INSENSITIVE => IdMatch::CaseInsensitive,
        SMPP_ID_MATCH_NUMERIC => {
            IdMatch::Numeric { submit: base(c.id_submit_base)?, receipt: base(c.id_receipt_base)? }
        }
        _ => return Err(SMPP_ERR_BAD_ARGUMENT),
    };
    let window = match c.window {
        0 => None,
        w if w <= SMPP_WINDOW => Some(u16::try_from(w).map_err(|_| SMPP_ERR_BAD_ARGUMENT)?),
        _ => return Err(SMPP_ERR_BAD_ARGUMENT),
    };
    Ok(Config {
        keepalive,
        peer_keepalive: (c.peer_keepalive_ms != 0).then(|| duration(c.peer_keepalive_ms)),
        enquire_link_timeout: duration(c.enquire_link_timeout_ms),
        response_timeout: duration(c.response_timeout_ms),
        bind_timeout: duration(c.bind_timeout_ms),
        unbind_timeout: duration(c.unbind_timeout_ms),
        session_init_timeout: duration(c.session_init_timeout_ms),
        max_command_length: c.max_command_length,
        ack_mode,
        throttle_pause: duration(c.throttle_pause_ms),
        max_throttle_pause: duration(c.max_throttle_pause_ms),
        window,
        sc_interface_version: u8::try_from(c.sc_interface_version).map_err(|_| SMPP_ERR_BAD_ARGUMENT)?,
        id_match,
        dead_after_timeouts: c.dead_after_timeouts,
        part_retries: u8::try_from(c.part_retries).map_err(|_| SMPP_ERR_BAD_ARGUMENT)?,
    })
}

/// The bind kind of `SMPP_BIND_*` (not `SMPP_BIND_NONE`).
pub(crate) const fn bind_kind(code: u32) -> Result<BindKind, i32> {
    match code {
        SMPP_BIND_TRANSMITTER => Ok(BindKind::Transmitter),
        SMPP_BIND_RECEIVER => Ok(BindKind::Receiver),
        SMPP_BIND_TRANSCEIVER => Ok(BindKind::Transceiver),
        _ => Err(SMPP_ERR_BAD_ARGUMENT),
    }
}

/// `SMPP_BIND_*` of a bind kind.
pub(crate) const fn bind_kind_code(kind: BindKind) -> u32 {
    match kind {
        BindKind::Transmitter => SMPP_BIND_TRANSMITTER,
        BindKind::Receiver => SMPP_BIND_RECEIVER,
        BindKind::Transceiver => SMPP_BIND_TRANSCEIVER,
    }
}

/// `SMPP_STATE_*` and `SMPP_BIND_*` of a state.
pub(crate) const fn state_code(state: State) -> (u32, u32) {
    match state {
        State::Open => (SMPP_STATE_OPEN, SMPP_BIND_NONE),
        State::Binding(k) => (SMPP_STATE_BINDING, bind_kind_code(k)),
        State::Bound(k) => (SMPP_STATE_BOUND, bind_kind_code(k)),
        State::Unbinding => (SMPP_STATE_UNBINDING, SMPP_BIND_NONE),
        State::Closed => (SMPP_STATE_CLOSED, SMPP_BIND_NONE),
    }
}

/// The fields of a bind, read from C strings.
#[derive(Copy, Clone, Debug)]
pub(crate) struct BindFields<'a> {
    pub(crate) system_id: &'a [u8],
    pub(crate) password: &'a [u8],
    pub(crate) system_type: &'a [u8],
    pub(crate) interface_version: u8,
    pub(crate) addr_ton: u8,
    pub(crate) addr_npi: u8,
    pub(crate) address_range: &'a [u8],
}

impl<'a> BindFields<'a> {
    pub(crate) fn bind(&self) -> Bind<'a> {
        Bind {
            system_id: COctetStr::new(self.system_id),
            password: COctetStr::new(self.password),
            system_type: COctetStr::new(self.system_type),
            interface_version: match self.interface_version {
                0 => smpp_codec::interface_version::V34,
                v => v,
            },
            addr_ton: Ton::from_raw(self.addr_ton),
            addr_npi: Npi::from_raw(self.addr_npi),
            address_range: COctetStr::new(self.address_range),
        }
    }
}

/// The fields of a short message, read from the C struct's pointers.
#[derive(Copy, Clone, Debug)]
pub(crate) struct SmFields<'a> {
    pub(crate) raw: smpp_sm,
    pub(crate) service_type: &'a [u8],
    pub(crate) source_addr: &'a [u8],
    pub(crate) dest_addr: &'a [u8],
    pub(crate) schedule_delivery_time: &'a [u8],
    pub(crate) validity_period: &'a [u8],
    pub(crate) short_message: &'a [u8],
    pub(crate) tlvs: &'a [u8],
}

impl<'a> SmFields<'a> {
    /// The message as the codec's body.
    ///
    /// # Errors
    /// `SMPP_ERR_ENCODE` for a TLV stream that does not parse.
    pub(crate) fn sm(&self) -> Result<SubmitSm<'a>, i32> {
        let r = &self.raw;
        Ok(SubmitSm {
            service_type: COctetStr::new(self.service_type),
            source: Address::new(Ton::from_raw(r.source_ton), Npi::from_raw(r.source_npi), self.source_addr),
            dest: Address::new(Ton::from_raw(r.dest_ton), Npi::from_raw(r.dest_npi), self.dest_addr),
            esm_class: EsmClass(r.esm_class),
            protocol_id: r.protocol_id,
            priority_flag: Priority(r.priority_flag),
            schedule_delivery_time: COctetStr::new(self.schedule_delivery_time),
            validity_period: COctetStr::new(self.validity_period),
            registered_delivery: RegisteredDelivery(r.registered_delivery),
            replace_if_present_flag: r.replace_if_present_flag,
            data_coding: DataCoding(r.data_coding),
            sm_default_msg_id: r.sm_default_msg_id,
            short_message: self.short_message,
            tlvs: if self.tlvs.is_empty() {
                Tlvs::EMPTY
            } else {
                Tlvs::parse(self.tlvs).map_err(|_| SMPP_ERR_ENCODE)?
            },
        })
    }
}

/// The concatenation of `SMPP_CONCAT_*`.
pub(crate) const fn concatenation(code: u32) -> Result<Concatenation, i32> {
    match code {
        SMPP_CONCAT_UDH8 => Ok(Concatenation::Udh8),
        SMPP_CONCAT_UDH16 => Ok(Concatenation::Udh16),
        SMPP_CONCAT_SAR => Ok(Concatenation::Sar),
        SMPP_CONCAT_PAYLOAD => Ok(Concatenation::Payload),
        _ => Err(SMPP_ERR_BAD_ARGUMENT),
    }
}

/// An explicit encoding of `SMPP_ENCODING_*`; `None` for `SMPP_ENCODING_AUTO`.
pub(crate) const fn encoding(code: u32) -> Result<Option<Encoding>, i32> {
    match code {
        SMPP_ENCODING_AUTO => Ok(None),
        SMPP_ENCODING_GSM7 => Ok(Some(Encoding::Gsm7(smpp_codec::text::gsm7::Tables::DEFAULT))),
        SMPP_ENCODING_UCS2 => Ok(Some(Encoding::Ucs2)),
        SMPP_ENCODING_LATIN1 => Ok(Some(Encoding::Latin1)),
        SMPP_ENCODING_ASCII => Ok(Some(Encoding::Ascii)),
        _ => Err(SMPP_ERR_BAD_ARGUMENT),
    }
}

/// The languages of a `SMPP_LANGUAGE_*` mask, in identifier order, and how many there are.
pub(crate) fn languages(mask: u32) -> Result<([Language; 3], usize), i32> {
    const KNOWN: u32 = SMPP_LANGUAGE_TURKISH | SMPP_LANGUAGE_SPANISH | SMPP_LANGUAGE_PORTUGUESE;
    if mask & !KNOWN != 0 {
        return Err(SMPP_ERR_BAD_ARGUMENT);
    }
    let mut list = Language::ALL;
    let mut n = 0;
    for language in Language::ALL {
        if mask & (1 << language.id()) != 0 {
            if let Some(slot) = list.get_mut(n) {
                *slot = language;
            }
            n += 1;
        }
    }
    Ok((list, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_config_round_trips() {
        assert_eq!(config(&config_default()), Ok(Config::default()));
    }

    #[test]
    fn unknown_enumeration_values_are_refused() {
        let mut c = config_default();
        c.keepalive = 3;
        assert_eq!(config(&c), Err(SMPP_ERR_BAD_ARGUMENT));
        let mut c = config_default();
        c.id_match = SMPP_ID_MATCH_NUMERIC;
        c.id_receipt_base = 7;
        assert_eq!(config(&c), Err(SMPP_ERR_BAD_ARGUMENT));
        let mut c = config_default();
        c.window = SMPP_WINDOW + 1;
        assert_eq!(config(&c), Err(SMPP_ERR_BAD_ARGUMENT));
        let mut c = config_default();
        c.sc_interface_version = 256;
        assert_eq!(config(&c), Err(SMPP_ERR_BAD_ARGUMENT));
        assert_eq!(bind_kind(SMPP_BIND_NONE), Err(SMPP_ERR_BAD_ARGUMENT));
        assert_eq!(concatenation(4), Err(SMPP_ERR_BAD_ARGUMENT));
        assert_eq!(encoding(5), Err(SMPP_ERR_BAD_ARGUMENT));
        assert_eq!(languages(1).map(|(_, n)| n), Err(SMPP_ERR_BAD_ARGUMENT));
    }

    #[test]
    fn languages_come_in_identifier_order() {
        let (list, n) = languages(SMPP_LANGUAGE_PORTUGUESE | SMPP_LANGUAGE_TURKISH).unwrap();
        assert_eq!(n, 2);
        assert_eq!(list[0].id(), 1);
        assert_eq!(list[1].id(), 3);
    }
}
