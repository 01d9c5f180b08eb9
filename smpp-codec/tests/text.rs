//! The text layer: known answers from SMPP-REFERENCE §7–§9 and the provider pages, and
//! properties of every encoding, the segmenter and the reassembler.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use proptest::prelude::*;
use smpp_codec::text::BufferTooSmall;
use smpp_codec::text::engagelab::{ServiceType, TemplateBody};
use smpp_codec::text::gsm7::{self, Language, Tables, Unrepresentable};
use smpp_codec::text::reassembly::{DropReason, Pushed, Reassembler};
use smpp_codec::text::receipt::{Base, DeliveryReceipt, IdMatch, IdPrint, ReceiptDate, ReceiptText, ids_match};
use smpp_codec::text::segment::{Concatenation, Encoding, SegmentError, Segmenter, choose, plan, preview};
use smpp_codec::text::udh::Udh;
use smpp_codec::text::{latin1, ucs2};
use smpp_codec::{MessageState, NetworkErrorCode};

fn gsm(text: &str, tables: Tables) -> Vec<u8> {
    let mut out = vec![0u8; gsm7::septet_len(text, tables).unwrap()];
    gsm7::encode(text, tables, &mut out).unwrap();
    out
}

fn packed(septets: &[u8], fill: u8) -> Vec<u8> {
    let mut out = vec![0u8; gsm7::packed_len(septets.len(), fill)];
    gsm7::pack(septets, fill, &mut out).unwrap();
    out
}

#[test]
fn packed_septet_vectors() {
    assert_eq!(packed(&gsm("hellohello", Tables::DEFAULT), 0), [0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97, 0xD9, 0xEC, 0x37]);
    assert_eq!(packed(&gsm("1234567", Tables::DEFAULT), 0), [0x31, 0xD9, 0x8C, 0x56, 0xB3, 0xDD, 0x00]);
    assert_eq!(packed(&gsm("12345678", Tables::DEFAULT), 0), [0x31, 0xD9, 0x8C, 0x56, 0xB3, 0xDD, 0x70]);
    // After the 6-octet UDH of an 8-bit concatenation: 1 fill bit.
    assert_eq!(gsm7::fill_bits(6), 1);
    assert_eq!(gsm7::fill_bits(7), 0);
    assert_eq!(packed(&gsm("hello", Tables::DEFAULT), 1), [0xD0, 0x65, 0x36, 0xFB, 0x0D]);
    let mut back = [0u8; 10];
    assert_eq!(gsm7::unpack(&[0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97, 0xD9, 0xEC, 0x37], 0, 10, &mut back), 10);
    assert_eq!(gsm7::decode(&back, Tables::DEFAULT).collect::<String>(), "hellohello");
}

#[test]
fn gsm_tables_and_unrepresentable_characters() {
    // Every default septet but the escape decodes and encodes back to itself.
    for s in (0u8..128).filter(|&s| s != 0x1B) {
        let c: String = gsm7::decode(&[s], Tables::DEFAULT).collect();
        assert_eq!(gsm(&c, Tables::DEFAULT), [s], "septet {s:#04x} = {c:?}");
    }
    assert_eq!(gsm("@£$¥§¤¡¿", Tables::DEFAULT), [0x00, 0x01, 0x02, 0x03, 0x5F, 0x24, 0x40, 0x60]);
    assert_eq!(
        gsm("^{}\\[~]|€\u{0C}", Tables::DEFAULT),
        [
            0x1B, 0x14, 0x1B, 0x28, 0x1B, 0x29, 0x1B, 0x2F, 0x1B, 0x3C, 0x1B, 0x3D, 0x1B, 0x3E, 0x1B, 0x40, 0x1B, 0x65,
            0x1B, 0x0A
        ]
    );
    // Ç and ç both encode to 0x09, which decodes to Ç (§12 #15).
    assert_eq!(gsm("Çç", Tables::DEFAULT), [0x09, 0x09]);
    // Tolerant decoding: unknown extension → default character, 1B 1B and a lone escape → space.
    assert_eq!(gsm7::decode(&[0x1B, 0x41, 0x1B, 0x1B, 0x1B], Tables::DEFAULT).collect::<String>(), "A  ");

    let mut out = [0u8; 32];
    assert_eq!(
        gsm7::encode("ok`no", Tables::DEFAULT, &mut out),
        Err(gsm7::EncodeError::Unrepresentable(Unrepresentable { ch: '`', position: 2 }))
    );
    assert_eq!(gsm7::septet_len("日本", Tables::DEFAULT), Err(Unrepresentable { ch: '日', position: 0 }));
    let (n, replaced) = gsm7::encode_lossy("a日b", Tables::DEFAULT, &mut out).unwrap();
    assert_eq!((&out[..n], replaced), (&[0x61, 0x3F, 0x62][..], 1));
    assert_eq!(
        gsm7::encode("abc", Tables::DEFAULT, &mut out[..2]),
        Err(gsm7::EncodeError::BufferTooSmall { needed: 3 })
    );
}

