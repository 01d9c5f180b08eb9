//! Runs on an emulated Cortex-M (QEMU, semihosting): the codec's byte vectors, the text layer's
//! vectors, a scripted ESME/SMSC pair, then the embassy runner against the test SMSC over an
//! in-memory connection, with the runner's stack high-water mark measured by painting. Any failed
//! check panics, and the panic handler ends the run with a failure exit code.
#![no_std]
#![no_main]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "../../tests/support/scenarios.rs"]
mod scenarios;
#[path = "../../tests/support/smsc.rs"]
mod smsc;

use embassy_executor::Spawner;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::signal::Signal;
use smpp_codec::pdu::{Bind, BindResp, DeliverSm, MessageIdResp, SubmitSm};
use smpp_codec::text::gsm7::{self, Tables};
use smpp_codec::text::receipt::{DeliveryReceipt, ReceiptText};
use smpp_codec::text::segment::{Concatenation, Encoding, Segmenter, plan};
use smpp_codec::text::ucs2;
use smpp_codec::{
    Address, CommandId, CommandStatus, EsmClass, MessageState, Pdu, RegisteredDelivery, Tlv, Tlvs, frame_len,
};
use smpp_embassy::{Buffers, RunError, Runner};
use smpp_embassy_qemu::stack::{self, Measured};
use smpp_embassy_qemu::wire::{Connector, Wire};
use smpp_embassy_qemu::{Checks, exit_ok, hprintln};
use smpp_session::{BindKind, Config, Event, Instant, Keepalive, Session, TextOptions};
use static_cell::ConstStaticCell;

use scenarios::{IDS, MO, TEXT, TICKETS, TestState, WINDOW};

// ---- the codec's vectors (SMPP-REFERENCE §11) ------------------------------------------------

/// Decodes hex digits, ignoring everything else, into a fixed buffer.
fn hex<const N: usize>(s: &str) -> heapless::Vec<u8, N> {
    let mut out = heapless::Vec::new();
    let mut high = None;
    for c in s.bytes() {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => continue,
        };
        match high.take() {
            None => high = Some(d),
            Some(h) => out.push(h << 4 | d).unwrap(),
        }
    }
    out
}

/// Parses `bytes`, checks the header, and checks that emitting the parsed PDU gives them back.
fn roundtrip<'a>(c: &mut Checks, bytes: &'a [u8], id: CommandId, status: CommandStatus, seq: u32) -> Pdu<'a> {
    let (h, pdu) = Pdu::parse(bytes).unwrap();
    c.eq(h.command_length as usize, bytes.len(), "command_length");
    c.eq(h.command_id, id, "command_id");
    c.eq(h.command_status, status, "command_status");
    c.eq(h.sequence_number, seq, "sequence_number");
    let mut out = [0u8; 256];
    let n = pdu.emit(seq, status, &mut out).unwrap();
    c.eq(n, pdu.encoded_len(), "emit writes encoded_len octets");
    c.eq(&out[..n], bytes, "re-emitted byte for byte");
    pdu
}

