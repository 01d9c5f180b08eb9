//! PDUs as JSON objects shaped like LabsMobile's PDU dumps, and back.
//!
//! A dump is one object per PDU: `cmdName` (`deliver_sm`), `cmdId` (a number), `cmdStatus` (by
//! name, `ESME_ROK`, or `0x…` when unnamed), `cmdLength`, `seqNr`, `params` (the mandatory
//! fields by their SMPP names, in wire order) and `tlvs` (an object keyed by the TLV's name,
//! each `{tagId, tagName, tagValue}`, in wire order). Decoding adds `text` (the user data
//! decoded by data_coding, the UDH removed), `udh` (the part of a long message) and `receipt`
//! (a delivery receipt read from its text and TLVs); encoding ignores those.
//!
//! Values: integers are numbers; C-Octet Strings are strings (`{"hex": …}` when not UTF-8);
//! short_message is a string when it is printable ASCII, else `{"hex": …}` (encoding also takes
//! `{"text": …}`, written in the PDU's data_coding). A TLV's value is a number for the
//! integer tags, a string for the C-string tags, hex for the others (and `{"hex": …}` for a
//! value of a known tag that its type cannot show).
//!
//! The codec does the decoding and the encoding; this module only maps fields to names. So
//! that `encode(decode(x)) == x`, a field missing at the end of a body (an error response
//! with no body) is shown as `""`, as LabsMobile shows it, and `cmdLength` then tells the
//! encoder to leave it out; `null` leaves a field out explicitly.

use serde_json::{Map, Value, json};
use smpp_codec::pdu::{
    AlertNotification, Bind, BindResp, BroadcastSm, CancelBroadcastSm, CancelSm, DataSm, DestAddress, List,
    MessageIdResp, Outbind, QueryBroadcastSm, QuerySm, QuerySmResp, ReplaceSm, Sm, SubmitMulti, SubmitMultiResp,
    UnsuccessSme,
};
use smpp_codec::text::gsm7::{self, Tables};
use smpp_codec::text::receipt::DeliveryReceipt;
use smpp_codec::text::{latin1, ucs2};
use smpp_codec::{
    Address, COctetStr, CommandId, CommandStatus, DEFAULT_MAX_COMMAND_LENGTH, DataCoding, Error, EsmClass, Field,
    HEADER_LEN, Header, MessageState, Npi, Pdu, Priority, RegisteredDelivery, Tlv, TlvTag, TlvValue, Tlvs, Ton,
};
use smpp_std::text::UserData;

/// What a bind's password is shown as, unless asked otherwise.
pub const MASK: &str = "***";

/// A PDU that did not decode: where, which field, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Offset of the field (or of the frame, when the framing is what failed) in the input.
    pub offset: usize,
    /// The field, by its SMPP name.
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at offset {}: {}", self.field, self.offset, self.reason)
    }
}

/// One frame cut from the input, or why cutting stopped or failed.
#[derive(Debug)]
pub enum Item<'a> {
    /// A whole frame and its offset in the input.
    Frame(usize, &'a [u8]),
    /// Framing failed here; decoding cannot go on after it.
    Lost(DecodeError),
}

/// Cuts `input` into frames by their command_length, until the end or until the framing is
/// lost (a command_length out of range, a frame cut short).
pub fn frames(input: &[u8]) -> Vec<Item<'_>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < input.len() {
        let rest = input.get(pos..).unwrap_or(&[]);
        let Some(len) = rest.first_chunk::<4>().map(|b| u32::from_be_bytes(*b)) else {
            out.push(Item::Lost(DecodeError {
                offset: pos,
                field: "command_length".into(),
                reason: format!("{} octet(s) left over, too few for a PDU header", rest.len()),
            }));
            break;
        };
        if len < HEADER_LEN as u32 || len > DEFAULT_MAX_COMMAND_LENGTH {
            out.push(Item::Lost(DecodeError {
                offset: pos,
                field: "command_length".into(),
                reason: format!(
                    "{len} is outside {HEADER_LEN}..={DEFAULT_MAX_COMMAND_LENGTH}: the PDUs after it cannot be found"
                ),
            }));
            break;
        }
        let len = len as usize;
        match rest.get(..len) {
            Some(frame) => out.push(Item::Frame(pos, frame)),
            None => {
                out.push(Item::Lost(DecodeError {
                    offset: pos,
                    field: "command_length".into(),
                    reason: format!("says {len} octets but only {} are left", rest.len()),
                }));
                break;
            }
        }
        pos += len;
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Decoding

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads hex digits, ignoring whitespace, `:` and `-` separators and `0x` prefixes.
pub fn unhex(s: &str) -> Result<Vec<u8>, String> {
    let mut digits = Vec::with_capacity(s.len());
    for token in s.split(|c: char| c.is_whitespace() || c == ':' || c == '-' || c == ',') {
        let t = token.strip_prefix("0x").or_else(|| token.strip_prefix("0X")).unwrap_or(token);
        for c in t.chars() {
            let d = c.to_digit(16).ok_or_else(|| format!("{c:?} is not a hex digit"))?;
            digits.push(d as u8);
        }
    }
    if digits.len() % 2 != 0 {
        return Err(format!("{} hex digits: an odd number cannot make whole octets", digits.len()));
    }
    Ok(digits.chunks_exact(2).map(|p| p.iter().fold(0u8, |acc, d| acc << 4 | d)).collect())
}

/// A C-Octet String: a string, or `{"hex": …}` when its octets are not UTF-8.
fn cstr(s: COctetStr<'_>) -> Value {
    match std::str::from_utf8(s.as_bytes()) {
        Ok(t) => Value::String(t.to_owned()),
        Err(_) => json!({ "hex": hex(s.as_bytes()) }),
    }
}

fn short_message(octets: &[u8], udhi: bool) -> Value {
    if !udhi && octets.iter().all(|&b| (0x20..0x7F).contains(&b)) {
        Value::String(String::from_utf8_lossy(octets).into_owned())
    } else {
        json!({ "hex": hex(octets) })
    }
}

/// The name of a command status (`ESME_ROK`), or `0x…`.
pub fn status_name(s: CommandStatus) -> String {
    s.name().map_or_else(|| format!("0x{:08X}", s.raw()), str::to_owned)
}

fn command_name(id: CommandId) -> String {
    id.name().map_or_else(|| format!("0x{:08X}", id.raw()), str::to_owned)
}

/// The name of a message state as LabsMobile's receipts spell it (`DELIVERED`).
pub fn state_long_name(s: MessageState) -> String {
    let name = match s.raw() {
        0 => "SCHEDULED",
        1 => "ENROUTE",
        2 => "DELIVERED",
        3 => "EXPIRED",
        4 => "DELETED",
        5 => "UNDELIVERABLE",
        6 => "ACCEPTED",
        7 => "UNKNOWN",
        8 => "REJECTED",
        9 => "SKIPPED",
        other => return format!("0x{other:02X}"),
    };
    name.to_owned()
}

/// What a TLV tag holds, as the codec's table describes it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum TlvKind {
    /// An integer of 1, 2 or 4 octets.
    Int,
    /// A C-Octet String.
    CStr,
    /// Octets.
    Octets,
}

/// The kind of `tag`, read from the codec's description of it (`"Message state (I1)."`).
pub fn tlv_kind(tag: TlvTag) -> TlvKind {
    let Some(desc) = tag.description() else { return TlvKind::Octets };
    match desc.split_once('(').and_then(|(_, rest)| rest.chars().next()) {
        Some('I') => TlvKind::Int,
        Some('C') => TlvKind::CStr,
        _ => TlvKind::Octets,
    }
}

/// The width an integer TLV value is written in: the narrowest that the tag allows and the
/// value fits.
fn int_width(tag: TlvTag, value: u64) -> Option<u8> {
    [1u8, 2, 4].into_iter().find(|&w| tag.allows_len(usize::from(w)) && value < 1u64 << (8 * u32::from(w)))
}

fn tlv_value(tag: TlvTag, v: &[u8]) -> Value {
    match tlv_kind(tag) {
        TlvKind::Int if matches!(v.len(), 1 | 2 | 4) => {
            let n = v.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b));
            if int_width(tag, n) == Some(v.len() as u8) {
                return json!(n);
            }
            json!({ "hex": hex(v) })
        }
        TlvKind::CStr => match v.split_last() {
            Some((0, text)) if !text.contains(&0) => match std::str::from_utf8(text) {
                Ok(t) => Value::String(t.to_owned()),
                Err(_) => json!({ "hex": hex(v) }),
            },
            _ => json!({ "hex": hex(v) }),
        },
        TlvKind::Octets => Value::String(hex(v)),
        TlvKind::Int => json!({ "hex": hex(v) }),
    }
}

