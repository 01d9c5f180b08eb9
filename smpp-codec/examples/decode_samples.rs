//! Decodes the sample PDUs of the two provider pages (LabsMobile, EngageLab) and the reference's
//! test vectors, and prints them field by field.
//!
//! Run: `cargo run -p smpp-codec --example decode_samples`

use smpp_codec::{DEFAULT_MAX_COMMAND_LENGTH, Frame, Pdu, frame_len};

const SAMPLES: &[(&str, &str)] = &[
    ("bind_transmitter (reference §11.2)", "0000001D000000020000000000000001746573740070770000340000 00"),
    ("bind_transmitter_resp (§11.3)", "0000001A800000020000000000000001534D534300021000 0134"),
    (
        "submit_sm \"Hello\" with a receipt request (§11.4)",
        "000000360000000400000000000000020005005465737400010134343737303039303031323300000000000001000000 0548656C6C6F",
    ),
    ("LabsMobile submit_sm_resp ESME_ROK", "0000001E800000040000000000000002363830393061353334653535310 0"),
    ("LabsMobile submit_sm_resp ESME_RUNKNOWNERR", "00000010800000040000 00FF00000002"),
    (
        "LabsMobile receipt DELIVRD (§11.6)",
        "0000009900000005000000000000000500010134343737303039303031323300050054657374000400000000000000005169643A36383039306135333465353531207375626D697420646174653A3235303432333135343220646F6E6520646174653A3235303432333135343320737461743A44454C49565244206572723A303030001E000E36383039306135333465353531000427000102",
    ),
    (
        "LabsMobile receipt UNDELIV (§11.6)",
        "0000009900000005000000000000000600010134343737303039303031323300050054657374000400000000000000005169643A36383039313638626464663662207375626D697420646174653A3235303432333136333420646F6E6520646174653A3235303432333136333520737461743A554E44454C4956206572723A303031001E000E36383039313638626464663662000427000105",
    ),
    ("EngageLab submit_sm rejected with ESME_RINVPARAM (0x32)", "00000010800000040000003200000007"),
    ("generic_nack ESME_RINVCMDID (§11.8)", "00000010800000000000000300000007"),
    ("enquire_link (§11.1)", "00000010000000150000000000000001"),
];

fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits.chunks(2).filter_map(|p| std::str::from_utf8(p).ok().and_then(|h| u8::from_str_radix(h, 16).ok())).collect()
}

fn main() {
    for (name, text) in SAMPLES {
        let bytes = hex(text);
        println!("== {name} ({} octets)", bytes.len());
        match frame_len(&bytes, DEFAULT_MAX_COMMAND_LENGTH) {
            Ok(Frame::Complete(n)) if n == bytes.len() => {}
            other => println!("   framing: {other:?}"),
        }
        match Pdu::parse(&bytes) {
            Ok((header, pdu)) => {
                println!(
                    "   {} seq={} status={} ({})",
                    header.command_id,
                    header.sequence_number,
                    header.command_status,
                    header.command_status.description().unwrap_or("no description")
                );
                println!("{pdu:#?}");
                if let Pdu::DeliverSm(sm) = pdu {
                    println!("   receipt text: {}", String::from_utf8_lossy(sm.message()));
                }
            }
            Err(e) => println!("   error: {e}"),
        }
    }
}
