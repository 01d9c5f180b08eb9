//! A PDU as a JSON object for the log (field names in [`events`](super::events)).

use serde_json::{Map, Value, json};
use smpp_codec::pdu::Sm;
use smpp_codec::{Address, COctetStr, CommandStatus, Header, Pdu, TlvValue, Tlvs};

use crate::text::UserData;

/// Which way a PDU went.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    /// From the ESME.
    In,
    /// To the ESME.
    Out,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn text(s: COctetStr<'_>) -> Value {
    Value::String(String::from_utf8_lossy(s.as_bytes()).into_owned())
}

fn status(s: CommandStatus) -> Value {
    Value::String(s.name().map_or_else(|| format!("0x{:08X}", s.raw()), str::to_owned))
}

fn tlvs(t: &Tlvs<'_>) -> Value {
    t.iter()
        .map(|tlv| {
            let value = match tlv.value {
                TlvValue::Octets(v) => Value::String(hex(v)),
                TlvValue::CStr(s) => text(s),
                TlvValue::Int { value, .. } => json!(value),
            };
            json!({"tag": format!("0x{:04x}", tlv.tag.raw()), "name": tlv.tag.name(), "value": value})
        })
        .collect()
}

fn address(m: &mut Map<String, Value>, prefix: &str, name: &str, a: &Address<'_>) {
    m.insert(format!("{prefix}_ton"), json!(a.ton.raw()));
    m.insert(format!("{prefix}_npi"), json!(a.npi.raw()));
    m.insert(name.into(), text(a.addr));
}

fn sm(m: &mut Map<String, Value>, sm: &Sm<'_>) {
    m.insert("service_type".into(), text(sm.service_type));
    address(m, "source_addr", "source_addr", &sm.source);
    address(m, "dest_addr", "destination_addr", &sm.dest);
    m.insert("esm_class".into(), json!(sm.esm_class.0));
    m.insert("protocol_id".into(), json!(sm.protocol_id));
    m.insert("priority_flag".into(), json!(sm.priority_flag.0));
    m.insert("schedule_delivery_time".into(), text(sm.schedule_delivery_time));
    m.insert("validity_period".into(), text(sm.validity_period));
    m.insert("registered_delivery".into(), json!(sm.registered_delivery.0));
    m.insert("replace_if_present_flag".into(), json!(sm.replace_if_present_flag));
    m.insert("data_coding".into(), json!(sm.data_coding.0));
    m.insert("sm_default_msg_id".into(), json!(sm.sm_default_msg_id));
    m.insert("sm_length".into(), json!(sm.short_message.len()));
    m.insert("short_message".into(), Value::String(hex(sm.short_message)));
    m.insert("tlvs".into(), tlvs(&sm.tlvs));
    let ud = UserData::of(sm);
    m.insert("text".into(), Value::String(ud.text()));
    if let Some(c) = ud.concat {
        m.insert("udh".into(), json!({"reference": c.reference, "total": c.total, "seq": c.seq}));
    }
}

/// The fields of a decoded PDU.
fn fields(pdu: &Pdu<'_>) -> Map<String, Value> {
    let mut m = Map::new();
    match pdu {
        Pdu::BindTransmitter(b) | Pdu::BindReceiver(b) | Pdu::BindTransceiver(b) => {
            // The password is never written.
            m.insert("system_id".into(), text(b.system_id));
            m.insert("system_type".into(), text(b.system_type));
            m.insert("interface_version".into(), json!(b.interface_version));
            m.insert("addr_ton".into(), json!(b.addr_ton.raw()));
            m.insert("addr_npi".into(), json!(b.addr_npi.raw()));
            m.insert("address_range".into(), text(b.address_range));
        }
        Pdu::BindTransmitterResp(r) | Pdu::BindReceiverResp(r) | Pdu::BindTransceiverResp(r) => {
            m.insert("system_id".into(), text(r.system_id));
            m.insert("tlvs".into(), tlvs(&r.tlvs));
        }
        Pdu::SubmitSm(s) | Pdu::DeliverSm(s) => sm(&mut m, s),
        Pdu::SubmitSmResp(r) | Pdu::DeliverSmResp(r) | Pdu::DataSmResp(r) => {
            m.insert("message_id".into(), text(r.message_id));
            m.insert("tlvs".into(), tlvs(&r.tlvs));
        }
        Pdu::QuerySm(q) => {
            m.insert("message_id".into(), text(q.message_id));
            address(&mut m, "source_addr", "source_addr", &q.source);
        }
        Pdu::QuerySmResp(r) => {
            m.insert("message_id".into(), text(r.message_id));
            m.insert("final_date".into(), text(r.final_date));
            m.insert(
                "message_state".into(),
                Value::String(r.message_state.name().map_or_else(|| r.message_state.raw().to_string(), str::to_owned)),
            );
            m.insert("error_code".into(), json!(r.error_code));
        }
        Pdu::CancelSm(c) => {
            m.insert("service_type".into(), text(c.service_type));
            m.insert("message_id".into(), text(c.message_id));
            address(&mut m, "source_addr", "source_addr", &c.source);
            address(&mut m, "dest_addr", "destination_addr", &c.dest);
        }
        Pdu::DataSm(d) => {
            m.insert("service_type".into(), text(d.service_type));
            address(&mut m, "source_addr", "source_addr", &d.source);
            address(&mut m, "dest_addr", "destination_addr", &d.dest);
            m.insert("esm_class".into(), json!(d.esm_class.0));
            m.insert("registered_delivery".into(), json!(d.registered_delivery.0));
            m.insert("data_coding".into(), json!(d.data_coding.0));
            m.insert("tlvs".into(), tlvs(&d.tlvs));
        }
        _ => {}
    }
    m
}