#[test]
fn national_locking_shift_tables() {
    let tr = Tables::locking(Language::Turkish);
    // Turkish letters take one septet each; the default letters they displace are gone.
    assert_eq!(gsm("ışĞİç€", tr), [0x07, 0x1D, 0x0B, 0x40, 0x60, 0x04]);
    assert_eq!(gsm7::decode(&[0x07, 0x1D, 0x0B, 0x40, 0x60, 0x04, 0x41], tr).collect::<String>(), "ışĞİç€A");
    assert_eq!(gsm7::septet_len("è", tr), Err(Unrepresentable { ch: 'è', position: 0 }));
    // An escape before a septet the extension table lacks reads as the base table's character.
    assert_eq!(gsm7::decode(&[0x1B, 0x04], tr).collect::<String>(), "€");
    assert_eq!(gsm7::decode(&[0x1B, 0x04], Tables::DEFAULT).collect::<String>(), "è");
    // The default extension table still applies; with both tables, the single shift's letters too.
    assert_eq!(gsm("{ğ", tr), [0x1B, 0x28, 0x0C]);
    assert_eq!(gsm("ğ", Tables::single(Language::Turkish)), [0x1B, 0x67]);
    let pt = Tables::locking(Language::Portuguese);
    assert_eq!(gsm("ª∞`^\\|~€Ç", pt), [0x12, 0x15, 0x7D, 0x16, 0x17, 0x1A, 0x60, 0x18, 0x13]);
    assert_eq!(gsm7::decode(&[0x12, 0x15, 0x7D, 0x09, 0x13], pt).collect::<String>(), "ª∞`çÇ");
    assert!(!gsm7::is_representable("ñ", pt));
    // Spanish has no locking table: it means the default alphabet, and no IE is written.
    assert!(!Language::Spanish.has_locking_shift());
    assert_eq!(Tables::locking(Language::Spanish).locking_id(), None);
    assert_eq!(Tables::both(Language::Portuguese).ie_octets(), 6);

    // A Turkish text heavy in ğ and ş: the locking table fits it in one part where the single
    // shift needs two and UCS-2 two.
    let text = "ğş".repeat(50);
    let langs = [Language::Turkish];
    assert_eq!(choose(&text, &langs, Concatenation::Udh8), Encoding::Gsm7(tr));
    let p = preview(&text, &langs, Concatenation::Udh8);
    assert_eq!((p.parts, p.per_part, p.remaining), (1, 155, 55));
    let parts = split(&text, Encoding::Gsm7(tr), Concatenation::Udh8);
    assert_eq!(&parts[0].1[..4], &[0x03, 0x25, 0x01, 0x01]);
    assert_eq!(decode_part(Encoding::Gsm7(tr), true, &parts[0].1), text);
    // The Turkish locking table displaces è: with it, the cheapest GSM form needs two parts,
    // no fewer than UCS-2, which then wins.
    assert_eq!(choose(&format!("{}è", "ş".repeat(100)), &langs, Concatenation::Udh8), Encoding::Ucs2);
    // Portuguese: ã from the locking table, Φ (which it displaces) from the single shift: both
    // IEs, one part of at most 152 septets.
    let mixed = format!("{}Φ", "ã".repeat(100));
    let both = Encoding::Gsm7(Tables::both(Language::Portuguese));
    assert_eq!(choose(&mixed, &Language::ALL, Concatenation::Udh8), both);
    assert_eq!(plan(&mixed, both, Concatenation::Udh8).unwrap().per_part, 152);
    let parts = split(&mixed, both, Concatenation::Udh8);
    assert_eq!(&parts[0].1[..7], &[0x06, 0x24, 0x01, 0x03, 0x25, 0x01, 0x03]);
    assert_eq!(decode_part(both, true, &parts[0].1), mixed);
    // Only the single shift's letters: the single shift alone (the shorter UDH) wins the tie.
    assert_eq!(choose("ğ", &langs, Concatenation::Udh8), Encoding::Gsm7(Tables::single(Language::Turkish)));
}

#[test]
fn national_single_shift_tables() {
    assert_eq!(gsm("ñá", Tables::single(Language::Spanish)), [0x7D, 0x1B, 0x61]);
    assert_eq!(gsm7::decode(&[0x1B, 0x61, 0x1B, 0x65], Tables::single(Language::Spanish)).collect::<String>(), "á€");
    assert_eq!(gsm("ğş", Tables::single(Language::Turkish)), [0x1B, 0x67, 0x1B, 0x73]);
    assert_eq!(gsm("ãô", Tables::single(Language::Portuguese)), [0x1B, 0x7B, 0x1B, 0x0C]);
    assert!(gsm7::septet_len("á", Tables::DEFAULT).is_err());
    assert_eq!(Language::from_id(2), Some(Language::Spanish));
    // A shift table makes a Spanish text GSM; without it, UCS-2.
    assert_eq!(
        choose("¿Qué tal? Canción", &[Language::Spanish], Concatenation::Udh8),
        Encoding::Gsm7(Tables::single(Language::Spanish))
    );
    assert_eq!(choose("¿Qué tal? Canción", &[], Concatenation::Udh8), Encoding::Ucs2);
}

