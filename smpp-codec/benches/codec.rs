//! Side-by-side: this crate and rusmpp-core 0.4 (borrowed API) decode and encode the same
//! bytes in the same run. Prints medians and ratios.
//!
//! Run: `cargo bench -p smpp-codec --bench codec` (add `-- --quick` for a smoke run).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::hint::black_box;
use std::time::Instant;

use rusmpp_core::command::borrowed::Command as TheirCommand;
use rusmpp_core::decode::borrowed::DecodeWithLength;
use rusmpp_core::encode::{Encode, Length};
use rusmpp_core::pdus::borrowed::Pdu as TheirPdu;
use smpp_codec::pdu::SubmitSm;
use smpp_codec::{
    Address, CommandStatus, DEFAULT_MAX_COMMAND_LENGTH, Frame, MessageState, Pdu, RegisteredDelivery, frame_len,
};

type Theirs<'a> = TheirCommand<'a, 16>;

fn hex(s: &str) -> Vec<u8> {
    let d: Vec<u8> = s.bytes().filter(u8::is_ascii_hexdigit).collect();
    d.chunks(2).map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap()).collect()
}

const RECEIPT: &str = "0000009900000005000000000000000500010134343737303039303031323300050054657374000400000000000000005169643A36383039306135333465353531207375626D697420646174653A3235303432333135343220646F6E6520646174653A3235303432333135343320737461743A44454C49565244206572723A303030001E000E36383039306135333465353531000427000102";

fn submit_sm_140() -> Vec<u8> {
    let text = [b'A'; 140];
    let mut sm = SubmitSm::new(Address::alphanumeric("Test"), Address::international("447700900123"), &text);
    sm.registered_delivery = RegisteredDelivery::RECEIPT;
    let pdu = Pdu::SubmitSm(sm);
    let mut buf = vec![0u8; pdu.encoded_len()];
    pdu.emit(2, CommandStatus::OK, &mut buf).unwrap();
    buf
}

#[inline(never)]
fn ours_decode(frame: &[u8]) -> usize {
    let (h, pdu) = Pdu::parse(frame).unwrap();
    // rusmpp-core decodes TLVs into typed values eagerly; read ours so the work compares.
    let tlv_work = match pdu {
        Pdu::DeliverSm(sm) => {
            sm.tlvs.receipted_message_id().unwrap().map_or(0, |m| m.len())
                + usize::from(sm.tlvs.message_state().unwrap().map_or(0, |s| s.raw()))
        }
        _ => 0,
    };
    black_box(&pdu);
    h.sequence_number as usize + tlv_work
}

#[inline(never)]
fn theirs_decode(frame: &[u8]) -> usize {
    let (cmd, _) = Theirs::decode(&frame[4..], frame.len() - 4).unwrap();
    let seq = cmd.sequence_number as usize;
    black_box(&cmd);
    seq
}

#[inline(never)]
fn ours_stream(stream: &[u8]) -> usize {
    let mut rest = stream;
    let mut n = 0;
    while let Ok(Frame::Complete(len)) = frame_len(rest, DEFAULT_MAX_COMMAND_LENGTH) {
        let (h, pdu) = Pdu::parse(&rest[..len]).unwrap();
        black_box(&pdu);
        n += h.sequence_number as usize & 1;
        rest = &rest[len..];
    }
    n
}

#[inline(never)]
fn theirs_stream(stream: &[u8]) -> usize {
    let mut rest = stream;
    let mut n = 0;
    while rest.len() >= 16 {
        let len = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let (cmd, _) = Theirs::decode(&rest[4..len], len - 4).unwrap();
        black_box(&cmd);
        n += cmd.sequence_number as usize & 1;
        rest = &rest[len..];
    }
    n
}

/// Both encoders sit behind the same opaque call as the decoders, so that neither loop can hoist
/// work (length computation, validation) out of the timed iterations.
#[inline(never)]
fn ours_encode(pdu: &Pdu<'_>, seq: u32, status: CommandStatus, out: &mut [u8]) -> usize {
    pdu.emit(seq, status, out).unwrap()
}

#[inline(never)]
fn theirs_encode(cmd: &Theirs<'_>, out: &mut [u8]) -> usize {
    let len = 4 + cmd.length();
    out[..4].copy_from_slice(&(len as u32).to_be_bytes());
    cmd.encode(&mut out[4..len]) + 4
}

