//! decode and encode: every vector of SMPP-REFERENCE §11 and of both provider pages, the
//! round trip encode(decode(x)) == x on those and on generated PDUs, and errors that name the
//! field and the offset.

use serde_json::{Value, json};
use smpp_codec::pdu::{Bind, MessageIdResp, QuerySmResp, Sm};
use smpp_codec::{
    Address, CommandStatus, DataCoding, EsmClass, MessageState, Npi, Pdu, Priority, RegisteredDelivery, Tlv, TlvTag,
    Tlvs, Ton,
};

use crate::common::*;

/// SMPP-REFERENCE §11, each vector as it is printed there.
const REFERENCE: &[(&str, &str)] = &[
    ("enquire_link", "00 00 00 10  00 00 00 15  00 00 00 00  00 00 00 01"),
    ("enquire_link_resp", "00 00 00 10  80 00 00 15  00 00 00 00  00 00 00 01"),
    ("bind_transmitter", "00 00 00 1D 00 00 00 02 00 00 00 00 00 00 00 01 74 65 73 74 00 70 77 00 00 34 00 00 00"),
    ("bind_transmitter_resp", "00 00 00 1A 80 00 00 02 00 00 00 00 00 00 00 01 53 4D 53 43 00 02 10 00 01 34"),
    ("bind_transmitter_resp", "00 00 00 10 80 00 00 02 00 00 00 0E 00 00 00 01"),
    (
        "submit_sm",
        "00 00 00 36 00 00 00 04 00 00 00 00 00 00 00 02 00 05 00 54 65 73 74 00 01 01 34 34 37 37 30 30
         39 30 30 31 32 33 00 00 00 00 00 00 01 00 00 00 05 48 65 6C 6C 6F",
    ),
    ("submit_sm_resp", "00 00 00 1E 80 00 00 04 00 00 00 00 00 00 00 02 36 38 30 39 30 61 35 33 34 65 35 35 31 00"),
    ("submit_sm_resp", "00 00 00 10 80 00 00 04 00 00 00 58 00 00 00 02"),
    (
        "deliver_sm",
        "00 00 00 99 00 00 00 05 00 00 00 00 00 00 00 05 00 01 01 34 34 37 37 30 30 39 30 30 31 32 33 00
         05 00 54 65 73 74 00 04 00 00 00 00 00 00 00 00 51 69 64 3A 36 38 30 39 30 61 35 33 34 65 35 35
         31 20 73 75 62 6D 69 74 20 64 61 74 65 3A 32 35 30 34 32 33 31 35 34 32 20 64 6F 6E 65 20 64 61
         74 65 3A 32 35 30 34 32 33 31 35 34 33 20 73 74 61 74 3A 44 45 4C 49 56 52 44 20 65 72 72 3A 30
         30 30 00 1E 00 0E 36 38 30 39 30 61 35 33 34 65 35 35 31 00 04 27 00 01 02",
    ),
    (
        "deliver_sm",
        "0000009900000005000000000000000600010134343737303039303031323300050054657374000400000000000000005169643A36383039313638626464663662207375626D697420646174653A3235303432333136333420646F6E6520646174653A3235303432333136333520737461743A554E44454C4956206572723A303031001E000E36383039313638626464663662000427000105",
    ),
    ("deliver_sm_resp", "00 00 00 11 80 00 00 05 00 00 00 00 00 00 00 05 00"),
    ("generic_nack", "00 00 00 10 80 00 00 00 00 00 00 03 00 00 00 07"),
    ("unbind", "00 00 00 10 00 00 00 06 00 00 00 00 00 00 00 03"),
    ("unbind_resp", "00 00 00 10 80 00 00 06 00 00 00 00 00 00 00 03"),
    (
        "submit_sm",
        "00000043 00000004 00000000 00000009 00 01 01 343437373030393030313233 00 01 01 343437373030393030343536 00
         40 00 00 00 00 00 00 08 00 0A 05 00 03 2A 02 01 00 48 00 69",
    ),
    (
        "submit_sm",
        "00000042 00000004 00000000 0000000A 00 01 01 343437373030393030313233 00 01 01 343437373030393030343536 00
         00 00 00 00 00 00 00 00 00 00 04 24 00 05 48 65 6C 6C 6F",
    ),
];

