//! Reading the text of a short message: its user data header, its data_coding, and the parts
//! of a long message.

use smpp_codec::pdu::Sm;
use smpp_codec::text::gsm7::{self, Tables};
use smpp_codec::text::udh::{Concat, Udh};
use smpp_codec::text::{latin1, ucs2};

/// The user data of a short message, split from its header.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct UserData<'a> {
    /// The UDH, when esm_class has UDHI and it reads.
    pub udh: Option<Udh>,
    /// The octets after the UDH (or the whole message).
    pub payload: &'a [u8],
    /// data_coding.
    pub data_coding: u8,
    /// The part this is of a long message: from the UDH, else from the SAR TLVs.
    pub concat: Option<Concat>,
}

impl<'a> UserData<'a> {
    /// The user data of `sm` (short_message, or message_payload when short_message is empty).
    pub fn of(sm: &Sm<'a>) -> UserData<'a> {
        let data = sm.message();
        let (udh, payload) = match sm.esm_class.udhi() {
            true => match Udh::split(data) {
                Ok((udh, rest)) => (Some(udh), rest),
                Err(_) => (None, data),
            },
            false => (None, data),
        };
        let sar = match (sm.tlvs.sar_msg_ref_num(), sm.tlvs.sar_total_segments(), sm.tlvs.sar_segment_seqnum()) {
            (Ok(Some(reference)), Ok(Some(total)), Ok(Some(seq))) => Some(Concat { reference, total, seq, wide: true }),
            _ => None,
        };
        let concat = udh.and_then(|u| u.concat).or(sar);
        UserData { udh, payload, data_coding: sm.data_coding.0, concat }
    }

    /// The text, decoded by data_coding (the UDH's national tables for GSM).
    pub fn text(&self) -> String {
        decode(self.payload, self.data_coding, self.udh.map_or(Tables::DEFAULT, |u| u.tables()))
    }
}

/// Decodes `octets` written in `data_coding`: GSM 03.38 (one septet per octet, as SMPP carries
/// it), IA5, Latin-1, UCS-2; octets that do not decode become U+FFFD, and 8-bit data is shown
/// as hex.
pub fn decode(octets: &[u8], data_coding: u8, tables: Tables) -> String {
    match data_coding {
        0x00 | 0xF0..=0xF3 if data_coding & 0x04 == 0 => gsm7::decode(octets, tables).collect(),
        0x01 => octets.iter().map(|&b| if b.is_ascii() { char::from(b) } else { '\u{FFFD}' }).collect(),
        0x03 => latin1::decode(octets).collect(),
        0x08 => ucs2::decode(octets).map(|c| c.unwrap_or('\u{FFFD}')).collect(),
        0x02 | 0x04 | 0xF4..=0xF7 => octets.iter().map(|b| format!("{b:02x}")).collect(),
        _ => String::from_utf8_lossy(octets).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smpp_codec::pdu::SubmitSm;
    use smpp_codec::{Address, DataCoding, EsmClass};

    #[test]
    fn texts_decode_by_data_coding_and_udh() {
        assert_eq!(decode(b"Hello @", 0, Tables::DEFAULT), "Hello \u{a1}");
        assert_eq!(decode(&[0x00, 0x48, 0xD8, 0x3D, 0xDE, 0x00], 8, Tables::DEFAULT), "H\u{1F600}");
        assert_eq!(decode(&[0xE9], 3, Tables::DEFAULT), "é");
        assert_eq!(decode(&[0xCA, 0xFE], 4, Tables::DEFAULT), "cafe");
        let data = [0x05, 0x00, 0x03, 0x2A, 0x02, 0x01, b'h', b'i'];
        let mut sm = SubmitSm::new(Address::default(), Address::default(), &data);
        sm.esm_class = EsmClass(0).with_udhi(true);
        sm.data_coding = DataCoding(0);
        let ud = UserData::of(&sm);
        assert_eq!(ud.concat, Some(Concat { reference: 0x2A, total: 2, seq: 1, wide: false }));
        assert_eq!(ud.text(), "hi");
    }
}
