//! Differential decoding against rusmpp-core 0.4: for generated valid PDUs of every SMPP 3.4
//! type, both decoders accept, and rusmpp-core re-encodes what it decoded to the very octets we
//! wrote, so every field value agrees. Intended differences are listed in fuzz/README.md.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use proptest::prelude::*;
use rusmpp_core::command::borrowed::Command;
use rusmpp_core::decode::borrowed::DecodeWithLength;
use rusmpp_core::encode::{Encode, Length};
use smpp_codec::pdu::*;
use smpp_codec::*;

/// ASCII without NUL, at most `max - 1` octets (rusmpp-core refuses non-ASCII C-strings).
fn cs(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(1u8..=0x7F, 0..max)
}

/// Values rusmpp-core accepts for its typed fields.
fn ton() -> impl Strategy<Value = u8> {
    0u8..=6
}
fn npi() -> impl Strategy<Value = u8> {
    prop::sample::select(vec![0u8, 1, 3, 4, 6, 8, 9, 10, 14, 18])
}

#[derive(Clone, Debug)]
struct F {
    a: Vec<u8>,
    b: Vec<u8>,
    c: Vec<u8>,
    id: Vec<u8>,
    t: [u8; 4],
    sm: Vec<u8>,
    seq: u32,
    which: u8,
}

fn fields() -> impl Strategy<Value = F> {
    (
        cs(16),
        cs(9),
        cs(13),
        cs(65),
        (ton(), npi(), ton(), npi()),
        proptest::collection::vec(any::<u8>(), 0..=254),
        1u32..0x7FFF_FFFF,
        0u8..29,
    )
        .prop_map(|(a, b, c, id, t, sm, seq, which)| F { a, b, c, id, t: [t.0, t.1, t.2, t.3], sm, seq, which })
}

fn theirs_reencode(frame: &[u8]) -> Vec<u8> {
    let (cmd, _) = Command::<'_, 16>::decode(&frame[4..], frame.len() - 4)
        .unwrap_or_else(|e| panic!("rusmpp-core rejects {frame:02X?}: {e:?}"));
    let len = 4 + cmd.length();
    let mut out = vec![0u8; len];
    out[..4].copy_from_slice(&(len as u32).to_be_bytes());
    cmd.encode(&mut out[4..]);
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn both_decoders_agree_on_every_34_pdu(f in fields()) {
        let src = Address::new(Ton::from_raw(f.t[0]), Npi::from_raw(f.t[1]), &f.a[..f.a.len().min(20)]);
        let dst = Address::new(Ton::from_raw(f.t[2]), Npi::from_raw(f.t[3]), &f.c[..f.c.len().min(12)]);
        let bind = Bind { system_id: (&f.a[..]).into(), password: (&f.b[..]).into(), system_type: (&f.c[..]).into(),
            interface_version: 0x34, addr_ton: Ton::from_raw(f.t[0]), addr_npi: Npi::from_raw(f.t[1]), address_range: (&f.id[..f.id.len().min(40)]).into() };
        let resp = MessageIdResp { message_id: (&f.id[..]).into(), tlvs: Tlvs::EMPTY };
        let sm = Sm { source: src, dest: dst, short_message: &f.sm, ..Sm::default() };
        let dests = [DestAddress::Sme(dst), DestAddress::DistributionList((&f.b[..]).into())];
        let failed = [UnsuccessSme { dest: dst, error_status_code: CommandStatus::SUBMIT_FAILED }];
        let sar = [Tlv::sar_msg_ref_num(7), Tlv::sar_total_segments(2), Tlv::sar_segment_seqnum(1)];
        let pdu = match f.which {
            0 => Pdu::BindTransmitter(bind),
            1 => Pdu::BindReceiver(bind),
            2 => Pdu::BindTransceiver(bind),
            3 => Pdu::BindTransmitterResp(BindResp { system_id: (&f.a[..]).into(), tlvs: Tlvs::EMPTY }),
            4 => Pdu::BindReceiverResp(BindResp { system_id: (&f.a[..]).into(), tlvs: Tlvs::EMPTY }),
            5 => Pdu::BindTransceiverResp(BindResp { system_id: (&f.a[..]).into(), tlvs: Tlvs::EMPTY }),
            6 => Pdu::Outbind(Outbind { system_id: (&f.a[..]).into(), password: (&f.b[..]).into() }),
            7 => Pdu::Unbind,
            8 => Pdu::UnbindResp,
            9 => Pdu::GenericNack,
            10 => Pdu::SubmitSm(sm),
            11 => Pdu::SubmitSmResp(resp),
            12 => Pdu::SubmitMulti(SubmitMulti { source: src, dests: List::from_slice(&dests), short_message: &f.sm, ..SubmitMulti::default() }),
            13 => Pdu::SubmitMultiResp(SubmitMultiResp { message_id: (&f.id[..]).into(), unsuccess: List::from_slice(&failed), tlvs: Tlvs::EMPTY }),
            14 => Pdu::DeliverSm(sm),
            15 => Pdu::DeliverSmResp(resp),
            16 => Pdu::DataSm(DataSm { source: src, dest: dst, ..DataSm::default() }),
            17 => Pdu::DataSmResp(resp),
            18 => Pdu::QuerySm(QuerySm { message_id: (&f.id[..]).into(), source: src }),
            19 => Pdu::QuerySmResp(QuerySmResp { message_id: (&f.id[..]).into(), message_state: MessageState::DELIVERED, ..QuerySmResp::default() }),
            20 => Pdu::CancelSm(CancelSm { message_id: (&f.id[..]).into(), source: src, dest: dst, ..CancelSm::default() }),
            21 => Pdu::CancelSmResp,
            22 => Pdu::ReplaceSm(ReplaceSm { message_id: (&f.id[..]).into(), source: src, short_message: &f.sm, ..ReplaceSm::default() }),
            23 => Pdu::ReplaceSmResp,
            24 => Pdu::EnquireLink,
            25 => Pdu::EnquireLinkResp,
            26 => Pdu::AlertNotification(AlertNotification { source: src, esme: dst, tlvs: Tlvs::EMPTY }),
            27 => {
                let tlvs = [Tlv::receipted_message_id(&f.id[..]), Tlv::message_state(MessageState::DELIVERED)];
                let d = Sm { esm_class: EsmClass::DELIVERY_RECEIPT, tlvs: Tlvs::from_slice(&tlvs), ..sm };
                let mut buf = vec![0u8; Pdu::DeliverSm(d).encoded_len()];
                Pdu::DeliverSm(d).emit(f.seq, CommandStatus::OK, &mut buf).unwrap();
                prop_assert_eq!(theirs_reencode(&buf), buf);
                return Ok(());
            }
            _ => Pdu::SubmitSm(Sm { tlvs: Tlvs::from_slice(&sar), ..sm }),
        };
        let status = if pdu.command_id().is_response() { CommandStatus::SYSTEM_ERROR } else { CommandStatus::OK };
        let mut buf = vec![0u8; pdu.encoded_len()];
        pdu.emit(f.seq, status, &mut buf).unwrap();
        prop_assert!(Pdu::parse(&buf).is_ok());
        prop_assert_eq!(theirs_reencode(&buf), buf);
    }
}
