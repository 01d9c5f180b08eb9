//! `esme.rs` without SMPP: the same socket, clock and application plumbing, against which the
//! ESME path's size is measured.
#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use panic_halt as _;

#[entry]
fn main() -> ! {
    let mut rx = [0u8; 1024];
    let tx = black_box([0u8; 1024]);
    let mut scratch = [0u8; 160];
    loop {
        let mut now = black_box(0u64);
        black_box(("panel", "secret"));
        loop {
            let input = black_box([0u8; 256]);
            let read = usize::from(input[0]);
            now = black_box(now);
            rx[..read].copy_from_slice(&input[..read]);
            black_box(&mut rx);
            let mut out = [0u8; 256];
            out.copy_from_slice(&tx[..256]);
            black_box(&out);
            if black_box(read) == 1 {
                let text: &str = black_box("Alarm: zone 3 (back door) opened at 02:14");
                black_box((text, black_box("447700900123"), &mut scratch));
            }
            if black_box(now) == 0 {
                break;
            }
        }
    }
}
