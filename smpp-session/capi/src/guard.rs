//! The panic boundary: no panic unwinds into C.
//!
//! On a host (`std`), each call runs under `catch_unwind` and a panic becomes
//! `SMPP_ERR_PANIC`. On bare metal there is no unwinding (the targets are panic=abort): the
//! panic handler in `lib.rs` calls the C library's `abort()`.
#![forbid(unsafe_code)]

/// Runs `f`; `None` if it panicked.
#[cfg(not(target_os = "none"))]
pub(crate) fn catch<R>(f: impl FnOnce() -> R) -> Option<R> {
    // The closure's captures are not used again after a panic: the session it borrowed is
    // poisoned by the caller, so observing a broken invariant is impossible.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}

/// Runs `f` (a panic aborts).
#[cfg(target_os = "none")]
pub(crate) fn catch<R>(f: impl FnOnce() -> R) -> Option<R> {
    Some(f())
}

#[cfg(all(test, not(target_os = "none")))]
mod tests {
    #[test]
    fn a_panic_is_caught() {
        assert_eq!(super::catch(|| 7), Some(7));
        #[allow(clippy::panic)]
        let caught = super::catch(|| -> i32 { panic!("inside") });
        assert_eq!(caught, None);
    }
}
