//! Lenient decode, strict encode, errors that name their field, open enumerations.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use smpp_codec::pdu::{
    Bind, BindResp, CancelSm, DestAddress, List, MessageIdResp, QuerySmResp, Sm, SubmitMulti, SubmitMultiResp,
    SubmitSm, UnsuccessSme,
};
use smpp_codec::{
    Address, CommandId, CommandStatus, DEFAULT_MAX_COMMAND_LENGTH, Error, Field, Frame, Header, MessageState,
    MessageType, MessagingMode, Pdu, ReceiptRequest, RegisteredDelivery, SmppTime, Tlv, TlvTag, Tlvs, frame_len,
};
use smpp_codec::{COctetStr, EsmClass, NetworkErrorCode};

fn frame(id: u32, status: u32, seq: u32, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(16 + body.len() as u32).to_be_bytes());
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&status.to_be_bytes());
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(body);
    out
}

fn to_vec(pdu: &Pdu<'_>, seq: u32) -> Vec<u8> {
    let mut buf = vec![0u8; pdu.encoded_len()];
    pdu.emit(seq, CommandStatus::OK, &mut buf).unwrap();
    buf
}

#[test]
fn over_long_field_is_an_error_naming_the_field_and_buffer_is_untouched() {
    let sm = SubmitSm::new(Address::alphanumeric("Test"), Address::international("4477009001234567890123"), b"x");
    let mut buf = [0xAAu8; 300];
    assert_eq!(
        Pdu::SubmitSm(sm).emit(1, CommandStatus::OK, &mut buf),
        Err(Error::TooLong { field: Field::DestinationAddr, max: 21 })
    );
    assert!(buf.iter().all(|&b| b == 0xAA));

    let bind = Bind::new("a-system-id-too-long", "pw");
    assert_eq!(bind.emit(&mut buf), Err(Error::TooLong { field: Field::SystemId, max: 16 }));
    let bind = Bind::new("ok", "password9");
    assert_eq!(bind.emit(&mut buf), Err(Error::TooLong { field: Field::Password, max: 9 }));
    let bind = Bind::new("nul\0inside", "pw");
    assert_eq!(bind.emit(&mut buf), Err(Error::ContainsNul { field: Field::SystemId }));
    assert!(buf.iter().all(|&b| b == 0xAA));

    let long = [b'x'; 255];
    let sm = SubmitSm::new(Address::default(), Address::default(), &long);
    assert_eq!(sm.emit(&mut buf), Err(Error::TooLong { field: Field::ShortMessage, max: 254 }));

    let mut small = [0u8; 20];
    assert_eq!(
        Pdu::SubmitSm(SubmitSm::new(Address::default(), Address::default(), b"hi")).emit(
            1,
            CommandStatus::OK,
            &mut small
        ),
        Err(Error::BufferTooSmall { needed: 35 })
    );
    assert!(small.iter().all(|&b| b == 0));
}

#[test]
fn encode_rejects_bad_times_and_payload_conflicts_the_application_builds() {
    let mut sm = SubmitSm::new(Address::default(), Address::default(), b"x");
    sm.validity_period = "0001".into();
    let mut buf = [0u8; 128];
    assert_eq!(sm.emit(&mut buf), Err(Error::InvalidValue { field: Field::ValidityPeriod }));
    sm.validity_period = "000001000000000R".into();
    assert!(sm.emit(&mut buf).is_ok());

    let tlvs = [Tlv::message_payload(b"payload")];
    sm.tlvs = Tlvs::from_slice(&tlvs);
    assert_eq!(sm.emit(&mut buf), Err(Error::PayloadConflict));

    // The status is written as given, on requests too (receivers ignore it there), so that a
    // request that arrived with one re-emits unchanged.
    assert_eq!(Pdu::EnquireLink.emit(1, CommandStatus::SYSTEM_ERROR, &mut buf), Ok(16));
    assert_eq!(Pdu::parse(&buf[..16]).unwrap().0.command_status, CommandStatus::SYSTEM_ERROR);
}