fn compact(hex: &str) -> String {
    hex.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase()
}

fn decode(hex: &str) -> Vec<Value> {
    let r = run(&["decode", "--show-passwords", hex]);
    assert_eq!(r.code, 0, "{hex}: {r:?}");
    r.json()
}

fn encode(values: &[Value]) -> String {
    let text: Vec<String> = values.iter().map(Value::to_string).collect();
    let r = run_stdin(&["encode", "--file", "-"], text.join("\n").as_bytes());
    assert_eq!(r.code, 0, "{r:?}");
    r.stdout.lines().collect::<Vec<_>>().join("")
}

#[test]
fn every_reference_vector_decodes_and_encodes_back_to_its_octets() {
    for (name, hex) in REFERENCE {
        let v = decode(hex);
        assert_eq!(v.len(), 1, "{name}");
        assert_eq!(v[0]["cmdName"], *name, "{hex}");
        assert_eq!(encode(&v), compact(hex), "{name}: {}", v[0]);
    }
    // All of them back to back: one run, every PDU in turn.
    let all: String = REFERENCE.iter().map(|(_, h)| compact(h)).collect();
    let v = decode(&all);
    assert_eq!(v.len(), REFERENCE.len());
    assert_eq!(encode(&v), all);
}

#[test]
fn the_reference_vectors_decode_to_their_fields() {
    let bind = &decode(REFERENCE[2].1)[0];
    assert_eq!(
        bind["params"],
        json!({"system_id": "test", "password": "pw", "system_type": "", "interface_version": 52, "addr_ton": 0, "addr_npi": 0, "address_range": ""})
    );
    // Without --show-passwords the password is masked, and encoding refuses the mask.
    let masked = run(&["decode", REFERENCE[2].1]);
    assert_eq!(masked.json()[0]["params"]["password"], "***");
    let r = run(&["encode", &masked.json()[0].to_string()]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("password") && r.stderr.contains("masked"), "{r:?}");

    let resp = &decode(REFERENCE[3].1)[0];
    assert_eq!(
        resp["tlvs"]["sc_interface_version"],
        json!({"tagId": 0x0210, "tagName": "sc_interface_version", "tagValue": 0x34})
    );
    let refused = &decode(REFERENCE[4].1)[0];
    assert_eq!((refused["cmdStatus"].as_str(), refused["cmdLength"].as_u64()), (Some("ESME_RINVPASWD"), Some(16)));

    let sm = &decode(REFERENCE[5].1)[0];
    assert_eq!(sm["params"]["source_addr_ton"], 5);
    assert_eq!(sm["params"]["destination_addr"], "447700900123");
    assert_eq!(sm["params"]["registered_delivery"], 1);
    assert_eq!(sm["params"]["short_message"], "Hello");
    assert_eq!(sm["text"], "Hello");

    let undeliv = &decode(REFERENCE[9].1)[0];
    assert_eq!(undeliv["seqNr"], 6);
    assert_eq!(undeliv["receipt"]["statusMsg"], "UNDELIVERABLE");
    assert_eq!(undeliv["receipt"]["stat"], "UNDELIV");
    assert_eq!(undeliv["receipt"]["err"], "001");
    assert_eq!(undeliv["receipt"]["doneDate"], "2025-04-23 16:35");

    let ucs2 = &decode(REFERENCE[14].1)[0];
    assert_eq!(ucs2["params"]["short_message"], json!({"hex": "0500032a020100480069"}));
    assert_eq!(ucs2["text"], "Hi");
    assert_eq!(ucs2["udh"], json!({"reference": 42, "total": 2, "seq": 1}));

    let payload = &decode(REFERENCE[15].1)[0];
    assert_eq!(payload["tlvs"]["message_payload"]["tagValue"], "48656c6c6f");
    assert_eq!(payload["text"], "Hello");
}

