//! Byte-exact vectors: SMPP-REFERENCE §11 and the LabsMobile provider examples, parsed field by
//! field and emitted byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use smpp_codec::pdu::{Bind, BindResp, DeliverSm, MessageIdResp, SubmitSm};
use smpp_codec::{
    Address, COctetStr, CommandId, CommandStatus, DataCoding, EsmClass, MessageState, MessageType, Npi, Pdu,
    RegisteredDelivery, Tlv, TlvTag, Tlvs, Ton,
};

fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits.chunks(2).map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap()).collect()
}

fn emit(pdu: &Pdu<'_>, seq: u32, status: CommandStatus) -> Vec<u8> {
    let mut buf = vec![0u8; pdu.encoded_len()];
    let n = pdu.emit(seq, status, &mut buf).unwrap();
    assert_eq!(n, buf.len(), "emit must write exactly encoded_len() octets");
    buf
}

/// Parses `bytes`, checks the header, re-emits the parsed PDU and checks it is byte-identical.
fn parse_roundtrip(bytes: &[u8], id: CommandId, status: CommandStatus, seq: u32) -> Pdu<'_> {
    let (h, pdu) = Pdu::parse(bytes).unwrap();
    assert_eq!(h.command_length as usize, bytes.len());
    assert_eq!(h.command_id, id);
    assert_eq!(h.command_status, status);
    assert_eq!(h.sequence_number, seq);
    assert_eq!(pdu.command_id(), id);
    assert_eq!(emit(&pdu, seq, status), bytes, "re-emitting the parsed PDU");
    pdu
}

#[test]
fn enquire_link_and_resp() {
    let req = hex("00 00 00 10  00 00 00 15  00 00 00 00  00 00 00 01");
    assert_eq!(parse_roundtrip(&req, CommandId::ENQUIRE_LINK, CommandStatus::OK, 1), Pdu::EnquireLink);
    let resp = hex("00 00 00 10  80 00 00 15  00 00 00 00  00 00 00 01");
    assert_eq!(parse_roundtrip(&resp, CommandId::ENQUIRE_LINK_RESP, CommandStatus::OK, 1), Pdu::EnquireLinkResp);
    // cloudhopper's vector, with a large sequence number.
    let ch = hex("0000001000000015000000000A342EE7");
    let (h, _) = Pdu::parse(&ch).unwrap();
    assert_eq!(h.sequence_number, 0x0A34_2EE7);
}

#[test]
fn bind_transmitter() {
    let bytes = hex("00 00 00 1D 00 00 00 02 00 00 00 00 00 00 00 01 74 65 73 74 00 70 77 00 00 34 00 00 00");
    let Pdu::BindTransmitter(b) = parse_roundtrip(&bytes, CommandId::BIND_TRANSMITTER, CommandStatus::OK, 1) else {
        panic!("not a bind_transmitter")
    };
    assert_eq!(b.system_id, "test");
    assert_eq!(b.password, "pw");
    assert!(b.system_type.is_empty());
    assert_eq!(b.interface_version, 0x34);
    assert_eq!(b.addr_ton, Ton::UNKNOWN);
    assert_eq!(b.addr_npi, Npi::UNKNOWN);
    assert!(b.address_range.is_empty());
    // Built from fields, it is the same bytes.
    assert_eq!(emit(&Pdu::BindTransmitter(Bind::new("test", "pw")), 1, CommandStatus::OK), bytes);
}

#[test]
fn bind_transmitter_resp_ok_and_error_forms() {
    let ok = hex("00 00 00 1A 80 00 00 02 00 00 00 00 00 00 00 01 53 4D 53 43 00 02 10 00 01 34");
    let Pdu::BindTransmitterResp(r) = parse_roundtrip(&ok, CommandId::BIND_TRANSMITTER_RESP, CommandStatus::OK, 1)
    else {
        panic!()
    };
    assert_eq!(r.system_id, "SMSC");
    assert_eq!(r.tlvs.sc_interface_version().unwrap(), Some(0x34));
    let tlvs = [Tlv::sc_interface_version(0x34)];
    let built = Pdu::BindTransmitterResp(BindResp { system_id: "SMSC".into(), tlvs: Tlvs::from_slice(&tlvs) });
    assert_eq!(emit(&built, 1, CommandStatus::OK), ok);

    // ESME_RINVPASWD in its three forms: no body, a lone NUL, a full body.
    for body in [&[][..], &[0][..], b"SMSC\0"] {
        let mut bytes = hex("00 00 00 10 80 00 00 02 00 00 00 0E 00 00 00 01");
        bytes.extend_from_slice(body);
        bytes[3] = bytes.len() as u8;
        let status = CommandStatus::INVALID_PASSWORD;
        assert_eq!(status.to_string(), "ESME_RINVPASWD");
        let Pdu::BindTransmitterResp(r) = parse_roundtrip(&bytes, CommandId::BIND_TRANSMITTER_RESP, status, 1) else {
            panic!()
        };
        assert_eq!(r.system_id.as_bytes(), body.strip_suffix(&[0]).unwrap_or(body));
        assert_eq!(r.system_id.is_absent(), body.is_empty());
    }
}