#[test]
fn framing_and_length_errors() {
    assert_eq!(frame_len(&[], DEFAULT_MAX_COMMAND_LENGTH), Ok(Frame::Incomplete { needed: 4 }));
    assert_eq!(
        frame_len(&[0, 0, 0, 15, 0], DEFAULT_MAX_COMMAND_LENGTH),
        Err(Error::InvalidCommandLength { length: 15 })
    );
    assert_eq!(frame_len(&[0, 1, 0, 0], 4096), Err(Error::InvalidCommandLength { length: 65_536 }));
    let el = frame(0x15, 0, 1, &[]);
    let mut two = el.clone();
    two.extend_from_slice(&el);
    assert_eq!(frame_len(&two, DEFAULT_MAX_COMMAND_LENGTH), Ok(Frame::Complete(16)));

    let mut short = el.clone();
    short[3] = 8;
    assert_eq!(Pdu::parse(&short), Err(Error::InvalidCommandLength { length: 8 }));
    assert_eq!(Pdu::parse(&two), Err(Error::LengthMismatch { command_length: 16, actual: 32 }));
    assert_eq!(Pdu::parse(&el[..10]), Err(Error::Truncated { field: Field::CommandLength }));
}

#[test]
fn unknown_command_ids_are_reported_with_the_status_to_answer() {
    let vendor = frame(0x0100_0001, 0, 9, b"abc");
    let e = Pdu::parse(&vendor).unwrap_err();
    assert_eq!(e, Error::UnknownCommandId { command_id: 0x0100_0001 });
    assert_eq!(e.command_status(), CommandStatus::INVALID_COMMAND_ID);
    let h = Header::parse(&vendor).unwrap();
    assert_eq!(h.command_id, CommandId::from_raw(0x0100_0001));
    assert_eq!(h.command_id.to_string(), "0x1000001");
    assert!(!h.command_id.is_known());
}

/// Parses `bytes` and checks that the PDU re-emits to the very same octets.
fn parse_and_re_emit(bytes: &[u8]) -> Pdu<'_> {
    let (h, pdu) = Pdu::parse(bytes).unwrap();
    let mut out = vec![0u8; pdu.encoded_len()];
    pdu.emit(h.sequence_number, h.command_status, &mut out).unwrap();
    assert_eq!(out, bytes, "{pdu:?} re-emits as it came");
    pdu
}

#[test]
fn lenient_decode() {
    // Sequence number 0 is tolerated.
    let (h, _) = Pdu::parse(&frame(0x15, 0, 0, &[])).unwrap();
    assert_eq!(h.sequence_number, 0);
    // So is a non-zero status in a request, and it is written back.
    assert_eq!(parse_and_re_emit(&frame(0x15, 0x08, 3, &[])), Pdu::EnquireLink);
}