fn tlvs(t: &Tlvs<'_>) -> Value {
    let mut m = Map::new();
    for tlv in t.iter() {
        let tag = tlv.tag;
        let name = tag.name().map_or_else(|| format!("0x{:04x}", tag.raw()), str::to_owned);
        let value = tlv_value(tag, tlv.as_octets().unwrap_or(&[]));
        // A tag that comes again gets its own key, so that nothing is lost.
        let mut key = name.clone();
        let mut n = 1;
        while m.contains_key(&key) {
            n += 1;
            key = format!("{name}#{n}");
        }
        m.insert(key, json!({ "tagId": tag.raw(), "tagName": name, "tagValue": value }));
    }
    Value::Object(m)
}

fn address(m: &mut Map<String, Value>, prefix: &str, name: &str, a: &Address<'_>) {
    m.insert(format!("{prefix}_ton"), json!(a.ton.raw()));
    m.insert(format!("{prefix}_npi"), json!(a.npi.raw()));
    m.insert(name.into(), cstr(a.addr));
}

/// The text, UDH and receipt of a short message, added beside its params.
fn user_data(out: &mut Map<String, Value>, sm: &Sm<'_>, deliver: bool) {
    let ud = UserData::of(sm);
    out.insert("text".into(), Value::String(ud.text()));
    if let Some(c) = ud.concat {
        out.insert("udh".into(), json!({ "reference": c.reference, "total": c.total, "seq": c.seq }));
    }
    let tlv_receipt = matches!(sm.tlvs.receipted_message_id(), Ok(Some(_)));
    if deliver && (sm.esm_class.is_receipt() || tlv_receipt) {
        if let Some(r) = DeliveryReceipt::from_sm(sm) {
            out.insert("receipt".into(), receipt_json(&r));
        }
    }
}

fn receipt_json(r: &DeliveryReceipt<'_>) -> Value {
    let mut m = Map::new();
    let text = |b: &[u8]| Value::String(String::from_utf8_lossy(b).into_owned());
    m.insert("smsId".into(), r.message_id.map_or(Value::Null, |id| text(id.as_bytes())));
    m.insert("statusId".into(), json!(r.state.raw()));
    m.insert("statusMsg".into(), Value::String(state_long_name(r.state)));
    if let Some(t) = r.text {
        m.insert("stat".into(), t.stat.map_or(Value::Null, |s| text(s.raw)));
        m.insert("err".into(), t.err.map_or(Value::Null, text));
        let date = |d: Option<smpp_codec::text::receipt::ReceiptDateText<'_>>| {
            d.map_or(Value::Null, |d| match d.date() {
                Some(d) => {
                    let mut s = format!("{:04}-{:02}-{:02} {:02}:{:02}", d.year, d.month, d.day, d.hour, d.minute);
                    if let Some(sec) = d.second {
                        s.push_str(&format!(":{sec:02}"));
                    }
                    Value::String(s)
                }
                None => text(d.raw),
            })
        };
        m.insert("submitDate".into(), date(t.submit_date));
        m.insert("doneDate".into(), date(t.done_date));
        if let Some(n) = t.sub {
            m.insert("sub".into(), json!(n));
        }
        if let Some(n) = t.dlvrd {
            m.insert("dlvrd".into(), json!(n));
        }
    }
    if let Some(e) = r.network_error {
        m.insert("networkError".into(), json!({ "networkType": e.network_type, "errorCode": e.error_code }));
    }
    Value::Object(m)
}

fn sm_params(p: &mut Map<String, Value>, sm: &Sm<'_>) {
    p.insert("service_type".into(), cstr(sm.service_type));
    address(p, "source_addr", "source_addr", &sm.source);
    address(p, "dest_addr", "destination_addr", &sm.dest);
    p.insert("esm_class".into(), json!(sm.esm_class.0));
    p.insert("protocol_id".into(), json!(sm.protocol_id));
    p.insert("priority_flag".into(), json!(sm.priority_flag.0));
    p.insert("schedule_delivery_time".into(), cstr(sm.schedule_delivery_time));
    p.insert("validity_period".into(), cstr(sm.validity_period));
    p.insert("registered_delivery".into(), json!(sm.registered_delivery.0));
    p.insert("replace_if_present_flag".into(), json!(sm.replace_if_present_flag));
    p.insert("data_coding".into(), json!(sm.data_coding.0));
    p.insert("sm_default_msg_id".into(), json!(sm.sm_default_msg_id));
    p.insert("sm_length".into(), json!(sm.short_message.len()));
    p.insert("short_message".into(), short_message(sm.short_message, sm.esm_class.udhi()));
}

/// The params (and TLVs) of a decoded body, and what goes beside them.
fn params(pdu: &Pdu<'_>, show_passwords: bool, extra: &mut Map<String, Value>) -> (Map<String, Value>, Value) {
    let mut p = Map::new();
    let mut t = Value::Object(Map::new());
    let password = |s: COctetStr<'_>| if show_passwords { cstr(s) } else { Value::String(MASK.into()) };
    match pdu {
        Pdu::BindTransmitter(b) | Pdu::BindReceiver(b) | Pdu::BindTransceiver(b) => {
            p.insert("system_id".into(), cstr(b.system_id));
            p.insert("password".into(), password(b.password));
            p.insert("system_type".into(), cstr(b.system_type));
            p.insert("interface_version".into(), json!(b.interface_version));
            p.insert("addr_ton".into(), json!(b.addr_ton.raw()));
            p.insert("addr_npi".into(), json!(b.addr_npi.raw()));
            p.insert("address_range".into(), cstr(b.address_range));
        }
        Pdu::BindTransmitterResp(r) | Pdu::BindReceiverResp(r) | Pdu::BindTransceiverResp(r) => {
            p.insert("system_id".into(), cstr(r.system_id));
            t = tlvs(&r.tlvs);
        }
        Pdu::Outbind(o) => {
            p.insert("system_id".into(), cstr(o.system_id));
            p.insert("password".into(), password(o.password));
        }
        Pdu::SubmitSm(sm) | Pdu::DeliverSm(sm) => {
            sm_params(&mut p, sm);
            t = tlvs(&sm.tlvs);
            user_data(extra, sm, matches!(pdu, Pdu::DeliverSm(_)));
        }
        Pdu::SubmitSmResp(r)
        | Pdu::DeliverSmResp(r)
        | Pdu::DataSmResp(r)
        | Pdu::BroadcastSmResp(r)
        | Pdu::QueryBroadcastSmResp(r) => {
            p.insert("message_id".into(), cstr(r.message_id));
            t = tlvs(&r.tlvs);
        }
        Pdu::SubmitMulti(m) => {
            p.insert("service_type".into(), cstr(m.service_type));
            address(&mut p, "source_addr", "source_addr", &m.source);
            p.insert("number_of_dests".into(), json!(m.dests.len()));
            let dests: Vec<Value> = m
                .dests
                .iter()
                .map(|d| match d {
                    DestAddress::Sme(a) => {
                        let mut o = Map::new();
                        o.insert("dest_flag".into(), json!(1));
                        address(&mut o, "dest_addr", "destination_addr", &a);
                        Value::Object(o)
                    }
                    DestAddress::DistributionList(name) => json!({ "dest_flag": 2, "dl_name": cstr(name) }),
                })
                .collect();
            p.insert("dest_address".into(), Value::Array(dests));
            let sm = Sm {
                service_type: m.service_type,
                source: m.source,
                esm_class: m.esm_class,
                protocol_id: m.protocol_id,
                priority_flag: m.priority_flag,
                schedule_delivery_time: m.schedule_delivery_time,
                validity_period: m.validity_period,
                registered_delivery: m.registered_delivery,
                replace_if_present_flag: m.replace_if_present_flag,
                data_coding: m.data_coding,
                sm_default_msg_id: m.sm_default_msg_id,
                short_message: m.short_message,
                tlvs: m.tlvs,
                ..Sm::default()
            };
            let mut all = Map::new();
            sm_params(&mut all, &sm);
            for (k, v) in all {
                if !k.starts_with("dest_addr") && k != "destination_addr" && !p.contains_key(&k) {
                    p.insert(k, v);
                }
            }
            t = tlvs(&m.tlvs);
            user_data(extra, &sm, false);
        }
        Pdu::SubmitMultiResp(r) => {
            p.insert("message_id".into(), cstr(r.message_id));
            if !r.unsuccess.is_absent() {
                p.insert("no_unsuccess".into(), json!(r.unsuccess.len()));
                let list: Vec<Value> = r
                    .unsuccess
                    .iter()
                    .map(|u| {
                        let mut o = Map::new();
                        address(&mut o, "dest_addr", "destination_addr", &u.dest);
                        o.insert("error_status_code".into(), Value::String(status_name(u.error_status_code)));
                        Value::Object(o)
                    })
                    .collect();
                p.insert("unsuccess_sme".into(), Value::Array(list));
            }
            t = tlvs(&r.tlvs);
        }
        Pdu::DataSm(d) => {
            p.insert("service_type".into(), cstr(d.service_type));
            address(&mut p, "source_addr", "source_addr", &d.source);
            address(&mut p, "dest_addr", "destination_addr", &d.dest);
            p.insert("esm_class".into(), json!(d.esm_class.0));
            p.insert("registered_delivery".into(), json!(d.registered_delivery.0));
            p.insert("data_coding".into(), json!(d.data_coding.0));
            t = tlvs(&d.tlvs);
            let sm = Sm {
                source: d.source,
                dest: d.dest,
                esm_class: d.esm_class,
                data_coding: d.data_coding,
                tlvs: d.tlvs,
                ..Sm::default()
            };
            user_data(extra, &sm, true);
        }
        Pdu::QuerySm(q) => {
            p.insert("message_id".into(), cstr(q.message_id));
            address(&mut p, "source_addr", "source_addr", &q.source);
        }
        Pdu::QuerySmResp(r) => {
            p.insert("message_id".into(), cstr(r.message_id));
            p.insert("final_date".into(), cstr(r.final_date));
            p.insert("message_state".into(), json!(r.message_state.raw()));
            p.insert("error_code".into(), json!(r.error_code));
        }
        Pdu::CancelSm(c) => {
            p.insert("service_type".into(), cstr(c.service_type));
            p.insert("message_id".into(), cstr(c.message_id));
            address(&mut p, "source_addr", "source_addr", &c.source);
            address(&mut p, "dest_addr", "destination_addr", &c.dest);
        }
        Pdu::ReplaceSm(r) => {
            p.insert("message_id".into(), cstr(r.message_id));
            address(&mut p, "source_addr", "source_addr", &r.source);
            p.insert("schedule_delivery_time".into(), cstr(r.schedule_delivery_time));
            p.insert("validity_period".into(), cstr(r.validity_period));
            p.insert("registered_delivery".into(), json!(r.registered_delivery.0));
            p.insert("sm_default_msg_id".into(), json!(r.sm_default_msg_id));
            p.insert("sm_length".into(), json!(r.short_message.len()));
            p.insert("short_message".into(), short_message(r.short_message, false));
            t = tlvs(&r.tlvs);
        }
        Pdu::AlertNotification(a) => {
            address(&mut p, "source_addr", "source_addr", &a.source);
            address(&mut p, "esme_addr", "esme_addr", &a.esme);
            t = tlvs(&a.tlvs);
        }
        Pdu::BroadcastSm(b) => {
            p.insert("service_type".into(), cstr(b.service_type));
            address(&mut p, "source_addr", "source_addr", &b.source);
            p.insert("message_id".into(), cstr(b.message_id));
            p.insert("priority_flag".into(), json!(b.priority_flag.0));
            p.insert("schedule_delivery_time".into(), cstr(b.schedule_delivery_time));
            p.insert("validity_period".into(), cstr(b.validity_period));
            p.insert("replace_if_present_flag".into(), json!(b.replace_if_present_flag));
            p.insert("data_coding".into(), json!(b.data_coding.0));
            p.insert("sm_default_msg_id".into(), json!(b.sm_default_msg_id));
            t = tlvs(&b.tlvs);
        }
        Pdu::QueryBroadcastSm(q) => {
            p.insert("message_id".into(), cstr(q.message_id));
            address(&mut p, "source_addr", "source_addr", &q.source);
            t = tlvs(&q.tlvs);
        }
        Pdu::CancelBroadcastSm(c) => {
            p.insert("service_type".into(), cstr(c.service_type));
            p.insert("message_id".into(), cstr(c.message_id));
            address(&mut p, "source_addr", "source_addr", &c.source);
            t = tlvs(&c.tlvs);
        }
        _ => {}
    }
    (p, t)
}

