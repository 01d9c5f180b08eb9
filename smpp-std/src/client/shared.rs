//! What the client's handles and its I/O thread share.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TrySendError};
use log::warn;
use smpp_codec::CommandStatus;

use super::runner::Request;
use super::types::{AckToken, ClientEvent, MessageKey, MessageOutcome, Receipt};

/// A request from a handle to the I/O thread.
pub(crate) enum Command {
    /// Send this (and report its outcome through `reply`); `receipt` when a receipt was asked.
    Submit { key: MessageKey, request: Request, reply: Reply, receipt: bool },
    /// Answer a message or receipt (manual acknowledgement).
    Ack { ack: AckToken, status: CommandStatus },
    /// Unbind and stop.
    Close,
}

/// Where a request's outcome goes.
pub(crate) enum Reply {
    /// To one [`Pending`](super::Pending).
    Once(Sender<MessageOutcome>),
    /// To the caller's channel, with the caller's tag.
    Tagged { tag: u64, to: Sender<Completion> },
}

/// An outcome delivered to a caller's channel (see
/// [`Client::submit_tagged`](crate::Client::submit_tagged)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    /// The caller's tag.
    pub tag: u64,
    /// The outcome.
    pub outcome: MessageOutcome,
}

/// Receipts of messages whose submitter asked for one, until someone takes them.
#[derive(Debug, Default)]
pub(crate) struct Board {
    entries: HashMap<MessageKey, Expected>,
    /// When entries older than [`RECEIPT_TTL`] were last dropped.
    pruned: Option<Instant>,
}

#[derive(Debug)]
struct Expected {
    since: Instant,
    parts: Vec<u8>,
    got: Vec<Receipt>,
}

/// [`Shared::sleeping`]: the I/O thread is not in poll (or about to be).
pub(crate) const AWAKE: u8 = 0;
/// [`Shared::sleeping`]: the I/O thread sleeps; any command wakes it.
pub(crate) const ASLEEP: u8 = 1;
/// [`Shared::sleeping`]: the I/O thread sleeps with its window full; only commands other
/// than submissions wake it.
pub(crate) const ASLEEP_FULL: u8 = 2;

/// How long receipts of a message are kept for `wait_for_receipt` when nobody takes them.
pub(crate) const RECEIPT_TTL: Duration = Duration::from_secs(24 * 3600);

/// How often the board is swept for entries past [`RECEIPT_TTL`]: a sweep visits every entry,
/// so it is not done on every submission.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

pub(crate) struct Shared {
    pub(crate) commands: Sender<Command>,
    pub(crate) waker: mio::Waker,
    /// Whether the I/O thread is (about to be) asleep in poll, and what wakes it: [`AWAKE`],
    /// [`ASLEEP`] (any command) or [`ASLEEP_FULL`] (its window is full: a submission waits
    /// for a response to make room, and the socket wakes the thread for that).
    pub(crate) sleeping: AtomicU8,
    /// A command other than a submission was queued since the I/O thread last took commands.
    pub(crate) urgent: AtomicBool,
    pub(crate) closed: AtomicBool,
    pub(crate) next_key: AtomicU64,
    /// Buffers for encoded requests, returned by the I/O thread after use.
    pub(crate) pool: Sender<Vec<u8>>,
    pub(crate) pool_rx: Receiver<Vec<u8>>,
    pub(crate) events: Sender<ClientEvent>,
    pub(crate) events_rx: Receiver<ClientEvent>,
    pub(crate) dropped_events: AtomicU64,
    board: Mutex<Board>,
    board_changed: Condvar,
}

impl Shared {
    /// `buffers`: how many request buffers the pool keeps (as many as requests can be queued
    /// and in the window, so that a full queue allocates none once warm).
    pub(crate) fn new(commands: Sender<Command>, waker: mio::Waker, events: usize, buffers: usize) -> Self {
        let (pool, pool_rx) = crossbeam_channel::bounded(buffers);
        let (events_tx, events_rx) = crossbeam_channel::bounded(events.max(1));
        Shared {
            commands,
            waker,
            sleeping: AtomicU8::new(AWAKE),
            urgent: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            next_key: AtomicU64::new(1),
            pool,
            pool_rx,
            events: events_tx,
            events_rx,
            dropped_events: AtomicU64::new(0),
            board: Mutex::new(Board::default()),
            board_changed: Condvar::new(),
        }
    }