#[test]
fn one_missing_trailing_c_string_and_no_more() {
    // bind_transmitter without address_range: it reads as empty, is absent, and stays absent.
    let bytes = frame(0x02, 0, 1, b"test\0pw\0\0\x34\0\0");
    let Pdu::BindTransmitter(b) = parse_and_re_emit(&bytes) else { panic!() };
    assert_eq!(b.system_id, "test");
    assert!(b.address_range.is_empty() && b.address_range.is_absent());
    assert!(!b.system_type.is_absent());
    assert_eq!(b, Bind::new("test", "pw"), "absent and empty compare equal");
    // The same for every PDU whose last mandatory field is a C-string.
    let cases: [(u32, &[u8]); 7] = [
        (0x0B, b"smsc\0"),                               // outbind without password
        (0x03, b"m1\0\x01\x01"),                         // query_sm without source_addr
        (0x08, b"\0m1\0\x01\x01447700900123\0\x01\x01"), // cancel_sm without destination_addr
        (0x102, b"\x01\x01447700900123\0\x01\x01"),      // alert_notification without esme_addr
        (0x112, b"m1\0\x01\x01"),                        // query_broadcast_sm without source_addr
        (0x113, b"\0m1\0\x01\x01"),                      // cancel_broadcast_sm without source_addr
        (0x09, b"u\0p\0\0\x34\x01\x01"),                 // bind_transceiver without address_range
    ];
    for (id, body) in cases {
        parse_and_re_emit(&frame(id, 0, 2, body));
        // Cut into the field before it, the body is malformed.
        let shorter = &body[..body.len() - 1];
        let e = Pdu::parse(&frame(id, 0, 2, shorter)).unwrap_err();
        assert!(matches!(e, Error::Truncated { .. } | Error::Unterminated { .. }), "{id:#x}: {e:?}");
    }
    // An outbind with an empty body misses two C-strings; query_sm without message_id and
    // source_addr, more.
    assert_eq!(Pdu::parse(&frame(0x0B, 0, 1, b"")), Err(Error::Truncated { field: Field::SystemId }));
    assert_eq!(Pdu::parse(&frame(0x0B, 0, 1, b"smsc")), Err(Error::Unterminated { field: Field::SystemId }));
    assert_eq!(Pdu::parse(&frame(0x03, 0, 1, b"")), Err(Error::Truncated { field: Field::MessageId }));
    // A C-string that is not the last field cannot be missing.
    assert_eq!(Pdu::parse(&frame(0x02, 0, 1, b"test\0pw\0")), Err(Error::Truncated { field: Field::SystemType }));
    assert_eq!(
        Pdu::parse(&frame(0x04, 0, 1, b"")),
        Err(Error::Truncated { field: Field::ServiceType }),
        "submit_sm ends with short_message, not a C-string"
    );
}

#[test]
fn responses_stop_early_whatever_their_status() {
    // Header-only, a lone NUL, and a full body, for every response with a body, with and
    // without an error status. Each re-emits as it came.
    let full: [(u32, &[u8]); 7] = [
        (0x8000_0002, b"SMSC\0\x02\x10\x00\x01\x34"),
        (0x8000_0004, b"m1\0"),
        (0x8000_0005, b"\0"),
        (0x8000_0021, b"m1\0\x01\x01\x01123\0\0\0\0\x0B"),
        (0x8000_0103, b"m1\0"),
        (0x8000_0003, b"m1\0\0\x02\0"),
        (0x8000_0112, b"m1\0"),
    ];
    for (id, body) in full {
        for status in [0, 0x08] {
            for form in [&[][..], &b"\0"[..], &body[..body.iter().position(|&b| b == 0).unwrap() + 1], body] {
                let bytes = frame(id, status, 9, form);
                let pdu = parse_and_re_emit(&bytes);
                assert_eq!(pdu.command_id().raw(), id);
            }
        }
    }
    // What a short response reads as, and how to tell.
    let bytes = frame(0x8000_0003, 0, 1, b"m1\0");
    let Pdu::QuerySmResp(q) = parse_and_re_emit(&bytes) else { panic!() };
    assert_eq!((q.message_id, q.final_date.is_absent(), q.message_state.raw()), ("m1".into(), true, 0));
    let bytes = frame(0x8000_0021, 0, 1, b"");
    let Pdu::SubmitMultiResp(m) = parse_and_re_emit(&bytes) else { panic!() };
    assert!(m.message_id.is_absent() && m.unsuccess.is_absent() && m.unsuccess.is_empty());
    let bytes = frame(0x8000_0004, 0x58, 1, b"");
    let Pdu::SubmitSmResp(r) = parse_and_re_emit(&bytes) else { panic!() };
    assert!(r.message_id.is_absent());
    // Stopping anywhere else is an error.
    assert_eq!(Pdu::parse(&frame(0x8000_0003, 0, 1, b"m1\0\0\x02")), Err(Error::Truncated { field: Field::ErrorCode }));
}

