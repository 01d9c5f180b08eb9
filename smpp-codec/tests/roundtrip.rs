//! Properties of every PDU type: parse(emit(x)) == x, emit writes exactly encoded_len(),
//! whatever parses re-emits byte for byte (built PDUs, the bodies that stop early when cut, mutated
//! bytes, arbitrary bodies), arbitrary bytes never panic, strict prefixes are errors, frames cut
//! apart from a stream.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use proptest::prelude::*;
use smpp_codec::pdu::*;
use smpp_codec::*;

/// A C-string value of at most `max - 1` octets (no NUL).
fn cs(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(1u8..=255, 0..max)
}

fn time() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![Just(Vec::new()), proptest::collection::vec(1u8..=255, 16..=16)]
}

/// One TLV: an arbitrary tag (mostly unknown or vendor), or a known one, with a value of a
/// length its tag allows; never message_payload, which conflicts with a non-empty
/// short_message.
fn tlv() -> impl Strategy<Value = (u16, Vec<u8>)> {
    let known: Vec<u16> = (0..=u16::MAX).filter(|&t| TlvTag::from_raw(t).is_known() && t != 0x0424).collect();
    prop_oneof![any::<u16>().prop_filter("payload", |t| *t != 0x0424), prop::sample::select(known)].prop_flat_map(
        |tag| {
            let lens: Vec<usize> = (0..24).filter(|&n| TlvTag::from_raw(tag).allows_len(n)).collect();
            prop::sample::select(lens)
                .prop_flat_map(|n| proptest::collection::vec(any::<u8>(), n))
                .prop_map(move |value| (tag, value))
        },
    )
}

fn tlvs() -> impl Strategy<Value = Vec<(u16, Vec<u8>)>> {
    proptest::collection::vec(tlv(), 0..4)
}

fn tlv_list(v: &[(u16, Vec<u8>)]) -> Vec<Tlv<'_>> {
    v.iter().map(|(t, b)| Tlv::octets(TlvTag::from_raw(*t), b)).collect()
}

#[derive(Clone, Debug)]
struct Addr(u8, u8, Vec<u8>);

fn addr(max: usize) -> impl Strategy<Value = Addr> {
    (any::<u8>(), any::<u8>(), cs(max)).prop_map(|(t, n, a)| Addr(t, n, a))
}

impl Addr {
    fn get(&self) -> Address<'_> {
        Address::new(Ton::from_raw(self.0), Npi::from_raw(self.1), &self.2[..])
    }
}

/// Parses `frame` and, when it parses, checks that emitting it with its header's sequence
/// number and status gives the very same octets, into a buffer of exactly `encoded_len()`.
fn re_emits_identically(frame: &[u8]) {
    let Ok((h, pdu)) = Pdu::parse(frame) else { return };
    assert_eq!(pdu.encoded_len(), frame.len(), "{pdu:?}");
    let mut out = vec![0u8; frame.len()];
    assert_eq!(pdu.emit(h.sequence_number, h.command_status, &mut out), Ok(frame.len()), "{pdu:?}");
    assert_eq!(out, frame, "{pdu:?}");
}

/// `frame` with its body cut after `body_len` octets and command_length fixed up.
fn cut(frame: &[u8], body_len: usize) -> Vec<u8> {
    let mut out = frame[..16 + body_len].to_vec();
    out[..4].copy_from_slice(&(16 + body_len as u32).to_be_bytes());
    out
}

