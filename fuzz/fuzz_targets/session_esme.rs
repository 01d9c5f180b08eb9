//! The ESME session fed raw octets and well-formed SMSC PDUs, timer firings and application
//! commands, under every oracle of `smpp_tests::oracle`; then invariants 4 and 6 (see
//! `smpp_fuzz::esme`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: smpp_fuzz::esme::Input| smpp_fuzz::esme::check(&input));