fn codec_vectors(c: &mut Checks) {
    let v: heapless::Vec<u8, 16> = hex("00 00 00 10  00 00 00 15  00 00 00 00  00 00 00 01");
    let pdu = roundtrip(c, &v, CommandId::ENQUIRE_LINK, CommandStatus::OK, 1);
    c.eq(pdu, Pdu::EnquireLink, "enquire_link");
    let v: heapless::Vec<u8, 16> = hex("00 00 00 10  80 00 00 15  00 00 00 00  00 00 00 01");
    let pdu = roundtrip(c, &v, CommandId::ENQUIRE_LINK_RESP, CommandStatus::OK, 1);
    c.eq(pdu, Pdu::EnquireLinkResp, "enquire_link_resp");

    let v: heapless::Vec<u8, 29> =
        hex("00 00 00 1D 00 00 00 02 00 00 00 00 00 00 00 01 74 65 73 74 00 70 77 00 00 34 00 00 00");
    let Pdu::BindTransmitter(b) = roundtrip(c, &v, CommandId::BIND_TRANSMITTER, CommandStatus::OK, 1) else { panic!() };
    c.eq(b.system_id.as_bytes(), b"test", "system_id");
    c.eq(b.password.as_bytes(), b"pw", "password");
    c.eq(b.interface_version, 0x34, "interface_version");
    let mut out = [0u8; 64];
    let n = Pdu::BindTransmitter(Bind::new("test", "pw")).emit(1, CommandStatus::OK, &mut out).unwrap();
    c.eq(&out[..n], &v[..], "bind_transmitter built from fields");

    let v: heapless::Vec<u8, 26> = hex("00 00 00 1A 80 00 00 02 00 00 00 00 00 00 00 01 53 4D 53 43 00 02 10 00 01 34");
    let Pdu::BindTransmitterResp(r) = roundtrip(c, &v, CommandId::BIND_TRANSMITTER_RESP, CommandStatus::OK, 1) else {
        panic!()
    };
    c.eq(r.system_id.as_bytes(), b"SMSC", "bind_resp system_id");
    c.eq(r.tlvs.sc_interface_version().unwrap(), Some(0x34), "sc_interface_version");
    let tlvs = [Tlv::sc_interface_version(0x34)];
    let built = Pdu::BindTransmitterResp(BindResp { system_id: "SMSC".into(), tlvs: Tlvs::from_slice(&tlvs) });
    let n = built.emit(1, CommandStatus::OK, &mut out).unwrap();
    c.eq(&out[..n], &v[..], "bind_transmitter_resp built from fields");
    let v: heapless::Vec<u8, 16> = hex("00 00 00 10 80 00 00 02 00 00 00 0E 00 00 00 01");
    let (h, pdu) = Pdu::parse(&v).unwrap();
    c.eq(h.command_status, CommandStatus::INVALID_PASSWORD, "ESME_RINVPASWD, no body");
    c.check(matches!(pdu, Pdu::BindTransmitterResp(r) if r.system_id.is_empty()), "empty bind_resp body");

    let v: heapless::Vec<u8, 54> =
        hex("00 00 00 36 00 00 00 04 00 00 00 00 00 00 00 02 00 05 00 54 65 73 74 00 01 01 34 34 37 37 30 30
         39 30 30 31 32 33 00 00 00 00 00 00 01 00 00 00 05 48 65 6C 6C 6F");
    let Pdu::SubmitSm(sm) = roundtrip(c, &v, CommandId::SUBMIT_SM, CommandStatus::OK, 2) else { panic!() };
    c.eq(sm.source, Address::alphanumeric("Test"), "source");
    c.eq(sm.dest, Address::international("447700900123"), "dest");
    c.eq(sm.short_message, b"Hello", "short_message");
    let mut built = SubmitSm::new(Address::alphanumeric("Test"), Address::international("447700900123"), b"Hello");
    built.registered_delivery = RegisteredDelivery::RECEIPT;
    let n = Pdu::SubmitSm(built).emit(2, CommandStatus::OK, &mut out[..]).unwrap();
    c.eq(&out[..n], &v[..], "submit_sm built from fields");

    let v: heapless::Vec<u8, 30> =
        hex("00 00 00 1E 80 00 00 04 00 00 00 00 00 00 00 02 36 38 30 39 30 61 35 33 34 65 35 35 31 00");
    let Pdu::SubmitSmResp(r) = roundtrip(c, &v, CommandId::SUBMIT_SM_RESP, CommandStatus::OK, 2) else { panic!() };
    c.eq(r.message_id.as_bytes(), b"68090a534e551", "message_id");
    let n = Pdu::SubmitSmResp(MessageIdResp::new("68090a534e551")).emit(2, CommandStatus::OK, &mut out).unwrap();
    c.eq(&out[..n], &v[..], "submit_sm_resp built");
    let v: heapless::Vec<u8, 16> = hex("00 00 00 10 80 00 00 04 00 00 00 58 00 00 00 02");
    let (h, _) = Pdu::parse(&v).unwrap();
    c.eq(h.command_status, CommandStatus::THROTTLED, "ESME_RTHROTTLED");

    for (text, seq, id, stat, state) in [
        (
            "00 00 00 99 00 00 00 05 00 00 00 00 00 00 00 05 00 01 01 34 34 37 37 30 30 39 30 30 31 32 33 00
             05 00 54 65 73 74 00 04 00 00 00 00 00 00 00 00 51 69 64 3A 36 38 30 39 30 61 35 33 34 65 35 35
             31 20 73 75 62 6D 69 74 20 64 61 74 65 3A 32 35 30 34 32 33 31 35 34 32 20 64 6F 6E 65 20 64 61
             74 65 3A 32 35 30 34 32 33 31 35 34 33 20 73 74 61 74 3A 44 45 4C 49 56 52 44 20 65 72 72 3A 30
             30 30 00 1E 00 0E 36 38 30 39 30 61 35 33 34 65 35 35 31 00 04 27 00 01 02",
            5,
            &b"68090a534e551"[..],
            &b"DELIVRD"[..],
            MessageState::DELIVERED,
        ),
        (
            "0000009900000005000000000000000600010134343737303039303031323300050054657374000400000000000000005169643A36383039313638626464663662207375626D697420646174653A3235303432333136333420646F6E6520646174653A3235303432333136333520737461743A554E44454C4956206572723A303031001E000E36383039313638626464663662000427000105",
            6,
            b"6809168bddf6b",
            b"UNDELIV",
            MessageState::UNDELIVERABLE,
        ),
    ] {
        let v: heapless::Vec<u8, 153> = hex(text);
        let Pdu::DeliverSm(sm) = roundtrip(c, &v, CommandId::DELIVER_SM, CommandStatus::OK, seq) else { panic!() };
        c.check(sm.esm_class.is_receipt(), "esm_class says receipt");
        let r = DeliveryReceipt::from_sm(&sm).unwrap();
        c.eq(r.message_id.map(|m| m.as_bytes()), Some(id), "receipted id");
        c.eq(r.state, state, "receipt state");
        c.eq(r.text.unwrap().stat.unwrap().raw, stat, "receipt stat");
    }

    let v: heapless::Vec<u8, 17> = hex("00 00 00 11 80 00 00 05 00 00 00 00 00 00 00 05 00");
    roundtrip(c, &v, CommandId::DELIVER_SM_RESP, CommandStatus::OK, 5);
    let v: heapless::Vec<u8, 16> = hex("00 00 00 10 80 00 00 00 00 00 00 03 00 00 00 07");
    roundtrip(c, &v, CommandId::GENERIC_NACK, CommandStatus::INVALID_COMMAND_ID, 7);
    let v: heapless::Vec<u8, 16> = hex("00 00 00 10 00 00 00 06 00 00 00 00 00 00 00 03");
    roundtrip(c, &v, CommandId::UNBIND, CommandStatus::OK, 3);

    let v: heapless::Vec<u8, 67> = hex(
        "00000043 00000004 00000000 00000009 00 01 01 343437373030393030313233 00 01 01 343437373030393030343536 00
         40 00 00 00 00 00 00 08 00 0A 05 00 03 2A 02 01 00 48 00 69",
    );
    let Pdu::SubmitSm(sm) = roundtrip(c, &v, CommandId::SUBMIT_SM, CommandStatus::OK, 9) else { panic!() };
    c.check(sm.esm_class.udhi(), "UDHI");
    c.eq(sm.data_coding.0, 8, "UCS-2");
    let v: heapless::Vec<u8, 66> = hex(
        "00000042 00000004 00000000 0000000A 00 01 01 343437373030393030313233 00 01 01 343437373030393030343536 00
         00 00 00 00 00 00 00 00 00 00 04 24 00 05 48 65 6C 6C 6F",
    );
    let Pdu::SubmitSm(sm) = roundtrip(c, &v, CommandId::SUBMIT_SM, CommandStatus::OK, 10) else { panic!() };
    c.eq(sm.message(), b"Hello", "message_payload");

    // Framing: a length below the header is refused, a partial frame asks for more.
    c.check(frame_len(&[0, 0, 0, 8, 0, 0, 0, 21, 0, 0, 0, 0, 0, 0, 0, 1], 4096).is_err(), "command_length 8");
    c.check(frame_len(&[0, 0, 0, 32, 0, 0], 4096).is_ok(), "a partial header is not an error");
    // Garbage never panics.
    let mut junk = [0u8; 64];
    for (i, b) in junk.iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(37).wrapping_add(11);
    }
    for len in 0..junk.len() {
        let _ = Pdu::parse(&junk[..len]);
    }
    c.check(true, "garbage parses without a panic");
}