/// The PDU objects printed on LabsMobile's page, as printed there.
fn labsmobile() -> Vec<Value> {
    [
        r#"{ "params": { "message_id": "68090a534e551" }, "tlvs": {}, "cmdLength": 30, "cmdId": 2147483652, "cmdStatus": "ESME_ROK", "seqNr": 2, "cmdName": "submit_sm_resp" }"#,
        r#"{ "params": { "message_id": "" }, "tlvs": {}, "cmdLength": 16, "cmdId": 2147483652, "cmdStatus": "ESME_RUNKNOWNERR", "seqNr": 2, "cmdName": "submit_sm_resp" }"#,
        r#"{ "params": { "source_addr": "573137464378", "destination_addr": "SENDER", "esm_class": 4, "short_message": "id:68090a534e551 submit date:2504231542 done date:2504231543 stat:DELIVRD err:000" }, "tlvs": { "message_state": { "tagId": 1063, "tagName": "message_state", "tagValue": 2 }, "receipted_message_id": { "tagId": 30, "tagName": "receipted_message_id", "tagValue": "68090a534e551" } }, "cmdName": "deliver_sm", "cmdStatus": "ESME_ROK" }"#,
        r#"{ "params": { "source_addr": "573137464378", "destination_addr": "SENDER", "esm_class": 4, "short_message": "id:6809168bddf6b submit date:2504231634 done date:2504231635 stat:UNDELIV err:001" }, "tlvs": { "message_state": { "tagId": 1063, "tagName": "message_state", "tagValue": 5 }, "receipted_message_id": { "tagId": 30, "tagName": "receipted_message_id", "tagValue": "6809168bddf6b" } }, "cmdName": "deliver_sm", "cmdStatus": "ESME_ROK" }"#,
    ]
    .iter()
    .map(|s| serde_json::from_str(s).unwrap())
    .collect()
}

#[test]
fn labsmobiles_pdu_dumps_encode_and_decode_to_the_same_shape() {
    let pages = labsmobile();
    let hex = encode(&pages);
    // The first one is §11.5 exactly; the second the 16-octet error form.
    assert!(hex.starts_with(&compact(REFERENCE[6].1)), "{hex}");
    let decoded = decode(&hex);
    assert_eq!(decoded.len(), 4);
    for (page, ours) in pages.iter().zip(&decoded) {
        for key in ["cmdName", "cmdStatus"] {
            assert_eq!(page[key], ours[key], "{key}: {ours}");
        }
        for (k, v) in page["params"].as_object().unwrap() {
            assert_eq!(&ours["params"][k], v, "params.{k}: {ours}");
        }
        for (k, v) in page["tlvs"].as_object().unwrap() {
            assert_eq!(&ours["tlvs"][k], v, "tlvs.{k}: {ours}");
        }
        for key in ["cmdLength", "cmdId", "seqNr"] {
            if let Some(v) = page.get(key) {
                assert_eq!(&ours[key], v, "{key}: {ours}");
            }
        }
    }
    // The receipts read as LabsMobile's DLR objects say.
    assert_eq!(decoded[2]["receipt"]["statusMsg"], "DELIVERED");
    assert_eq!(decoded[2]["receipt"]["statusId"], 2);
    assert_eq!(decoded[2]["receipt"]["smsId"], "68090a534e551");
    assert_eq!(decoded[3]["receipt"]["statusMsg"], "UNDELIVERABLE");
    assert_eq!(decoded[3]["receipt"]["statusId"], 5);
    assert_eq!(decoded[3]["receipt"]["smsId"], "6809168bddf6b");
    assert_eq!(encode(&decoded), hex);
}

