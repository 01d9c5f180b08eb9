//! Support for the QEMU test binary: a SysTick time driver for embassy-time, a panic handler that
//! fails the run, stack painting to measure the stack's high-water mark, and an in-memory duplex
//! connection with a connector for the runner.
#![no_std]
#![deny(unsafe_code)]

pub mod stack;
mod time_driver;
pub mod wire;

pub use cortex_m_semihosting::{debug, hprintln};
pub use time_driver::start_systick;

/// Ends the run with success.
pub fn exit_ok() -> ! {
    debug::exit(debug::EXIT_SUCCESS);
    #[allow(clippy::empty_loop)]
    loop {}
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    hprintln!("FAILED: {}", info);
    debug::exit(debug::EXIT_FAILURE);
    #[allow(clippy::empty_loop)]
    loop {}
}

/// Counts checks; a failed check panics (and fails the run) at once.
#[derive(Debug, Default)]
pub struct Checks {
    pub passed: u32,
}

impl Checks {
    /// Checks `ok`; panics with `what` when it does not hold.
    #[track_caller]
    pub fn check(&mut self, ok: bool, what: &str) {
        assert!(ok, "check failed: {}", what);
        self.passed += 1;
    }

    /// Checks `a == b`.
    #[track_caller]
    pub fn eq<T: PartialEq + core::fmt::Debug>(&mut self, a: T, b: T, what: &str) {
        assert!(a == b, "check failed: {}: {:?} != {:?}", what, a, b);
        self.passed += 1;
    }
}
