//! Memory: the session's own size, excluding the caller's buffers.

use smpp_session::Session;

#[test]
fn esme_session_with_window_8_is_small() {
    let size = core::mem::size_of::<Session<'static, 8>>();
    println!("size_of::<Session<'_, 8>>() = {size} bytes on this host");
    // The target is 2 KiB on thumbv7em-none-eabihf (32-bit); a 64-bit host is larger, so this
    // bound holds there a fortiori. The 32-bit figure is asserted at compile time in lib.rs.
    assert!(size <= 2048, "{size} bytes");
}
