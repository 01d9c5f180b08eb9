//! Differential decoding against rusmpp-core 0.4: on arbitrary bytes, whenever both decoders
//! accept, they agree on the header and on the fields compared here; PDUs our encoder writes
//! from arbitrary field values are accepted by both. Intended differences are listed in
//! fuzz/README.md.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use rusmpp_core::command::borrowed::Command;
use rusmpp_core::decode::borrowed::DecodeWithLength;
use rusmpp_core::pdus::borrowed::Pdu as TheirPdu;
use smpp_codec::pdu::{Bind, MessageIdResp, SubmitSm};
use smpp_codec::{Address, CommandStatus, Npi, Pdu, Ton};

fn strip(b: &[u8]) -> &[u8] {
    b.strip_suffix(&[0]).unwrap_or(b)
}

fn compare(frame: &[u8]) {
    let ours = Pdu::parse(frame);
    let theirs = if frame.len() >= 16 { Command::<'_, 16>::decode(&frame[4..], frame.len() - 4).ok() } else { None };
    let (Ok((h, pdu)), Some((t, _))) = (ours, theirs) else { return };
    assert_eq!(h.sequence_number, t.sequence_number);
    assert_eq!(h.command_id.raw(), u32::from(t.id()));
    assert_eq!(h.command_status.raw(), u32::from(t.status));
    match (pdu, t.pdu()) {
        (Pdu::SubmitSm(o), Some(TheirPdu::SubmitSm(x))) => {
            assert_eq!(o.short_message, x.short_message().bytes());
            assert_eq!(o.source.addr.as_bytes(), strip(x.source_addr.bytes()));
            assert_eq!(o.dest.addr.as_bytes(), strip(x.destination_addr.bytes()));
            assert_eq!(o.data_coding.0, u8::from(x.data_coding));
        }
        (Pdu::DeliverSm(o), Some(TheirPdu::DeliverSm(x))) => {
            assert_eq!(o.short_message, x.short_message().bytes());
            assert_eq!(o.tlvs.iter().count(), x.tlvs().len());
        }
        (Pdu::SubmitSmResp(o), Some(TheirPdu::SubmitSmResp(x))) => {
            assert_eq!(o.message_id.as_bytes(), strip(x.message_id().bytes()));
        }
        (Pdu::BindTransmitter(o), Some(TheirPdu::BindTransmitter(x))) => {
            assert_eq!(o.system_id.as_bytes(), strip(x.system_id.bytes()));
            assert_eq!(o.password.as_bytes(), strip(x.password.bytes()));
        }
        _ => {}
    }
}

#[derive(Arbitrary, Debug)]
struct Fields {
    raw: Vec<u8>,
    kind: u8,
    a: Vec<u8>,
    b: Vec<u8>,
    text: Vec<u8>,
    seq: u32,
}

/// A C-string value both sides accept: ASCII without NUL (rusmpp-core refuses other octets,
/// we keep them; see README).
fn cstr(v: &[u8], max: usize) -> Vec<u8> {
    v.iter().map(|&c| c & 0x7F).filter(|&c| c != 0).take(max - 1).collect()
}

fuzz_target!(|f: Fields| {
    compare(&f.raw);
    // Well-formed PDUs from our encoder: both must accept them.
    let (a, b) = (cstr(&f.a, 16), cstr(&f.b, 9));
    let text: Vec<u8> = f.text.iter().copied().take(254).collect();
    let seq = f.seq % 0x7FFF_FFFF + 1;
    let pdu = match f.kind % 3 {
        0 => Pdu::BindTransmitter(Bind { system_id: (&a[..]).into(), password: (&b[..]).into(), ..Bind::default() }),
        1 => Pdu::SubmitSm(SubmitSm::new(
            Address::new(Ton::INTERNATIONAL, Npi::ISDN, &a[..]),
            Address::new(Ton::INTERNATIONAL, Npi::ISDN, &b[..]),
            &text,
        )),
        _ => Pdu::SubmitSmResp(MessageIdResp { message_id: (&a[..]).into(), ..MessageIdResp::default() }),
    };
    let mut buf = vec![0u8; pdu.encoded_len()];
    pdu.emit(seq, CommandStatus::OK, &mut buf).expect("valid fields");
    let theirs = Command::<'_, 16>::decode(&buf[4..], buf.len() - 4);
    assert!(theirs.is_ok(), "rusmpp-core rejects a PDU we wrote: {:?} {:?}", theirs.err(), buf);
    compare(&buf);
});