#[test]
fn a_stray_octet_after_a_response_header_is_an_error_whatever_the_status() {
    for status in [0, 0x08, 0x58] {
        // A body response: the octet is an unterminated message_id.
        assert_eq!(
            Pdu::parse(&frame(0x8000_0004, status, 1, b"X")),
            Err(Error::Unterminated { field: Field::MessageId })
        );
        // A header-only response has no field a lone NUL could be.
        for id in [0x8000_0000u32, 0x8000_0006, 0x8000_0007, 0x8000_0008, 0x8000_0015, 0x8000_0113] {
            for body in [&b"X"[..], b"\0"] {
                assert_eq!(Pdu::parse(&frame(id, status, 1, body)), Err(Error::TrailingBytes), "{id:#x}");
            }
        }
        // Bytes after query_sm_resp's last field.
        assert_eq!(Pdu::parse(&frame(0x8000_0003, status, 1, b"m1\0\0\x02\0X")), Err(Error::TrailingBytes));
    }
}

#[test]
fn decoded_values_re_emit_at_the_decode_limits_built_ones_are_strict() {
    let mut buf = [0u8; 512];
    // A 255-octet short_message (5.0) decodes and re-emits; built, at most 254.
    let mut body = b"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\xFF".to_vec();
    body.extend_from_slice(&[b'a'; 255]);
    let bytes = frame(0x04, 0, 1, &body);
    let Pdu::SubmitSm(sm) = parse_and_re_emit(&bytes) else { panic!() };
    assert_eq!(sm.short_message.len(), 255);
    let built = SubmitSm::new(Address::default(), Address::default(), sm.short_message);
    assert_eq!(built.emit(&mut buf), Err(Error::TooLong { field: Field::ShortMessage, max: 254 }));

    // short_message beside message_payload: decoded, written back; built, refused.
    let mut body = b"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x02hi".to_vec();
    body.extend_from_slice(&[0x04, 0x24, 0, 3, b'y', b'o', b'u']);
    let bytes = frame(0x04, 0, 1, &body);
    let Pdu::SubmitSm(sm) = parse_and_re_emit(&bytes) else { panic!() };
    assert_eq!(sm.message(), b"hi");
    let payload = [Tlv::message_payload(b"you")];
    let built = Sm { tlvs: Tlvs::from_slice(&payload), ..sm };
    assert_eq!(built.emit(&mut buf), Err(Error::PayloadConflict));

    // Time fields of other lengths (a 12-character local time, a truncated one) decode and
    // re-emit; built, they must be empty or 16 characters.
    for time in [&b"250423154200"[..], b"0001", b"250423154200004+"] {
        let mut body = b"\0\0\0\0\0\0\0\0\0\0".to_vec();
        body.extend_from_slice(time);
        body.extend_from_slice(b"\0\0\0\0\0\0\0");
        let bytes = frame(0x04, 0, 1, &body);
        let Pdu::SubmitSm(sm) = parse_and_re_emit(&bytes) else { panic!() };
        assert_eq!(sm.schedule_delivery_time.as_bytes(), time);
        let built = Sm { schedule_delivery_time: COctetStr::new(time), tlvs: Tlvs::EMPTY, ..sm };
        let expected = if time.len() == 16 {
            Ok(body.len())
        } else {
            Err(Error::InvalidValue { field: Field::ScheduleDeliveryTime })
        };
        assert_eq!(built.emit(&mut buf), expected);
    }
    let bytes = frame(0x8000_0003, 0, 1, b"m1\x00250423154200\0\x02\0");
    let Pdu::QuerySmResp(q) = parse_and_re_emit(&bytes) else { panic!() };
    assert_eq!(q.final_date, "250423154200");

    // A 64-character cancel_sm destination_addr (Kannel) decodes and re-emits; built, at most 20.
    let long = [b'7'; 64];
    let mut body = b"\0m1\0\x01\x01447700900123\0\x01\x01".to_vec();
    body.extend_from_slice(&long);
    body.push(0);
    let bytes = frame(0x08, 0, 1, &body);
    let Pdu::CancelSm(c) = parse_and_re_emit(&bytes) else { panic!() };
    assert_eq!(c.dest.addr.len(), 64);
    let built = CancelSm { dest: Address::international("7777777777777777777777"), ..c };
    assert_eq!(built.emit(&mut buf), Err(Error::TooLong { field: Field::DestinationAddr, max: 21 }));
    // A decoded value moved into a field with a narrower limit is still refused: what emit
    // writes always parses.
    let moved = SubmitSm { dest: c.dest, ..SubmitSm::default() };
    assert_eq!(moved.emit(&mut buf), Err(Error::TooLong { field: Field::DestinationAddr, max: 21 }));

    // submit_multi with number_of_dests 0 decodes and re-emits; built, 1 to 254.
    let body = b"\0\0\0\0\x00\0\0\0\0\0\0\0\0\0\x02hi";
    let bytes = frame(0x21, 0, 1, body);
    let Pdu::SubmitMulti(m) = parse_and_re_emit(&bytes) else { panic!() };
    assert!(m.dests.is_empty());
    let built = SubmitMulti { dests: List::from_slice(&[]), ..m };
    assert_eq!(built.emit(&mut buf), Err(Error::InvalidValue { field: Field::NumberOfDests }));
}

