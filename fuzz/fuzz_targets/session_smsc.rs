//! The SMSC session fed raw octets and well-formed ESME PDUs, timer firings, bind decisions,
//! answers and deliveries, under every oracle of `smpp_tests::oracle`; then invariants 4 and 6
//! (see `smpp_fuzz::smsc`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: smpp_fuzz::smsc::Input| smpp_fuzz::smsc::check(&input));
