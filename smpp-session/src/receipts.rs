//! The message ids of recent submissions, to match a delivery receipt to its submission.

use smpp_codec::text::receipt::{IdMatch, ids_match};

use crate::event::{Handle, PartOf};

/// Longest message id remembered (SMPP's 65 with the NUL).
pub(crate) const ID_MAX: usize = 64;

/// An accepted submission.
#[derive(Clone, Debug)]
struct Entry {
    handle: Handle,
    part: Option<PartOf>,
    id: heapless::Vec<u8, ID_MAX>,
}

/// The last `R` accepted submissions, oldest overwritten first.
#[derive(Debug)]
pub(crate) struct RecentIds<const R: usize> {
    entries: [Option<Entry>; R],
    next: usize,
}

impl<const R: usize> RecentIds<R> {
    pub(crate) fn new() -> Self {
        RecentIds { entries: core::array::from_fn(|_| None), next: 0 }
    }

    pub(crate) fn remember(&mut self, id: &[u8], handle: Handle, part: Option<PartOf>) {
        if id.is_empty() || R == 0 {
            return;
        }
        let mut v = heapless::Vec::new();
        if v.extend_from_slice(id.get(..ID_MAX).unwrap_or(id)).is_err() {
            return;
        }
        if let Some(entry) = self.entries.get_mut(self.next % R) {
            *entry = Some(Entry { handle, part, id: v });
        }
        self.next = (self.next + 1) % R;
    }

    /// The submission whose id matches `id`: an exact match first (it must win over a tolerant
    /// one: "10" is also decimal 10 = hex "a"), then the configured tolerant match.
    pub(crate) fn find(&self, id: &[u8], mode: IdMatch) -> Option<(Handle, Option<PartOf>)> {
        let id = id.get(..ID_MAX).unwrap_or(id);
        let all = self.entries.iter().flatten();
        all.clone()
            .find(|e| e.id.as_slice() == id)
            .or_else(|| all.clone().find(|e| ids_match(&e.id, id, mode)))
            .map(|e| (e.handle, e.part))
    }
}