// ---- the text layer's vectors (SMPP-REFERENCE §7.3, §8) ---------------------------------------

fn text_vectors(c: &mut Checks) {
    let mut sept = [0u8; 32];
    let n = gsm7::encode("@£$¥èéùìòÇ", Tables::DEFAULT, &mut sept).unwrap();
    c.eq(&sept[..n], &[0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09][..], "GSM default table");
    let n = gsm7::encode("€[]{}\\^~|", Tables::DEFAULT, &mut sept).unwrap();
    c.eq(
        &sept[..n],
        &[0x1B, 0x65, 0x1B, 0x3C, 0x1B, 0x3E, 0x1B, 0x28, 0x1B, 0x29, 0x1B, 0x2F, 0x1B, 0x14, 0x1B, 0x3D, 0x1B, 0x40][..],
        "GSM extension table",
    );
    c.check(gsm7::decode(&[0x00, 0x11, 0x24, 0x5F, 0x1B, 0x65], Tables::DEFAULT).eq("@_¤§€".chars()), "GSM decode");
    c.check(gsm7::encode("`", Tables::DEFAULT, &mut sept).is_err(), "backtick has no septet");

    let mut packed = [0u8; 16];
    for (text, want) in [
        ("hellohello", &[0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97, 0xD9, 0xEC, 0x37][..]),
        ("1234567", &[0x31, 0xD9, 0x8C, 0x56, 0xB3, 0xDD, 0x00][..]),
        ("12345678", &[0x31, 0xD9, 0x8C, 0x56, 0xB3, 0xDD, 0x70][..]),
    ] {
        let n = gsm7::encode(text, Tables::DEFAULT, &mut sept).unwrap();
        let m = gsm7::pack(&sept[..n], 0, &mut packed).unwrap();
        c.eq(&packed[..m], want, "septet packing");
    }
    let n = gsm7::encode("hello", Tables::DEFAULT, &mut sept).unwrap();
    let m = gsm7::pack(&sept[..n], 1, &mut packed).unwrap();
    c.eq(&packed[..m], &[0xD0, 0x65, 0x36, 0xFB, 0x0D][..], "packing with one fill bit after a UDH");

    let mut units = [0u8; 16];
    let n = ucs2::encode("H😀", &mut units).unwrap();
    c.eq(&units[..n], &[0x00, 0x48, 0xD8, 0x3D, 0xDE, 0x00][..], "UCS-2 with a surrogate pair");
    c.check(ucs2::decode(&units[..n]).map(Result::unwrap).eq("H😀".chars()), "UCS-2 decode");

    let gsm = Encoding::Gsm7(Tables::DEFAULT);
    let mut long: heapless::String<400> = heapless::String::new();
    for (len, parts, per_part) in [(160, 1, 160), (161, 2, 153), (306, 2, 153), (307, 3, 153)] {
        long.clear();
        while long.len() < len {
            long.push('x').unwrap();
        }
        let p = plan(&long, gsm, Concatenation::Udh8).unwrap();
        c.eq((p.parts, p.per_part), (parts, per_part), "GSM part limits");
    }
    for (len, parts) in [(70, 1), (71, 2), (134, 2), (135, 3)] {
        long.clear();
        while long.chars().count() < len {
            long.push('Ж').unwrap();
        }
        c.eq(plan(&long, Encoding::Ucs2, Concatenation::Udh8).unwrap().parts, parts, "UCS-2 part limits");
    }
    // An escape pair is never split: 152 septets then '€' (2 septets) do not fit part one's 153.
    long.clear();
    while long.len() < 152 {
        long.push('a').unwrap();
    }
    long.push_str("€bbbbbbbbbb").unwrap();
    let mut seg = Segmenter::new(&long, gsm, Concatenation::Udh8, 0x2A).unwrap();
    c.eq(seg.total(), 2, "two parts");
    let mut part = [0u8; 160];
    let p1 = seg.next_part(&mut part).unwrap().unwrap();
    c.eq(&part[..6], &[5, 0, 3, 0x2A, 2, 1][..], "part 1 UDH");
    c.eq(p1.len, 6 + 152, "part 1 stops before the escape pair");
    c.check(part[p1.len - 1] != 0x1B, "no dangling escape");
    let p2 = seg.next_part(&mut part).unwrap().unwrap();
    c.eq(&part[6..p2.len], &[0x1B, 0x65, b'b', b'b', b'b', b'b', b'b', b'b', b'b', b'b', b'b', b'b'][..], "part 2");
    c.check(seg.next_part(&mut part).is_none(), "no part 3");

    let r = ReceiptText::parse(b"id:68090a534e551 submit date:2504231542 done date:2504231543 stat:DELIVRD err:000")
        .unwrap();
    c.eq(r.id.map(|m| m.as_bytes()), Some(&b"68090a534e551"[..]), "case 1 id");
    c.eq((r.sub, r.dlvrd), (None, None), "case 1 sub/dlvrd");
    let d = r.submit_date.and_then(|d| d.date()).unwrap();
    c.eq((d.year, d.month, d.day, d.hour, d.minute), (2025, 4, 23, 15, 42), "case 1 submit date");
    c.eq(r.stat.unwrap().state(), MessageState::DELIVERED, "case 1 stat");
    c.eq(r.err, Some(&b"000"[..]), "case 1 err");
    let r = ReceiptText::parse(b"id:6809168bddf6b submit date:2504231634 done date:2504231635 stat:UNDELIV err:001")
        .unwrap();
    c.eq(r.stat.unwrap().state(), MessageState::UNDELIVERABLE, "case 2 stat");
    let r = ReceiptText::parse(
        b"id:0059113978 sub:001 dlvrd:001 submit date:1002101730 done date:1002101731 stat:DELIVRD err:000 text:@$#!%&/:",
    )
    .unwrap();
    c.eq((r.sub, r.dlvrd, r.text), (Some(1), Some(1), Some(&b"@$#!%&/:"[..])), "case 3");
    let r = ReceiptText::parse(
        b"id:64567564356765435676 sub:001 dlvrd:001 submit date:190608165232 done date:190608165237 stat:DELIVRD err:000 text:Hello World",
    )
    .unwrap();
    c.eq(r.submit_date.and_then(|d| d.date()).unwrap().second, Some(32), "case 4 seconds");
    let r = ReceiptText::parse(
        b"ID:12345 Sub:001 Dlvrd:001 Submit_Date:190608165232 Done_Date:190608165237 Stat:delivrd Err:000 Text:Hello World",
    )
    .unwrap();
    c.eq(r.id.map(|m| m.as_bytes()), Some(&b"12345"[..]), "case 5 id");
    c.eq(r.stat.unwrap().state(), MessageState::DELIVERED, "case 5 stat");
}