#[test]
fn engagelabs_pdus_encode_decode_and_encode_back() {
    let body = r#"{"id":"otp-1","language":"default","code":"123456","params":{"name":"Zoë"}}"#;
    let pdus = vec![
        json!({"cmdName": "bind_transceiver", "seqNr": 1, "params": {"system_id": "acct", "password": "secret"}}),
        json!({"cmdName": "bind_transceiver_resp", "seqNr": 1, "params": {"system_id": "acct"}}),
        json!({"cmdName": "submit_sm", "seqNr": 2, "params": {"service_type": "CODE", "dest_addr_ton": 1, "dest_addr_npi": 1,
               "destination_addr": "+6598765432", "data_coding": 8, "short_message": {"text": body}}}),
        json!({"cmdName": "submit_sm_resp", "seqNr": 2, "cmdStatus": "ESME_RINVPARAM", "cmdLength": 16, "params": {"message_id": ""}}),
        json!({"cmdName": "deliver_sm", "seqNr": 3, "params": {"service_type": "MSG", "destination_addr": "+6598765432",
               "short_message": "id:1745422920123 sub:001 dlvrd:001 submit date:2504231542 done date:2504231543 stat:DELIVRD err:000 text:"},
               "tlvs": {"receipted_message_id": {"tagId": 30, "tagValue": "1745422920123"}, "message_state": {"tagName": "message_state", "tagValue": 2}}}),
        json!({"cmdName": "generic_nack", "seqNr": 4, "cmdStatus": "ESME_RINVCMDID"}),
        json!({"cmdName": "enquire_link", "seqNr": 5}),
    ];
    let hex = encode(&pdus);
    let decoded = decode(&hex);
    assert_eq!(decoded.len(), pdus.len());
    assert_eq!(decoded[2]["text"], body);
    assert_eq!(decoded[2]["params"]["sm_length"], body.encode_utf16().count() * 2);
    assert_eq!(decoded[3]["cmdLength"], 16);
    assert_eq!(decoded[4]["params"]["esm_class"], 0, "EngageLab's receipts have esm_class 0");
    assert_eq!(decoded[4]["receipt"]["smsId"], "1745422920123");
    assert_eq!(decoded[4]["receipt"]["dlvrd"], 1);
    assert_eq!(decoded[5]["cmdStatus"], "ESME_RINVCMDID");
    assert_eq!(encode(&decoded), hex);
}

/// A small deterministic generator (no dependency needed for this).
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
    fn text(&mut self, max: usize) -> String {
        let n = (self.next() % max as u64) as usize;
        (0..n).map(|_| char::from(b'0' + (self.next() % 75) as u8)).collect()
    }
    fn octets(&mut self, max: usize) -> Vec<u8> {
        let n = (self.next() % (max as u64 + 1)) as usize;
        (0..n).map(|_| self.byte()).collect()
    }
}

