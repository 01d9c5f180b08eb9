//! A counted list inside a PDU body: borrowed wire bytes when parsed, a caller's slice when built.

use core::fmt;

use crate::Error;
use crate::wire::{Reader, Sink};

/// An element of a counted list (a destination of submit_multi, a failed SME of its response).
pub(crate) trait Item<'a>: Copy + PartialEq {
    fn read(r: &mut Reader<'a>) -> Result<Self, Error>;
    fn write<S: Sink>(&self, s: &mut S);
}

/// A counted list of `T`: the wire bytes of a parsed PDU, or a caller's slice.
#[derive(Copy, Clone)]
pub struct List<'a, T> {
    repr: Repr<'a, T>,
}

#[derive(Copy, Clone)]
enum Repr<'a, T> {
    /// `count` validated items in `bytes`.
    Wire {
        bytes: &'a [u8],
        count: u8,
    },
    Slice(&'a [T]),
    /// The parsed body stopped before the list's count.
    Absent,
}

impl<T> Default for List<'_, T> {
    fn default() -> Self {
        List { repr: Repr::Slice(&[]) }
    }
}

impl<'a, T> List<'a, T> {
    /// A list to be sent.
    pub const fn from_slice(items: &'a [T]) -> Self {
        List { repr: Repr::Slice(items) }
    }

    /// A list whose count is missing: the body stops before it (see the crate's leniency
    /// rule). It has no items and writes nothing, not even a count.
    pub const fn absent() -> Self {
        List { repr: Repr::Absent }
    }

    /// Number of items.
    pub const fn len(&self) -> usize {
        match self.repr {
            Repr::Wire { count, .. } => count as usize,
            Repr::Slice(s) => s.len(),
            Repr::Absent => 0,
        }
    }

    /// Whether the count was missing (the body stopped before it).
    pub const fn is_absent(&self) -> bool {
        matches!(self.repr, Repr::Absent)
    }

    /// Whether the list holds the wire bytes of a parsed PDU (written back with the decode
    /// limits on its count).
    pub(crate) const fn is_decoded(&self) -> bool {
        matches!(self.repr, Repr::Wire { .. })
    }

    /// Whether the list is empty.
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[allow(private_bounds)]
impl<'a, T: Item<'a>> List<'a, T> {
    /// Reads `count` items from `r`, keeping their bytes.
    pub(crate) fn read(r: &mut Reader<'a>, count: u8) -> Result<Self, Error> {
        let start = r.peek_rest();
        for _ in 0..count {
            T::read(r)?;
        }
        let used = start.len() - r.peek_rest().len();
        Ok(List { repr: Repr::Wire { bytes: start.get(..used).unwrap_or(&[]), count } })
    }

    /// Writes the items (not the count).
    pub(crate) fn write<S: Sink>(&self, s: &mut S) {
        match self.repr {
            Repr::Wire { bytes, .. } => s.bytes(bytes),
            Repr::Slice(items) => items.iter().for_each(|i| i.write(s)),
            Repr::Absent => {}
        }
    }

    /// Iterates the items in order.
    pub fn iter(&self) -> ListIter<'a, T> {
        ListIter { repr: self.repr, _t: core::marker::PhantomData }
    }
}

/// Iterator over a [`List`].
pub struct ListIter<'a, T> {
    repr: Repr<'a, T>,
    _t: core::marker::PhantomData<T>,
}

impl<T> fmt::Debug for ListIter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ListIter")
    }
}

#[allow(private_bounds)]
impl<'a, T: Item<'a>> Iterator for ListIter<'a, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        match &mut self.repr {
            Repr::Slice(s) => {
                let (first, rest) = s.split_first()?;
                *s = rest;
                Some(*first)
            }
            Repr::Absent => None,
            Repr::Wire { bytes, count } => {
                if *count == 0 {
                    return None;
                }
                let mut r = Reader::new(bytes);
                let item = T::read(&mut r).ok()?;
                *bytes = r.rest();
                *count -= 1;
                Some(item)
            }
        }
    }
}

#[allow(private_bounds)]
impl<'a, T: Item<'a>> PartialEq for List<'a, T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

#[allow(private_bounds)]
impl<'a, T: Item<'a> + Eq> Eq for List<'a, T> {}

#[allow(private_bounds)]
impl<'a, T: Item<'a> + fmt::Debug> fmt::Debug for List<'a, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(feature = "defmt")]
#[allow(private_bounds)]
impl<'a, T: Item<'a> + defmt::Format> defmt::Format for List<'a, T> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "[");
        for i in self.iter() {
            defmt::write!(f, "{} ", i);
        }
        defmt::write!(f, "]");
    }
}