/// One whole frame as a dump object; `at` is the frame's offset in the input, for errors.
///
/// # Errors
/// The field that does not decode, and its offset in the input.
pub fn decode(frame: &[u8], at: usize, show_passwords: bool) -> Result<Value, DecodeError> {
    let header = Header::parse(frame).map_err(|e| DecodeError {
        offset: at,
        field: "command_length".into(),
        reason: e.to_string(),
    })?;
    let mut out = Map::new();
    out.insert("cmdName".into(), Value::String(command_name(header.command_id)));
    out.insert("cmdId".into(), json!(header.command_id.raw()));
    out.insert("cmdStatus".into(), Value::String(status_name(header.command_status)));
    out.insert("cmdLength".into(), json!(header.command_length));
    out.insert("seqNr".into(), json!(header.sequence_number));
    match Pdu::parse(frame) {
        Ok((_, pdu)) => {
            let mut extra = Map::new();
            let (params, tlvs) = params(&pdu, show_passwords, &mut extra);
            out.insert("params".into(), Value::Object(params));
            out.insert("tlvs".into(), tlvs);
            out.extend(extra);
        }
        Err(Error::UnknownCommandId { .. }) => {
            // A vendor's command: kept whole, so that it encodes back.
            out.insert("body".into(), Value::String(hex(frame.get(HEADER_LEN..).unwrap_or(&[]))));
        }
        Err(e) => return Err(locate(header.command_id, frame, at, e)),
    }
    Ok(Value::Object(out))
}

// ---------------------------------------------------------------------------------------------
// Where a field is: the layouts of SMPP-REFERENCE §3, walked only to report an offset.

#[derive(Copy, Clone)]
enum Step {
    U8(Field),
    CStr(Field),
    /// sm_length, then short_message.
    ShortMessage,
    /// number_of_dests, then that many dest_address.
    Dests,
    /// no_unsuccess, then that many unsuccess_sme.
    Unsuccess,
    Tlvs,
}

const SOURCE: [Step; 3] =
    [Step::U8(Field::SourceAddrTon), Step::U8(Field::SourceAddrNpi), Step::CStr(Field::SourceAddr)];
const DEST: [Step; 3] =
    [Step::U8(Field::DestAddrTon), Step::U8(Field::DestAddrNpi), Step::CStr(Field::DestinationAddr)];

fn layout(id: CommandId) -> Vec<Step> {
    use Step::{CStr, ShortMessage, Tlvs, U8};
    let mut v = Vec::new();
    match id {
        CommandId::BIND_RECEIVER | CommandId::BIND_TRANSMITTER | CommandId::BIND_TRANSCEIVER => v.extend([
            CStr(Field::SystemId),
            CStr(Field::Password),
            CStr(Field::SystemType),
            U8(Field::InterfaceVersion),
            U8(Field::AddrTon),
            U8(Field::AddrNpi),
            CStr(Field::AddressRange),
        ]),
        CommandId::BIND_RECEIVER_RESP | CommandId::BIND_TRANSMITTER_RESP | CommandId::BIND_TRANSCEIVER_RESP => {
            v.extend([CStr(Field::SystemId), Tlvs])
        }
        CommandId::OUTBIND => v.extend([CStr(Field::SystemId), CStr(Field::Password)]),
        CommandId::SUBMIT_SM | CommandId::DELIVER_SM => {
            v.push(CStr(Field::ServiceType));
            v.extend(SOURCE);
            v.extend(DEST);
            v.extend(SM_TAIL);
        }
        CommandId::SUBMIT_MULTI => {
            v.push(CStr(Field::ServiceType));
            v.extend(SOURCE);
            v.push(Step::Dests);
            v.extend(SM_TAIL);
        }
        CommandId::SUBMIT_SM_RESP
        | CommandId::DELIVER_SM_RESP
        | CommandId::DATA_SM_RESP
        | CommandId::BROADCAST_SM_RESP
        | CommandId::QUERY_BROADCAST_SM_RESP => v.extend([CStr(Field::MessageId), Tlvs]),
        CommandId::SUBMIT_MULTI_RESP => v.extend([CStr(Field::MessageId), Step::Unsuccess, Tlvs]),
        CommandId::DATA_SM => {
            v.push(CStr(Field::ServiceType));
            v.extend(SOURCE);
            v.extend(DEST);
            v.extend([U8(Field::EsmClass), U8(Field::RegisteredDelivery), U8(Field::DataCoding), Tlvs]);
        }
        CommandId::QUERY_SM => {
            v.push(CStr(Field::MessageId));
            v.extend(SOURCE);
        }
        CommandId::QUERY_SM_RESP => {
            v.extend([CStr(Field::MessageId), CStr(Field::FinalDate), U8(Field::MessageState), U8(Field::ErrorCode)])
        }
        CommandId::CANCEL_SM => {
            v.extend([CStr(Field::ServiceType), CStr(Field::MessageId)]);
            v.extend(SOURCE);
            v.extend(DEST);
        }
        CommandId::REPLACE_SM => {
            v.push(CStr(Field::MessageId));
            v.extend(SOURCE);
            v.extend([
                CStr(Field::ScheduleDeliveryTime),
                CStr(Field::ValidityPeriod),
                U8(Field::RegisteredDelivery),
                U8(Field::SmDefaultMsgId),
                ShortMessage,
                Tlvs,
            ]);
        }
        CommandId::ALERT_NOTIFICATION => {
            v.extend(SOURCE);
            v.extend([U8(Field::EsmeAddrTon), U8(Field::EsmeAddrNpi), CStr(Field::EsmeAddr), Tlvs]);
        }
        CommandId::BROADCAST_SM => {
            v.push(CStr(Field::ServiceType));
            v.extend(SOURCE);
            v.extend([
                CStr(Field::MessageId),
                U8(Field::PriorityFlag),
                CStr(Field::ScheduleDeliveryTime),
                CStr(Field::ValidityPeriod),
                U8(Field::ReplaceIfPresentFlag),
                U8(Field::DataCoding),
                U8(Field::SmDefaultMsgId),
                Tlvs,
            ]);
        }
        CommandId::QUERY_BROADCAST_SM => {
            v.push(CStr(Field::MessageId));
            v.extend(SOURCE);
            v.push(Tlvs);
        }
        CommandId::CANCEL_BROADCAST_SM => {
            v.extend([CStr(Field::ServiceType), CStr(Field::MessageId)]);
            v.extend(SOURCE);
            v.push(Tlvs);
        }
        _ => {}
    }
    v
}

