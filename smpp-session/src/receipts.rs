//! The message ids of recent submissions, to match a delivery receipt to its submission.

use smpp_codec::text::receipt::{IdMatch, ids_match};

use crate::event::{Handle, PartOf};

/// Longest message id remembered (SMPP's 65 with the NUL).
pub(crate) const ID_MAX: usize = 64;

/// An accepted submission.
#[derive(Copy, Clone, Debug)]
struct Entry {
    handle: Handle,
    /// The message of a part (its index is 0 for a single message).
    message: Handle,
    index: u8,
    total: u8,
    len: u8,
    id: [u8; ID_MAX],
}

impl Entry {
    fn id(&self) -> &[u8] {
        self.id.get(..usize::from(self.len)).unwrap_or(&[])
    }

    fn part(&self) -> Option<PartOf> {
        (self.index > 0).then_some(PartOf { message: self.message, index: self.index, total: self.total })
    }
}

/// The last `R` accepted submissions, oldest overwritten first.
#[derive(Debug)]
pub(crate) struct RecentIds<const R: usize> {
    entries: [Entry; R],
    next: usize,
}

impl<const R: usize> RecentIds<R> {
    pub(crate) fn new() -> Self {
        let empty = Entry { handle: Handle(0), message: Handle(0), index: 0, total: 0, len: 0, id: [0; ID_MAX] };
        RecentIds { entries: [empty; R], next: 0 }
    }

    pub(crate) fn remember(&mut self, id: &[u8], handle: Handle, part: Option<PartOf>) {
        if id.is_empty() || R == 0 {
            return;
        }
        let id = id.get(..ID_MAX).unwrap_or(id);
        let mut copy = [0u8; ID_MAX];
        if let Some(dst) = copy.get_mut(..id.len()) {
            dst.copy_from_slice(id);
        }
        if let Some(entry) = self.entries.get_mut(self.next % R) {
            let (message, index, total) = part.map_or((Handle(0), 0, 0), |p| (p.message, p.index, p.total));
            *entry = Entry { handle, message, index, total, len: id.len() as u8, id: copy };
        }
        self.next = (self.next + 1) % R;
    }

    /// The submission whose id matches `id`: an exact match first (it must win over a tolerant
    /// one: "10" is also decimal 10 = hex "a"), then the configured tolerant match.
    pub(crate) fn find(&self, id: &[u8], mode: IdMatch) -> Option<(Handle, Option<PartOf>)> {
        let id = id.get(..ID_MAX).unwrap_or(id);
        let all = self.entries.iter().filter(|e| e.len > 0);
        all.clone()
            .find(|e| e.id() == id)
            .or_else(|| all.clone().find(|e| ids_match(e.id(), id, mode)))
            .map(|e| (e.handle, e.part()))
    }
}
