//! Pdu::parse on arbitrary bytes; whatever parses re-emits, with its header's sequence number
//! and status, to exactly the same octets (encoded_len() of them, nothing written past them).
//! The decoders of one role agree with Pdu::parse or refuse the command, and the two roles
//! together decode whatever Pdu::parse decodes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smpp_codec::{DEFAULT_MAX_COMMAND_LENGTH, Error, Frame, Header, Pdu, frame_len};

fuzz_target!(|data: &[u8]| {
    let _ = Header::parse(data);
    if let Ok(Frame::Complete(n)) = frame_len(data, DEFAULT_MAX_COMMAND_LENGTH) {
        assert!(n >= 16 && n <= data.len());
    }
    let any = Pdu::parse(data);
    let roles = [
        Pdu::parse_esme_inbound(data),
        Pdu::parse_esme_inbound_with_broadcast(data),
        Pdu::parse_smsc_inbound(data),
        Pdu::parse_smsc_inbound_with_broadcast(data),
    ];
    for r in &roles {
        assert!(*r == any || matches!(r, Err(Error::UnknownCommandId { .. })), "{r:?} / {any:?}");
    }
    if any.is_ok() {
        assert!(roles[1] == any || roles[3] == any, "no role decodes {any:?}");
    }
    let Ok((header, pdu)) = any else { return };
    assert_eq!(header.command_length as usize, data.len());
    assert_eq!(header.command_id, pdu.command_id());
    assert_eq!(pdu.encoded_len(), data.len());
    // Decoding is lenient, and what it accepts is written back as it came: a transparent proxy
    // changes nothing.
    let mut out = vec![0xA5u8; data.len() + 4];
    let n = pdu.emit(header.sequence_number, header.command_status, &mut out).expect("a parsed PDU re-emits");
    assert_eq!(&out[..n], data);
    assert!(out[n..].iter().all(|&b| b == 0xA5));
});
