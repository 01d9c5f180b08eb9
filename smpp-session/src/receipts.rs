//! The message ids of recent submissions, to match a delivery receipt to its submission.
//!
//! Each id is kept as its [`IdPrint`] (32 octets) rather than its text (up to 64): the table
//! answers "which submission is this receipt for", never "what was the id".

use smpp_codec::text::receipt::{IdMatch, IdPrint};

use crate::event::{Handle, PartOf};

/// An accepted submission.
#[derive(Copy, Clone, Debug)]
struct Entry {
    print: IdPrint,
    handle: Handle,
    /// The message of a part (its index is 0 for a single message).
    message: Handle,
    index: u8,
    total: u8,
    used: bool,
}

impl Entry {
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
        let empty =
            Entry { print: IdPrint::default(), handle: Handle(0), message: Handle(0), index: 0, total: 0, used: false };
        RecentIds { entries: [empty; R], next: 0 }
    }

    /// Remembers the submission `handle` (a part of `part`) under the print of its `id`, made
    /// for `mode`; an empty id is not remembered.
    pub(crate) fn remember(&mut self, id: &[u8], mode: IdMatch, handle: Handle, part: Option<PartOf>) {
        if id.is_empty() || R == 0 {
            return;
        }
        if let Some(entry) = self.entries.get_mut(self.next % R) {
            let (message, index, total) = part.map_or((Handle(0), 0, 0), |p| (p.message, p.index, p.total));
            *entry = Entry { print: IdPrint::submitted(id, mode), handle, message, index, total, used: true };
        }
        self.next = (self.next + 1) % R;
    }

    /// The submission whose id matches `id`: an exact match first (it must win over a tolerant
    /// one: "10" is also decimal 10 = hex "a"), then the configured tolerant match.
    pub(crate) fn find(&self, id: &[u8], mode: IdMatch) -> Option<(Handle, Option<PartOf>)> {
        let print = IdPrint::receipted(id, mode);
        let used = self.entries.iter().filter(|e| e.used);
        used.clone()
            .find(|e| e.print.is_exact(&print))
            .or_else(|| used.clone().find(|e| e.print.matches(&print, mode)))
            .map(|e| (e.handle, e.part()))
    }
}