/// Median ns per call of `a` and `b`, measured in interleaved batches.
fn race(batches: usize, mut a: impl FnMut() -> usize, mut b: impl FnMut() -> usize) -> (f64, f64) {
    // Calibrate the batch size to about 2 ms of `a`.
    let mut iters = 1usize;
    loop {
        let t = Instant::now();
        for _ in 0..iters {
            black_box(a());
        }
        if t.elapsed().as_micros() > 2000 || iters > 1 << 24 {
            break;
        }
        iters *= 2;
    }
    let (mut ta, mut tb) = (Vec::new(), Vec::new());
    for _ in 0..batches {
        let t = Instant::now();
        for _ in 0..iters {
            black_box(a());
        }
        ta.push(t.elapsed().as_nanos() as f64 / iters as f64);
        let t = Instant::now();
        for _ in 0..iters {
            black_box(b());
        }
        tb.push(t.elapsed().as_nanos() as f64 / iters as f64);
    }
    let med = |mut v: Vec<f64>| {
        v.sort_by(|x, y| x.partial_cmp(y).unwrap());
        v[v.len() / 2]
    };
    (med(ta), med(tb))
}

fn check_agreement(frame: &[u8]) {
    let (h, ours) = Pdu::parse(frame).unwrap();
    let (theirs, _) = Theirs::decode(&frame[4..], frame.len() - 4).unwrap();
    assert_eq!(h.sequence_number, theirs.sequence_number);
    assert_eq!(h.command_id.raw(), u32::from(theirs.id()));
    match (ours, theirs.pdu()) {
        (Pdu::SubmitSm(o), Some(TheirPdu::SubmitSm(t))) => {
            assert_eq!(o.short_message, t.short_message().bytes());
            assert_eq!(
                o.dest.addr.as_bytes(),
                t.destination_addr.bytes().strip_suffix(&[0]).unwrap_or(t.destination_addr.bytes())
            );
        }
        (Pdu::DeliverSm(o), Some(TheirPdu::DeliverSm(t))) => {
            assert_eq!(o.short_message, t.short_message().bytes());
            assert_eq!(o.tlvs.iter().count(), t.tlvs().len());
        }
        (Pdu::SubmitSmResp(o), Some(TheirPdu::SubmitSmResp(t))) => {
            let id = t.message_id().bytes();
            assert_eq!(o.message_id.as_bytes(), id.strip_suffix(&[0]).unwrap_or(id));
        }
        (Pdu::EnquireLink, None | Some(TheirPdu::EnquireLink)) => {}
        (o, t) => panic!("decoders disagree: {o:?} vs {t:?}"),
    }
}

fn cases() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("submit_sm, 140-octet text", submit_sm_140()),
        ("deliver_sm receipt + 2 TLVs", hex(RECEIPT)),
        ("enquire_link", hex("00000010000000150000000000000001")),
        ("submit_sm_resp", hex("0000001E800000040000000000000002363830393061353334653535310 0")),
    ]
}

/// Calls made by `--callgrind`, so that instructions per call are the collected total divided
/// by this.
const CALLGRIND_CALLS: usize = 10_000;