// ---- a scripted ESME/SMSC pair under a virtual clock -----------------------------------------

/// Moves the octets `from` has to send into `to`.
fn pump<const W: usize>(from: &mut Session<'_, W>, to: &mut Session<'_, W>, now: Instant) {
    while !from.transmit().is_empty() {
        let room = to.receive_buffer();
        let n = from.transmit().len().min(room.len());
        if n == 0 {
            break;
        }
        room[..n].copy_from_slice(&from.transmit()[..n]);
        to.commit(now, n);
        from.transmitted(n);
    }
}

fn pair(c: &mut Checks) {
    let (mut erx, mut etx, mut srx, mut stx) = ([0u8; 512], [0u8; 1024], [0u8; 512], [0u8; 512]);
    let mut now = Instant(0);
    let config = Config { keepalive: Keepalive::WhenIdle(smpp_session::Duration::from_secs(30)), ..Config::default() };
    let mut esme: Session<'_, 4> = Session::esme(config, &mut erx, &mut etx, now).unwrap();
    let mut smsc: Session<'_, 4> = Session::smsc(Config::default(), &mut srx, &mut stx, now).unwrap();
    esme.bind(now, BindKind::Transceiver, &Bind::new("panel", "pw")).unwrap();
    let mut text: heapless::String<200> = heapless::String::new();
    while text.len() < 200 {
        text.push('z').unwrap();
    }
    let template = SubmitSm {
        registered_delivery: RegisteredDelivery::RECEIPT,
        ..SubmitSm::new(Address::alphanumeric("Alarm"), Address::international("34600000000"), &[])
    };
    let mut message = None;
    let (mut accepted_parts, mut receipts, mut done, mut closed) = (0, 0, None, None);
    let mut ids: heapless::Vec<heapless::String<16>, 4> = heapless::Vec::new();
    for round in 0..40 {
        pump(&mut esme, &mut smsc, now);
        while let Some(event) = smsc.poll_event() {
            match event {
                Event::BindRequest { token, .. } => smsc.accept_bind(now, token, "SMSC").unwrap(),
                Event::Request { token, command: CommandId::SUBMIT_SM } => {
                    let mut id = heapless::String::<16>::new();
                    let _ = core::fmt::Write::write_fmt(&mut id, format_args!("id{}", ids.len() + 1));
                    ids.push(id.clone()).unwrap();
                    let resp = Pdu::SubmitSmResp(MessageIdResp::new(id.as_str()));
                    smsc.respond(now, token, CommandStatus::OK, Some(&resp)).unwrap();
                    let mut t = heapless::String::<120>::new();
                    let _ = core::fmt::Write::write_fmt(
                        &mut t,
                        format_args!(
                            "id:{id} sub:001 dlvrd:001 submit date:2504231542 done date:2504231543 stat:DELIVRD err:000"
                        ),
                    );
                    let receipt = DeliverSm {
                        esm_class: EsmClass::DELIVERY_RECEIPT,
                        ..DeliverSm::new(
                            Address::international("34600000000"),
                            Address::alphanumeric("Alarm"),
                            t.as_bytes(),
                        )
                    };
                    smsc.send(now, &Pdu::DeliverSm(receipt)).unwrap();
                }
                _ => {}
            }
        }
        pump(&mut smsc, &mut esme, now);
        while let Some(event) = esme.poll_event() {
            match event {
                Event::Bound { .. } => {
                    let options = TextOptions {
                        encoding: Encoding::Gsm7(Tables::DEFAULT),
                        concatenation: Concatenation::Udh8,
                        reference: 7,
                    };
                    let mut scratch = [0u8; 160];
                    message = Some(esme.submit_text(now, &template, &text, options, &mut scratch).unwrap());
                }
                Event::Outcome { outcome, part, .. } => {
                    c.check(outcome.is_ok(), "part accepted");
                    c.check(part.is_some_and(|p| Some(p.message) == message && p.total == 2), "part of the message");
                    accepted_parts += 1;
                }
                Event::MessageDone { message: m, total, accepted, failed } => {
                    done = Some((Some(m) == message, total, accepted, failed.is_none()));
                }
                Event::Receipt { part, state, .. } => {
                    c.check(part.is_some_and(|p| Some(p.message) == message), "receipt matched to its part");
                    c.eq(state, Some(MessageState::DELIVERED), "receipt state");
                    receipts += 1;
                    if receipts == 2 {
                        esme.unbind(now).unwrap();
                    }
                }
                Event::Closed(reason) => closed = Some(reason),
                _ => {}
            }
        }
        if closed.is_some() {
            break;
        }
        // Nothing moves for a while: time passes, the idle keepalive goes out once.
        if round == 3 {
            let at = esme.poll_timeout().unwrap();
            now = at;
            esme.handle_timeout(now);
            c.eq(&esme.transmit()[4..8], &[0, 0, 0, 0x15][..], "enquire_link after 30 s idle");
        }
    }
    c.eq(accepted_parts, 2, "both parts accepted");
    c.eq(done, Some((true, 2, 2, true)), "one MessageDone for the message");
    c.eq(receipts, 2, "a receipt per part");
    c.eq(closed, Some(smpp_session::CloseReason::Unbound), "unbound");
}

