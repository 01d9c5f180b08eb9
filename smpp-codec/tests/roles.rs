//! The decoders of one role decode what that role receives exactly as `Pdu::parse` does and
//! refuse the rest with `UnknownCommandId`; `pdu::emit` writes what `Pdu::emit` writes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use proptest::prelude::*;
use smpp_codec::pdu::{self, *};
use smpp_codec::*;

/// What an ESME receives (SMPP-REFERENCE: the SMSC's responses and its requests to the ESME).
const ESME: &[CommandId] = &[
    CommandId::BIND_RECEIVER_RESP,
    CommandId::BIND_TRANSMITTER_RESP,
    CommandId::BIND_TRANSCEIVER_RESP,
    CommandId::SUBMIT_SM_RESP,
    CommandId::DATA_SM_RESP,
    CommandId::QUERY_SM_RESP,
    CommandId::CANCEL_SM_RESP,
    CommandId::REPLACE_SM_RESP,
    CommandId::SUBMIT_MULTI_RESP,
    CommandId::ENQUIRE_LINK,
    CommandId::ENQUIRE_LINK_RESP,
    CommandId::UNBIND,
    CommandId::UNBIND_RESP,
    CommandId::GENERIC_NACK,
    CommandId::DELIVER_SM,
    CommandId::DATA_SM,
    CommandId::ALERT_NOTIFICATION,
    CommandId::OUTBIND,
];

/// What an SMSC receives.
const SMSC: &[CommandId] = &[
    CommandId::BIND_RECEIVER,
    CommandId::BIND_TRANSMITTER,
    CommandId::BIND_TRANSCEIVER,
    CommandId::SUBMIT_SM,
    CommandId::SUBMIT_MULTI,
    CommandId::DATA_SM,
    CommandId::QUERY_SM,
    CommandId::CANCEL_SM,
    CommandId::REPLACE_SM,
    CommandId::DELIVER_SM_RESP,
    CommandId::DATA_SM_RESP,
    CommandId::ENQUIRE_LINK,
    CommandId::ENQUIRE_LINK_RESP,
    CommandId::UNBIND,
    CommandId::UNBIND_RESP,
    CommandId::GENERIC_NACK,
];

const ESME_BROADCAST: &[CommandId] =
    &[CommandId::BROADCAST_SM_RESP, CommandId::QUERY_BROADCAST_SM_RESP, CommandId::CANCEL_BROADCAST_SM_RESP];
const SMSC_BROADCAST: &[CommandId] =
    &[CommandId::BROADCAST_SM, CommandId::QUERY_BROADCAST_SM, CommandId::CANCEL_BROADCAST_SM];