#[test]
fn submit_sm_minimal() {
    let bytes = hex("00 00 00 36 00 00 00 04 00 00 00 00 00 00 00 02 00 05 00 54 65 73 74 00 01 01 34 34 37 37 30 30
         39 30 30 31 32 33 00 00 00 00 00 00 01 00 00 00 05 48 65 6C 6C 6F");
    let Pdu::SubmitSm(sm) = parse_roundtrip(&bytes, CommandId::SUBMIT_SM, CommandStatus::OK, 2) else { panic!() };
    assert!(sm.service_type.is_empty());
    assert_eq!(sm.source, Address::new(Ton::ALPHANUMERIC, Npi::UNKNOWN, "Test"));
    assert_eq!(sm.dest, Address::new(Ton::INTERNATIONAL, Npi::ISDN, "447700900123"));
    assert_eq!(sm.esm_class, EsmClass(0));
    assert_eq!(sm.protocol_id, 0);
    assert_eq!(sm.priority_flag.0, 0);
    assert!(sm.schedule_delivery_time.is_empty() && sm.validity_period.is_empty());
    assert_eq!(sm.registered_delivery, RegisteredDelivery::RECEIPT);
    assert_eq!(sm.replace_if_present_flag, 0);
    assert_eq!(sm.data_coding, DataCoding::DEFAULT);
    assert_eq!(sm.sm_default_msg_id, 0);
    assert_eq!(sm.short_message, b"Hello");
    assert!(sm.tlvs.is_empty());

    let mut built = SubmitSm::new(Address::alphanumeric("Test"), Address::international("447700900123"), b"Hello");
    built.registered_delivery = RegisteredDelivery::RECEIPT;
    assert_eq!(emit(&Pdu::SubmitSm(built), 2, CommandStatus::OK), bytes);
}

#[test]
fn submit_sm_resp_ok_and_throttled() {
    let ok = hex("00 00 00 1E 80 00 00 04 00 00 00 00 00 00 00 02 36 38 30 39 30 61 35 33 34 65 35 35 31 00");
    let Pdu::SubmitSmResp(r) = parse_roundtrip(&ok, CommandId::SUBMIT_SM_RESP, CommandStatus::OK, 2) else { panic!() };
    assert_eq!(r.message_id, "68090a534e551");
    assert_eq!(emit(&Pdu::SubmitSmResp(MessageIdResp::new("68090a534e551")), 2, CommandStatus::OK), ok);

    let throttled = hex("00 00 00 10 80 00 00 04 00 00 00 58 00 00 00 02");
    let Pdu::SubmitSmResp(r) = parse_roundtrip(&throttled, CommandId::SUBMIT_SM_RESP, CommandStatus::THROTTLED, 2)
    else {
        panic!()
    };
    assert!(CommandStatus::THROTTLED.is_transient());
    assert!(r.message_id.is_empty() && r.message_id.is_absent());
}

const RECEIPT_DELIVRD: &str =
    "00 00 00 99 00 00 00 05 00 00 00 00 00 00 00 05 00 01 01 34 34 37 37 30 30 39 30 30 31 32 33 00
05 00 54 65 73 74 00 04 00 00 00 00 00 00 00 00 51 69 64 3A 36 38 30 39 30 61 35 33 34 65 35 35
31 20 73 75 62 6D 69 74 20 64 61 74 65 3A 32 35 30 34 32 33 31 35 34 32 20 64 6F 6E 65 20 64 61
74 65 3A 32 35 30 34 32 33 31 35 34 33 20 73 74 61 74 3A 44 45 4C 49 56 52 44 20 65 72 72 3A 30
30 30 00 1E 00 0E 36 38 30 39 30 61 35 33 34 65 35 35 31 00 04 27 00 01 02";

const RECEIPT_UNDELIV: &str = "0000009900000005000000000000000600010134343737303039303031323300050054657374000400000000000000005169643A36383039313638626464663662207375626D697420646174653A3235303432333136333420646F6E6520646174653A3235303432333136333520737461743A554E44454C4956206572723A303031001E000E36383039313638626464663662000427000105";

#[test]
fn deliver_sm_receipts() {
    let cases = [
        (RECEIPT_DELIVRD, 5, "68090a534e551", MessageState::DELIVERED, "stat:DELIVRD err:000"),
        (RECEIPT_UNDELIV, 6, "6809168bddf6b", MessageState::UNDELIVERABLE, "stat:UNDELIV err:001"),
    ];
    for (vector, seq, id, state, stat) in cases {
        let bytes = hex(vector);
        assert_eq!(bytes.len(), 153);
        let Pdu::DeliverSm(d) = parse_roundtrip(&bytes, CommandId::DELIVER_SM, CommandStatus::OK, seq) else {
            panic!()
        };
        assert_eq!(d.source, Address::international("447700900123"));
        assert_eq!(d.dest, Address::alphanumeric("Test"));
        assert_eq!(d.esm_class.message_type(), MessageType::SmscDeliveryReceipt);
        assert!(d.esm_class.is_receipt());
        assert_eq!(d.short_message.len(), 81);
        assert!(d.short_message.starts_with(format!("id:{id} submit date:").as_bytes()));
        assert!(d.short_message.ends_with(stat.as_bytes()));
        assert_eq!(d.tlvs.receipted_message_id().unwrap(), Some(COctetStr::from(id)));
        assert_eq!(d.tlvs.message_state().unwrap(), Some(state));
        assert_eq!(d.tlvs.iter().count(), 2);

        // Built from typed TLVs it is the same bytes.
        let tlvs = [Tlv::receipted_message_id(id), Tlv::message_state(state)];
        let built = DeliverSm {
            esm_class: EsmClass::DELIVERY_RECEIPT,
            tlvs: Tlvs::from_slice(&tlvs),
            ..DeliverSm::new(d.source, d.dest, d.short_message)
        };
        assert_eq!(emit(&Pdu::DeliverSm(built), seq, CommandStatus::OK), bytes);
    }
}

#[test]
fn deliver_sm_resp_both_forms() {
    let full = hex("00 00 00 11 80 00 00 05 00 00 00 00 00 00 00 05 00");
    let Pdu::DeliverSmResp(r) = parse_roundtrip(&full, CommandId::DELIVER_SM_RESP, CommandStatus::OK, 5) else {
        panic!()
    };
    assert!(r.message_id.is_empty());
    // OpenMarket's header-only form.
    let bare = hex("00 00 00 10 80 00 00 05 00 00 00 00 00 00 00 05");
    let pdu = parse_roundtrip(&bare, CommandId::DELIVER_SM_RESP, CommandStatus::OK, 5);
    assert_eq!(pdu, Pdu::DeliverSmResp(MessageIdResp::default()), "absent compares equal to empty");
    assert_eq!(emit(&Pdu::DeliverSmResp(MessageIdResp::default()), 5, CommandStatus::OK), full);
    assert_eq!(
        emit(
            &Pdu::DeliverSmResp(MessageIdResp { message_id: COctetStr::ABSENT, ..Default::default() }),
            5,
            CommandStatus::OK
        ),
        bare
    );
}

#[test]
fn generic_nack_and_unbind() {
    let nack = hex("00 00 00 10 80 00 00 00 00 00 00 03 00 00 00 07");
    assert_eq!(parse_roundtrip(&nack, CommandId::GENERIC_NACK, CommandStatus::INVALID_COMMAND_ID, 7), Pdu::GenericNack);
    let unbind = hex("00 00 00 10 00 00 00 06 00 00 00 00 00 00 00 03");
    assert_eq!(parse_roundtrip(&unbind, CommandId::UNBIND, CommandStatus::OK, 3), Pdu::Unbind);
    let resp = hex("00 00 00 10 80 00 00 06 00 00 00 00 00 00 00 03");
    assert_eq!(parse_roundtrip(&resp, CommandId::UNBIND_RESP, CommandStatus::OK, 3), Pdu::UnbindResp);
}

#[test]
fn submit_sm_ucs2_concatenated_part() {
    let bytes = hex(
        "00000043 00000004 00000000 00000009 00 01 01 343437373030393030313233 00 01 01 343437373030393030343536 00
         40 00 00 00 00 00 00 08 00 0A 05 00 03 2A 02 01 00 48 00 69",
    );
    let Pdu::SubmitSm(sm) = parse_roundtrip(&bytes, CommandId::SUBMIT_SM, CommandStatus::OK, 9) else { panic!() };
    assert!(sm.esm_class.udhi());
    assert_eq!(sm.data_coding, DataCoding::UCS2);
    assert_eq!(sm.short_message, &[0x05, 0x00, 0x03, 0x2A, 0x02, 0x01, 0x00, 0x48, 0x00, 0x69]);
    assert_eq!(sm.dest.addr, "447700900456");
}

#[test]
fn submit_sm_message_payload() {
    let bytes = hex(
        "00000042 00000004 00000000 0000000A 00 01 01 343437373030393030313233 00 01 01 343437373030393030343536 00
         00 00 00 00 00 00 00 00 00 00 04 24 00 05 48 65 6C 6C 6F",
    );
    let Pdu::SubmitSm(sm) = parse_roundtrip(&bytes, CommandId::SUBMIT_SM, CommandStatus::OK, 10) else { panic!() };
    assert!(sm.short_message.is_empty());
    assert_eq!(sm.tlvs.message_payload().unwrap(), Some(&b"Hello"[..]));
    assert_eq!(sm.message(), b"Hello");
    let tlvs = [Tlv::message_payload(b"Hello")];
    let built = SubmitSm {
        tlvs: Tlvs::from_slice(&tlvs),
        ..SubmitSm::new(Address::international("447700900123"), Address::international("447700900456"), b"")
    };
    assert_eq!(emit(&Pdu::SubmitSm(built), 10, CommandStatus::OK), bytes);
}

/// Builds a frame from a command id, status, sequence number and body pieces; the length is
/// computed, every other octet is written out.
fn frame(id: u32, status: u32, seq: u32, body: &[&[u8]]) -> Vec<u8> {
    let body: Vec<u8> = body.concat();
    let mut out = Vec::new();
    out.extend_from_slice(&(16 + body.len() as u32).to_be_bytes());
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&status.to_be_bytes());
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(&body);
    out
}