/// Emits, parses back, and checks everything the contract promises.
fn check(pdu: &Pdu<'_>, seq: u32, status: u32) {
    // Requests are sent with status 0; a non-zero one is written as given (and kept on parse).
    let status = if pdu.command_id().is_response() || status.is_multiple_of(8) {
        CommandStatus::from_raw(status)
    } else {
        CommandStatus::OK
    };
    let len = pdu.encoded_len();
    let mut buf = vec![0xA5u8; len + 8];
    let n = pdu.emit(seq, status, &mut buf).unwrap();
    assert_eq!(n, len);
    assert!(buf[n..].iter().all(|&b| b == 0xA5), "emit wrote past encoded_len");
    let (h, back) = Pdu::parse(&buf[..n]).unwrap();
    assert_eq!(h.command_id, pdu.command_id());
    assert_eq!(h.command_status, status);
    assert_eq!(h.sequence_number, seq);
    assert_eq!(h.command_length as usize, n);
    assert_eq!(&back, pdu);
    // Re-emitting the parsed form gives the same octets (unknown TLVs byte for byte).
    let mut again = vec![0u8; back.encoded_len()];
    back.emit(seq, status, &mut again).unwrap();
    assert_eq!(&again[..], &buf[..n]);
    re_emits_identically(&buf[..n]);
    // Every strict prefix is an error, never a success.
    for k in 0..n {
        assert!(Pdu::parse(&buf[..k]).is_err(), "prefix of {k} octets parsed");
    }
    // Every body cut short, with command_length saying so: whatever still parses (a body that
    // stops where the leniency rule allows) re-emits as it came.
    for k in 0..n - 16 {
        re_emits_identically(&cut(&buf[..n], k));
    }
    // One octet too few in the output buffer: an error, and the buffer is untouched.
    let mut small = vec![0x5Au8; n - 1];
    assert_eq!(pdu.emit(seq, status, &mut small), Err(Error::BufferTooSmall { needed: n }));
    assert!(small.iter().all(|&b| b == 0x5A));
}

