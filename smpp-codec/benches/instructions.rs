//! Fixed work for counting instructions with callgrind: each case runs its operation `N` times
//! in its own `#[inline(never)]` function, so that the function's inclusive cost divided by `N`
//! is the cost of one call (plus a loop step). `benches/callgrind.sh` runs it and prints the
//! figures; run alone (`cargo bench -p smpp-codec --bench instructions`) it only checks that
//! every case works.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::hint::black_box;

use smpp_codec::pdu::{self, Decoder, SubmitSm};
use smpp_codec::text::segment::{Concatenation, Segmenter, choose};
use smpp_codec::{Address, CommandId, CommandStatus, Pdu, RegisteredDelivery};

/// Calls per case.
const N: usize = 1000;

fn hex(s: &str) -> Vec<u8> {
    let d: Vec<u8> = s.bytes().filter(u8::is_ascii_hexdigit).collect();
    d.chunks(2).map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap()).collect()
}

const RECEIPT: &str = "0000009900000005000000000000000500010134343737303039303031323300050054657374000400000000000000005169643A36383039306135333465353531207375626D697420646174653A3235303432333135343220646F6E6520646174653A3235303432333135343320737461743A44454C49565244206572723A303030001E000E36383039306135333465353531000427000102";
const ENQUIRE_LINK: &str = "00000010000000150000000000000001";
const SUBMIT_SM_RESP: &str = "0000001E800000040000000000000002363830393061353334653535310 0";

fn submit_sm_140<'a>(text: &'a [u8]) -> SubmitSm<'a> {
    let mut sm = SubmitSm::new(Address::alphanumeric("Test"), Address::international("447700900123"), text);
    sm.registered_delivery = RegisteredDelivery::RECEIPT;
    sm
}

/// What the side-by-side bench's `ours_decode` does: decode, and read the receipt's two TLVs.
/// The decoder is called through an opaque `fn` pointer, as a session calls it, so that no
/// case can inline it into its loop.
#[inline(always)]
fn decode(parse: Decoder, frame: &[u8]) -> usize {
    let (h, pdu) = black_box(parse)(frame).unwrap();
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

macro_rules! decode_cases {
    ($($name:ident => $parse:expr;)+) => {$(
        #[inline(never)]
        fn $name(frame: &[u8]) -> usize {
            // A body of its own: identical functions would be merged into one symbol.
            let mut n = black_box(stringify!($name)).len();
            for _ in 0..N {
                n += decode($parse, black_box(frame));
            }
            n
        }
    )+};
}

decode_cases! {
    // Every command.
    parse_submit_sm => Pdu::parse;
    parse_receipt => Pdu::parse;
    parse_enquire_link => Pdu::parse;
    parse_submit_sm_resp => Pdu::parse;
    // The decoders of one role.
    smsc_submit_sm => Pdu::parse_smsc_inbound;
    esme_receipt => Pdu::parse_esme_inbound;
    esme_enquire_link => Pdu::parse_esme_inbound;
    esme_submit_sm_resp => Pdu::parse_esme_inbound;
}

#[inline(never)]
fn emit_submit_sm(pdu: &Pdu<'_>, out: &mut [u8]) -> usize {
    let mut n = 0;
    for _ in 0..N {
        n += black_box(pdu).emit(2, CommandStatus::OK, out).unwrap();
    }
    n
}

/// `pdu::emit` with the submit_sm body alone.
#[inline(never)]
fn emit_submit_sm_typed(sm: &SubmitSm<'_>, out: &mut [u8]) -> usize {
    let mut n = 0;
    for _ in 0..N {
        n += pdu::emit(CommandId::SUBMIT_SM, 2, CommandStatus::OK, black_box(sm), out).unwrap();
    }
    n
}

#[inline(never)]
fn split_gsm_300(text: &str) -> usize {
    split_text(text) + black_box(1)
}

#[inline(never)]
fn split_ucs2_100(text: &str) -> usize {
    split_text(text) + black_box(2)
}

/// choose, then split into parts, as an ESME's `submit_text` does.
#[inline(always)]
fn split_text(text: &str) -> usize {
    let mut total = 0;
    let mut buf = [0u8; 160];
    for _ in 0..N {
        let text = black_box(text);
        let encoding = choose(text, &[], Concatenation::Udh8);
        let mut s = Segmenter::new(text, encoding, Concatenation::Udh8, 7).unwrap();
        while let Some(p) = s.next_part(&mut buf) {
            total += p.unwrap().len;
        }
        black_box(&buf);
    }
    total
}

fn main() {
    let text = [b'A'; 140];
    let body = submit_sm_140(&text);
    let sm = Pdu::SubmitSm(body);
    let mut submit = vec![0u8; sm.encoded_len()];
    sm.emit(2, CommandStatus::OK, &mut submit).unwrap();
    let (receipt, enquire_link, resp) = (hex(RECEIPT), hex(ENQUIRE_LINK), hex(SUBMIT_SM_RESP));
    let mut out = vec![0u8; submit.len()];
    let gsm: String = "The quick brown fox jumps over the lazy dog; €5 {ok} ".chars().cycle().take(300).collect();
    let ucs2: String = "Привет, мир! 👋 Как дела? 😀 ".chars().cycle().take(100).collect();
    let sums = [
        parse_submit_sm(&submit),
        parse_receipt(&receipt),
        parse_enquire_link(&enquire_link),
        parse_submit_sm_resp(&resp),
        smsc_submit_sm(&submit),
        esme_receipt(&receipt),
        esme_enquire_link(&enquire_link),
        esme_submit_sm_resp(&resp),
        emit_submit_sm(&sm, &mut out),
        emit_submit_sm_typed(&body, &mut out),
        split_gsm_300(&gsm),
        split_ucs2_100(&ucs2),
    ];
    assert_eq!(out, submit);
    println!("{N} calls per case; checksums {sums:?}");
}
