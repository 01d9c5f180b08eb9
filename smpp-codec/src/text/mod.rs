//! The text layer: GSM 03.38 (with national single- and locking-shift tables), UCS-2 with
//! surrogate pairs, Latin-1 and ASCII; choosing the cheapest encoding; splitting long texts into
//! parts; reassembling incoming parts; delivery receipts; the EngageLab template body.
//!
//! Everything writes into caller buffers, has an exact length function, and needs no
//! allocation.

pub mod engagelab;
pub mod gsm7;
pub mod latin1;
pub mod reassembly;
pub mod receipt;
pub mod segment;
pub mod ucs2;
pub mod udh;

use core::fmt;

/// A caller's output buffer is too small for what a text-layer writer has to write; nothing was
/// written.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BufferTooSmall {
    /// Octets needed.
    pub needed: usize,
}

impl fmt::Display for BufferTooSmall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "output buffer too small: {} octets needed", self.needed)
    }
}

impl core::error::Error for BufferTooSmall {}
