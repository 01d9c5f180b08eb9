//! A TLV stream: parse, iterate (exactly the bytes), every typed accessor.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smpp_codec::Tlvs;

fuzz_target!(|data: &[u8]| {
    let Ok(t) = Tlvs::parse(data) else { return };
    let total: usize = t.iter().map(|x| x.encoded_len()).sum();
    assert_eq!(total, data.len());
    for x in t.iter() {
        let _ = (x.as_int(), x.as_cstr(65), x.as_octets());
    }
    let _ = (t.message_state(), t.network_error_code(), t.receipted_message_id(), t.source_telematics_id());
    let _ = (t.alert_on_message_delivery(), t.ms_validity(), t.callback_num(), t.message_payload());
    let _ = (t.sar_msg_ref_num(), t.sar_total_segments(), t.sar_segment_seqnum(), t.broadcast_rep_num());
    let _ = (t.additional_status_info_text(), t.dest_network_id(), t.broadcast_area_identifier());
});