#[test]
fn absent_fields_can_be_built_only_where_a_body_may_stop() {
    let mut buf = [0u8; 64];
    // A 5.0-style error response without a body.
    let resp = Pdu::SubmitSmResp(MessageIdResp { message_id: COctetStr::ABSENT, tlvs: Tlvs::EMPTY });
    assert_eq!(resp.emit(1, CommandStatus::THROTTLED, &mut buf), Ok(16));
    assert_eq!(Pdu::parse(&buf[..16]).unwrap().1, resp);
    let resp = Pdu::QuerySmResp(QuerySmResp { message_id: COctetStr::ABSENT, ..QuerySmResp::default() });
    assert_eq!(resp.emit(1, CommandStatus::QUERY_FAILED, &mut buf), Ok(16));
    // Not before a field that is not the last, and not with anything after it.
    let bind = Bind { system_id: COctetStr::ABSENT, ..Bind::default() };
    assert_eq!(bind.emit(&mut buf), Err(Error::Absent { field: Field::SystemId }));
    let tlvs = [Tlv::sc_interface_version(0x34)];
    let resp = BindResp { system_id: COctetStr::ABSENT, tlvs: Tlvs::from_slice(&tlvs) };
    assert_eq!(resp.emit(&mut buf), Err(Error::Absent { field: Field::SystemId }));
    let q =
        QuerySmResp { message_id: "m1".into(), final_date: COctetStr::ABSENT, error_code: 1, ..QuerySmResp::default() };
    assert_eq!(q.emit(&mut buf), Err(Error::Absent { field: Field::FinalDate }));
    let m = SubmitMultiResp { message_id: COctetStr::ABSENT, unsuccess: List::absent(), tlvs: Tlvs::from_slice(&tlvs) };
    assert_eq!(m.emit(&mut buf), Err(Error::Absent { field: Field::MessageId }));
    let m = SubmitMultiResp { message_id: "m1".into(), unsuccess: List::absent(), tlvs: Tlvs::from_slice(&tlvs) };
    assert_eq!(m.emit(&mut buf), Err(Error::Absent { field: Field::NoUnsuccess }));
}

