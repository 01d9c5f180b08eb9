//! Multi-part messages: their parts go through the window like any request, and a group counts
//! their outcomes into one [`Event::MessageDone`](crate::Event::MessageDone). The part store
//! keeps the encoded parts in flight so that a throttled one can be sent again.

use crate::event::{Handle, PartFailure};

/// A multi-part message in progress.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Group {
    pub(crate) handle: Handle,
    pub(crate) total: u8,
    pub(crate) submitted: u8,
    pub(crate) completed: u8,
    pub(crate) accepted: u8,
    pub(crate) failed: Option<(u8, PartFailure)>,
    /// No more parts will be submitted (abandoned, or the session closed).
    pub(crate) closed: bool,
}

impl Group {
    pub(crate) fn is_done(&self) -> bool {
        self.completed == self.submitted && (self.submitted == self.total || self.closed)
    }

    pub(crate) fn record(&mut self, index: u8, failure: Option<PartFailure>) {
        self.completed = self.completed.saturating_add(1);
        match failure {
            None => self.accepted = self.accepted.saturating_add(1),
            Some(f) => {
                if self.failed.is_none_or(|(i, _)| index < i) {
                    self.failed = Some((index, f));
                }
            }
        }
    }

    /// No more parts: the first part not submitted counts as failed.
    pub(crate) fn close(&mut self) {
        if !self.closed && self.submitted < self.total && self.failed.is_none_or(|(i, _)| i > self.submitted + 1) {
            self.failed = Some((self.submitted + 1, PartFailure::NotSubmitted));
        }
        self.closed = true;
    }
}

/// The messages in progress, at most `W`.
#[derive(Debug)]
pub(crate) struct Messages<const W: usize> {
    pub(crate) groups: [Option<Group>; W],
    /// Whether a group may have become done since the last scan.
    pub(crate) dirty: bool,
}

impl<const W: usize> Messages<W> {
    pub(crate) const fn new() -> Self {
        Messages { groups: [None; W], dirty: false }
    }

    pub(crate) fn get(&self, slot: u16) -> Option<&Group> {
        self.groups.get(usize::from(slot))?.as_ref()
    }

    pub(crate) fn get_mut(&mut self, slot: u16) -> Option<&mut Group> {
        self.groups.get_mut(usize::from(slot))?.as_mut()
    }

    pub(crate) fn start(&mut self, handle: Handle, total: u8) -> Option<u16> {
        let slot = self.groups.iter().position(Option::is_none)?;
        let entry = self.groups.get_mut(slot)?;
        *entry = Some(Group { handle, total, submitted: 0, completed: 0, accepted: 0, failed: None, closed: false });
        u16::try_from(slot).ok()
    }

    /// Forgets a message that was never handed to the application.
    pub(crate) fn discard(&mut self, slot: u16) {
        if let Some(entry) = self.groups.get_mut(usize::from(slot)) {
            *entry = None;
        }
    }

    pub(crate) fn record(&mut self, slot: u16, index: u8, failure: Option<PartFailure>) {
        if let Some(g) = self.get_mut(slot) {
            g.record(index, failure);
            self.dirty = true;
        }
    }

    pub(crate) fn close_all(&mut self) {
        for g in self.groups.iter_mut().flatten() {
            g.close();
            self.dirty = true;
        }
    }

    /// Takes a message whose parts all have their outcomes.
    pub(crate) fn take_done(&mut self) -> Option<Group> {
        if !self.dirty {
            return None;
        }
        for entry in self.groups.iter_mut() {
            if entry.is_some_and(|g| g.is_done()) {
                return entry.take();
            }
        }
        self.dirty = false;
        None
    }
}

/// The caller's storage for the encoded parts in flight, filled from the bottom; the window's
/// slots hold (offset, length) of their entries.
#[derive(Debug)]
pub(crate) struct PartStore<'b> {
    buf: &'b mut [u8],
    top: usize,
}

impl<'b> PartStore<'b> {
    pub(crate) fn new(buf: &'b mut [u8]) -> Self {
        PartStore { buf, top: 0 }
    }

    pub(crate) fn is_enabled(&self) -> bool {
        !self.buf.is_empty()
    }

    /// Copies `bytes` to the top; `None` when they do not fit above the live entries.
    pub(crate) fn append(&mut self, bytes: &[u8]) -> Option<(u32, u32)> {
        let dst = self.buf.get_mut(self.top..self.top + bytes.len())?;
        dst.copy_from_slice(bytes);
        let entry = (u32::try_from(self.top).ok()?, u32::try_from(bytes.len()).ok()?);
        self.top += bytes.len();
        Some(entry)
    }

    /// Whether `len` octets fit if the live entries (summing to `live`) were packed.
    pub(crate) fn fits_packed(&self, live: usize, len: usize) -> bool {
        live + len <= self.buf.len()
    }

    pub(crate) fn get(&self, (offset, len): (u32, u32)) -> &[u8] {
        let (offset, len) = (offset as usize, len as usize);
        self.buf.get(offset..offset + len).unwrap_or(&[])
    }

    pub(crate) fn get_mut(&mut self, (offset, len): (u32, u32)) -> &mut [u8] {
        let (offset, len) = (offset as usize, len as usize);
        self.buf.get_mut(offset..offset + len).unwrap_or(&mut [])
    }

    /// Moves an entry down to `to` (packing); returns its new place.
    pub(crate) fn move_down(&mut self, (offset, len): (u32, u32), to: usize) -> (u32, u32) {
        let (from, n) = (offset as usize, len as usize);
        if to < from && from + n <= self.buf.len() {
            self.buf.copy_within(from..from + n, to);
            return (to as u32, len);
        }
        (offset, len)
    }

    pub(crate) fn set_top(&mut self, top: usize) {
        self.top = top.min(self.buf.len());
    }
}
