//! Reassembling incoming parts (UDH 8- or 16-bit, or SAR TLVs) in fixed memory.
//!
//! `M` messages in progress, `P` parts per message at most, `B` octets of part data per
//! message. Deadlines are numbers the caller passes in (milliseconds, say); there is no clock.
//! Nothing disappears unreported: a message dropped for lack of room or by its deadline is
//! returned as [`Dropped`].

use heapless::Vec;

use super::udh::Concat;

/// Longest source address kept as part of the key (SMPP's 21 with the NUL).
pub const SOURCE_MAX: usize = 64;

/// A partial message that was dropped, so the caller can log or ask for it again.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Dropped {
    /// The sender (truncated to [`SOURCE_MAX`]).
    pub source: Vec<u8, SOURCE_MAX>,
    /// The message reference.
    pub reference: u16,
    /// Parts received.
    pub received: u8,
    /// Parts expected.
    pub total: u8,
    /// Why it was dropped.
    pub reason: DropReason,
}

/// Why a partial message was dropped.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DropReason {
    /// Its deadline passed.
    Expired,
    /// Every slot was taken and it had the earliest deadline.
    Evicted,
}

/// What [`Reassembler::push`] did with a part.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Pushed {
    /// Stored; the message is not complete yet. Carries what had to be evicted to make room.
    Stored(Option<Dropped>),
    /// The same part was already stored; ignored.
    Duplicate,
    /// The message is complete: read it with [`Reassembler::take`] using this slot.
    Complete(usize, Option<Dropped>),
}

/// Why a part cannot be taken.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ReassemblyError {
    /// total is 0, seq is 0 or above total, or total above `P`.
    InvalidPart,
    /// The part does not fit the message's data buffer `B`.
    TooLarge,
    /// A part of the same reference claims another total.
    Inconsistent,
}

impl core::fmt::Display for ReassemblyError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            ReassemblyError::InvalidPart => "part number or total out of range",
            ReassemblyError::TooLarge => "part data does not fit the reassembly buffer",
            ReassemblyError::Inconsistent => "part disagrees with earlier parts on the total",
        })
    }
}

impl core::error::Error for ReassemblyError {}

#[derive(Clone, Debug)]
struct Slot<const P: usize, const B: usize> {
    source: Vec<u8, SOURCE_MAX>,
    reference: u16,
    total: u8,
    received: u8,
    deadline: u64,
    /// (offset, length) of each part in `data`, by part number − 1.
    parts: [Option<(u16, u16)>; P],
    data: Vec<u8, B>,
    /// Taken by the application; kept until its deadline so that late duplicates of its parts
    /// are recognised instead of starting a message that never completes.
    done: bool,
}

impl<const P: usize, const B: usize> Slot<P, B> {
    fn dropped(&self, reason: DropReason) -> Dropped {
        Dropped {
            source: self.source.clone(),
            reference: self.reference,
            received: self.received,
            total: self.total,
            reason,
        }
    }
}

/// Fixed-capacity reassembly of concatenated messages.
///
/// ```
/// use smpp_codec::text::reassembly::{Pushed, Reassembler};
/// let mut r: Reassembler<4, 8, 512> = Reassembler::new();
/// assert!(matches!(r.push(b"447700900123", 7, 2, 2, b" world", 1000), Ok(Pushed::Stored(None))));
/// let Ok(Pushed::Complete(slot, None)) = r.push(b"447700900123", 7, 2, 1, b"hello", 1000) else { panic!() };
/// let mut out = [0u8; 32];
/// assert_eq!(r.take(slot, &mut out), Some(11));
/// assert_eq!(&out[..11], b"hello world");
/// ```
#[derive(Debug)]
pub struct Reassembler<const M: usize, const P: usize, const B: usize> {
    slots: [Option<Slot<P, B>>; M],
}

impl<const M: usize, const P: usize, const B: usize> Default for Reassembler<M, P, B> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const M: usize, const P: usize, const B: usize> Reassembler<M, P, B> {
    /// An empty reassembler.
    pub fn new() -> Self {
        Reassembler { slots: core::array::from_fn(|_| None) }
    }

    /// Messages in progress.
    pub fn in_progress(&self) -> usize {
        self.slots.iter().flatten().filter(|s| !s.done && s.received < s.total).count()
    }