/// Checks a body type's own emit/parse/encoded_len.
macro_rules! body_roundtrip {
    ($ty:ident, $v:expr) => {{
        let v = $v;
        let len = v.encoded_len();
        let mut buf = vec![0u8; len];
        assert_eq!(v.emit(&mut buf).unwrap(), len);
        assert_eq!($ty::parse(&buf).unwrap(), v);
    }};
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn bind_family(sys in cs(16), pw in cs(9), st in cs(13), v in any::<u8>(), a in addr(41), which in 0..3u8, seq in any::<u32>()) {
        let b = Bind { system_id: (&sys[..]).into(), password: (&pw[..]).into(), system_type: (&st[..]).into(),
            interface_version: v, addr_ton: Ton::from_raw(a.0), addr_npi: Npi::from_raw(a.1), address_range: (&a.2[..]).into() };
        body_roundtrip!(Bind, b);
        let pdu = match which { 0 => Pdu::BindTransmitter(b), 1 => Pdu::BindReceiver(b), _ => Pdu::BindTransceiver(b) };
        check(&pdu, seq, 0);
    }

    #[test]
    fn bind_resp_family(sys in cs(16), t in tlvs(), which in 0..3u8, seq in any::<u32>(), status in any::<u32>()) {
        let list = tlv_list(&t);
        let r = BindResp { system_id: (&sys[..]).into(), tlvs: Tlvs::from_slice(&list) };
        body_roundtrip!(BindResp, r);
        let pdu = match which { 0 => Pdu::BindTransmitterResp(r), 1 => Pdu::BindReceiverResp(r), _ => Pdu::BindTransceiverResp(r) };
        check(&pdu, seq, status);
    }

    #[test]
    fn outbind(sys in cs(16), pw in cs(9), seq in any::<u32>()) {
        let o = Outbind { system_id: (&sys[..]).into(), password: (&pw[..]).into() };
        body_roundtrip!(Outbind, o);
        check(&Pdu::Outbind(o), seq, 0);
    }

    #[test]
    fn header_only(which in 0..8u8, seq in any::<u32>(), status in any::<u32>()) {
        let pdu = [Pdu::GenericNack, Pdu::Unbind, Pdu::UnbindResp, Pdu::EnquireLink, Pdu::EnquireLinkResp,
            Pdu::CancelSmResp, Pdu::ReplaceSmResp, Pdu::CancelBroadcastSmResp][usize::from(which)];
        check(&pdu, seq, status);
    }

    #[test]
    fn submit_and_deliver_sm(
        st in cs(6), src in addr(21), dst in addr(21), ints in any::<[u8; 7]>(), sched in time(), valid in time(),
        sm in proptest::collection::vec(any::<u8>(), 0..=254), t in tlvs(), deliver in any::<bool>(), seq in any::<u32>(),
    ) {
        let list = tlv_list(&t);
        let s = Sm {
            service_type: (&st[..]).into(), source: src.get(), dest: dst.get(), esm_class: EsmClass(ints[0]),
            protocol_id: ints[1], priority_flag: Priority(ints[2]), schedule_delivery_time: (&sched[..]).into(),
            validity_period: (&valid[..]).into(), registered_delivery: RegisteredDelivery(ints[3]),
            replace_if_present_flag: ints[4], data_coding: DataCoding(ints[5]), sm_default_msg_id: ints[6],
            short_message: &sm, tlvs: Tlvs::from_slice(&list),
        };
        body_roundtrip!(Sm, s);
        check(&if deliver { Pdu::DeliverSm(s) } else { Pdu::SubmitSm(s) }, seq, 0);
    }

    #[test]
    fn message_payload_instead_of_short_message(payload in proptest::collection::vec(any::<u8>(), 0..600), seq in any::<u32>()) {
        let list = [Tlv::message_payload(&payload)];
        let s = Sm { tlvs: Tlvs::from_slice(&list), ..Sm::default() };
        prop_assert_eq!(s.message(), &payload[..]);
        check(&Pdu::SubmitSm(s), seq, 0);
        // Beside a non-empty short_message it is refused, and nothing is written.
        let conflict = Sm { short_message: b"x", ..s };
        let mut buf = vec![7u8; 1024];
        prop_assert_eq!(Pdu::SubmitSm(conflict).emit(seq, CommandStatus::OK, &mut buf), Err(Error::PayloadConflict));
        prop_assert!(buf.iter().all(|&b| b == 7));
    }

    #[test]
    fn message_id_responses(id in cs(65), t in tlvs(), which in 0..5u8, seq in any::<u32>(), status in any::<u32>()) {
        let list = tlv_list(&t);
        let r = MessageIdResp { message_id: (&id[..]).into(), tlvs: Tlvs::from_slice(&list) };
        body_roundtrip!(MessageIdResp, r);
        let pdu = match which {
            0 => Pdu::SubmitSmResp(r), 1 => Pdu::DeliverSmResp(r), 2 => Pdu::DataSmResp(r),
            3 => Pdu::BroadcastSmResp(r), _ => Pdu::QueryBroadcastSmResp(r),
        };
        check(&pdu, seq, status);
    }

    #[test]
    fn submit_multi(
        st in cs(6), src in addr(21),
        dests in proptest::collection::vec(prop_oneof![addr(21).prop_map(Ok), cs(21).prop_map(Err)], 1..20),
        ints in any::<[u8; 7]>(), sm in proptest::collection::vec(any::<u8>(), 0..=254), t in tlvs(), seq in any::<u32>(),
    ) {
        let d: Vec<DestAddress<'_>> = dests.iter().map(|x| match x {
            Ok(a) => DestAddress::Sme(a.get()),
            Err(n) => DestAddress::DistributionList((&n[..]).into()),
        }).collect();
        let list = tlv_list(&t);
        let m = SubmitMulti {
            service_type: (&st[..]).into(), source: src.get(), dests: List::from_slice(&d), esm_class: EsmClass(ints[0]),
            protocol_id: ints[1], priority_flag: Priority(ints[2]), schedule_delivery_time: COctetStr::EMPTY,
            validity_period: COctetStr::EMPTY, registered_delivery: RegisteredDelivery(ints[3]),
            replace_if_present_flag: ints[4], data_coding: DataCoding(ints[5]), sm_default_msg_id: ints[6],
            short_message: &sm, tlvs: Tlvs::from_slice(&list),
        };
        body_roundtrip!(SubmitMulti, m);
        check(&Pdu::SubmitMulti(m), seq, 0);
    }

    #[test]
    fn submit_multi_resp(id in cs(65), failed in proptest::collection::vec((addr(21), any::<u32>()), 0..10), t in tlvs(), seq in any::<u32>(), status in any::<u32>()) {
        let u: Vec<UnsuccessSme<'_>> = failed.iter().map(|(a, s)| UnsuccessSme { dest: a.get(), error_status_code: CommandStatus::from_raw(*s) }).collect();
        let list = tlv_list(&t);
        let r = SubmitMultiResp { message_id: (&id[..]).into(), unsuccess: List::from_slice(&u), tlvs: Tlvs::from_slice(&list) };
        body_roundtrip!(SubmitMultiResp, r);
        check(&Pdu::SubmitMultiResp(r), seq, status);
    }

    #[test]
    fn data_sm(st in cs(6), src in addr(65), dst in addr(65), ints in any::<[u8; 3]>(), t in tlvs(), seq in any::<u32>()) {
        let list = tlv_list(&t);
        let d = DataSm { service_type: (&st[..]).into(), source: src.get(), dest: dst.get(), esm_class: EsmClass(ints[0]),
            registered_delivery: RegisteredDelivery(ints[1]), data_coding: DataCoding(ints[2]), tlvs: Tlvs::from_slice(&list) };
        body_roundtrip!(DataSm, d);
        check(&Pdu::DataSm(d), seq, 0);
    }

    #[test]
    fn query_sm_and_resp(id in cs(65), src in addr(21), fd in time(), state in any::<u8>(), err in any::<u8>(), seq in any::<u32>(), status in any::<u32>()) {
        let q = QuerySm { message_id: (&id[..]).into(), source: src.get() };
        body_roundtrip!(QuerySm, q);
        check(&Pdu::QuerySm(q), seq, 0);
        let r = QuerySmResp { message_id: (&id[..]).into(), final_date: (&fd[..]).into(), message_state: MessageState::from_raw(state), error_code: err };
        body_roundtrip!(QuerySmResp, r);
        check(&Pdu::QuerySmResp(r), seq, status);
    }

    #[test]
    fn cancel_and_replace(st in cs(6), id in cs(65), src in addr(21), dst in addr(21), sched in time(), valid in time(),
        ints in any::<[u8; 2]>(), sm in proptest::collection::vec(any::<u8>(), 0..=254), t in tlvs(), seq in any::<u32>()) {
        let c = CancelSm { service_type: (&st[..]).into(), message_id: (&id[..]).into(), source: src.get(), dest: dst.get() };
        body_roundtrip!(CancelSm, c);
        check(&Pdu::CancelSm(c), seq, 0);
        let list = tlv_list(&t);
        let r = ReplaceSm { message_id: (&id[..]).into(), source: src.get(), schedule_delivery_time: (&sched[..]).into(),
            validity_period: (&valid[..]).into(), registered_delivery: RegisteredDelivery(ints[0]), sm_default_msg_id: ints[1],
            short_message: &sm, tlvs: Tlvs::from_slice(&list) };
        body_roundtrip!(ReplaceSm, r);
        check(&Pdu::ReplaceSm(r), seq, 0);
    }

    #[test]
    fn alert_notification(src in addr(65), esme in addr(65), t in tlvs(), seq in any::<u32>()) {
        let list = tlv_list(&t);
        let a = AlertNotification { source: src.get(), esme: esme.get(), tlvs: Tlvs::from_slice(&list) };
        body_roundtrip!(AlertNotification, a);
        check(&Pdu::AlertNotification(a), seq, 0);
    }

    #[test]
    fn broadcast_family(st in cs(6), src in addr(21), id in cs(65), sched in time(), valid in time(), ints in any::<[u8; 4]>(), t in tlvs(), seq in any::<u32>()) {
        let list = tlv_list(&t);
        let b = BroadcastSm { service_type: (&st[..]).into(), source: src.get(), message_id: (&id[..]).into(),
            priority_flag: Priority(ints[0]), schedule_delivery_time: (&sched[..]).into(), validity_period: (&valid[..]).into(),
            replace_if_present_flag: ints[1], data_coding: DataCoding(ints[2]), sm_default_msg_id: ints[3], tlvs: Tlvs::from_slice(&list) };
        body_roundtrip!(BroadcastSm, b);
        check(&Pdu::BroadcastSm(b), seq, 0);
        let q = QueryBroadcastSm { message_id: (&id[..]).into(), source: src.get(), tlvs: Tlvs::from_slice(&list) };
        body_roundtrip!(QueryBroadcastSm, q);
        check(&Pdu::QueryBroadcastSm(q), seq, 0);
        let c = CancelBroadcastSm { service_type: (&st[..]).into(), message_id: (&id[..]).into(), source: src.get(), tlvs: Tlvs::from_slice(&list) };
        body_roundtrip!(CancelBroadcastSm, c);
        check(&Pdu::CancelBroadcastSm(c), seq, 0);
    }

    #[test]
    fn typed_tlvs_round_trip(v8 in any::<u8>(), v16 in any::<u16>(), v32 in any::<u32>(), s in cs(65), seq in any::<u32>()) {
        let list = [
            Tlv::sar_total_segments(v8), Tlv::sar_msg_ref_num(v16), Tlv::qos_time_to_live(v32),
            Tlv::receipted_message_id(&s[..]), Tlv::network_error_code(NetworkErrorCode { network_type: v8, error_code: v16 }),
        ];
        let r = MessageIdResp { message_id: COctetStr::EMPTY, tlvs: Tlvs::from_slice(&list) };
        let mut buf = vec![0u8; 16 + r.encoded_len()];
        let n = Pdu::DeliverSmResp(r).emit(seq, CommandStatus::OK, &mut buf).unwrap();
        let (_, Pdu::DeliverSmResp(p)) = Pdu::parse(&buf[..n]).unwrap() else { panic!() };
        prop_assert_eq!(p.tlvs.sar_total_segments(), Ok(Some(v8)));
        prop_assert_eq!(p.tlvs.sar_msg_ref_num(), Ok(Some(v16)));
        prop_assert_eq!(p.tlvs.qos_time_to_live(), Ok(Some(v32)));
        prop_assert_eq!(p.tlvs.receipted_message_id(), Ok(Some(COctetStr::new(&s))));
        prop_assert_eq!(p.tlvs.network_error_code(), Ok(Some(NetworkErrorCode { network_type: v8, error_code: v16 })));
        prop_assert_eq!(p, r);
    }

    #[test]
    fn over_long_fields_are_refused_and_nothing_is_written(extra in 1usize..30, which in 0..4u8) {
        let long = vec![b'a'; 64 + extra];
        let mut buf = vec![0xEEu8; 512];
        let (pdu, field, max) = match which {
            0 => (Pdu::BindTransmitter(Bind { system_id: (&long[..16 + extra - 1]).into(), ..Bind::default() }), Field::SystemId, 16),
            1 => (Pdu::SubmitSm(Sm { source: Address::new(Ton::UNKNOWN, Npi::UNKNOWN, &long[..21 + extra - 1]), ..Sm::default() }), Field::SourceAddr, 21),
            2 => (Pdu::SubmitSmResp(MessageIdResp { message_id: (&long[..65 + extra - 1]).into(), tlvs: Tlvs::EMPTY }), Field::MessageId, 65),
            _ => (Pdu::DataSm(DataSm { service_type: (&long[..6 + extra - 1]).into(), ..DataSm::default() }), Field::ServiceType, 6),
        };
        prop_assert_eq!(pdu.emit(1, CommandStatus::OK, &mut buf), Err(Error::TooLong { field, max }));
        prop_assert!(buf.iter().all(|&b| b == 0xEE));
    }
}