#[test]
fn labsmobile_submit_sm_resp_examples() {
    // { "message_id": "68090a534e551", cmdLength 30, ESME_ROK, seqNr 2 }
    let ok = frame(0x8000_0004, 0, 2, &[b"68090a534e551\0"]);
    assert_eq!(ok.len(), 30);
    let (h, pdu) = Pdu::parse(&ok).unwrap();
    assert_eq!((h.command_status, h.sequence_number), (CommandStatus::OK, 2));
    assert_eq!(pdu, Pdu::SubmitSmResp(MessageIdResp::new("68090a534e551")));

    // { "message_id": "", cmdLength 16, ESME_RUNKNOWNERR, seqNr 2 }
    let err = frame(0x8000_0004, 0xFF, 2, &[]);
    assert_eq!(err.len(), 16);
    let (h, pdu) = Pdu::parse(&err).unwrap();
    assert_eq!(h.command_status, CommandStatus::UNKNOWN_ERROR);
    assert_eq!(h.command_status.to_string(), "ESME_RUNKNOWNERR");
    let Pdu::SubmitSmResp(r) = pdu else { panic!() };
    assert_eq!(r.message_id, "");
}

#[test]
fn labsmobile_receipts() {
    let cases = [
        (
            "id:68090a534e551 submit date:2504231542 done date:2504231543 stat:DELIVRD err:000",
            "68090a534e551",
            2u8,
            MessageState::DELIVERED,
        ),
        (
            "id:6809168bddf6b submit date:2504231634 done date:2504231635 stat:UNDELIV err:001",
            "6809168bddf6b",
            5u8,
            MessageState::UNDELIVERABLE,
        ),
    ];
    for (text, id, state_octet, state) in cases {
        let bytes = frame(
            0x0000_0005,
            0,
            1,
            &[
                b"\0",                     // service_type
                &[0x01, 0x01],             // source TON/NPI
                b"573137464378\0",         // source_addr
                &[0x00, 0x00],             // dest TON/NPI
                b"SENDER\0",               // destination_addr
                &[0x04, 0x00, 0x00],       // esm_class receipt, protocol_id, priority
                &[0x00, 0x00],             // schedule, validity
                &[0x00, 0x00, 0x00, 0x00], // registered_delivery, replace, data_coding, default_msg_id
                &[text.len() as u8],
                text.as_bytes(),
                &[0x04, 0x27, 0x00, 0x01, state_octet], // message_state (tag 1063)
                &[0x00, 0x1E, 0x00, id.len() as u8 + 1], // receipted_message_id (tag 30)
                id.as_bytes(),
                b"\0",
            ],
        );
        let (_, pdu) = Pdu::parse(&bytes).unwrap();
        let Pdu::DeliverSm(d) = pdu else { panic!() };
        assert_eq!(d.source.addr, "573137464378");
        assert_eq!(d.dest.addr, "SENDER");
        assert_eq!(d.esm_class.0, 4);
        assert_eq!(d.short_message, text.as_bytes());
        assert_eq!(d.tlvs.message_state().unwrap(), Some(state));
        assert_eq!(d.tlvs.get(TlvTag::from_raw(1063)).unwrap().as_int().unwrap(), u32::from(state_octet));
        assert_eq!(d.tlvs.receipted_message_id().unwrap().unwrap(), id);
        assert_eq!(d.tlvs.get(TlvTag::from_raw(30)).unwrap().tag, TlvTag::RECEIPTED_MESSAGE_ID);
    }
}