#[test]
fn generated_pdus_survive_decode_then_encode() {
    let mut g = Gen(0x9E37_79B9_7F4A_7C15);
    let mut all = Vec::new();
    for i in 0..300u32 {
        let (st, sa, da, id, sched) = (
            g.text(6),
            g.text(21),
            g.text(21),
            g.text(65),
            if g.byte() & 1 == 0 { String::new() } else { "000001000000000R".into() },
        );
        let sm_bytes = g.octets(140);
        let payload = g.octets(300);
        let rid = g.text(30);
        let tlv_list = [
            Tlv::cstr(TlvTag::RECEIPTED_MESSAGE_ID, rid.as_str()),
            Tlv::u8(TlvTag::MESSAGE_STATE, g.byte() % 10),
            Tlv::u16(TlvTag::SAR_MSG_REF_NUM, g.next() as u16),
            Tlv::octets(TlvTag::from_raw(0x1400 + (g.next() % 0x100) as u16), &payload[..payload.len().min(20)]),
        ];
        let k = (g.next() % 5) as usize;
        let tlvs = Tlvs::from_slice(&tlv_list[..k]);
        let pdu = match i % 5 {
            0 | 1 => {
                let sm = Sm {
                    service_type: st.as_str().into(),
                    source: Address::new(Ton::from_raw(g.byte() % 7), Npi::from_raw(g.byte() % 19), sa.as_str()),
                    dest: Address::new(Ton::from_raw(g.byte()), Npi::from_raw(g.byte()), da.as_str()),
                    esm_class: EsmClass(g.byte()),
                    protocol_id: g.byte(),
                    priority_flag: Priority(g.byte() % 4),
                    schedule_delivery_time: sched.as_str().into(),
                    validity_period: sched.as_str().into(),
                    registered_delivery: RegisteredDelivery(g.byte()),
                    replace_if_present_flag: g.byte() % 2,
                    data_coding: DataCoding(g.byte()),
                    sm_default_msg_id: g.byte(),
                    short_message: &sm_bytes,
                    tlvs,
                };
                if i % 5 == 0 { Pdu::SubmitSm(sm) } else { Pdu::DeliverSm(sm) }
            }
            2 => Pdu::SubmitSmResp(MessageIdResp { message_id: id.as_str().into(), tlvs }),
            3 => Pdu::QuerySmResp(QuerySmResp {
                message_id: id.as_str().into(),
                final_date: sched.as_str().into(),
                message_state: MessageState::from_raw(g.byte() % 10),
                error_code: g.byte(),
            }),
            _ => Pdu::BindReceiver(Bind {
                system_id: sa.get(..sa.len().min(15)).unwrap().into(),
                password: st.as_str().into(),
                ..Bind::new("", "")
            }),
        };
        let mut out = vec![0u8; pdu.encoded_len()];
        let n = pdu.emit(i + 1, CommandStatus::from_raw(u32::from(g.byte() % 3)), &mut out).unwrap();
        all.extend_from_slice(&out[..n]);
    }
    let hex: String = all.iter().map(|b| format!("{b:02x}")).collect();
    let f = TempFile::new("generated.bin", &all);
    let r = run(&["decode", "--show-passwords", "--file", f.path()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let values = r.json();
    assert_eq!(values.len(), 300);
    assert_eq!(encode(&values), hex);
    // Raw output gives the octets themselves.
    let raw = run_stdin(&["encode", "--raw", "--file", "-"], r.stdout.as_bytes());
    assert_eq!(raw.code, 0);
    let f2 = TempFile::new("generated.hex", hex.as_bytes());
    let again = run(&["decode", "--show-passwords", "--file", f2.path()]);
    assert_eq!(again.stdout, r.stdout, "a hex file decodes like the raw one");
    assert!(raw.stdout.len() >= all.len() / 2, "the octets themselves");
}

#[test]
fn a_malformed_pdu_names_its_field_and_offset_and_decoding_goes_on() {
    let good = compact(REFERENCE[0].1);
    // §11.4 with destination_addr's NUL and the octets after it overwritten: no NUL in 21.
    let mut bad = compact(REFERENCE[5].1);
    bad.replace_range(76..96, &"39".repeat(10));
    let input = format!("{good}{bad}{good}");
    let r = run(&["decode", &input]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(r.json().len(), 2, "the PDUs on either side decode: {r:?}");
    let errors: Vec<_> = r.stderr.lines().collect();
    assert_eq!(errors.len(), 2, "{r:?}");
    assert_eq!(errors[0], "smpp: PDU 2: destination_addr at offset 42: longer than the maximum of 21 octets", "{r:?}");
    assert!(errors[1].contains("1 PDU(s) did not decode, 2 did"), "{r:?}");

    // A command_length out of range loses the framing: what follows cannot be found.
    let r = run(&["decode", &format!("{good}0000000800000004")]);
    assert_eq!(r.code, 1);
    assert_eq!(r.json().len(), 1);
    assert!(r.stderr.contains("command_length at offset 16"), "{r:?}");
    // Not hex at all.
    let r = run(&["decode", "zz"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stderr.lines().count(), 1, "{r:?}");
    // An unknown (vendor) command is kept whole and encodes back.
    let vendor = "0000001401000001000000000000000101020304";
    let v = decode(vendor);
    assert_eq!(v[0]["body"], "01020304");
    assert_eq!(encode(&v), vendor);
}

#[test]
fn encode_errors_name_what_is_wrong() {
    for (json, expect) in [
        (r#"{"cmdName": "submit_sm", "params": {"esm_class": 300}}"#, "esm_class"),
        (
            r#"{"cmdName": "submit_sm", "params": {"destination_addr": "1234567890123456789012345"}}"#,
            "destination_addr",
        ),
        (r#"{"cmdName": "submit_sm", "params": {"nope": 1}}"#, "params.nope"),
        (r#"{"cmdName": "no_such_pdu"}"#, "cmdName"),
        (r#"{"cmdName": "enquire_link", "params": {"x": 1}}"#, "no body"),
        (
            r#"{"cmdName": "deliver_sm", "tlvs": {"message_state": {"tagId": 1063, "tagValue": 70000}}}"#,
            "message_state",
        ),
        (r#"{"cmdName": "submit_sm", "params": {"short_message": "héllo"}}"#, "short_message"),
        (r#"[1, 2]"#, "JSON object"),
        (r#"{"cmdName": "submit_sm""#, "JSON object 1"),
    ] {
        let r = run(&["encode", json]);
        assert_eq!(r.code, 1, "{json}: {r:?}");
        assert_eq!(r.stderr.lines().count(), 1, "{json}: {r:?}");
        assert!(r.stderr.contains(expect), "{json}: {r:?}");
    }
}