/// `--callgrind <side>-<op> <case>`: calls one side's decode or encode of one case
/// [`CALLGRIND_CALLS`] times and nothing else, for `benches/callgrind.sh`.
fn callgrind(what: &str, case: usize) {
    let (_, frame) = &cases()[case];
    let (header, ours) = Pdu::parse(frame).unwrap();
    let (theirs, _) = Theirs::decode(&frame[4..], frame.len() - 4).unwrap();
    let mut out = vec![0u8; frame.len()];
    let (seq, status) = (header.sequence_number, header.command_status);
    for _ in 0..CALLGRIND_CALLS {
        black_box(match what {
            "ours-decode" => ours_decode(black_box(frame)),
            "theirs-decode" => theirs_decode(black_box(frame)),
            "ours-encode" => ours_encode(black_box(&ours), seq, status, &mut out),
            "theirs-encode" => theirs_encode(black_box(&theirs), &mut out),
            other => panic!("unknown --callgrind target {other}"),
        });
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--callgrind") {
        return callgrind(&args[i + 1], args[i + 2].parse().unwrap());
    }
    let quick = args.iter().any(|a| a == "--quick");
    let batches = if quick { 3 } else { 41 };
    let cases = cases();
    println!("smpp-codec vs rusmpp-core 0.4 (borrowed), median ns per PDU over {batches} interleaved batches");
    println!(
        "{:<32} {:>6} | {:>9} {:>9} {:>7} | {:>9} {:>9} {:>7}",
        "case", "octets", "dec ours", "theirs", "speedup", "enc ours", "theirs", "ratio"
    );
    for (name, frame) in &cases {
        check_agreement(frame);
        let (d_ours, d_theirs) = race(batches, || ours_decode(frame), || theirs_decode(frame));
        let (header, ours_pdu) = Pdu::parse(frame).unwrap();
        let seq = header.sequence_number;
        let (theirs_cmd, _) = Theirs::decode(&frame[4..], frame.len() - 4).unwrap();
        let mut out = vec![0u8; frame.len()];
        let mut out2 = vec![0u8; frame.len()];
        let status = CommandStatus::from_raw(u32::from(theirs_cmd.status));
        let (e_ours, e_theirs) = race(
            batches,
            || ours_encode(black_box(&ours_pdu), seq, status, &mut out),
            || theirs_encode(black_box(&theirs_cmd), &mut out2),
        );
        assert_eq!(out, out2, "both encoders write the same octets for {name}");
        assert_eq!(&out[..], &frame[..]);
        println!(
            "{name:<32} {:>6} | {d_ours:>9.1} {d_theirs:>9.1} {:>6.1}x | {e_ours:>9.1} {e_theirs:>9.1} {:>6.2}x",
            frame.len(),
            d_theirs / d_ours,
            e_ours / e_theirs
        );
    }
    let frames = if quick { 1_000 } else { 100_000 };
    let one = submit_sm_140();
    let stream: Vec<u8> = (0..frames).flat_map(|_| one.iter().copied()).collect();
    assert_eq!(ours_stream(&stream), theirs_stream(&stream));
    let (s_ours, s_theirs) = race(if quick { 3 } else { 15 }, || ours_stream(&stream), || theirs_stream(&stream));
    println!(
        "stream of {frames} submit_sm frames: ours {:.2} ms, theirs {:.2} ms, speedup {:.1}x ({:.0} vs {:.0} ns per frame)",
        s_ours / 1e6,
        s_theirs / 1e6,
        s_theirs / s_ours,
        s_ours / frames as f64,
        s_theirs / frames as f64
    );
    println!("(speedup = theirs / ours for decoding; ratio = ours / theirs for encoding, below 1 is faster)");
    text_layer(batches);
}

/// Median ns per call of `f` over interleaved-free batches (the text layer has no peer here).
fn alone(batches: usize, f: impl FnMut() -> usize) -> f64 {
    race(batches, f, || 0).0
}

fn text_layer(batches: usize) {
    use smpp_codec::text::gsm7::Tables;
    use smpp_codec::text::receipt::{DeliveryReceipt, ReceiptText};
    use smpp_codec::text::segment::{Concatenation, Encoding, Segmenter, choose};
    let gsm: String = "The quick brown fox jumps over the lazy dog; €5 {ok} ".chars().cycle().take(300).collect();
    let ucs2: String = "Привет, мир! 👋 Как дела? 😀 ".chars().cycle().take(100).collect();
    let split = |text: &str| {
        let enc = choose(text, &[], Concatenation::Udh8);
        let mut s = Segmenter::new(text, enc, Concatenation::Udh8, 7).unwrap();
        let mut buf = [0u8; 160];
        let mut total = 0;
        while let Some(p) = s.next_part(&mut buf) {
            total += p.unwrap().len;
        }
        black_box(&buf);
        total
    };
    assert_eq!(choose(&gsm, &[], Concatenation::Udh8), Encoding::Gsm7(Tables::DEFAULT));
    assert_eq!(choose(&ucs2, &[], Concatenation::Udh8), Encoding::Ucs2);
    let receipt =
        b"id:0059113978 sub:001 dlvrd:001 submit date:1002101730 done date:1002101731 stat:DELIVRD err:000 text:Hello";
    println!("\ntext layer, median ns per call:");
    println!("  choose + encode + split 300-char GSM text (3 parts):   {:>8.1}", alone(batches, || split(&gsm)));
    println!("  choose + encode + split 100-char UCS-2 text (2 parts): {:>8.1}", alone(batches, || split(&ucs2)));
    println!(
        "  parse a receipt text:                                  {:>8.1}",
        alone(batches, || ReceiptText::parse(black_box(receipt)).map_or(0, |r| r.id.map_or(0, |id| id.len())))
    );
    println!(
        "  merge text + TLVs (DeliveryReceipt::merge):            {:>8.1}",
        alone(batches, || DeliveryReceipt::merge(
            black_box(receipt),
            Some("0059113978".into()),
            Some(MessageState::DELIVERED),
            None
        )
        .map_or(0, |r| r.state.raw() as usize))
    );
}
