//! Requests of the peer that wait for the application's answer, and the tokens that name them.

use smpp_codec::CommandId;

use crate::event::IncomingToken;
use crate::window::Request;

/// A peer request waiting for the application.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Incoming {
    pub(crate) seq: u32,
    pub(crate) generation: u32,
    pub(crate) command: Request,
}

/// Up to `W` pending peer requests. Each token carries the generation of its slot's entry, so
/// a stale token never answers a later request in the same slot.
#[derive(Debug)]
pub(crate) struct IncomingTable<const W: usize> {
    slots: [Option<Incoming>; W],
    generation: u32,
    len: usize,
}

impl<const W: usize> IncomingTable<W> {
    pub(crate) const fn new() -> Self {
        IncomingTable { slots: [None; W], generation: 0, len: 0 }
    }

    pub(crate) const fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn insert(&mut self, seq: u32, command: CommandId) -> Option<IncomingToken> {
        let command = Request::new(command)?;
        if self.len == W {
            return None;
        }
        let (i, slot) = self.slots.iter_mut().enumerate().find(|(_, s)| s.is_none())?;
        self.generation = self.generation.wrapping_add(1);
        let generation = self.generation;
        *slot = Some(Incoming { seq, command, generation });
        self.len += 1;
        Some(IncomingToken { slot: u16::try_from(i).ok()?, generation, sequence_number: seq })
    }

    pub(crate) fn get(&self, token: IncomingToken) -> Option<Incoming> {
        match self.slots.get(usize::from(token.slot)) {
            Some(Some(p)) if p.generation == token.generation && p.seq == token.sequence_number => Some(*p),
            _ => None,
        }
    }

    pub(crate) fn remove(&mut self, token: IncomingToken) -> Option<Incoming> {
        let p = self.get(token)?;
        if let Some(slot) = self.slots.get_mut(usize::from(token.slot)) {
            *slot = None;
            self.len -= 1;
        }
        Some(p)
    }

    /// Takes any pending request (to answer it before the session ends).
    pub(crate) fn take_any(&mut self) -> Option<Incoming> {
        if self.len == 0 {
            return None;
        }
        let p = self.slots.iter_mut().find_map(Option::take)?;
        self.len -= 1;
        Some(p)
    }

    pub(crate) fn clear(&mut self) {
        self.slots = [None; W];
        self.len = 0;
    }
}