#[test]
fn known_tlvs_with_a_length_their_tag_does_not_allow_are_refused_at_parse_and_emit() {
    // sar_msg_ref_num of 1 octet in a submit_sm.
    let mut body = b"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x02hi".to_vec();
    body.extend_from_slice(&[0x02, 0x0C, 0, 1, 7]);
    let e = Pdu::parse(&frame(0x04, 0, 1, &body)).unwrap_err();
    assert_eq!(e, Error::InvalidTlvLength { tag: 0x020C });
    assert_eq!(e.command_status(), CommandStatus::INVALID_TLV_LENGTH);
    // The same TLV with 2 octets parses, and so do the lengths sources disagree on.
    for tlv in [&[0x02, 0x0C, 0, 2, 0, 7][..], &[0x00, 0x10, 0, 1, 1], &[0x00, 0x10, 0, 2, 0, 1], &[0x13, 0x0C, 0, 0]] {
        let mut ok = b"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x02hi".to_vec();
        ok.extend_from_slice(tlv);
        parse_and_re_emit(&frame(0x04, 0, 1, &ok));
    }
    // message_state of 2 octets in a receipt; an unknown tag of any length is kept.
    let e = Pdu::parse(&frame(0x8000_0004, 0, 1, b"m1\0\x04\x27\0\x02\0\x02")).unwrap_err();
    assert_eq!(e, Error::InvalidTlvLength { tag: 0x0427 });
    parse_and_re_emit(&frame(0x8000_0004, 0, 1, b"m1\0\x04\x29\0\x02\0\x02"));
    // Built with a wrong length, it is refused on emit too.
    let tlvs = [Tlv::octets(TlvTag::SAR_MSG_REF_NUM, &[7])];
    let sm = SubmitSm { tlvs: Tlvs::from_slice(&tlvs), ..SubmitSm::default() };
    assert_eq!(sm.emit(&mut [0u8; 64]), Err(Error::InvalidTlvLength { tag: 0x020C }));
}

#[test]
fn malformed_bodies_name_the_field() {
    // system_id without NUL before the end of the body.
    assert_eq!(Pdu::parse(&frame(0x02, 0, 1, b"test")), Err(Error::Unterminated { field: Field::SystemId }));
    // system_id longer than its 16-octet maximum.
    assert_eq!(
        Pdu::parse(&frame(0x02, 0, 1, b"abcdefghijklmnopq\0pw\0\0\x34\0\0\0")),
        Err(Error::TooLong { field: Field::SystemId, max: 16 })
    );
    // Bytes after the last field of a PDU without TLVs.
    assert_eq!(Pdu::parse(&frame(0x02, 0, 1, b"t\0p\0\0\x34\0\0\0X")), Err(Error::TrailingBytes));
    assert_eq!(Pdu::parse(&frame(0x15, 0, 1, b"\0")), Err(Error::TrailingBytes));
    // sm_length larger than what is left.
    let e = Pdu::parse(&frame(0x04, 0, 1, b"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x05ab")).unwrap_err();
    assert_eq!(e, Error::Truncated { field: Field::ShortMessage });
    assert_eq!(e.command_status(), CommandStatus::INVALID_MESSAGE_LENGTH);
    // Unknown dest_flag in submit_multi.
    assert_eq!(
        Pdu::parse(&frame(0x21, 0, 1, b"\0\0\0\0\x01\x07")),
        Err(Error::InvalidValue { field: Field::DestFlag })
    );
}

#[test]
fn tlv_stream_errors_and_unknown_tags() {
    let resp_body = |tail: &[u8]| {
        let mut b = b"id\0".to_vec();
        b.extend_from_slice(tail);
        b
    };
    for bad in [&[0x00][..], &[0x00, 0x1E], &[0x00, 0x1E, 0x00], &[0x00, 0x1E, 0x00, 0x05, b'a']] {
        let e = Pdu::parse(&frame(0x8000_0004, 0, 1, &resp_body(bad))).unwrap_err();
        assert_eq!(e, Error::InvalidTlvStream);
        assert_eq!(e.command_status(), CommandStatus::INVALID_TLV_STREAM);
    }

    // A vendor TLV and an unknown standard-range TLV are kept and re-emitted byte for byte.
    let body = resp_body(&[0x14, 0x00, 0x00, 0x03, 1, 2, 3, 0x0F, 0xFF, 0x00, 0x00]);
    let bytes = frame(0x8000_0004, 0, 1, &body);
    let (_, pdu) = Pdu::parse(&bytes).unwrap();
    let Pdu::SubmitSmResp(r) = pdu else { panic!() };
    let tags: Vec<_> = r.tlvs.iter().map(|t| (t.tag, t.as_octets().unwrap())).collect();
    assert_eq!(tags, [(TlvTag::from_raw(0x1400), &[1u8, 2, 3][..]), (TlvTag::from_raw(0x0FFF), &[][..])]);
    assert_eq!(to_vec(&pdu, 1), bytes);
}