/// A frame (one whole PDU) as a log line, without `ts`.
pub(crate) fn pdu_line(connection: u64, dir: Direction, frame: &[u8]) -> Value {
    let mut line = Map::new();
    let header = Header::parse(frame);
    let name = match &header {
        Ok(h) => h.command_id.name().map_or_else(|| format!("0x{:08X}", h.command_id.raw()), str::to_owned),
        Err(_) => "?".into(),
    };
    line.insert("pdu".into(), Value::String(name));
    line.insert("conn".into(), json!(connection));
    line.insert("dir".into(), json!(if dir == Direction::In { "in" } else { "out" }));
    if let Ok(h) = header {
        line.insert("seq".into(), json!(h.sequence_number));
        line.insert("status".into(), status(h.command_status));
        line.insert("length".into(), json!(h.command_length));
    }
    match Pdu::parse(frame) {
        Ok((_, pdu)) => {
            line.insert("fields".into(), Value::Object(fields(&pdu)));
        }
        Err(e) => {
            line.insert("error".into(), Value::String(e.to_string()));
        }
    }
    Value::Object(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bind_is_logged_without_its_password() {
        // §11.2: bind_transmitter "test" / "pw".
        let frame = [
            0x00, 0x00, 0x00, 0x1D, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x74, 0x65,
            0x73, 0x74, 0x00, 0x70, 0x77, 0x00, 0x00, 0x34, 0x00, 0x00, 0x00,
        ];
        let v = pdu_line(3, Direction::In, &frame);
        assert_eq!(v["pdu"], "bind_transmitter");
        assert_eq!(v["fields"]["system_id"], "test");
        assert_eq!(v["dir"], "in");
        assert!(!v.to_string().contains("\"pw\""), "{v}");
        assert!(!v.to_string().contains("password"), "{v}");
    }

    #[test]
    fn a_receipt_is_logged_with_its_text_and_tlvs() {
        // §11.6 with the message_state TLV.
        let hex = "0000009900000005000000000000000600010134343737303039303031323300050054657374000400000000000000005169643A36383039313638626464663662207375626D697420646174653A3235303432333136333420646F6E6520646174653A3235303432333136333520737461743A554E44454C4956206572723A303031001E000E36383039313638626464663662000427000105";
        let frame: Vec<u8> =
            (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0)).collect();
        let v = pdu_line(1, Direction::Out, &frame);
        assert_eq!(v["pdu"], "deliver_sm");
        assert_eq!(v["seq"], 6);
        assert_eq!(v["fields"]["esm_class"], 4);
        assert_eq!(v["fields"]["destination_addr"], "Test");
        assert!(v["fields"]["text"].as_str().unwrap_or("").contains("stat:UNDELIV"), "{v}");
        assert_eq!(v["fields"]["tlvs"][0]["name"], "receipted_message_id");
        assert_eq!(v["fields"]["tlvs"][1]["value"], "05");
    }

    #[test]
    fn garbage_is_logged_as_an_error() {
        let v = pdu_line(1, Direction::In, &[0, 0, 0, 17, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 1, 9]);
        assert_eq!(v["pdu"], "submit_sm");
        assert!(v["error"].is_string(), "{v}");
    }
}
