//! The empty cortex-m-rt program the codec's size is measured against: the same input and
//! output plumbing as `codec.rs`, without the codec.
#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use panic_halt as _;

#[entry]
fn main() -> ! {
    loop {
        // The same opaque input and output as the codec program, without the codec.
        let frame = black_box([0u8; 256]);
        black_box(&frame[..usize::from(frame[3])]);
    }
}