#[test]
fn typed_tlv_accessors_follow_the_length_rules() {
    let raw = [
        Tlv::octets(TlvTag::SOURCE_TELEMATICS_ID, &[0x01, 0x02]),
        Tlv::octets(TlvTag::MESSAGE_STATE, &[0x02, 0x00]),
        Tlv::octets(TlvTag::ALERT_ON_MESSAGE_DELIVERY, &[]),
        Tlv::octets(TlvTag::NETWORK_ERROR_CODE, &[0x03, 0x00, 0x22]),
        Tlv::octets(TlvTag::RECEIPTED_MESSAGE_ID, b"abc"),
        Tlv::octets(TlvTag::CALLBACK_NUM, b"123"),
        Tlv::octets(TlvTag::BROADCAST_REP_NUM, &[7]),
    ];
    let t = Tlvs::from_slice(&raw);
    assert_eq!(t.source_telematics_id(), Ok(Some(0x0102)));
    assert_eq!(t.message_state(), Err(Error::InvalidTlvLength { tag: 0x0427 }));
    assert_eq!(t.alert_on_message_delivery(), Ok(Some(0)));
    assert_eq!(t.network_error_code(), Ok(Some(NetworkErrorCode { network_type: 3, error_code: 0x22 })));
    // A receipted_message_id without its NUL is accepted.
    assert_eq!(t.receipted_message_id().unwrap().unwrap(), "abc");
    assert_eq!(t.callback_num(), Err(Error::InvalidTlvLength { tag: 0x0381 }));
    assert_eq!(t.broadcast_rep_num(), Ok(Some(7)));
    assert_eq!(t.sar_msg_ref_num(), Ok(None));

    // Typed constructors emit the wire forms.
    let built = [
        Tlv::network_error_code(NetworkErrorCode { network_type: 3, error_code: 0x22 }),
        Tlv::sar_msg_ref_num(0x1234),
        Tlv::alert_on_message_delivery(),
    ];
    let body = MessageIdResp { message_id: "".into(), tlvs: Tlvs::from_slice(&built) };
    let mut buf = [0u8; 64];
    let n = body.emit(&mut buf).unwrap();
    assert_eq!(&buf[..n], &[0, 0x04, 0x23, 0, 3, 3, 0, 0x22, 0x02, 0x0C, 0, 2, 0x12, 0x34, 0x13, 0x0C, 0, 0][..]);
    let parsed = MessageIdResp::parse(&buf[..n]).unwrap();
    assert_eq!(parsed, body);

    // An integer that does not fit its width is refused.
    let bad = [Tlv { tag: TlvTag::SAR_TOTAL_SEGMENTS, value: smpp_codec::TlvValue::Int { len: 1, value: 300 } }];
    let body = MessageIdResp { message_id: "".into(), tlvs: Tlvs::from_slice(&bad) };
    assert_eq!(body.emit(&mut buf), Err(Error::InvalidTlvLength { tag: 0x020E }));
}

#[test]
fn submit_multi_lists() {
    let dests =
        [DestAddress::Sme(Address::international("447700900123")), DestAddress::DistributionList("friends".into())];
    let sm = SubmitMulti {
        source: Address::alphanumeric("Test"),
        dests: List::from_slice(&dests),
        short_message: b"hi all",
        ..SubmitMulti::default()
    };
    let bytes = to_vec(&Pdu::SubmitMulti(sm), 4);
    let (_, pdu) = Pdu::parse(&bytes).unwrap();
    let Pdu::SubmitMulti(p) = pdu else { panic!() };
    assert_eq!(p.dests.len(), 2);
    assert_eq!(p.dests.iter().collect::<Vec<_>>(), dests);
    assert_eq!(p, sm);

    let failed = [UnsuccessSme {
        dest: Address::international("1"),
        error_status_code: CommandStatus::INVALID_DESTINATION_ADDRESS,
    }];
    let resp = SubmitMultiResp { message_id: "m1".into(), unsuccess: List::from_slice(&failed), tlvs: Tlvs::EMPTY };
    let bytes = to_vec(&Pdu::SubmitMultiResp(resp), 4);
    let (_, pdu) = Pdu::parse(&bytes).unwrap();
    assert_eq!(pdu, Pdu::SubmitMultiResp(resp));

    let none = SubmitMulti::default();
    let mut buf = [0u8; 64];
    assert_eq!(none.emit(&mut buf), Err(Error::InvalidValue { field: Field::NumberOfDests }));
}