    /// Queues a command for the I/O thread, waiting while the queue is full, and wakes it.
    pub(crate) fn send(&self, cmd: Command) -> Result<(), Command> {
        if self.closed.load(Ordering::SeqCst) {
            return Err(cmd);
        }
        let submit = matches!(cmd, Command::Submit { .. });
        self.commands.send(cmd).map_err(|e| e.into_inner())?;
        if !submit {
            self.urgent.store(true, Ordering::SeqCst);
        }
        // The thread checks the queue after announcing sleep; a spurious wake costs a poll.
        // Only the first command after it announced sleep wakes it (one eventfd write, not one
        // per command): the thread takes every queued command once awake. A submission does
        // not wake a thread whose window is full: it could not send it, and the response that
        // makes room wakes it anyway (a wake there cost an eventfd write, a context switch and
        // a poll per round trip).
        let state = self.sleeping.load(Ordering::SeqCst);
        let wake = match state {
            AWAKE => false,
            ASLEEP_FULL => !submit,
            _ => true,
        };
        if wake && self.sleeping.swap(AWAKE, Ordering::SeqCst) != AWAKE {
            let _ = self.waker.wake();
        }
        Ok(())
    }

    /// A buffer for an encoded request.
    pub(crate) fn buffer(&self) -> Vec<u8> {
        self.pool_rx.try_recv().unwrap_or_default()
    }

    /// Reports an event, dropping it when nobody reads them fast enough.
    pub(crate) fn event(&self, e: ClientEvent) {
        match self.events.try_send(e) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                let n = self.dropped_events.fetch_add(1, Ordering::Relaxed) + 1;
                if n.is_power_of_two() {
                    warn!("smpp client: {n} events dropped: read Client::events() to keep them");
                }
            }
            Err(TrySendError::Disconnected(_)) => {}
        }
    }

    fn board(&self) -> MutexGuard<'_, Board> {
        self.board.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Remembers that receipts are expected for the accepted parts of `outcome`.
    pub(crate) fn expect_receipts(&self, key: MessageKey, outcome: &MessageOutcome) {
        let now = Instant::now();
        let mut b = self.board();
        if b.pruned.is_none_or(|t| now.duration_since(t) >= PRUNE_EVERY) {
            b.entries.retain(|_, e| now.duration_since(e.since) < RECEIPT_TTL);
            b.pruned = Some(now);
        }
        let e = b.entries.entry(key).or_insert_with(|| Expected { since: now, parts: Vec::new(), got: Vec::new() });
        e.parts = outcome.ids().map(|(p, _)| p).collect();
    }

    /// A receipt arrived.
    pub(crate) fn receipt(&self, r: Receipt) {
        let Some(key) = r.message else { return };
        let mut b = self.board();
        let e = b.entries.entry(key).or_insert_with(|| Expected {
            since: Instant::now(),
            parts: Vec::new(),
            got: Vec::new(),
        });
        e.got.push(r);
        drop(b);
        self.board_changed.notify_all();
    }

    /// Wakes receipt waiters (the client closed).
    pub(crate) fn receipts_changed(&self) {
        self.board_changed.notify_all();
    }

    /// The receipts that came for `key`.
    pub(crate) fn receipts(&self, key: MessageKey) -> Vec<Receipt> {
        self.board().entries.get(&key).map(|e| e.got.clone()).unwrap_or_default()
    }

    /// Waits until every accepted part of `key` has a final receipt (or any receipt, with
    /// `intermediate`), then forgets them and returns them (the latest per part).
    pub(crate) fn wait_receipts(
        &self,
        key: MessageKey,
        parts: &[u8],
        timeout: Duration,
        intermediate: bool,
    ) -> Result<Vec<Receipt>, super::super::Error> {
        let deadline = Instant::now() + timeout;
        let mut b = self.board();
        loop {
            let done = b.entries.get(&key).and_then(|e| {
                let mut latest = Vec::new();
                for p in parts {
                    let r = e.got.iter().rev().find(|r| r.part == Some(*p) && (intermediate || r.state.is_final()))?;
                    latest.push(r.clone());
                }
                Some(latest)
            });
            if let Some(latest) = done {
                b.entries.remove(&key);
                return Ok(latest);
            }
            if self.closed.load(Ordering::SeqCst) {
                return Err(super::super::Error::Closed);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(super::super::Error::Timeout);
            }
            b = self.board_changed.wait_timeout(b, left).unwrap_or_else(std::sync::PoisonError::into_inner).0;
        }
    }
}