    /// Stores part `seq` of `total` of message `reference` from `source`. The message is
    /// dropped as expired if it is not complete by `deadline` (see [`expire`](Self::expire)).
    ///
    /// # Errors
    /// [`ReassemblyError`] for a part that cannot be stored; nothing changes then.
    pub fn push(
        &mut self,
        source: &[u8],
        reference: u16,
        total: u8,
        seq: u8,
        data: &[u8],
        deadline: u64,
    ) -> Result<Pushed, ReassemblyError> {
        if total == 0 || seq == 0 || seq > total || usize::from(total) > P {
            return Err(ReassemblyError::InvalidPart);
        }
        if data.len() > B {
            return Err(ReassemblyError::TooLarge);
        }
        let key = source.get(..SOURCE_MAX).unwrap_or(source);
        let found = self
            .slots
            .iter()
            .position(|s| s.as_ref().is_some_and(|s| s.reference == reference && s.source.as_slice() == key));
        if found.is_some_and(|i| self.slots.get(i).is_some_and(|s| s.as_ref().is_some_and(|s| s.done))) {
            return Ok(Pushed::Duplicate);
        }
        let mut evicted = None;
        let index = match found {
            Some(i) => i,
            None => {
                // A free slot, else a finished one (nothing is lost by reusing it).
                let free = self
                    .slots
                    .iter()
                    .position(Option::is_none)
                    .or_else(|| self.slots.iter().position(|s| s.as_ref().is_some_and(|s| s.done)));
                let i = match free {
                    Some(i) => i,
                    None => {
                        // Evict the message with the earliest deadline.
                        let (i, _) = self
                            .slots
                            .iter()
                            .enumerate()
                            .min_by_key(|(_, s)| s.as_ref().map_or(0, |s| s.deadline))
                            .ok_or(ReassemblyError::InvalidPart)?;
                        evicted = self.slots.get_mut(i).and_then(Option::take).map(|s| s.dropped(DropReason::Evicted));
                        i
                    }
                };
                let mut src = Vec::new();
                let _ = src.extend_from_slice(key);
                if let Some(slot) = self.slots.get_mut(i) {
                    *slot = Some(Slot {
                        source: src,
                        reference,
                        total,
                        received: 0,
                        deadline,
                        parts: [None; P],
                        data: Vec::new(),
                        done: false,
                    });
                }
                i
            }
        };
        let Some(Some(slot)) = self.slots.get_mut(index) else { return Err(ReassemblyError::InvalidPart) };
        if slot.total != total {
            return Err(ReassemblyError::Inconsistent);
        }
        let entry = slot.parts.get_mut(usize::from(seq - 1)).ok_or(ReassemblyError::InvalidPart)?;
        if entry.is_some() {
            return Ok(Pushed::Duplicate);
        }
        let offset = slot.data.len();
        if slot.data.extend_from_slice(data).is_err() {
            return Err(ReassemblyError::TooLarge);
        }
        *entry = Some((offset as u16, data.len() as u16));
        slot.received += 1;
        if slot.received == slot.total { Ok(Pushed::Complete(index, evicted)) } else { Ok(Pushed::Stored(evicted)) }
    }

    /// Stores a part described by a UDH concatenation IE.
    ///
    /// # Errors
    /// As [`push`](Self::push).
    pub fn push_udh(
        &mut self,
        source: &[u8],
        concat: Concat,
        data: &[u8],
        deadline: u64,
    ) -> Result<Pushed, ReassemblyError> {
        self.push(source, concat.reference, concat.total, concat.seq, data, deadline)
    }

    /// Copies a complete message (its parts in order) into `out` and returns the octets
    /// written; `None` if `slot` holds no complete message or `out` is too small (the message
    /// stays then). The slot then only remembers the message until its deadline, to ignore late
    /// duplicates.
    pub fn take(&mut self, slot: usize, out: &mut [u8]) -> Option<usize> {
        let s = self.slots.get(slot)?.as_ref()?;
        if s.received != s.total || s.done {
            return None;
        }
        let total: usize = s.parts.iter().flatten().map(|(_, l)| usize::from(*l)).sum();
        let out = out.get_mut(..total)?;
        let mut pos = 0;
        for (off, len) in s.parts.iter().flatten() {
            let (off, len) = (usize::from(*off), usize::from(*len));
            if let (Some(dst), Some(src)) = (out.get_mut(pos..pos + len), s.data.get(off..off + len)) {
                dst.copy_from_slice(src);
            }
            pos += len;
        }
        if let Some(Some(s)) = self.slots.get_mut(slot) {
            s.done = true;
            s.data.clear();
        }
        Some(total)
    }

    /// Drops one message whose deadline is at or before `now` and reports it; call until it
    /// returns `None`.
    pub fn expire(&mut self, now: u64) -> Option<Dropped> {
        for entry in self.slots.iter_mut() {
            if entry.as_ref().is_some_and(|s| s.done && s.deadline <= now) {
                *entry = None; // taken already: nothing to report
            }
        }
        let i = self.slots.iter().position(|s| s.as_ref().is_some_and(|s| s.deadline <= now))?;
        self.slots.get_mut(i)?.take().map(|s| s.dropped(DropReason::Expired))
    }

    /// The earliest deadline of a message in progress.
    pub fn next_deadline(&self) -> Option<u64> {
        self.slots.iter().flatten().filter(|s| !s.done).map(|s| s.deadline).min()
    }
}
