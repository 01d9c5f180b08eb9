#![doc = include_str!("../README.md")]
#![no_std]
#![warn(missing_docs)]

// Hosts get `std` for the panic boundary (`catch_unwind`); bare-metal targets stay `no_std`.
#[cfg(not(target_os = "none"))]
extern crate std;

// The C type `smpp_session` would shadow the crate of the same name in every module that
// imports the ABI's items: the crate goes by `session` here.
extern crate smpp_session as session;

pub mod abi;
mod api;
mod convert;
mod error;
mod event;
mod guard;
mod inner;
mod raw;

pub use abi::*;
pub use api::*;

// The header's storage is large and aligned enough for the session on every target: the
// literals in `abi.rs` (cbindgen cannot evaluate `size_of`) are checked here.
const _: () = assert!(core::mem::size_of::<inner::Inner>() <= core::mem::size_of::<abi::smpp_session>());
const _: () = assert!(core::mem::align_of::<inner::Inner>() <= core::mem::align_of::<abi::smpp_session>());
// The header's window is the session's.
const _: () = assert!(abi::SMPP_WINDOW as usize == inner::W);

/// On bare metal a panic (a bug: the session does not panic on any input) aborts through the
/// C library, which the firmware links anyway; its `abort()` ends in the firmware's fault or
/// exit handling.
#[cfg(all(target_os = "none", feature = "panic-handler"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // The C standard's `void abort(void)`: no arguments, never returns, callable in any
    // state. Declaring it `safe` asserts that signature, which every C library has.
    unsafe extern "C" {
        safe fn abort() -> !;
    }
    abort()
}