const SM_TAIL: [Step; 11] = [
    Step::U8(Field::EsmClass),
    Step::U8(Field::ProtocolId),
    Step::U8(Field::PriorityFlag),
    Step::CStr(Field::ScheduleDeliveryTime),
    Step::CStr(Field::ValidityPeriod),
    Step::U8(Field::RegisteredDelivery),
    Step::U8(Field::ReplaceIfPresentFlag),
    Step::U8(Field::DataCoding),
    Step::U8(Field::SmDefaultMsgId),
    Step::ShortMessage,
    Step::Tlvs,
];

/// Where each field of a body starts (the last place, for fields of a list), and where the
/// mandatory fields end.
struct Walk {
    seen: Vec<(Field, usize)>,
    end: usize,
}

fn walk(id: CommandId, body: &[u8]) -> Walk {
    let mut seen = Vec::new();
    let mut pos = 0usize;
    let cstr = |pos: usize| -> usize {
        let rest = body.get(pos..).unwrap_or(&[]);
        pos + rest.iter().position(|&b| b == 0).map_or(rest.len(), |n| n + 1)
    };
    for step in layout(id) {
        if pos >= body.len() && !matches!(step, Step::Tlvs) {
            break;
        }
        match step {
            Step::U8(f) => {
                seen.push((f, pos));
                pos += 1;
            }
            Step::CStr(f) => {
                seen.push((f, pos));
                pos = cstr(pos);
            }
            Step::ShortMessage => {
                seen.push((Field::SmLength, pos));
                let n = body.get(pos).copied().map_or(0, usize::from);
                seen.push((Field::ShortMessage, pos + 1));
                pos += 1 + n;
            }
            Step::Dests => {
                seen.push((Field::NumberOfDests, pos));
                let n = body.get(pos).copied().unwrap_or(0);
                pos += 1;
                for _ in 0..n {
                    seen.push((Field::DestFlag, pos));
                    let flag = body.get(pos).copied();
                    pos += 1;
                    match flag {
                        Some(1) => {
                            for (f, is_str) in [
                                (Field::DestAddrTon, false),
                                (Field::DestAddrNpi, false),
                                (Field::DestinationAddr, true),
                            ] {
                                seen.push((f, pos));
                                pos = if is_str { cstr(pos) } else { pos + 1 };
                            }
                        }
                        Some(2) => {
                            seen.push((Field::DlName, pos));
                            pos = cstr(pos);
                        }
                        _ => break,
                    }
                }
            }
            Step::Unsuccess => {
                seen.push((Field::NoUnsuccess, pos));
                let n = body.get(pos).copied().unwrap_or(0);
                pos += 1;
                for _ in 0..n {
                    for (f, kind) in [
                        (Field::DestAddrTon, 1),
                        (Field::DestAddrNpi, 1),
                        (Field::DestinationAddr, 0),
                        (Field::ErrorStatusCode, 4),
                    ] {
                        seen.push((f, pos));
                        pos = if kind == 0 { cstr(pos) } else { pos + kind };
                    }
                }
            }
            Step::Tlvs => {
                seen.push((Field::Tlvs, pos.min(body.len())));
            }
        }
    }
    Walk { seen, end: pos.min(body.len()) }
}

/// The offset (in the body) of the TLV that breaks the stream starting at `start`.
fn bad_tlv(body: &[u8], start: usize, tag: Option<u16>) -> usize {
    let mut pos = start;
    while let Some(rest) = body.get(pos..).filter(|r| !r.is_empty()) {
        let Some([t0, t1, l0, l1]) = rest.first_chunk::<4>().copied() else { return pos };
        let (t, l) = (u16::from_be_bytes([t0, t1]), usize::from(u16::from_be_bytes([l0, l1])));
        if tag == Some(t) || rest.len() < 4 + l {
            return pos;
        }
        pos += 4 + l;
    }
    pos
}

/// The decode error of a frame, with the offset of the field it names.
fn locate(id: CommandId, frame: &[u8], at: usize, e: Error) -> DecodeError {
    let body = frame.get(HEADER_LEN..).unwrap_or(&[]);
    let text = e.to_string();
    let in_body = |off: usize| at + HEADER_LEN + off;
    let field_at = |f: Field| -> usize {
        let w = walk(id, body);
        w.seen.iter().rev().find(|(g, _)| *g == f).map_or(w.end, |(_, p)| *p)
    };
    let (field, offset) = match e {
        Error::InvalidCommandLength { .. } | Error::LengthMismatch { .. } => ("command_length".to_owned(), at),
        Error::UnknownCommandId { .. } => ("command_id".to_owned(), at + 4),
        Error::Truncated { field }
        | Error::Unterminated { field }
        | Error::TooLong { field, .. }
        | Error::ContainsNul { field }
        | Error::InvalidValue { field }
        | Error::Absent { field } => (field.name().to_owned(), in_body(field_at(field))),
        Error::InvalidTlvStream => ("tlvs".to_owned(), in_body(bad_tlv(body, field_at(Field::Tlvs), None))),
        Error::InvalidTlvLength { tag } => {
            let name = TlvTag::from_raw(tag).name().map_or_else(|| format!("0x{tag:04x}"), str::to_owned);
            (format!("tlvs.{name}"), in_body(bad_tlv(body, field_at(Field::Tlvs), Some(tag))))
        }
        Error::TrailingBytes => ("body".to_owned(), in_body(walk(id, body).end)),
        _ => ("body".to_owned(), at + HEADER_LEN),
    };
    // The codec's message starts with the field's name, which is said already.
    let reason = text.strip_prefix(&format!("{field}: ")).unwrap_or(&text).to_owned();
    DecodeError { offset, field, reason }
}

// ---------------------------------------------------------------------------------------------
// Encoding

/// Why a dump object cannot be encoded.
pub type EncodeError = String;

/// The fields of `params`, read by name, with the names used kept to find unknown ones.
struct Params<'v> {
    map: Option<&'v Map<String, Value>>,
    used: std::cell::RefCell<Vec<&'static str>>,
    /// Fields to leave out (the body stops before them).
    absent: &'v [&'static str],
}

/// Owned octets that borrowed fields point into.
type Octets = Vec<u8>;

impl<'v> Params<'v> {
    fn get(&self, name: &'static str) -> Option<&'v Value> {
        self.used.borrow_mut().push(name);
        self.map.and_then(|m| m.get(name))
    }

    fn u8(&self, name: &'static str) -> Result<u8, EncodeError> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(0),
            Some(v) => {
                v.as_u64().and_then(|n| u8::try_from(n).ok()).ok_or_else(|| format!("{name}: {v} is not 0..=255"))
            }
        }
    }

