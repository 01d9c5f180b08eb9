//! Decodes any PDU through `Pdu::parse` (so every decoder is linked, and every decoded field is
//! kept) and encodes a submit_sm.
#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use panic_halt as _;
use smpp_codec::pdu::SubmitSm;
use smpp_codec::{Address, CommandStatus, Pdu, RegisteredDelivery};

#[entry]
fn main() -> ! {
    let mut out = [0u8; 256];
    loop {
        // Opaque input, so that nothing is folded at compile time.
        let frame = black_box([0u8; 256]);
        let len = usize::from(frame[3]);
        let tag = match Pdu::parse(&frame[..len]) {
            Ok((h, pdu)) => {
                // The whole body is used, so that every field's decoding is kept.
                black_box(&pdu);
                (h.sequence_number as u8) ^ (pdu.command_id().raw() as u8)
            }
            Err(_) => 0xFF,
        };
        let mut sm = SubmitSm::new(Address::alphanumeric("Test"), Address::international("447700900123"), &frame[16..32]);
        sm.registered_delivery = RegisteredDelivery::RECEIPT;
        let n = Pdu::SubmitSm(sm).emit(u32::from(tag), CommandStatus::OK, &mut out).unwrap_or(0);
        black_box(&out[..n]);
    }
}