/// Each decoder with the commands it must decode.
fn decoders() -> [(&'static str, Decoder, Vec<CommandId>); 5] {
    let with = |a: &[CommandId], b: &[CommandId]| a.iter().chain(b).copied().collect::<Vec<_>>();
    let basic = ESME.iter().copied().filter(|&c| c != CommandId::QUERY_SM_RESP && c != CommandId::SUBMIT_MULTI_RESP);
    [
        ("esme", Pdu::parse_esme_inbound, ESME.to_vec()),
        ("esme basic", Pdu::parse_esme_inbound_basic, basic.collect()),
        ("esme+broadcast", Pdu::parse_esme_inbound_with_broadcast, with(ESME, ESME_BROADCAST)),
        ("smsc", Pdu::parse_smsc_inbound, SMSC.to_vec()),
        ("smsc+broadcast", Pdu::parse_smsc_inbound_with_broadcast, with(SMSC, SMSC_BROADCAST)),
    ]
}

/// Every decoder on `frame` against `Pdu::parse`.
fn check_decoders(frame: &[u8]) {
    let any = Pdu::parse(frame);
    let framed = Header::parse(frame).ok().filter(|h| h.command_length as usize == frame.len() && frame.len() >= 16);
    for (name, decode, accepted) in decoders() {
        let got = decode(frame);
        match framed {
            Some(h) if !accepted.contains(&h.command_id) => {
                assert_eq!(
                    got,
                    Err(Error::UnknownCommandId { command_id: h.command_id.raw() }),
                    "{name}: {frame:02X?}"
                );
            }
            _ => assert_eq!(got, any, "{name}: {frame:02X?}"),
        }
    }
}

/// One valid PDU of every command.
fn samples() -> Vec<Pdu<'static>> {
    static DESTS: [DestAddress<'static>; 1] =
        [DestAddress::Sme(Address { ton: Ton::INTERNATIONAL, npi: Npi::ISDN, addr: COctetStr::new(b"4477") })];
    let bind = Bind::new("panel", "secret");
    let bind_resp = BindResp { system_id: "SMSC".into(), tlvs: Tlvs::EMPTY };
    let sm = Sm::new(Address::alphanumeric("Panel"), Address::international("447700900123"), b"Alarm");
    let id = MessageIdResp::new("6809");
    let multi = SubmitMulti { dests: List::from_slice(&DESTS), short_message: b"Hi", ..SubmitMulti::default() };
    vec![
        Pdu::BindReceiver(bind),
        Pdu::BindReceiverResp(bind_resp),
        Pdu::BindTransmitter(bind),
        Pdu::BindTransmitterResp(bind_resp),
        Pdu::BindTransceiver(bind),
        Pdu::BindTransceiverResp(bind_resp),
        Pdu::Outbind(Outbind { system_id: "SMSC".into(), password: "pw".into() }),
        Pdu::SubmitSm(sm),
        Pdu::SubmitSmResp(id),
        Pdu::DeliverSm(sm),
        Pdu::DeliverSmResp(MessageIdResp::default()),
        Pdu::SubmitMulti(multi),
        Pdu::SubmitMultiResp(SubmitMultiResp { message_id: "6809".into(), ..SubmitMultiResp::default() }),
        Pdu::DataSm(DataSm::default()),
        Pdu::DataSmResp(id),
        Pdu::QuerySm(QuerySm { message_id: "6809".into(), ..QuerySm::default() }),
        Pdu::QuerySmResp(QuerySmResp { message_id: "6809".into(), ..QuerySmResp::default() }),
        Pdu::CancelSm(CancelSm::default()),
        Pdu::ReplaceSm(ReplaceSm::default()),
        Pdu::AlertNotification(AlertNotification::default()),
        Pdu::BroadcastSm(BroadcastSm::default()),
        Pdu::BroadcastSmResp(id),
        Pdu::QueryBroadcastSm(QueryBroadcastSm::default()),
        Pdu::QueryBroadcastSmResp(id),
        Pdu::CancelBroadcastSm(CancelBroadcastSm::default()),
        Pdu::GenericNack,
        Pdu::Unbind,
        Pdu::UnbindResp,
        Pdu::EnquireLink,
        Pdu::EnquireLinkResp,
        Pdu::CancelSmResp,
        Pdu::ReplaceSmResp,
        Pdu::CancelBroadcastSmResp,
    ]
}

fn to_vec(pdu: &Pdu<'_>, seq: u32, status: CommandStatus) -> Vec<u8> {
    let mut buf = vec![0u8; pdu.encoded_len()];
    pdu.emit(seq, status, &mut buf).unwrap();
    buf
}

/// `pdu::emit` with the body type of `pdu`'s variant (not through `Pdu`); `None` for header-only
/// PDUs, which have no body type.
fn emit_typed(pdu: &Pdu<'_>, seq: u32, status: CommandStatus, buf: &mut [u8]) -> Option<(usize, Result<usize, Error>)> {
    let id = pdu.command_id();
    Some(match pdu {
        Pdu::BindReceiver(b) | Pdu::BindTransmitter(b) | Pdu::BindTransceiver(b) => {
            (pdu::encoded_len(b), pdu::emit(id, seq, status, b, buf))
        }
        Pdu::BindReceiverResp(b) | Pdu::BindTransmitterResp(b) | Pdu::BindTransceiverResp(b) => {
            (pdu::encoded_len(b), pdu::emit(id, seq, status, b, buf))
        }
        Pdu::Outbind(b) => (pdu::encoded_len(b), pdu::emit(id, seq, status, b, buf)),
        Pdu::SubmitSm(b) | Pdu::DeliverSm(b) => (pdu::encoded_len(b), pdu::emit(id, seq, status, b, buf)),
        Pdu::SubmitSmResp(b)
        | Pdu::DeliverSmResp(b)
        | Pdu::DataSmResp(b)
        | Pdu::BroadcastSmResp(b)
        | Pdu::QueryBroadcastSmResp(b) => (pdu::encoded_len(b), pdu::emit(id, seq, status, b, buf)),
        Pdu::SubmitMulti(b) => (pdu::encoded_len(b), pdu::emit(id, seq, status, b, buf)),
        Pdu::SubmitMultiResp(b) => (pdu::encoded_len(b), pdu::emit(id, seq, status, b, buf)),
        Pdu::DataSm(b) => (pdu::encoded_len(b), pdu::emit(id, seq, status, b, buf)),
        Pdu::QuerySm(b) => (pdu::encoded_len(b), pdu::emit(id, seq, status, b, buf)),
        Pdu::QuerySmResp(b) => (pdu::encoded_len(b), pdu::emit(id, seq, status, b, buf)),
        Pdu::CancelSm(b) => (pdu::encoded_len(b), pdu::emit(id, seq, status, b, buf)),
        Pdu::ReplaceSm(b) => (pdu::encoded_len(b), pdu::emit(id, seq, status, b, buf)),
        Pdu::AlertNotification(b) => (pdu::encoded_len(b), pdu::emit(id, seq, status, b, buf)),
        Pdu::BroadcastSm(b) => (pdu::encoded_len(b), pdu::emit(id, seq, status, b, buf)),
        Pdu::QueryBroadcastSm(b) => (pdu::encoded_len(b), pdu::emit(id, seq, status, b, buf)),
        Pdu::CancelBroadcastSm(b) => (pdu::encoded_len(b), pdu::emit(id, seq, status, b, buf)),
        _ => return None,
    })
}

#[test]
fn the_role_sets_cover_every_command_once_per_role() {
    let samples = samples();
    assert_eq!(samples.len(), 33);
    for p in &samples {
        let id = p.command_id();
        let esme = ESME.contains(&id) || ESME_BROADCAST.contains(&id);
        let smsc = SMSC.contains(&id) || SMSC_BROADCAST.contains(&id);
        assert!(esme || smsc, "{id} is received by neither role");
        // Only the PDUs both ends send are in both sets.
        let both = [CommandId::DATA_SM, CommandId::DATA_SM_RESP, CommandId::ENQUIRE_LINK, CommandId::ENQUIRE_LINK_RESP]
            .iter()
            .chain(&[CommandId::UNBIND, CommandId::UNBIND_RESP, CommandId::GENERIC_NACK])
            .any(|&b| b == id);
        assert_eq!(esme && smsc, both, "{id}");
    }
}

#[test]
fn each_role_decodes_its_own_commands_like_pdu_parse_and_refuses_the_others() {
    for p in samples() {
        let frame = to_vec(&p, 7, CommandStatus::OK);
        check_decoders(&frame);
        // Spelled out for the two plain decoders.
        let id = p.command_id();
        match Pdu::parse_esme_inbound(&frame) {
            Ok((h, back)) => {
                assert!(ESME.contains(&id), "esme decoded {id}");
                assert_eq!((h.command_id, back), (id, p));
            }
            Err(e) => {
                assert!(!ESME.contains(&id), "esme refused {id}: {e}");
                assert_eq!(e, Error::UnknownCommandId { command_id: id.raw() });
            }
        }
        match Pdu::parse_smsc_inbound(&frame) {
            Ok((h, back)) => {
                assert!(SMSC.contains(&id), "smsc decoded {id}");
                assert_eq!((h.command_id, back), (id, p));
            }
            Err(e) => {
                assert!(!SMSC.contains(&id), "smsc refused {id}: {e}");
                assert_eq!(e, Error::UnknownCommandId { command_id: id.raw() });
            }
        }
    }
}

#[test]
fn error_responses_without_a_body_decode_alike() {
    for p in samples().iter().filter(|p| p.command_id().is_response()) {
        let header_only = to_vec(&Pdu::GenericNack, 9, CommandStatus::SYSTEM_ERROR);
        let mut frame = header_only.clone();
        frame[4..8].copy_from_slice(&p.command_id().raw().to_be_bytes());
        check_decoders(&frame);
        // A lone NUL.
        frame.push(0);
        frame[3] = 17;
        check_decoders(&frame);
    }
}

#[test]
fn framing_errors_come_first_whatever_the_command() {
    for frame in [
        &[0u8, 0, 0][..],
        &[0, 0, 0, 8, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 1],
        &[0, 0, 0, 17, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1],
    ] {
        check_decoders(frame);
        for (_, decode, _) in decoders() {
            assert!(!matches!(decode(frame), Err(Error::UnknownCommandId { .. }) | Ok(_)));
        }
    }
}

#[test]
fn typed_emit_writes_what_pdu_emit_writes() {
    for p in samples() {
        let status = if p.command_id().is_response() { CommandStatus::SYSTEM_ERROR } else { CommandStatus::OK };
        for status in [CommandStatus::OK, status] {
            let expected = to_vec(&p, 0x1234, status);
            let mut buf = vec![0xA5u8; expected.len() + 4];
            if let Some((len, written)) = emit_typed(&p, 0x1234, status, &mut buf) {
                assert_eq!(len, expected.len(), "{}", p.command_id());
                assert_eq!(written, Ok(expected.len()), "{}", p.command_id());
                assert_eq!(&buf[..len], &expected[..], "{}", p.command_id());
                assert!(buf[len..].iter().all(|&b| b == 0xA5));
                // Too small a buffer: an error, and nothing written.
                let mut small = vec![0x5Au8; len - 1];
                assert_eq!(
                    emit_typed(&p, 1, status, &mut small).unwrap().1,
                    Err(Error::BufferTooSmall { needed: len })
                );
                assert!(small.iter().all(|&b| b == 0x5A));
            }
            // `Pdu` is a body of its own command only.
            let mut buf = vec![0u8; expected.len()];
            assert_eq!(pdu::emit(p.command_id(), 0x1234, status, &p, &mut buf), Ok(expected.len()));
            assert_eq!(buf, expected);
        }
    }
}

#[test]
fn typed_emit_refuses_a_body_under_another_command_and_writes_the_status_given() {
    let sm = Sm::new(Address::alphanumeric("Panel"), Address::international("447700900123"), b"Alarm");
    let mut buf = [0xA5u8; 128];
    for id in
        [CommandId::SUBMIT_SM_RESP, CommandId::BIND_TRANSMITTER, CommandId::ENQUIRE_LINK, CommandId::from_raw(0x1234)]
    {
        assert_eq!(
            pdu::emit(id, 1, CommandStatus::OK, &sm, &mut buf),
            Err(Error::InvalidValue { field: Field::CommandId })
        );
    }
    // As Pdu::emit: the status is written as given, so that a request re-emits unchanged.
    let mut same = [0xA5u8; 128];
    let n = pdu::emit(CommandId::SUBMIT_SM, 1, CommandStatus::SYSTEM_ERROR, &sm, &mut same).unwrap();
    assert_eq!(Pdu::SubmitSm(sm).emit(1, CommandStatus::SYSTEM_ERROR, &mut buf), Ok(n));
    assert_eq!(buf[..n], same[..n]);
    let mut buf = [0xA5u8; 128];
    let long = Bind::new("a-system-id-too-long", "pw");
    assert_eq!(
        pdu::emit(CommandId::BIND_TRANSMITTER, 1, CommandStatus::OK, &long, &mut buf),
        Err(Error::TooLong { field: Field::SystemId, max: 16 })
    );
    assert!(buf.iter().all(|&b| b == 0xA5));
    assert_eq!(
        pdu::emit(CommandId::ENQUIRE_LINK, 1, CommandStatus::OK, &Pdu::Unbind, &mut buf),
        Err(Error::InvalidValue { field: Field::CommandId })
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn every_decoder_agrees_with_pdu_parse_on_arbitrary_bodies(
        body in proptest::collection::vec(any::<u8>(), 0..120), which in 0..35usize, status in prop_oneof![Just(0u32), any::<u32>()], seq in any::<u32>(),
    ) {
        let samples = samples();
        // Every known command, and two unknown ones.
        let id = samples.get(which).map_or(if which == 33 { 0x0000_0200 } else { 0x8000_0104 }, |p| p.command_id().raw());
        let mut frame = Vec::with_capacity(16 + body.len());
        frame.extend_from_slice(&(16 + body.len() as u32).to_be_bytes());
        frame.extend_from_slice(&id.to_be_bytes());
        frame.extend_from_slice(&status.to_be_bytes());
        frame.extend_from_slice(&seq.to_be_bytes());
        frame.extend_from_slice(&body);
        check_decoders(&frame);
    }

    #[test]
    fn every_decoder_agrees_with_pdu_parse_on_mutated_valid_frames(which in 0..33usize, at in any::<prop::sample::Index>(), value in any::<u8>(), cut in 0..4usize) {
        let p = samples()[which];
        let mut frame = to_vec(&p, 3, CommandStatus::OK);
        let i = at.index(frame.len());
        frame[i] = value;
        check_decoders(&frame);
        // A body cut short, with a consistent command_length.
        let keep = frame.len().saturating_sub(cut).max(16);
        frame.truncate(keep);
        frame[..4].copy_from_slice(&(keep as u32).to_be_bytes());
        check_decoders(&frame);
    }
}