#[test]
fn ucs2_and_latin1() {
    let mut out = [0u8; 16];
    assert_eq!(ucs2::encode("é😀", &mut out), Ok(6));
    assert_eq!(&out[..6], &[0x00, 0xE9, 0xD8, 0x3D, 0xDE, 0x00]);
    assert_eq!(ucs2::decode(&out[..6]).collect::<Result<String, _>>().unwrap(), "é😀");
    assert_eq!(
        ucs2::decode(&[0xD8, 0x3D, 0x00, 0x41]).next(),
        Some(Err(ucs2::DecodeError::LoneSurrogate { position: 0 }))
    );
    assert_eq!(ucs2::decode(&[0x00, 0x41, 0x00]).last(), Some(Err(ucs2::DecodeError::OddLength)));
    assert_eq!(ucs2::encode("abc", &mut out[..5]), Err(BufferTooSmall { needed: 6 }));

    assert_eq!(latin1::encode("Zoë", false, &mut out), Ok(3));
    assert_eq!(&out[..3], &[0x5A, 0x6F, 0xEB]);
    assert_eq!(latin1::decode(&out[..3]).collect::<String>(), "Zoë");
    assert_eq!(latin1::encode("Zoë", true, &mut out), Err(Unrepresentable { ch: 'ë', position: 2 }));
    assert_eq!(latin1::encode("€", false, &mut out), Err(Unrepresentable { ch: '€', position: 0 }));
    // Too short a buffer: the first character that does not fit, and nothing written; a
    // character outside the set is reported first, wherever it is.
    let mut short = [0xA5u8; 2];
    assert_eq!(latin1::encode("Zoë", false, &mut short), Err(Unrepresentable { ch: 'ë', position: 2 }));
    assert_eq!(latin1::encode("Zoëx€", false, &mut short), Err(Unrepresentable { ch: '€', position: 4 }));
    assert_eq!(short, [0xA5; 2]);
    assert_eq!(latin1::encode("", false, &mut short[..0]), Ok(0));
}

#[test]
fn capacities_and_previews() {
    let p = |t: &str| preview(t, &[], Concatenation::Udh8);
    assert_eq!((p(&"a".repeat(160)).parts, p(&"a".repeat(160)).remaining), (1, 0));
    assert_eq!(p(&"a".repeat(161)).parts, 2);
    assert_eq!(p(&"a".repeat(306)).parts, 2);
    assert_eq!(p(&"a".repeat(307)).parts, 3);
    // Extension characters cost two septets.
    assert_eq!(p(&"€".repeat(80)).parts, 1);
    assert_eq!(p(&"€".repeat(81)).parts, 2);
    assert_eq!(p(&"ж".repeat(70)).parts, 1);
    assert_eq!(p(&"ж".repeat(71)).parts, 2);
    assert_eq!(p(&"ж".repeat(134)).parts, 2);
    assert_eq!(p(&"ж".repeat(135)).parts, 3);
    assert_eq!(p("Hi 👋").units, 5);
    // 16-bit references leave one septet / unit less per part.
    assert_eq!(plan(&"a".repeat(304), Encoding::Gsm7(Tables::DEFAULT), Concatenation::Udh16).unwrap().parts, 2);
    assert_eq!(plan(&"a".repeat(305), Encoding::Gsm7(Tables::DEFAULT), Concatenation::Udh16).unwrap().parts, 3);
    // A shift IE costs 3 octets: 155 single, 149 per part.
    let sp = Encoding::Gsm7(Tables::single(Language::Spanish));
    assert_eq!(plan(&"á".repeat(77), sp, Concatenation::Udh8).unwrap().per_part, 155);
    assert_eq!(plan(&"a".repeat(156), sp, Concatenation::Udh8).unwrap().per_part, 149);
    // Limits.
    assert_eq!(
        plan(&"a".repeat(153 * 256), Encoding::Gsm7(Tables::DEFAULT), Concatenation::Udh8),
        Err(SegmentError::TooManyParts { parts: 256 })
    );
    assert!(plan(&"a".repeat(153 * 255), Encoding::Gsm7(Tables::DEFAULT), Concatenation::Udh8).is_ok());
    assert_eq!(
        plan(&"a".repeat(70_000), Encoding::Gsm7(Tables::DEFAULT), Concatenation::Payload),
        Err(SegmentError::TooLong)
    );
}

fn split(text: &str, enc: Encoding, concat: Concatenation) -> Vec<(smpp_codec::text::segment::Part, Vec<u8>)> {
    let mut s = Segmenter::new(text, enc, concat, 0x1234).unwrap();
    let mut parts = Vec::new();
    let mut buf = vec![0u8; 70_000];
    while let Some(p) = s.next_part(&mut buf) {
        let p = p.unwrap();
        parts.push((p, buf[..p.len].to_vec()));
    }
    parts
}

/// Decodes a part written by the segmenter back to text.
fn decode_part(enc: Encoding, udhi: bool, data: &[u8]) -> String {
    let (udh, body) = if udhi { Udh::split(data).unwrap() } else { (Udh::default(), data) };
    match enc {
        Encoding::Gsm7(_) => gsm7::decode(body, udh.tables()).collect(),
        Encoding::Ucs2 => ucs2::decode(body).collect::<Result<String, _>>().unwrap(),
        Encoding::Latin1 | Encoding::Ascii => latin1::decode(body).collect(),
    }
}