    /// A C-Octet String: a string borrowed from the JSON, or `{"hex"}` decoded into `store`.
    fn cstr(&self, name: &'static str, store: &'v Octets) -> COctetStr<'v> {
        if self.absent.contains(&name) {
            return COctetStr::ABSENT;
        }
        match self.get(name) {
            Some(Value::String(s)) => COctetStr::from_str(s),
            Some(Value::Null) => COctetStr::ABSENT,
            Some(Value::Object(_)) => COctetStr::new(store),
            _ => COctetStr::EMPTY,
        }
    }

    /// The octets behind a `{"hex": …}` C-string, checked first.
    fn cstr_octets(&self, name: &'static str) -> Result<Octets, EncodeError> {
        match self.map.and_then(|m| m.get(name)) {
            None | Some(Value::String(_) | Value::Null) => Ok(Vec::new()),
            Some(Value::Object(o)) => match o.get("hex") {
                Some(Value::String(h)) => unhex(h).map_err(|e| format!("{name}: {e}")),
                _ => Err(format!("{name}: give a string or {{\"hex\": …}}")),
            },
            Some(v) => Err(format!("{name}: {v} is not a string")),
        }
    }

    fn address(&self, prefix: &'static str, addr: &'static str, store: &'v Octets) -> Result<Address<'v>, EncodeError> {
        let (ton, npi) = match prefix {
            "source_addr" => ("source_addr_ton", "source_addr_npi"),
            "dest_addr" => ("dest_addr_ton", "dest_addr_npi"),
            _ => ("esme_addr_ton", "esme_addr_npi"),
        };
        Ok(Address {
            ton: Ton::from_raw(self.u8(ton)?),
            npi: Npi::from_raw(self.u8(npi)?),
            addr: self.cstr(addr, store),
        })
    }

    fn check_unknown(&self, command: &str) -> Result<(), EncodeError> {
        let used = self.used.borrow();
        let derived = ["sm_length", "number_of_dests", "no_unsuccess"];
        if let Some(m) = self.map {
            if let Some(k) = m.keys().find(|k| !used.contains(&k.as_str()) && !derived.contains(&k.as_str())) {
                return Err(format!("params.{k}: {command} has no such field"));
            }
        }
        Ok(())
    }
}

/// short_message (or another user data field) as octets.
fn user_octets(v: Option<&Value>, data_coding: u8) -> Result<Octets, EncodeError> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) if s.is_ascii() => Ok(s.as_bytes().to_vec()),
        Some(Value::String(_)) => {
            Err("short_message: a string is taken as ASCII octets; give {\"text\": …} to have text encoded".into())
        }
        Some(Value::Object(o)) => match (o.get("hex"), o.get("text")) {
            (Some(Value::String(h)), None) => unhex(h).map_err(|e| format!("short_message: {e}")),
            (None, Some(Value::String(t))) => encode_text(t, data_coding),
            _ => Err("short_message: give a string, {\"hex\": …} or {\"text\": …}".into()),
        },
        Some(v) => Err(format!("short_message: {v} is not a string")),
    }
}

/// A text in data_coding: GSM 03.38 (one septet per octet), ASCII, Latin-1 or UCS-2.
fn encode_text(text: &str, data_coding: u8) -> Result<Octets, EncodeError> {
    let mut out = vec![0u8; text.len() * 4 + 4];
    let n = match data_coding {
        0 => gsm7::encode(text, Tables::DEFAULT, &mut out)
            .map_err(|e| format!("short_message: not GSM 03.38 text: {e:?}"))?,
        1 | 3 => latin1::encode(text, data_coding == 1, &mut out)
            .map_err(|_| format!("short_message: not {} text", if data_coding == 1 { "ASCII" } else { "Latin-1" }))?,
        8 => ucs2::encode(text, &mut out).map_err(|e| format!("short_message: {e:?}"))?,
        other => return Err(format!("short_message: no text encoding for data_coding {other}: give {{\"hex\": …}}")),
    };
    out.truncate(n);
    Ok(out)
}

/// An owned TLV value, to borrow into a [`Tlv`].
enum OwnedTlv {
    Octets(Octets),
    CStr(String),
    Int(u8, u32),
}

fn parse_tlvs(v: Option<&Value>) -> Result<Vec<(TlvTag, OwnedTlv)>, EncodeError> {
    let Some(v) = v else { return Ok(Vec::new()) };
    let entries: Vec<(String, &Value)> = match v {
        Value::Null => return Ok(Vec::new()),
        Value::Object(m) => m.iter().map(|(k, v)| (k.clone(), v)).collect(),
        Value::Array(a) => a.iter().map(|v| (String::new(), v)).collect(),
        other => return Err(format!("tlvs: {other} is neither an object nor a list")),
    };
    let mut out = Vec::new();
    for (key, entry) in entries {
        let label = if key.is_empty() { "tlvs[]".to_owned() } else { format!("tlvs.{key}") };
        let obj = entry.as_object().ok_or_else(|| format!("{label}: give {{tagId, tagName, tagValue}}"))?;
        let tag = match (obj.get("tagId"), obj.get("tagName")) {
            (Some(id), _) => id
                .as_u64()
                .and_then(|n| u16::try_from(n).ok())
                .map(TlvTag::from_raw)
                .ok_or_else(|| format!("{label}.tagId: {id} is not 0..=65535"))?,
            (None, Some(Value::String(name))) => {
                tlv_tag_named(name).ok_or_else(|| format!("{label}: no TLV is named {name:?}"))?
            }
            _ => {
                let name = key.split('#').next().unwrap_or("");
                tlv_tag_named(name).ok_or_else(|| format!("{label}: give a tagId"))?
            }
        };
        let value = obj.get("tagValue").unwrap_or(&Value::Null);
        let owned = match (tlv_kind(tag), value) {
            (_, Value::Object(o)) => match o.get("hex") {
                Some(Value::String(h)) => OwnedTlv::Octets(unhex(h).map_err(|e| format!("{label}: {e}"))?),
                _ => return Err(format!("{label}.tagValue: give {{\"hex\": …}}")),
            },
            (TlvKind::Int, Value::Number(n)) => {
                let n = n
                    .as_u64()
                    .filter(|&n| n <= u64::from(u32::MAX))
                    .ok_or_else(|| format!("{label}: {n} is not an integer a TLV holds"))?;
                let w = int_width(tag, n)
                    .ok_or_else(|| format!("{label}: {n} does not fit the lengths this tag allows"))?;
                OwnedTlv::Int(w, n as u32)
            }
            (TlvKind::CStr, Value::String(s)) => OwnedTlv::CStr(s.clone()),
            (TlvKind::Octets, Value::String(h)) => OwnedTlv::Octets(unhex(h).map_err(|e| format!("{label}: {e}"))?),
            (TlvKind::Octets, Value::Null) => OwnedTlv::Octets(Vec::new()),
            (kind, other) => return Err(format!("{label}.tagValue: {other} does not fit a {kind:?} TLV")),
        };
        out.push((tag, owned));
    }
    Ok(out)
}

fn tlv_tag_named(name: &str) -> Option<TlvTag> {
    if let Some(h) = name.strip_prefix("0x") {
        return u16::from_str_radix(h, 16).ok().map(TlvTag::from_raw);
    }
    (0..=u16::MAX).map(TlvTag::from_raw).find(|t| t.name() == Some(name))
}

fn borrow_tlvs(list: &[(TlvTag, OwnedTlv)]) -> Vec<Tlv<'_>> {
    list.iter()
        .map(|(tag, v)| Tlv {
            tag: *tag,
            value: match v {
                OwnedTlv::Octets(o) => TlvValue::Octets(o),
                OwnedTlv::CStr(s) => TlvValue::CStr(COctetStr::from_str(s)),
                OwnedTlv::Int(len, value) => TlvValue::Int { len: *len, value: *value },
            },
        })
        .collect()
}

fn command_named(name: &str) -> Option<CommandId> {
    if let Some(h) = name.strip_prefix("0x") {
        return u32::from_str_radix(h, 16).ok().map(CommandId::from_raw);
    }
    (0..=0x1FFu32).flat_map(|r| [r, r | 0x8000_0000]).map(CommandId::from_raw).find(|c| c.name() == Some(name))
}

fn status_named(v: &Value) -> Result<CommandStatus, EncodeError> {
    match v {
        Value::Number(n) => n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .map(CommandStatus::from_raw)
            .ok_or_else(|| format!("cmdStatus: {n} is not a status")),
        Value::String(s) => {
            if let Some(h) = s.strip_prefix("0x") {
                return u32::from_str_radix(h, 16)
                    .map(CommandStatus::from_raw)
                    .map_err(|_| format!("cmdStatus: {s:?} is not a hex number"));
            }
            (0..=0xFFFFu32)
                .map(CommandStatus::from_raw)
                .find(|c| c.name() == Some(s.as_str()))
                .ok_or_else(|| format!("cmdStatus: no status is named {s:?}"))
        }
        Value::Null => Ok(CommandStatus::OK),
        other => Err(format!("cmdStatus: {other} is neither a name nor a number")),
    }
}

