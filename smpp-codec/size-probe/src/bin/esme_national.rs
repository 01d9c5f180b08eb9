//! `esme.rs` with the Portuguese shift tables allowed: what a national language costs.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use panic_halt as _;
use smpp_codec::text::gsm7::Language;

#[path = "../esme_app.rs"]
mod esme_app;

#[entry]
fn main() -> ! {
    esme_app::run(&[Language::Portuguese])
}
