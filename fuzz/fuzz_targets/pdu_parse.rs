//! Pdu::parse on arbitrary bytes; whatever parses re-emits to exactly encoded_len octets that
//! parse to the same PDU.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smpp_codec::{CommandStatus, DEFAULT_MAX_COMMAND_LENGTH, Frame, Header, Pdu, frame_len};

fuzz_target!(|data: &[u8]| {
    let _ = Header::parse(data);
    if let Ok(Frame::Complete(n)) = frame_len(data, DEFAULT_MAX_COMMAND_LENGTH) {
        assert!(n >= 16 && n <= data.len());
    }
    let Ok((header, pdu)) = Pdu::parse(data) else { return };
    assert_eq!(header.command_length as usize, data.len());
    assert_eq!(header.command_id, pdu.command_id());
    let status = if header.command_id.is_response() { header.command_status } else { CommandStatus::OK };
    let len = pdu.encoded_len();
    let mut out = vec![0xA5u8; len + 4];
    // Decoding is lenient and encoding strict: a PDU that parsed may be refused on emit (a
    // 255-octet short_message, a time field of another length). Then nothing is written.
    match pdu.emit(header.sequence_number, status, &mut out) {
        Ok(n) => {
            assert_eq!(n, len);
            assert!(out[n..].iter().all(|&b| b == 0xA5));
            let (h2, again) = Pdu::parse(&out[..n]).expect("emitted PDU parses");
            assert_eq!(again, pdu);
            assert_eq!(h2.sequence_number, header.sequence_number);
        }
        Err(_) => assert!(out.iter().all(|&b| b == 0xA5)),
    }
});