#[test]
fn escapes_and_surrogates_are_never_split() {
    // 152 plain septets then '€': the escape pair cannot take septets 153 and 154.
    let text = format!("{}€tail", "a".repeat(152));
    let parts = split(&text, Encoding::Gsm7(Tables::DEFAULT), Concatenation::Udh8);
    assert_eq!(parts[0].0.len, 6 + 152);
    assert_ne!(*parts[0].1.last().unwrap(), 0x1B);
    assert_eq!(
        parts.iter().map(|(p, d)| decode_part(Encoding::Gsm7(Tables::DEFAULT), p.udhi, d)).collect::<String>(),
        text
    );
    // 66 units then an emoji: the pair goes whole into part 2.
    let text = format!("{}😀{}", "ж".repeat(66), "x".repeat(10));
    let parts = split(&text, Encoding::Ucs2, Concatenation::Udh8);
    assert_eq!(parts[0].0.len, 6 + 132);
    assert_eq!(parts[1].1[6..10], [0xD8, 0x3D, 0xDE, 0x00]);
}

#[test]
fn concatenation_options() {
    let text = "x".repeat(200);
    let sar = split(&text, Encoding::Gsm7(Tables::DEFAULT), Concatenation::Sar);
    assert_eq!(sar.len(), 2);
    assert!(!sar[0].0.udhi);
    assert_eq!(sar.iter().map(|(p, _)| p.sar).collect::<Vec<_>>(), [Some((0x1234, 2, 1)), Some((0x1234, 2, 2))]);
    let wide = split(&text, Encoding::Gsm7(Tables::DEFAULT), Concatenation::Udh16);
    assert_eq!(&wide[0].1[..7], &[0x06, 0x08, 0x04, 0x12, 0x34, 0x02, 0x01]);
    let payload = split(&text, Encoding::Gsm7(Tables::DEFAULT), Concatenation::Payload);
    assert_eq!(payload.len(), 1);
    assert_eq!(payload[0].1.len(), 200);
    // A single part carries no concatenation IE; with a shift table it carries the shift IE.
    let one = split("Canción", Encoding::Gsm7(Tables::single(Language::Spanish)), Concatenation::Udh8);
    assert_eq!(&one[0].1[..4], &[0x03, 0x24, 0x01, 0x02]);
    assert!(one[0].0.udhi);
    // Packed septets after the UDH start after the fill bits.
    let hello = "hello".repeat(40);
    let mut s =
        Segmenter::new(&hello, Encoding::Gsm7(Tables::DEFAULT), Concatenation::Udh8, 0x2A).unwrap().packed(true);
    let mut buf = [0u8; 140];
    let p = s.next_part(&mut buf).unwrap().unwrap();
    assert_eq!(p.len, 140);
    // "hell" packed after the 1 fill bit; the next octet already holds bits of what follows.
    assert_eq!(&buf[..10], &[0x05, 0x00, 0x03, 0x2A, 0x02, 0x01, 0xD0, 0x65, 0x36, 0xFB]);
    // The data_coding to send is typed, and the UDH writer says how much room it needs.
    assert_eq!(s.data_coding(), smpp_codec::DataCoding::DEFAULT);
    assert_eq!(Encoding::Ucs2.data_coding(), smpp_codec::DataCoding::UCS2);
    let (udh, _) = Udh::split(&buf).unwrap();
    let mut small = [9u8; 5];
    assert_eq!(udh.write(&mut small), Err(BufferTooSmall { needed: 6 }));
    assert_eq!(small, [9u8; 5]);
    assert_eq!(udh.write(&mut buf[..6]), Ok(6));
}