#[test]
fn open_enums_and_bit_fields() {
    assert_eq!(CommandStatus::from_raw(0x32).to_string(), "ESME_RINVPARAM");
    assert_eq!(CommandStatus::from_raw(0x401).to_string(), "0x401");
    assert_eq!(CommandStatus::from_raw(0x58), CommandStatus::THROTTLED);
    assert_eq!(CommandStatus::THROTTLED.description(), Some("Throttled: the rate limit was exceeded; retry later."));
    assert!(CommandStatus::MESSAGE_QUEUE_FULL.is_transient() && !CommandStatus::SUBMIT_FAILED.is_transient());
    assert!(CommandStatus::INVALID_PASSWORD.is_bind_failure());
    assert_eq!(CommandId::SUBMIT_SM.response_id(), Some(CommandId::SUBMIT_SM_RESP));
    assert_eq!(CommandId::OUTBIND.response_id(), None);
    assert_eq!(CommandId::ALERT_NOTIFICATION.response_id(), None);
    assert!(CommandId::GENERIC_NACK.is_response());
    assert_eq!(MessageState::from_raw(2).to_string(), "DELIVRD");
    assert!(MessageState::DELIVERED.is_final() && !MessageState::ENROUTE.is_final());

    let e = EsmClass(0x44);
    assert!(e.udhi());
    assert_eq!(e.message_type(), MessageType::SmscDeliveryReceipt);
    assert_eq!(EsmClass(0x03).messaging_mode(), MessagingMode::StoreAndForward);
    assert_eq!(EsmClass(0x20).message_type(), MessageType::IntermediateNotification);
    assert_eq!(EsmClass(0).with_udhi(true), EsmClass(0x40));
    let rd = RegisteredDelivery(0x1E);
    assert_eq!(rd.receipt(), ReceiptRequest::OnFailure);
    assert_eq!(rd.sme_ack(), 3);
    assert!(rd.intermediate_notification());
}

#[test]
fn smpp_time_absolute_and_relative() {
    let t = SmppTime::parse(b"250423154200004+", Field::ScheduleDeliveryTime).unwrap();
    assert_eq!(
        t,
        SmppTime::Absolute {
            year: 25,
            month: 4,
            day: 23,
            hour: 15,
            minute: 42,
            second: 0,
            tenths: 0,
            utc_offset_quarters: 4
        }
    );
    assert_eq!(t.full_year(), Some(2025));
    assert_eq!(&t.format(Field::ScheduleDeliveryTime).unwrap(), b"250423154200004+");
    let r = SmppTime::parse(b"000000013000000R", Field::ValidityPeriod).unwrap();
    assert_eq!(r.relative_seconds(), Some(5400));
    assert_eq!(SmppTime::relative_from_seconds(5400), Some(r));
    assert_eq!(r.to_string(), "000000013000000R");
    let west = SmppTime::parse(b"991231235959920-", Field::FinalDate).unwrap();
    assert_eq!(west.full_year(), Some(1999));
    assert_eq!(&west.format(Field::FinalDate).unwrap(), b"991231235959920-");
    for bad in
        [&b"250423154200004"[..], b"251323154200004+", b"250423154200049+", b"000001000000100R", b"2504231542000x4+"]
    {
        assert_eq!(
            SmppTime::parse(bad, Field::ValidityPeriod),
            Err(Error::InvalidValue { field: Field::ValidityPeriod })
        );
    }
}