// ---- the embassy runner ----------------------------------------------------------------------

type QemuRunner = Runner<'static, CriticalSectionRawMutex, Connector<'static>, WINDOW, TICKETS, TEXT, IDS, MO>;
/// How `run` ended, its stack high-water mark, and the size of its future.
type Outcome = (Result<(), RunError>, usize, usize);

static STATE: TestState = TestState::new();
static WIRE: Wire = Wire::new();
static SMSC: smsc::Shared = smsc::shared();
static RESULT: Signal<CriticalSectionRawMutex, Outcome> = Signal::new();
static RX: ConstStaticCell<[u8; 512]> = ConstStaticCell::new([0; 512]);
static TX: ConstStaticCell<[u8; 1536]> = ConstStaticCell::new([0; 1536]);

const BEHAVIOUR: smsc::Behaviour = smsc::Behaviour::labsmobile(scenarios::SYSTEM_ID, scenarios::PASSWORD);

#[embassy_executor::task]
async fn smsc_task() {
    loop {
        let mut end = WIRE.accept().await;
        let _ = smsc::serve(&mut end, &BEHAVIOUR, &SMSC).await;
        end.close();
    }
}

#[embassy_executor::task]
async fn runner_task(mut runner: QemuRunner) {
    let run = runner.run();
    let size = core::mem::size_of_val(&run);
    let (result, high_water) = Measured::new(run).await;
    RESULT.signal((result, high_water, size));
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let core = cortex_m::Peripherals::take().unwrap();
    // The emulated core clocks: mps2-an386 runs at 25 MHz, lm3s6965evb at 12 MHz.
    let hz = if cfg!(target_abi = "eabihf") { 25_000_000 } else { 12_000_000 };
    smpp_embassy_qemu::start_systick(core.SYST, hz);
    hprintln!(
        "smpp on {}: {} octets of stack free",
        if hz == 25_000_000 { "mps2-an386 (Cortex-M4F)" } else { "lm3s6965evb (Cortex-M3)" },
        stack::free_now()
    );

    let mut c = Checks::default();
    codec_vectors(&mut c);
    hprintln!("codec vectors: {} checks passed", c.passed);
    let mut c = Checks::default();
    text_vectors(&mut c);
    hprintln!("text vectors: {} checks passed", c.passed);
    let mut c = Checks::default();
    pair(&mut c);
    hprintln!("ESME/SMSC pair: {} checks passed", c.passed);

    let buffers = Buffers { rx: RX.take(), tx: TX.take() };
    let (client, runner): (_, QemuRunner) =
        smpp_embassy::new(&STATE, WIRE.connector(), scenarios::esme_config(), buffers);
    spawner.spawn(smsc_task().unwrap());
    spawner.spawn(runner_task(runner).unwrap());
    scenarios::bind(client, &SMSC).await;
    scenarios::standard_text(client, &SMSC).await;
    scenarios::ucs2_text(client, &SMSC).await;
    scenarios::long_text(client, &SMSC).await;
    scenarios::undeliverable(client, &SMSC).await;
    scenarios::mo_messages(client, &SMSC).await;
    scenarios::enquire_link(client, &SMSC).await;
    scenarios::cancel_pending(client, &SMSC).await;
    scenarios::cancel_in_flight(client, &SMSC).await;
    scenarios::throttling(client, &SMSC).await;
    scenarios::drop_and_reconnect(client, &SMSC).await;
    scenarios::receipt_after_reconnect(client, &SMSC).await;
    scenarios::link_dead(client, &SMSC).await;
    scenarios::unbind(client, &SMSC).await;
    let (result, high_water, future) = RESULT.wait().await;
    assert_eq!(result, Ok(()));
    let link = client.link();
    hprintln!(
        "embassy runner: 14 scenarios passed ({} binds, {} messages lost and reported, {} submissions at the SMSC)",
        link.binds,
        link.lost,
        smsc::stats(&SMSC, |s| s.submits)
    );
    hprintln!("runner stack high-water mark: {} octets", high_water);
    hprintln!(
        "sizes: Session<4, 0> {} octets, State {} octets, Runner {} octets, runner future {} octets",
        core::mem::size_of::<Session<'static, 4, 0>>(),
        core::mem::size_of::<TestState>(),
        core::mem::size_of::<QemuRunner>(),
        future,
    );
    exit_ok();
}