/// Every command id the codec knows, for feeding bodies to each parser.
const IDS: [u32; 33] = [
    0x8000_0000,
    0x01,
    0x8000_0001,
    0x02,
    0x8000_0002,
    0x03,
    0x8000_0003,
    0x04,
    0x8000_0004,
    0x05,
    0x8000_0005,
    0x06,
    0x8000_0006,
    0x07,
    0x8000_0007,
    0x08,
    0x8000_0008,
    0x09,
    0x8000_0009,
    0x0B,
    0x15,
    0x8000_0015,
    0x21,
    0x8000_0021,
    0x102,
    0x103,
    0x8000_0103,
    0x111,
    0x8000_0111,
    0x112,
    0x8000_0112,
    0x113,
    0x8000_0113,
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]
    /// The encoder refuses a C-string with a NUL anywhere before its end (it scans eight octets
    /// at a time, so every position and length matters), and accepts every other string within
    /// the maximum. A NUL at the very end is the terminator: `COctetStr::new` drops it.
    #[test]
    fn a_nul_anywhere_in_a_c_string_is_refused(
        clean in proptest::collection::vec(prop_oneof![Just(0x80u8), Just(0x01), Just(0xFF), 1u8..=255], 0..64),
        nul in proptest::option::of(any::<prop::sample::Index>()),
    ) {
        let mut id = clean;
        if let Some(at) = nul {
            let at = at.index(id.len() + 1);
            id.insert(at, 0);
        }
        let resp = Pdu::SubmitSmResp(SubmitSmResp { message_id: COctetStr::new(&id), tlvs: Tlvs::EMPTY });
        let mut buf = [0xAAu8; 96];
        let result = resp.emit(1, CommandStatus::OK, &mut buf);
        if id.last() == Some(&0) {
            id.pop();
            prop_assert_eq!(result, Ok(16 + id.len() + 1));
            prop_assert_eq!(&buf[16..16 + id.len()], &id[..]);
        } else if id.contains(&0) {
            prop_assert_eq!(result, Err(Error::ContainsNul { field: Field::MessageId }));
            prop_assert_eq!(buf, [0xAAu8; 96]);
        } else {
            prop_assert_eq!(result, Ok(16 + id.len() + 1));
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300), max in 0u32..100_000) {
        let _ = frame_len(&bytes, max);
        let _ = Header::parse(&bytes);
        let _ = Pdu::parse(&bytes);
        if let Ok(t) = Tlvs::parse(&bytes) {
            let total: usize = t.iter().map(|x| x.encoded_len()).sum();
            prop_assert_eq!(total, bytes.len());
            for x in t.iter() {
                let _ = (x.as_int(), x.as_cstr(65));
            }
            let _ = (t.message_state(), t.network_error_code(), t.receipted_message_id(), t.source_telematics_id(),
                t.alert_on_message_delivery(), t.ms_validity(), t.callback_num(), t.message_payload());
        }
        let _ = SmppTime::parse(&bytes, Field::ValidityPeriod);
    }

    #[test]
    fn arbitrary_bodies_behind_every_command_id_never_panic(
        body in proptest::collection::vec(any::<u8>(), 0..200), which in 0..33usize, status in any::<u32>(), seq in any::<u32>(),
    ) {
        let mut frame = Vec::with_capacity(16 + body.len());
        frame.extend_from_slice(&(16 + body.len() as u32).to_be_bytes());
        frame.extend_from_slice(&IDS[which].to_be_bytes());
        frame.extend_from_slice(&status.to_be_bytes());
        frame.extend_from_slice(&seq.to_be_bytes());
        frame.extend_from_slice(&body);
        if let Ok((h, pdu)) = Pdu::parse(&frame) {
            prop_assert_eq!(h.command_id, pdu.command_id());
        }
        // Whatever parses re-emits byte for byte.
        re_emits_identically(&frame);
    }

    /// Valid PDUs of every type with one octet of the body overwritten (a NUL moved, a length
    /// changed, a dest_flag broken...) and then cut: whatever still parses re-emits as it came.
    #[test]
    fn mutated_pdus_that_parse_re_emit_byte_for_byte(
        which in 0..6usize, at in any::<prop::sample::Index>(), value in prop_oneof![Just(0u8), Just(0xFF), any::<u8>()],
        cut_at in proptest::option::of(any::<prop::sample::Index>()), text in cs(200), t in tlvs(),
    ) {
        let list = tlv_list(&t);
        let tlvs = Tlvs::from_slice(&list);
        let dests = [DestAddress::Sme(Address::international("447700900123")), DestAddress::DistributionList("team".into())];
        let failed = [UnsuccessSme { dest: Address::international("1"), error_status_code: CommandStatus::SYSTEM_ERROR }];
        let sm = Sm {
            service_type: "CMT".into(), source: Address::alphanumeric("Test"), dest: Address::international("447700900123"),
            validity_period: "000001000000000R".into(), short_message: &text, tlvs, ..Sm::default()
        };
        let pdu = match which {
            0 => Pdu::SubmitSm(sm),
            1 => Pdu::SubmitMulti(SubmitMulti { source: sm.source, dests: List::from_slice(&dests), short_message: &text, tlvs, ..SubmitMulti::default() }),
            2 => Pdu::SubmitMultiResp(SubmitMultiResp { message_id: "m1".into(), unsuccess: List::from_slice(&failed), tlvs }),
            3 => Pdu::QuerySmResp(QuerySmResp { message_id: "m1".into(), final_date: "250423154200004+".into(), message_state: MessageState::DELIVERED, error_code: 3 }),
            4 => Pdu::CancelSm(CancelSm { service_type: "CMT".into(), message_id: "m1".into(), source: sm.source, dest: sm.dest }),
            _ => Pdu::BindTransceiver(Bind { system_type: "VMA".into(), address_range: "^44".into(), ..Bind::new("user", "secret") }),
        };
        let mut frame = vec![0u8; pdu.encoded_len()];
        pdu.emit(7, CommandStatus::OK, &mut frame).unwrap();
        let body_len = frame.len() - 16;
        if body_len > 0 {
            frame[16 + at.index(body_len)] = value;
        }
        let frame = match cut_at { Some(k) => cut(&frame, k.index(body_len + 1)), None => frame };
        re_emits_identically(&frame);
    }

    #[test]
    fn a_stream_of_frames_is_cut_apart_by_frame_len(seqs in proptest::collection::vec(any::<u32>(), 1..8), texts in proptest::collection::vec(cs(200), 8)) {
        let pdus: Vec<Pdu<'_>> = seqs.iter().enumerate().map(|(i, _)| {
            if i % 2 == 0 { Pdu::SubmitSm(Sm { short_message: &texts[i], ..Sm::default() }) } else { Pdu::EnquireLink }
        }).collect();
        let mut stream = Vec::new();
        for (p, s) in pdus.iter().zip(&seqs) {
            let mut b = vec![0u8; p.encoded_len()];
            p.emit(*s, CommandStatus::OK, &mut b).unwrap();
            stream.extend_from_slice(&b);
        }
        let mut rest = &stream[..];
        for (p, s) in pdus.iter().zip(&seqs) {
            let Ok(Frame::Complete(n)) = frame_len(rest, DEFAULT_MAX_COMMAND_LENGTH) else { panic!() };
            let (h, got) = Pdu::parse(&rest[..n]).unwrap();
            prop_assert_eq!(h.sequence_number, *s);
            prop_assert_eq!(&got, p);
            rest = &rest[n..];
        }
        prop_assert!(rest.is_empty());
    }
}