/// The fields a body may stop before, in wire order: a response stops early, and so may a
/// request whose last field is a C-string (SMPP-REFERENCE §3.2, §3.6, §12 #12).
fn absentable(id: CommandId) -> &'static [&'static str] {
    match id {
        CommandId::BIND_RECEIVER | CommandId::BIND_TRANSMITTER | CommandId::BIND_TRANSCEIVER => &["address_range"],
        CommandId::BIND_RECEIVER_RESP | CommandId::BIND_TRANSMITTER_RESP | CommandId::BIND_TRANSCEIVER_RESP => {
            &["system_id"]
        }
        CommandId::OUTBIND => &["password"],
        CommandId::SUBMIT_SM_RESP
        | CommandId::DELIVER_SM_RESP
        | CommandId::DATA_SM_RESP
        | CommandId::BROADCAST_SM_RESP
        | CommandId::QUERY_BROADCAST_SM_RESP
        | CommandId::SUBMIT_MULTI_RESP => &["message_id"],
        CommandId::QUERY_SM_RESP => &["message_id", "final_date"],
        CommandId::QUERY_SM | CommandId::QUERY_BROADCAST_SM | CommandId::CANCEL_BROADCAST_SM => &["source_addr"],
        CommandId::CANCEL_SM => &["destination_addr"],
        CommandId::ALERT_NOTIFICATION => &["esme_addr"],
        _ => &[],
    }
}

/// A dump object as the octets of its PDU.
///
/// `cmdId` or `cmdName` says the command; `seqNr` defaults to 1 and `cmdStatus` to ESME_ROK;
/// missing params are empty or zero. `cmdLength` is recomputed; it only decides whether a body
/// that may stop early (an error response without a body) does.
///
/// # Errors
/// What is missing or wrong, naming the field.
pub fn encode(v: &Value) -> Result<Vec<u8>, EncodeError> {
    let obj = v.as_object().ok_or("a PDU is a JSON object")?;
    let by_name = match obj.get("cmdName") {
        Some(Value::String(n)) => Some(command_named(n).ok_or_else(|| format!("cmdName: no command is named {n:?}"))?),
        Some(other) => return Err(format!("cmdName: {other} is not a string")),
        None => None,
    };
    let by_id = match obj.get("cmdId") {
        Some(n) => Some(CommandId::from_raw(
            n.as_u64().and_then(|n| u32::try_from(n).ok()).ok_or_else(|| format!("cmdId: {n} is not a command id"))?,
        )),
        None => None,
    };
    let id = match (by_name, by_id) {
        (Some(a), Some(b)) if a != b => {
            return Err(format!("cmdName {} and cmdId {} disagree", command_name(a), b.raw()));
        }
        (Some(a), _) | (None, Some(a)) => a,
        (None, None) => return Err("give cmdName or cmdId".into()),
    };
    let status = status_named(obj.get("cmdStatus").unwrap_or(&Value::Null))?;
    let seq = match obj.get("seqNr") {
        None | Some(Value::Null) => 1,
        Some(n) => {
            n.as_u64().and_then(|n| u32::try_from(n).ok()).ok_or_else(|| format!("seqNr: {n} is not 0..=4294967295"))?
        }
    };
    let want_len = obj.get("cmdLength").and_then(Value::as_u64);
    let params = match obj.get("params") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => Some(m),
        Some(other) => return Err(format!("params: {other} is not an object")),
    };
    if let Some(Value::String(body)) = obj.get("body") {
        let body = unhex(body).map_err(|e| format!("body: {e}"))?;
        let len = u32::try_from(HEADER_LEN + body.len()).map_err(|_| "body: too long".to_owned())?;
        let mut out = vec![0u8; HEADER_LEN];
        Header { command_length: len, command_id: id, command_status: status, sequence_number: seq }
            .emit(&mut out)
            .map_err(|e| e.to_string())?;
        out.extend(body);
        return Ok(out);
    }
    let tlv_list = parse_tlvs(obj.get("tlvs"))?;
    let tlv_refs = borrow_tlvs(&tlv_list);
    let tlvs = Tlvs::from_slice(&tlv_refs);
    // The body as given; then, if cmdLength says it was shorter, without its trailing empty
    // fields, the last first.
    let candidates = absentable(id);
    let mut first_error = None;
    for k in 0..=candidates.len() {
        let absent = candidates.get(candidates.len() - k..).unwrap_or(&[]);
        let empty =
            absent.iter().all(|f| params.and_then(|m| m.get(*f)).is_none_or(|v| v.as_str() == Some("") || v.is_null()));
        if !empty {
            break;
        }
        let p = Params { map: params, used: Default::default(), absent };
        match build(id, &p, tlvs, seq, status) {
            Ok(bytes) => {
                if k == 0 {
                    p.check_unknown(&command_name(id))?;
                }
                if want_len.is_none_or(|n| n == bytes.len() as u64) || (k == 0 && candidates.is_empty()) {
                    return Ok(bytes);
                }
                first_error.get_or_insert(Ok(bytes));
            }
            Err(e) => {
                first_error.get_or_insert(Err(e));
            }
        }
    }
    first_error.unwrap_or_else(|| Err("nothing to encode".into()))
}

fn emit(pdu: &Pdu<'_>, seq: u32, status: CommandStatus) -> Result<Vec<u8>, EncodeError> {
    let mut out = vec![0u8; pdu.encoded_len()];
    let n = pdu.emit(seq, status, &mut out).map_err(|e| e.to_string())?;
    out.truncate(n);
    Ok(out)
}

/// The params common to submit_sm, deliver_sm and submit_multi's tail.
struct SmTail<'v> {
    esm_class: EsmClass,
    protocol_id: u8,
    priority_flag: Priority,
    schedule_delivery_time: COctetStr<'v>,
    validity_period: COctetStr<'v>,
    registered_delivery: RegisteredDelivery,
    replace_if_present_flag: u8,
    data_coding: DataCoding,
    sm_default_msg_id: u8,
}

fn sm_tail<'v>(p: &Params<'v>, times: &'v (Octets, Octets)) -> Result<SmTail<'v>, EncodeError> {
    Ok(SmTail {
        esm_class: EsmClass(p.u8("esm_class")?),
        protocol_id: p.u8("protocol_id")?,
        priority_flag: Priority(p.u8("priority_flag")?),
        schedule_delivery_time: p.cstr("schedule_delivery_time", &times.0),
        validity_period: p.cstr("validity_period", &times.1),
        registered_delivery: RegisteredDelivery(p.u8("registered_delivery")?),
        replace_if_present_flag: p.u8("replace_if_present_flag")?,
        data_coding: DataCoding(p.u8("data_coding")?),
        sm_default_msg_id: p.u8("sm_default_msg_id")?,
    })
}

fn check_sm_length(p: &Params<'_>, octets: &[u8]) -> Result<(), EncodeError> {
    if let Some(v) = p.map.and_then(|m| m.get("sm_length")) {
        if v.as_u64() != Some(octets.len() as u64) {
            return Err(format!(
                "sm_length: {v} but short_message has {} octets (leave sm_length out to have it counted)",
                octets.len()
            ));
        }
    }
    Ok(())
}

/// Each C-string's `{"hex"}` octets, by name.
fn stores(p: &Params<'_>, names: &[&'static str]) -> Result<Vec<Octets>, EncodeError> {
    names.iter().map(|n| p.cstr_octets(n)).collect()
}