#[test]
fn receipt_cases_of_the_reference() {
    let d = |y, mo, da, h, mi, s| ReceiptDate { year: y, month: mo, day: da, hour: h, minute: mi, second: s };
    // Case 1 and 2: LabsMobile's DELIVRD and UNDELIV.
    let r = ReceiptText::parse(b"id:68090a534e551 submit date:2504231542 done date:2504231543 stat:DELIVRD err:000")
        .unwrap();
    assert_eq!(r.id, Some("68090a534e551".into()));
    assert_eq!((r.sub, r.dlvrd, r.text), (None, None, None));
    assert_eq!(r.submit_date.and_then(|x| x.date()), Some(d(2025, 4, 23, 15, 42, None)));
    assert_eq!(r.done_date.and_then(|x| x.date()), Some(d(2025, 4, 23, 15, 43, None)));
    assert_eq!(r.stat.unwrap().state(), MessageState::DELIVERED);
    assert_eq!(r.err, Some(&b"000"[..]));
    let r = ReceiptText::parse(b"id:6809168bddf6b submit date:2504231634 done date:2504231635 stat:UNDELIV err:001")
        .unwrap();
    assert_eq!(r.id, Some("6809168bddf6b".into()));
    assert_eq!(r.submit_date.and_then(|x| x.date()), Some(d(2025, 4, 23, 16, 34, None)));
    assert_eq!(r.stat.unwrap().state(), MessageState::UNDELIVERABLE);
    assert_eq!(r.err, Some(&b"001"[..]));
    // Case 3: cloudhopper, text with ':' and symbols.
    let r = ReceiptText::parse(b"id:0059113978 sub:001 dlvrd:001 submit date:1002101730 done date:1002101731 stat:DELIVRD err:000 text:@$#!%&/:").unwrap();
    assert_eq!((r.sub, r.dlvrd), (Some(1), Some(1)));
    assert_eq!(r.text, Some(&b"@$#!%&/:"[..]));
    // Case 4: 12-digit dates with seconds.
    let c4 = ReceiptText::parse(b"id:64567564356765435676 sub:001 dlvrd:001 submit date:190608165232 done date:190608165237 stat:DELIVRD err:000 text:Hello World").unwrap();
    assert_eq!(c4.submit_date.and_then(|x| x.date()), Some(d(2019, 6, 8, 16, 52, Some(32))));
    assert_eq!(c4.text, Some(&b"Hello World"[..]));
    // Case 5: key case, underscores, lower-case stat: the same as case 4 but the id.
    let c5 = ReceiptText::parse(b"ID:12345 Sub:001 Dlvrd:001 Submit_Date:190608165232 Done_Date:190608165237 Stat:delivrd Err:000 Text:Hello World").unwrap();
    assert_eq!(c5.id, Some("12345".into()));
    assert_eq!(c5.stat.unwrap().state(), MessageState::DELIVERED);
    assert_eq!(
        (c5.sub, c5.dlvrd, c5.submit_date, c5.done_date, c5.err, c5.text),
        (c4.sub, c4.dlvrd, c4.submit_date, c4.done_date, c4.err, c4.text)
    );
    // Variations: 14-digit dates, order, unknown keys and stats, missing fields.
    let r = ReceiptText::parse(b"stat:ACKED foo:bar id:7 done date:20250423154300").unwrap();
    assert_eq!(r.id, Some("7".into()));
    assert_eq!(r.stat.unwrap().raw, b"ACKED");
    assert_eq!(r.stat.unwrap().state(), MessageState::ENROUTE);
    assert_eq!(r.done_date.and_then(|x| x.date()), Some(d(2025, 4, 23, 15, 43, Some(0))));
    assert_eq!(ReceiptText::parse(b"stat:FAILED").unwrap().stat.unwrap().state(), MessageState::UNKNOWN);
    assert_eq!(ReceiptText::parse(b"hello world"), None);
}

