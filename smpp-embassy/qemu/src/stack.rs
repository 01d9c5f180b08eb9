//! The stack's high-water mark, measured by painting: the free stack below the current stack
//! pointer is filled with a pattern, and after the code under test has run, the deepest word
//! that no longer holds the pattern tells how far the stack grew.
#![allow(unsafe_code)]

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

const PAINT: u32 = 0xACDC_5EED;
/// How deep below the stack pointer [`Measured`] paints: deeper use than this reads as this.
pub const DEPTH: usize = 12 * 1024;
/// Words left unpainted just below the stack pointer (the painting code's own frame).
const MARGIN: usize = 16;

unsafe extern "C" {
    /// The lowest address of the stack (the end of .bss and .uninit), from cortex-m-rt's link.x.
    static mut _stack_end: u32;
}

fn bottom() -> usize {
    // Only the address of the linker symbol is taken, never its value.
    core::ptr::addr_of_mut!(_stack_end) as usize
}

/// Paints the free stack below the current stack pointer, `depth` octets deep at most; returns
/// the lowest address painted.
#[inline(never)]
pub fn paint(depth: usize) -> usize {
    let sp = cortex_m::register::msp::read() as usize;
    let top = sp - MARGIN * 4;
    let from = (bottom().max(sp.saturating_sub(depth)) + 3) & !3;
    let mut p = from;
    while p < top {
        // SAFETY: [bottom, msp - margin) is stack nobody uses at this moment: below the stack
        // pointer, above the statics; interrupts that preempt us use the stack below msp and
        // overwrite the paint, which only makes the measurement larger (safe side).
        unsafe { core::ptr::write_volatile(p as *mut u32, PAINT) };
        p += 4;
    }
    from
}

/// The lowest address from `from` up whose word no longer holds the paint.
#[inline(never)]
pub fn lowest_used(from: usize) -> usize {
    let top = cortex_m::register::msp::read() as usize;
    let mut p = from;
    while p < top {
        // SAFETY: reading words between the bottom of the stack and the stack pointer.
        if unsafe { core::ptr::read_volatile(p as *const u32) } != PAINT {
            return p;
        }
        p += 4;
    }
    top
}

/// Octets of stack from the bottom of the stack to the stack pointer now.
pub fn free_now() -> usize {
    cortex_m::register::msp::read() as usize - bottom()
}

/// Wraps a future and measures, over all its polls, the deepest stack it used below the stack
/// pointer at which it was polled (interrupts taken meanwhile included).
pub struct Measured<F> {
    inner: F,
    /// The high-water mark so far, in octets.
    pub high_water: usize,
}

impl<F> Measured<F> {
    pub fn new(inner: F) -> Self {
        Measured { inner, high_water: 0 }
    }
}

impl<F: Future> Future for Measured<F> {
    type Output = (F::Output, usize);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `inner` is structurally pinned: it is never moved out of `self`.
        let this = unsafe { self.get_unchecked_mut() };
        // Read before the call, so that the frame of the inner future's poll (which the
        // compiler inlines into `poll_inner`) is counted.
        let entry = cortex_m::register::msp::read() as usize;
        let painted = paint(DEPTH);
        // SAFETY: as above.
        let result = poll_inner(unsafe { Pin::new_unchecked(&mut this.inner) }, cx);
        let used = entry.saturating_sub(lowest_used(painted));
        this.high_water = this.high_water.max(used);
        match result {
            Poll::Ready(v) => Poll::Ready((v, this.high_water)),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// A call boundary: everything the inner poll needs lives in this frame or below it.
#[inline(never)]
fn poll_inner<F: Future>(inner: Pin<&mut F>, cx: &mut Context<'_>) -> Poll<F::Output> {
    inner.poll(cx)
}