fn build(
    id: CommandId,
    p: &Params<'_>,
    tlvs: Tlvs<'_>,
    seq: u32,
    status: CommandStatus,
) -> Result<Vec<u8>, EncodeError> {
    let tlvs_given = !tlvs.is_empty();
    let no_tlvs = |name: &str| -> Result<(), EncodeError> {
        if tlvs_given { Err(format!("tlvs: {name} carries no TLVs")) } else { Ok(()) }
    };
    let name = command_name(id);
    match id {
        CommandId::BIND_RECEIVER | CommandId::BIND_TRANSMITTER | CommandId::BIND_TRANSCEIVER => {
            no_tlvs(&name)?;
            let s = stores(p, &["system_id", "password", "system_type", "address_range"])?;
            if p.map.and_then(|m| m.get("password")).and_then(Value::as_str) == Some(MASK) {
                return Err(
                    "params.password: it was masked in the dump (decode with --show-passwords, or write it in)".into(),
                );
            }
            let [a, b, c, d] = s.as_slice() else { return Err("internal: stores".into()) };
            let bind = Bind {
                system_id: p.cstr("system_id", a),
                password: p.cstr("password", b),
                system_type: p.cstr("system_type", c),
                interface_version: match p.get("interface_version") {
                    None => smpp_codec::interface_version::V34,
                    Some(_) => p.u8("interface_version")?,
                },
                addr_ton: Ton::from_raw(p.u8("addr_ton")?),
                addr_npi: Npi::from_raw(p.u8("addr_npi")?),
                address_range: p.cstr("address_range", d),
            };
            let pdu = match id {
                CommandId::BIND_RECEIVER => Pdu::BindReceiver(bind),
                CommandId::BIND_TRANSMITTER => Pdu::BindTransmitter(bind),
                _ => Pdu::BindTransceiver(bind),
            };
            emit(&pdu, seq, status)
        }
        CommandId::BIND_RECEIVER_RESP | CommandId::BIND_TRANSMITTER_RESP | CommandId::BIND_TRANSCEIVER_RESP => {
            let s = p.cstr_octets("system_id")?;
            let r = BindResp { system_id: p.cstr("system_id", &s), tlvs };
            let pdu = match id {
                CommandId::BIND_RECEIVER_RESP => Pdu::BindReceiverResp(r),
                CommandId::BIND_TRANSMITTER_RESP => Pdu::BindTransmitterResp(r),
                _ => Pdu::BindTransceiverResp(r),
            };
            emit(&pdu, seq, status)
        }
        CommandId::OUTBIND => {
            no_tlvs(&name)?;
            let s = stores(p, &["system_id", "password"])?;
            if p.map.and_then(|m| m.get("password")).and_then(Value::as_str) == Some(MASK) {
                return Err(
                    "params.password: it was masked in the dump (decode with --show-passwords, or write it in)".into(),
                );
            }
            let [a, b] = s.as_slice() else { return Err("internal: stores".into()) };
            emit(
                &Pdu::Outbind(Outbind { system_id: p.cstr("system_id", a), password: p.cstr("password", b) }),
                seq,
                status,
            )
        }
        CommandId::SUBMIT_SM | CommandId::DELIVER_SM => {
            let s = stores(p, &["service_type", "source_addr", "destination_addr"])?;
            let [a, b, c] = s.as_slice() else { return Err("internal: stores".into()) };
            let times = (p.cstr_octets("schedule_delivery_time")?, p.cstr_octets("validity_period")?);
            let tail = sm_tail(p, &times)?;
            let octets = user_octets(p.get("short_message"), tail.data_coding.0)?;
            check_sm_length(p, &octets)?;
            let sm = Sm {
                service_type: p.cstr("service_type", a),
                source: p.address("source_addr", "source_addr", b)?,
                dest: p.address("dest_addr", "destination_addr", c)?,
                esm_class: tail.esm_class,
                protocol_id: tail.protocol_id,
                priority_flag: tail.priority_flag,
                schedule_delivery_time: tail.schedule_delivery_time,
                validity_period: tail.validity_period,
                registered_delivery: tail.registered_delivery,
                replace_if_present_flag: tail.replace_if_present_flag,
                data_coding: tail.data_coding,
                sm_default_msg_id: tail.sm_default_msg_id,
                short_message: &octets,
                tlvs,
            };
            emit(&if id == CommandId::SUBMIT_SM { Pdu::SubmitSm(sm) } else { Pdu::DeliverSm(sm) }, seq, status)
        }
        CommandId::SUBMIT_SM_RESP
        | CommandId::DELIVER_SM_RESP
        | CommandId::DATA_SM_RESP
        | CommandId::BROADCAST_SM_RESP
        | CommandId::QUERY_BROADCAST_SM_RESP => {
            let s = p.cstr_octets("message_id")?;
            let r = MessageIdResp { message_id: p.cstr("message_id", &s), tlvs };
            let pdu = match id {
                CommandId::SUBMIT_SM_RESP => Pdu::SubmitSmResp(r),
                CommandId::DELIVER_SM_RESP => Pdu::DeliverSmResp(r),
                CommandId::DATA_SM_RESP => Pdu::DataSmResp(r),
                CommandId::BROADCAST_SM_RESP => Pdu::BroadcastSmResp(r),
                _ => Pdu::QueryBroadcastSmResp(r),
            };
            emit(&pdu, seq, status)
        }
        CommandId::SUBMIT_MULTI => {
            let s = stores(p, &["service_type", "source_addr"])?;
            let [a, b] = s.as_slice() else { return Err("internal: stores".into()) };
            let list = p.get("dest_address").and_then(Value::as_array).ok_or("params.dest_address: give a list")?;
            let mut owned: Vec<(u8, u8, u8, String)> = Vec::new();
            for (i, d) in list.iter().enumerate() {
                let d = d.as_object().ok_or_else(|| format!("params.dest_address[{i}]: give an object"))?;
                let num = |k: &str| -> Result<u8, EncodeError> {
                    d.get(k).map_or(Ok(0), |v| {
                        v.as_u64()
                            .and_then(|n| u8::try_from(n).ok())
                            .ok_or_else(|| format!("params.dest_address[{i}].{k}: {v} is not 0..=255"))
                    })
                };
                let text = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
                match num("dest_flag")? {
                    1 => owned.push((1, num("dest_addr_ton")?, num("dest_addr_npi")?, text("destination_addr"))),
                    2 => owned.push((2, 0, 0, text("dl_name"))),
                    f => {
                        return Err(format!("params.dest_address[{i}].dest_flag: {f} is neither 1 (SME) nor 2 (list)"));
                    }
                }
            }
            let dests: Vec<DestAddress<'_>> = owned
                .iter()
                .map(|(flag, ton, npi, s)| match flag {
                    1 => DestAddress::Sme(Address::new(Ton::from_raw(*ton), Npi::from_raw(*npi), s.as_str())),
                    _ => DestAddress::DistributionList(COctetStr::from_str(s)),
                })
                .collect();
            let times = (p.cstr_octets("schedule_delivery_time")?, p.cstr_octets("validity_period")?);
            let tail = sm_tail(p, &times)?;
            let octets = user_octets(p.get("short_message"), tail.data_coding.0)?;
            check_sm_length(p, &octets)?;
            let m = SubmitMulti {
                service_type: p.cstr("service_type", a),
                source: p.address("source_addr", "source_addr", b)?,
                dests: List::from_slice(&dests),
                esm_class: tail.esm_class,
                protocol_id: tail.protocol_id,
                priority_flag: tail.priority_flag,
                schedule_delivery_time: tail.schedule_delivery_time,
                validity_period: tail.validity_period,
                registered_delivery: tail.registered_delivery,
                replace_if_present_flag: tail.replace_if_present_flag,
                data_coding: tail.data_coding,
                sm_default_msg_id: tail.sm_default_msg_id,
                short_message: &octets,
                tlvs,
            };
            emit(&Pdu::SubmitMulti(m), seq, status)
        }
        CommandId::SUBMIT_MULTI_RESP => {
            let s = p.cstr_octets("message_id")?;
            let message_id = p.cstr("message_id", &s);
            let mut owned: Vec<(u8, u8, String, CommandStatus)> = Vec::new();
            let given = p.get("unsuccess_sme");
            if let Some(list) = given.and_then(Value::as_array) {
                for (i, u) in list.iter().enumerate() {
                    let u = u.as_object().ok_or_else(|| format!("params.unsuccess_sme[{i}]: give an object"))?;
                    let num = |k: &str| -> Result<u8, EncodeError> {
                        u.get(k).map_or(Ok(0), |v| {
                            v.as_u64()
                                .and_then(|n| u8::try_from(n).ok())
                                .ok_or_else(|| format!("params.unsuccess_sme[{i}].{k}: {v} is not 0..=255"))
                        })
                    };
                    let addr = u.get("destination_addr").and_then(Value::as_str).unwrap_or("").to_owned();
                    let st = status_named(u.get("error_status_code").unwrap_or(&Value::Null))?;
                    owned.push((num("dest_addr_ton")?, num("dest_addr_npi")?, addr, st));
                }
            }
            let items: Vec<UnsuccessSme<'_>> = owned
                .iter()
                .map(|(ton, npi, a, st)| UnsuccessSme {
                    dest: Address::new(Ton::from_raw(*ton), Npi::from_raw(*npi), a.as_str()),
                    error_status_code: *st,
                })
                .collect();
            let unsuccess =
                if given.is_none() && message_id.is_absent() { List::absent() } else { List::from_slice(&items) };
            emit(&Pdu::SubmitMultiResp(SubmitMultiResp { message_id, unsuccess, tlvs }), seq, status)
        }
        CommandId::DATA_SM => {
            let s = stores(p, &["service_type", "source_addr", "destination_addr"])?;
            let [a, b, c] = s.as_slice() else { return Err("internal: stores".into()) };
            let d = DataSm {
                service_type: p.cstr("service_type", a),
                source: p.address("source_addr", "source_addr", b)?,
                dest: p.address("dest_addr", "destination_addr", c)?,
                esm_class: EsmClass(p.u8("esm_class")?),
                registered_delivery: RegisteredDelivery(p.u8("registered_delivery")?),
                data_coding: DataCoding(p.u8("data_coding")?),
                tlvs,
            };
            emit(&Pdu::DataSm(d), seq, status)
        }
        CommandId::QUERY_SM => {
            no_tlvs(&name)?;
            let s = stores(p, &["message_id", "source_addr"])?;
            let [a, b] = s.as_slice() else { return Err("internal: stores".into()) };
            let q =
                QuerySm { message_id: p.cstr("message_id", a), source: p.address("source_addr", "source_addr", b)? };
            emit(&Pdu::QuerySm(q), seq, status)
        }
        CommandId::QUERY_SM_RESP => {
            no_tlvs(&name)?;
            let s = stores(p, &["message_id", "final_date"])?;
            let [a, b] = s.as_slice() else { return Err("internal: stores".into()) };
            let r = QuerySmResp {
                message_id: p.cstr("message_id", a),
                final_date: p.cstr("final_date", b),
                message_state: MessageState::from_raw(p.u8("message_state")?),
                error_code: p.u8("error_code")?,
            };
            emit(&Pdu::QuerySmResp(r), seq, status)
        }
        CommandId::CANCEL_SM => {
            no_tlvs(&name)?;
            let s = stores(p, &["service_type", "message_id", "source_addr", "destination_addr"])?;
            let [a, b, c, d] = s.as_slice() else { return Err("internal: stores".into()) };
            let r = CancelSm {
                service_type: p.cstr("service_type", a),
                message_id: p.cstr("message_id", b),
                source: p.address("source_addr", "source_addr", c)?,
                dest: p.address("dest_addr", "destination_addr", d)?,
            };
            emit(&Pdu::CancelSm(r), seq, status)
        }
        CommandId::REPLACE_SM => {
            let s = stores(p, &["message_id", "source_addr", "schedule_delivery_time", "validity_period"])?;
            let [a, b, c, d] = s.as_slice() else { return Err("internal: stores".into()) };
            let octets = user_octets(p.get("short_message"), 0)?;
            check_sm_length(p, &octets)?;
            let r = ReplaceSm {
                message_id: p.cstr("message_id", a),
                source: p.address("source_addr", "source_addr", b)?,
                schedule_delivery_time: p.cstr("schedule_delivery_time", c),
                validity_period: p.cstr("validity_period", d),
                registered_delivery: RegisteredDelivery(p.u8("registered_delivery")?),
                sm_default_msg_id: p.u8("sm_default_msg_id")?,
                short_message: &octets,
                tlvs,
            };
            emit(&Pdu::ReplaceSm(r), seq, status)
        }
        CommandId::ALERT_NOTIFICATION => {
            let s = stores(p, &["source_addr", "esme_addr"])?;
            let [a, b] = s.as_slice() else { return Err("internal: stores".into()) };
            let r = AlertNotification {
                source: p.address("source_addr", "source_addr", a)?,
                esme: p.address("esme_addr", "esme_addr", b)?,
                tlvs,
            };
            emit(&Pdu::AlertNotification(r), seq, status)
        }
        CommandId::BROADCAST_SM => {
            let s =
                stores(p, &["service_type", "source_addr", "message_id", "schedule_delivery_time", "validity_period"])?;
            let [a, b, c, d, e] = s.as_slice() else { return Err("internal: stores".into()) };
            let r = BroadcastSm {
                service_type: p.cstr("service_type", a),
                source: p.address("source_addr", "source_addr", b)?,
                message_id: p.cstr("message_id", c),
                priority_flag: Priority(p.u8("priority_flag")?),
                schedule_delivery_time: p.cstr("schedule_delivery_time", d),
                validity_period: p.cstr("validity_period", e),
                replace_if_present_flag: p.u8("replace_if_present_flag")?,
                data_coding: DataCoding(p.u8("data_coding")?),
                sm_default_msg_id: p.u8("sm_default_msg_id")?,
                tlvs,
            };
            emit(&Pdu::BroadcastSm(r), seq, status)
        }
        CommandId::QUERY_BROADCAST_SM => {
            let s = stores(p, &["message_id", "source_addr"])?;
            let [a, b] = s.as_slice() else { return Err("internal: stores".into()) };
            let r = QueryBroadcastSm {
                message_id: p.cstr("message_id", a),
                source: p.address("source_addr", "source_addr", b)?,
                tlvs,
            };
            emit(&Pdu::QueryBroadcastSm(r), seq, status)
        }
        CommandId::CANCEL_BROADCAST_SM => {
            let s = stores(p, &["service_type", "message_id", "source_addr"])?;
            let [a, b, c] = s.as_slice() else { return Err("internal: stores".into()) };
            let r = CancelBroadcastSm {
                service_type: p.cstr("service_type", a),
                message_id: p.cstr("message_id", b),
                source: p.address("source_addr", "source_addr", c)?,
                tlvs,
            };
            emit(&Pdu::CancelBroadcastSm(r), seq, status)
        }
        CommandId::GENERIC_NACK
        | CommandId::UNBIND
        | CommandId::UNBIND_RESP
        | CommandId::ENQUIRE_LINK
        | CommandId::ENQUIRE_LINK_RESP
        | CommandId::CANCEL_SM_RESP
        | CommandId::REPLACE_SM_RESP
        | CommandId::CANCEL_BROADCAST_SM_RESP => {
            no_tlvs(&name)?;
            if let Some(k) = p.map.and_then(|m| m.keys().next()) {
                return Err(format!("params.{k}: {name} has no body"));
            }
            let mut out = vec![0u8; HEADER_LEN];
            Header { command_length: HEADER_LEN as u32, command_id: id, command_status: status, sequence_number: seq }
                .emit(&mut out)
                .map_err(|e| e.to_string())?;
            Ok(out)
        }
        other => Err(format!(
            "{}: not a command this tool can build from params; give its body as {{\"body\": hex}}",
            command_name(other)
        )),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;

    #[test]
    fn every_known_tag_has_a_kind_its_description_agrees_with() {
        for raw in 0..=u16::MAX {
            let tag = TlvTag::from_raw(raw);
            let Some(desc) = tag.description() else { continue };
            let kind = tlv_kind(tag);
            match kind {
                TlvKind::Int => assert!(desc.contains("(I"), "{desc}"),
                TlvKind::CStr => assert!(desc.contains("(C"), "{desc}"),
                TlvKind::Octets => assert!(desc.contains("(O") || desc.contains("(length 0"), "{desc}"),
            }
        }
        assert_eq!(tlv_kind(TlvTag::MESSAGE_STATE), TlvKind::Int);
        assert_eq!(tlv_kind(TlvTag::RECEIPTED_MESSAGE_ID), TlvKind::CStr);
        assert_eq!(tlv_kind(TlvTag::MESSAGE_PAYLOAD), TlvKind::Octets);
        assert_eq!(tlv_tag_named("message_state"), Some(TlvTag::MESSAGE_STATE));
        assert_eq!(command_named("deliver_sm"), Some(CommandId::DELIVER_SM));
        assert_eq!(command_named("generic_nack"), Some(CommandId::GENERIC_NACK));
    }

    #[test]
    fn hex_reads_the_usual_spellings() {
        assert_eq!(unhex("00 00 00 10").unwrap(), [0, 0, 0, 16]);
        assert_eq!(unhex("0x0A:0b-0C").unwrap(), [10, 11, 12]);
        assert!(unhex("0g").is_err());
        assert!(unhex("abc").is_err());
    }

    #[test]
    fn a_field_error_names_the_field_and_its_offset() {
        // §11.4 submit_sm with destination_addr's NUL and what follows overwritten: no NUL in 21.
        let mut f = unhex("000000360000000400000000000000020005005465737400010134343737303039303031323300000000000001000000054865 6C6C6F").unwrap();
        f[38..48].fill(b'9');
        let e = decode(&f, 100, false).unwrap_err();
        assert_eq!(e.field, "destination_addr");
        assert_eq!(e.offset, 100 + 26);
        // A TLV whose length runs past the end.
        let mut g = unhex("0000001A800000020000000000000001534D53430002100001 34").unwrap();
        g[24] = 9;
        let e = decode(&g, 0, false).unwrap_err();
        assert_eq!(e.field, "tlvs");
        assert_eq!(e.offset, 21);
    }
}