#[test]
fn receipt_tlvs_win() {
    let gsm_error = NetworkErrorCode { network_type: 3, error_code: 34 };
    let r = DeliveryReceipt::merge(
        b"id:1 stat:UNDELIV",
        Some("abc".into()),
        Some(MessageState::DELIVERED),
        Some(gsm_error),
    )
    .unwrap();
    assert_eq!((r.message_id, r.state), (Some("abc".into()), MessageState::DELIVERED));
    assert_eq!(r.network_error, Some(gsm_error));
    // Ids print as text.
    assert_eq!(format!("{:?}", r.message_id), r#"Some("abc")"#);
    // Only a state TLV: the id comes from the text.
    let r = DeliveryReceipt::merge(b"id:99 stat:DELIVRD", None, Some(MessageState::UNDELIVERABLE), None).unwrap();
    assert_eq!((r.message_id, r.state), (Some("99".into()), MessageState::UNDELIVERABLE));
    // No text at all (EngageLab sends the TLVs): still a receipt.
    let r = DeliveryReceipt::merge(b"", Some("m1".into()), Some(MessageState::DELIVERED), None).unwrap();
    assert_eq!(r.text, None);
    assert_eq!(DeliveryReceipt::merge(b"nothing here", None, None, None), None);
}

#[test]
fn ids_match_exactly_or_ignoring_case_by_default() {
    let default = IdMatch::default();
    assert_eq!(default, IdMatch::CaseInsensitive);
    assert!(ids_match(b"68090a534e551", b"68090a534e551", default));
    assert!(ids_match(b"68090A534E551", b"68090a534e551", default));
    assert!(!ids_match(b"68090a534e551", b"6809168bddf6b", default));
    assert!(!ids_match(b"1", b"2", default));
    // A receipt for an old message "64" is not taken for a new message "100" (0x64 = 100)...
    assert!(!ids_match(b"100", b"64", default));
    assert!(!ids_match(b"64", b"100", default));
    // ...nor is a zero-padded or a differently based id matched unless asked for.
    assert!(!ids_match(b"0000000012345678", b"12345678", default));
    assert!(!ids_match(b"1a", b"26", default));
    assert!(!ids_match(b"ABCDEF", b"abcdef", IdMatch::Exact));
}

#[test]
fn ids_match_across_bases_when_asked() {
    // Either base on both sides: "64" and "100" are the same number, and do match.
    let any_base = IdMatch::Numeric { submit: Base::Auto, receipt: Base::Auto };
    assert!(ids_match(b"100", b"64", any_base));
    assert!(ids_match(b"64", b"100", any_base));
    assert!(ids_match(b"0000000012345678", b"12345678", any_base));
    // The bases an SMSC is known to use (hexadecimal answers, decimal receipts).
    let hex_then_decimal = IdMatch::Numeric { submit: Base::Hex, receipt: Base::Decimal };
    assert!(ids_match(b"64", b"100", hex_then_decimal));
    assert!(!ids_match(b"100", b"64", hex_then_decimal));
    assert!(ids_match(b"1a", b"26", hex_then_decimal));
    assert!(!ids_match(b"1a", b"26", IdMatch::Numeric { submit: Base::Decimal, receipt: Base::Decimal }));
    assert!(ids_match(b"ABCDEF", b"abcdef", hex_then_decimal));
}

/// Every mode, for the properties below.
fn id_modes() -> impl Strategy<Value = IdMatch> {
    let base = prop_oneof![Just(Base::Hex), Just(Base::Decimal), Just(Base::Auto)];
    prop_oneof![
        Just(IdMatch::Exact),
        Just(IdMatch::CaseInsensitive),
        (base.clone(), base).prop_map(|(submit, receipt)| IdMatch::Numeric { submit, receipt }),
    ]
}

/// An id and another that is often the same id in another form: another case, more or fewer
/// leading zeros, the same number in the other base, or unrelated.
fn id_pairs() -> impl Strategy<Value = (String, String)> {
    let id = "[0-9a-fA-F]{0,20}|[0-9]{1,40}|[ -~]{0,64}";
    (id, any::<u8>(), 0usize..4).prop_map(|(a, how, zeros): (String, u8, usize)| {
        let b = match how % 6 {
            0 => a.to_ascii_uppercase(),
            1 => a.to_ascii_lowercase(),
            2 => format!("{}{a}", "0".repeat(zeros)),
            3 => u128::from_str_radix(&a, 16).map_or_else(|_| a.clone(), |v| v.to_string()),
            4 => a.parse::<u128>().map_or_else(|_| a.clone(), |v| format!("{v:x}")),
            _ => format!("{a}{zeros}"),
        };
        (a, b)
    })
}

#[test]
fn id_prints_match_as_the_ids_do_in_the_known_cases() {
    let pairs: [(&[u8], &[u8]); 8] = [
        (b"68090a534e551", b"68090A534E551"),
        (b"100", b"64"),
        (b"64", b"100"),
        (b"0000000012345678", b"305419896"),
        (b"0000000012345678", b"12345678"),
        (b"1a", b"26"),
        (b"ABCDEF", b"abcdef"),
        (b"", b"0"),
    ];
    let bases = [Base::Hex, Base::Decimal, Base::Auto];
    let mut modes = vec![IdMatch::Exact, IdMatch::CaseInsensitive];
    modes.extend(bases.iter().flat_map(|&s| bases.iter().map(move |&r| IdMatch::Numeric { submit: s, receipt: r })));
    for (a, b) in pairs {
        for &m in &modes {
            let (pa, pb) = (IdPrint::submitted(a, m), IdPrint::receipted(b, m));
            assert_eq!(pa.matches(&pb, m), ids_match(a, b, m), "{a:?} {b:?} {m:?}");
            assert_eq!(pa.is_exact(&pb), a == b);
        }
    }
    assert_eq!(core::mem::size_of::<IdPrint>(), 32);
}

#[test]
fn reassembly_in_any_order_with_duplicates_and_eviction() {
    let mut r: Reassembler<2, 4, 64> = Reassembler::new();
    assert_eq!(r.push(b"A", 1, 3, 3, b"c", 100), Ok(Pushed::Stored(None)));
    assert_eq!(r.push(b"A", 1, 3, 3, b"c", 100), Ok(Pushed::Duplicate));
    assert_eq!(r.push(b"B", 1, 2, 1, b"x", 50), Ok(Pushed::Stored(None)));
    assert_eq!(r.push(b"A", 1, 3, 1, b"a", 100), Ok(Pushed::Stored(None)));
    // A third message evicts the one with the earliest deadline (B), reporting it.
    let Ok(Pushed::Stored(Some(d))) = r.push(b"C", 9, 2, 1, b"q", 200) else { panic!() };
    assert_eq!(
        (d.source.as_slice(), d.reference, d.received, d.total, d.reason),
        (&b"B"[..], 1, 1, 2, DropReason::Evicted)
    );
    let Ok(Pushed::Complete(slot, None)) = r.push(b"A", 1, 3, 2, b"b", 100) else { panic!() };
    let mut out = [0u8; 8];
    assert_eq!(r.take(slot, &mut out), Some(3));
    assert_eq!(&out[..3], b"abc");
    assert_eq!(r.next_deadline(), Some(200));
    assert_eq!(r.expire(199), None);
    let e = r.expire(200).unwrap();
    assert_eq!((e.reference, e.reason), (9, DropReason::Expired));
    assert_eq!(r.in_progress(), 0);
    assert!(r.push(b"A", 1, 0, 1, b"", 0).is_err());
    assert!(r.push(b"A", 1, 5, 1, b"", 0).is_err(), "more parts than P");
}

#[test]
fn engagelab_body_and_service_types() {
    let params = [("name", "Zoë"), ("msg", "line1\nline2\t\"q\" \\ \u{01}")];
    let body = TemplateBody { id: "tpl-1", language: "default", code: None, params: &params };
    let mut out = vec![0u8; body.encoded_len()];
    let n = body.write(&mut out).unwrap();
    assert_eq!(n, out.len());
    assert_eq!(
        std::str::from_utf8(&out).unwrap(),
        r#"{"id":"tpl-1","language":"default","params":{"name":"Zoë","msg":"line1\nline2\t\"q\" \\ \u0001"}}"#
    );
    let mut small = [7u8; 10];
    assert!(body.write(&mut small).is_err());
    assert_eq!(small, [7u8; 10]);
    assert_eq!(ServiceType::Code.as_str(), "CODE");
    assert_eq!(ServiceType::from_name(b"MRKT"), Some(ServiceType::Mrkt));
    assert_eq!(ServiceType::default(), ServiceType::Msg);
}

/// Characters of the default alphabet (every non-ASCII one, a sample of the ASCII ones) and all of
/// its extension table.
const GSM_CHARS: &str =
    "abc XYZ 019@£$¥èéùìòÇ\n\rØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà^{}\\[~]|€\u{0C}";

/// Characters only the national shift tables write.
const NATIONAL_CHARS: &str = "áíóúÁÍÓÚÀÂâÃãÕõÊêÔôªº∞`çĞğŞşİı";

/// Characters of every class the segmenter must handle.
fn text_strategy() -> impl Strategy<Value = String> {
    let chars = prop_oneof![
        8 => prop::sample::select("abcXYZ 0123@£$¥èéùìòÇ\nØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà".chars().collect::<Vec<_>>()),
        2 => prop::sample::select("^{}\\[~]|€".chars().collect::<Vec<_>>()),
        // ç is left out: without a shift table it is written as 0x09, which reads back as Ç.
        1 => prop::sample::select("áíóúÁÍÓÚğşıİĞŞêôãõÂâª∞º`".chars().collect::<Vec<_>>()),
        1 => prop::sample::select("😀👋🇪жЖ日本".chars().collect::<Vec<_>>()),
    ];
    proptest::collection::vec(chars, 0..500).prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// A print matches as [`ids_match`] says the ids do, in every mode, and is exact exactly
    /// when the ids are equal.
    #[test]
    fn id_prints_match_as_ids_match_says((a, b) in id_pairs(), mode in id_modes()) {
        let (pa, pb) = (IdPrint::submitted(a.as_bytes(), mode), IdPrint::receipted(b.as_bytes(), mode));
        prop_assert_eq!(pa.matches(&pb, mode), ids_match(a.as_bytes(), b.as_bytes(), mode));
        prop_assert_eq!(pa.is_exact(&pb), a == b);
    }

    #[test]
    fn gsm_round_trips(text in proptest::collection::vec(prop::sample::select(
        GSM_CHARS.chars().collect::<Vec<_>>()), 0..300)
        .prop_map(|v| v.into_iter().collect::<String>())) {
        let septets = gsm(&text, Tables::DEFAULT);
        prop_assert_eq!(gsm7::decode(&septets, Tables::DEFAULT).collect::<String>(), text.clone());
        for fill in 0..7u8 {
            let p = packed(&septets, fill);
            let mut back = vec![0u8; septets.len()];
            prop_assert_eq!(gsm7::unpack(&p, fill, septets.len(), &mut back), septets.len());
            prop_assert_eq!(&back, &septets);
        }
    }

    #[test]
    fn shift_tables_round_trip(text in proptest::collection::vec(prop::sample::select("abc ñü€áíóúÁÍÓÚ".chars().collect::<Vec<_>>()), 0..100)
        .prop_map(|v| v.into_iter().collect::<String>())) {
        let l = Tables::single(Language::Spanish);
        prop_assert_eq!(gsm7::decode(&gsm(&text, l), l).collect::<String>(), text);
    }

    #[test]
    fn every_table_combination_round_trips(
        language in prop::sample::select(Language::ALL.to_vec()), which in 0..3u8,
        text in proptest::collection::vec(prop::sample::select(
            GSM_CHARS.chars().chain(NATIONAL_CHARS.chars()).collect::<Vec<_>>()), 0..200),
    ) {
        let tables = [Tables::single(language), Tables::locking(language), Tables::both(language)][usize::from(which)];
        // Only what the tables can write: every such character must come back as itself.
        let text: String = text.into_iter().filter(|&c| gsm7::is_representable(&c.to_string(), tables)).collect();
        // Spanish has no locking table: the default alphabet, where ç is written as Ç.
        let text = if tables.is_default() { text.replace('ç', "Ç") } else { text };
        prop_assert_eq!(gsm7::decode(&gsm(&text, tables), tables).collect::<String>(), text);
    }

    #[test]
    fn ucs2_and_latin1_round_trip(text in any::<String>(), latin in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut out = vec![0u8; ucs2::unit_len(&text) * 2];
        ucs2::encode(&text, &mut out).unwrap();
        prop_assert_eq!(ucs2::decode(&out).collect::<Result<String, _>>().unwrap(), text);
        let s: String = latin1::decode(&latin).collect();
        let mut back = vec![0u8; latin.len()];
        prop_assert_eq!(latin1::encode(&s, false, &mut back), Ok(latin.len()));
        prop_assert_eq!(back, latin);
    }

    #[test]
    fn parts_decode_back_to_the_text_within_their_limits(text in text_strategy(), mode in 0..4u8, languages in 0..3u8) {
        let concat = [Concatenation::Udh8, Concatenation::Udh16, Concatenation::Sar, Concatenation::Payload][usize::from(mode)];
        let langs: &[Language] = [&[][..], &[Language::Spanish], &Language::ALL][usize::from(languages)];
        let preview = preview(&text, langs, concat);
        let enc = preview.encoding;
        let parts = split(&text, enc, concat);
        prop_assert_eq!(parts.len(), preview.parts, "preview agrees with the segmenter");
        let joined: String = parts.iter().map(|(p, d)| decode_part(enc, p.udhi, d)).collect();
        prop_assert_eq!(&joined, &text);
        for (p, d) in &parts {
            prop_assert_eq!(p.len, d.len());
            if concat != Concatenation::Payload {
                prop_assert!(d.len() <= 160, "a part fits one SMS (unpacked septets take an octet each)");
            }
            let (udh, body) = if p.udhi { Udh::split(d).unwrap() } else { (Udh::default(), &d[..]) };
            match enc {
                Encoding::Gsm7(_) => {
                    prop_assert!(body.len() <= preview.per_part);
                    // An escape is never the last septet of a part.
                    prop_assert!(body.last() != Some(&0x1B) || body.len() >= 2 && body[body.len() - 2] == 0x1B);
                }
                Encoding::Ucs2 => {
                    prop_assert!(body.len() / 2 <= preview.per_part);
                    let last = body.len().checked_sub(2).map(|i| u16::from_be_bytes([body[i], body[i + 1]]));
                    prop_assert!(!last.is_some_and(|u| (0xD800..0xDC00).contains(&u)), "no high surrogate ends a part");
                }
                _ => {}
            }
            if parts.len() > 1 && matches!(concat, Concatenation::Udh8 | Concatenation::Udh16) {
                let c = udh.concat.unwrap();
                prop_assert_eq!((c.total as usize, c.seq), (parts.len(), p.index));
            }
        }
        if let Some((_, last)) = parts.last() {
            if parts.len() > 1 || concat != Concatenation::Payload {
                let used = match enc {
                    Encoding::Ucs2 => (last.len() - if parts[0].0.udhi { Udh::split(last).unwrap().0.encoded_len() } else { 0 }) / 2,
                    _ => last.len() - if parts.last().unwrap().0.udhi { Udh::split(last).unwrap().0.encoded_len() } else { 0 },
                };
                prop_assert_eq!(preview.remaining, preview.per_part - used);
            }
        }
    }

    #[test]
    fn reassembly_of_interleaved_shuffled_duplicated_parts(
        sizes in proptest::collection::vec(1usize..6, 1..4), seed in any::<u64>(), dups in proptest::collection::vec(any::<bool>(), 24),
    ) {
        let mut r: Reassembler<4, 8, 256> = Reassembler::new();
        let mut parts = Vec::new();
        for (m, &n) in sizes.iter().enumerate() {
            for seq in 1..=n {
                parts.push((m, n as u8, seq as u8, format!("m{m}p{seq};")));
            }
        }
        // Shuffle deterministically from the seed, and duplicate some parts.
        let mut x = seed | 1;
        for i in (1..parts.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            parts.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let mut feed = Vec::new();
        for (i, p) in parts.iter().enumerate() {
            feed.push(p.clone());
            if dups[i % dups.len()] { feed.push(p.clone()); }
        }
        let mut done = Vec::new();
        for (m, total, seq, data) in feed {
            match r.push(format!("src{m}").as_bytes(), m as u16, total, seq, data.as_bytes(), 1000).unwrap() {
                Pushed::Complete(slot, evicted) => {
                    prop_assert!(evicted.is_none());
                    let mut out = [0u8; 256];
                    let n = r.take(slot, &mut out).unwrap();
                    done.push((m, String::from_utf8(out[..n].to_vec()).unwrap()));
                }
                Pushed::Stored(evicted) => prop_assert!(evicted.is_none()),
                Pushed::Duplicate => {}
            }
        }
        done.sort();
        let expected: Vec<_> = sizes.iter().enumerate().map(|(m, &n)| (m, (1..=n).map(|s| format!("m{m}p{s};")).collect::<String>())).collect();
        prop_assert_eq!(done, expected);
        prop_assert_eq!(r.in_progress(), 0);
    }

    #[test]
    fn receipt_parser_never_panics(text in proptest::collection::vec(any::<u8>(), 0..200), id in proptest::collection::vec(any::<u8>(), 0..30)) {
        let _ = ReceiptText::parse(&text);
        let _ = DeliveryReceipt::merge(&text, Some(smpp_codec::COctetStr::new(&id)), None, None);
        let _ = ids_match(&text, &id, IdMatch::default());
        let _ = Udh::split(&text);
    }
}
