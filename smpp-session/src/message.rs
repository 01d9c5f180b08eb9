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
    /// Throttled parts sent again so far.
    pub(crate) retries: u8,
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
        *entry = Some(Group {
            handle,
            total,
            submitted: 0,
            completed: 0,
            accepted: 0,
            failed: None,
            retries: 0,
            closed: false,
        });
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

    /// Whether message `slot` may send a throttled part again (fewer than `limit` so far), and
    /// counts it.
    pub(crate) fn take_retry(&mut self, slot: u16, limit: u8) -> bool {
        match self.get_mut(slot) {
            Some(g) if g.retries < limit => {
                g.retries += 1;
                true
            }
            _ => false,
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

    /// Copies `bytes` to the top; `None` when they do not fit above the live entries (or beyond
    /// the 64 KiB a store can use).
    pub(crate) fn append(&mut self, bytes: &[u8]) -> Option<(u16, u16)> {
        let entry = (u16::try_from(self.top).ok()?, u16::try_from(bytes.len()).ok()?);
        let dst = self.buf.get_mut(self.top..self.top + bytes.len())?;
        dst.copy_from_slice(bytes);
        self.top += bytes.len();
        Some(entry)
    }

    /// Whether `len` octets fit if the live entries (summing to `live`) were packed.
    pub(crate) fn fits_packed(&self, live: usize, len: usize) -> bool {
        live + len <= self.buf.len()
    }

    pub(crate) fn get(&self, (offset, len): (u16, u16)) -> &[u8] {
        let (offset, len) = (usize::from(offset), usize::from(len));
        self.buf.get(offset..offset + len).unwrap_or(&[])
    }

    pub(crate) fn get_mut(&mut self, (offset, len): (u16, u16)) -> &mut [u8] {
        let (offset, len) = (usize::from(offset), usize::from(len));
        self.buf.get_mut(offset..offset + len).unwrap_or(&mut [])
    }

    /// Moves an entry down to `to` (packing); returns its new place.
    pub(crate) fn move_down(&mut self, (offset, len): (u16, u16), to: usize) -> (u16, u16) {
        let (from, n) = (usize::from(offset), usize::from(len));
        match u16::try_from(to) {
            Ok(to16) if to < from && from + n <= self.buf.len() => {
                crate::buffer::move_down(self.buf, from, to, n);
                (to16, len)
            }
            _ => (offset, len),
        }
    }

    pub(crate) fn set_top(&mut self, top: usize) {
        self.top = top.min(self.buf.len());
    }
}
