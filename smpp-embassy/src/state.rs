//! What the application's handles and the runner share: the tickets of the messages the
//! application follows and the link status, behind one blocking mutex held only for short
//! synchronous sections; and two slots, each behind an embassy-sync mutex taken with `try_lock`
//! and never held across an `.await`: the request waiting to enter the session, and the message
//! from a handset waiting for the application. The runner reads the request and writes the
//! message in place: no copy of either passes through its stack.

use core::cell::RefCell;
use core::task::{Context, Poll};

use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_sync::mutex::Mutex as SlotMutex;
use embassy_sync::waitqueue::{MultiWakerRegistration, WakerRegistration};
use smpp_codec::MessageState;
use smpp_codec::pdu::Decoder;
use smpp_codec::text::receipt::IdMatch;
use smpp_codec::text::segment::{Concatenation, Encoding};
use smpp_session::{Handle, PartOf};

use crate::types::{Failure, LinkState, LinkStatus, MessageOutcome, MessageReceipt, MoMessage, OwnedAddress, Resubmit};

/// Tasks each wait list remembers. When more wait on one list, all are woken to register again:
/// never a lost wake, but with more waiting tasks than this they keep waking each other until
/// there is room, so keep the number of tasks that submit (or wait for the link) at once below it.
const WAITERS: usize = 4;

/// Where a ticket stands.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Not in use.
    Free,
    /// Its request waits in the request slot.
    Queued,
    /// Handed to the session; the outcome is to come.
    InFlight,
    /// The outcome is known (receipts may still come).
    Done,
}

/// One message the application follows, from submission to its last receipt.
#[derive(Debug)]
pub(crate) struct TicketSlot<const IDS: usize> {
    /// Bumped each time the slot is freed, so that a stale [`Ticket`](crate::Ticket) touches
    /// nothing.
    pub(crate) generation: u16,
    pub(crate) phase: Phase,
    /// The session's handle of the message (or of the request, for a PDU).
    pub(crate) handle: Handle,
    pub(crate) wants_receipt: bool,
    pub(crate) outcome: MessageOutcome<IDS>,
    /// The `err:` code of the first receipt that was not DELIVRD.
    pub(crate) error: Option<u16>,
    pub(crate) waker: WakerRegistration,
}

impl<const IDS: usize> TicketSlot<IDS> {
    const fn new() -> Self {
        TicketSlot {
            generation: 0,
            phase: Phase::Free,
            handle: Handle(0),
            wants_receipt: false,
            outcome: MessageOutcome::new(),
            error: None,
            waker: WakerRegistration::new(),
        }
    }

    /// The receipt of the message, once every accepted part with a kept id has a final one.
    pub(crate) fn receipt(&self) -> Option<MessageReceipt> {
        let kept = self.outcome.ids.len();
        let (done, delivered, worst) = self.outcome.ids.receipts();
        if kept == 0 || usize::from(done) < kept {
            return None;
        }
        Some(MessageReceipt {
            state: worst.map_or(MessageState::DELIVERED, |(_, s)| s),
            parts: done,
            delivered,
            error: self.error,
        })
    }

    fn finish(&mut self) {
        self.phase = Phase::Done;
        self.waker.wake();
    }
}

/// A queued request.
#[derive(Debug)]
pub(crate) enum Request<const TEXT: usize> {
    /// A text for the session's `submit_text`, kept as text so that the runner reads it without
    /// checking its UTF-8 again.
    Text { text: heapless::String<TEXT>, encoding: Option<Encoding>, concatenation: Concatenation, receipt: bool },
    /// A whole PDU encoded by the application (sequence number 0), and the decoder its response
    /// needs when the session's own (`Pdu::parse_esme_inbound_basic`) does not read it
    /// (query_sm, submit_multi). The pointer is taken where such a request is posted, so that a
    /// firmware that never posts one does not link that decoder.
    Frame { frame: heapless::Vec<u8, TEXT>, decoder: Option<Decoder> },
}

/// The request slot: one request waiting to enter the session.
#[derive(Debug)]
pub(crate) struct RequestSlot<const TEXT: usize> {
    /// Whether it holds a request.
    pub(crate) present: bool,
    pub(crate) ticket: usize,
    pub(crate) generation: u16,
    pub(crate) request: Request<TEXT>,
    pub(crate) from: OwnedAddress,
    pub(crate) to: OwnedAddress,
}

impl<const TEXT: usize> RequestSlot<TEXT> {
    const fn new() -> Self {
        RequestSlot {
            present: false,
            ticket: 0,
            generation: 0,
            request: Request::Frame { frame: heapless::Vec::new(), decoder: None },
            from: OwnedAddress::empty(),
            to: OwnedAddress::empty(),
        }
    }
}

/// The slot of the message from a handset waiting for the application.
#[derive(Debug)]
pub(crate) struct MoSlot<const MO: usize> {
    pub(crate) present: bool,
    pub(crate) message: MoMessage<MO>,
}

/// Everything behind the mutex.
#[derive(Debug)]
pub(crate) struct Inner<const T: usize, const IDS: usize> {
    pub(crate) tickets: [TicketSlot<IDS>; T],
    /// A request was posted (or the stop asked) since the runner last looked.
    pub(crate) posted: bool,
    /// The application asked to unbind and stop.
    pub(crate) stop: bool,
    pub(crate) link: LinkStatus,
    pub(crate) resubmit: Resubmit,
    pub(crate) id_match: IdMatch,
    /// Receipts that matched no message followed.
    pub(crate) unmatched_receipts: u32,
    pub(crate) runner: WakerRegistration,
    /// Tasks waiting for a free ticket and an empty request slot.
    pub(crate) room: MultiWakerRegistration<WAITERS>,
    /// Tasks waiting for the link to change.
    pub(crate) link_waiters: MultiWakerRegistration<WAITERS>,
    /// Tasks waiting for a message from a handset.
    pub(crate) mo_waiters: MultiWakerRegistration<WAITERS>,
}

/// The storage the application's [`Client`](crate::Client) handles and the
/// [`Runner`](crate::Runner) share. Create one (in a `static`, or anywhere that outlives both)
/// and pass it to [`new`](crate::new).
///
/// - `T`: messages the application can follow at once, from submission until its
///   [`Ticket`](crate::Ticket) is dropped (the receipt wait included).
/// - `TEXT`: octets of one queued request: a text in UTF-8, or an encoded PDU.
/// - `IDS`: octets for the SMSC's message ids of one message (3 + the id's length per part).
/// - `MO`: octets of user data kept of a message from a handset.
///
/// `M` is the mutex kind: `NoopRawMutex` when the handles and the runner run on one executor,
/// `CriticalSectionRawMutex` when they do not.
pub struct State<M: RawMutex, const T: usize = 4, const TEXT: usize = 160, const IDS: usize = 64, const MO: usize = 160>
{
    pub(crate) inner: Mutex<M, RefCell<Inner<T, IDS>>>,
    pub(crate) request: SlotMutex<M, RequestSlot<TEXT>>,
    pub(crate) mo: SlotMutex<M, MoSlot<MO>>,
}

impl<M: RawMutex, const T: usize, const TEXT: usize, const IDS: usize, const MO: usize> Default
    for State<M, T, TEXT, IDS, MO>
{
    fn default() -> Self {
        Self::new()
    }
}

impl<M: RawMutex, const T: usize, const TEXT: usize, const IDS: usize, const MO: usize> core::fmt::Debug
    for State<M, T, TEXT, IDS, MO>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("State").finish_non_exhaustive()
    }
}

impl<M: RawMutex, const T: usize, const TEXT: usize, const IDS: usize, const MO: usize> State<M, T, TEXT, IDS, MO> {
    /// Empty storage; `const`, so that it can sit in a `static` (with `StaticCell` or
    /// `ConstStaticCell`).
    pub const fn new() -> Self {
        State {
            inner: Mutex::new(RefCell::new(Inner {
                tickets: [const { TicketSlot::new() }; T],
                posted: false,
                stop: false,
                link: LinkStatus::new(),
                // Set by `new` from the configuration. Zeros here keep the whole state in .bss
                // (no initial image in flash).
                resubmit: Resubmit { attempts: 0, pause: embassy_time::Duration::from_ticks(0) },
                id_match: IdMatch::Exact,
                unmatched_receipts: 0,
                runner: WakerRegistration::new(),
                room: MultiWakerRegistration::new(),
                link_waiters: MultiWakerRegistration::new(),
                mo_waiters: MultiWakerRegistration::new(),
            })),
            request: SlotMutex::new(RequestSlot::new()),
            mo: SlotMutex::new(MoSlot { present: false, message: MoMessage::empty() }),
        }
    }

    /// Runs `f` on the shared state, inside the mutex.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut Inner<T, IDS>) -> R) -> R {
        self.inner.lock(|cell| f(&mut cell.borrow_mut()))
    }

    /// Frees a ticket; its request leaves the slot if it is still there.
    pub(crate) fn release(&self, index: usize, generation: u16) {
        if !self.with(|i| i.release(index, generation)) {
            return;
        }
        // The slot is never held across an await: it is free unless another executor holds
        // it this instant, and then the runner finds the ticket gone before it submits.
        if let Ok(mut slot) = self.request.try_lock() {
            if slot.present && slot.ticket == index && slot.generation == generation {
                slot.present = false;
            }
        }
    }
}

impl<const T: usize, const IDS: usize> Inner<T, IDS> {
    pub(crate) fn ticket(&mut self, index: usize, generation: u16) -> Option<&mut TicketSlot<IDS>> {
        self.tickets.get_mut(index).filter(|t| t.generation == generation && t.phase != Phase::Free)
    }

    /// Frees a ticket and wakes a task waiting for one; false when it was not this ticket's.
    pub(crate) fn release(&mut self, index: usize, generation: u16) -> bool {
        let Some(t) = self.ticket(index, generation) else { return false };
        t.phase = Phase::Free;
        t.generation = t.generation.wrapping_add(1);
        t.waker = WakerRegistration::new();
        self.room.wake();
        true
    }

    /// Whether the ticket still waits for its queued request to be sent.
    pub(crate) fn is_queued(&mut self, index: usize, generation: u16) -> bool {
        self.ticket(index, generation).is_some_and(|t| t.phase == Phase::Queued)
    }

    /// The ticket of the message or request with this session handle.
    fn by_handle(&mut self, handle: Handle) -> Option<&mut TicketSlot<IDS>> {
        self.tickets.iter_mut().find(|t| matches!(t.phase, Phase::InFlight | Phase::Done) && t.handle == handle)
    }

    /// The request entered the session as `handle`.
    pub(crate) fn submitted(&mut self, index: usize, generation: u16, handle: Handle) {
        if let Some(t) = self.ticket(index, generation) {
            t.phase = Phase::InFlight;
            t.handle = handle;
        }
        self.room.wake();
    }

    /// The request can never be sent.
    pub(crate) fn refused(&mut self, index: usize, generation: u16, failure: Failure) {
        if let Some(t) = self.ticket(index, generation) {
            t.outcome.fail(1, failure);
            t.finish();
        }
        self.room.wake();
    }

    /// The outcome of a single request, or of one part of a message.
    pub(crate) fn outcome(&mut self, handle: Handle, part: Option<PartOf>, failure: Option<Failure>, id: &[u8]) {
        let key = part.map_or(handle, |p| p.message);
        let Some(t) = self.by_handle(key) else { return };
        let (index, total) = part.map_or((1, 1), |p| (p.index, p.total));
        t.outcome.parts = total;
        match failure {
            None => {
                t.outcome.accepted = t.outcome.accepted.saturating_add(1);
                t.outcome.ids.push(index, id);
            }
            Some(f) => t.outcome.fail(index, f),
        }
        if part.is_none() {
            t.finish();
        }
    }

    /// A multi-part message has every part's outcome.
    pub(crate) fn message_done(&mut self, message: Handle, total: u8, accepted: u8, failed: Option<(u8, Failure)>) {
        let Some(t) = self.by_handle(message) else { return };
        t.outcome.parts = total;
        t.outcome.accepted = accepted;
        if let Some((p, f)) = failed {
            t.outcome.fail(p, f);
        }
        t.finish();
    }

    /// A final receipt for message id `id`: recorded on the part it names. False when no
    /// followed message has that id.
    pub(crate) fn receipt(&mut self, id: &[u8], state: MessageState, error: Option<u16>) -> bool {
        let mode = self.id_match;
        // A part's receipt may come before the next part's response: in flight counts too.
        let waiting = |t: &TicketSlot<IDS>| t.wants_receipt && matches!(t.phase, Phase::InFlight | Phase::Done);
        // Byte for byte across every message first: a tolerant match must not steal a receipt.
        let index = self
            .tickets
            .iter()
            .position(|t| waiting(t) && t.outcome.ids.find(id, IdMatch::Exact).is_some())
            .or_else(|| self.tickets.iter().position(|t| waiting(t) && t.outcome.ids.find(id, mode).is_some()));
        let Some(t) = index.and_then(|i| self.tickets.get_mut(i)) else {
            self.unmatched_receipts = self.unmatched_receipts.wrapping_add(1);
            return false;
        };
        let Some(at) = t.outcome.ids.find(id, mode) else { return false };
        if t.outcome.ids.set_state(at, state) {
            if state != MessageState::DELIVERED && t.error.is_none() {
                t.error = error;
            }
            t.waker.wake();
        }
        true
    }

    /// The runner stopped: a queued request fails as stopped, one in flight as lost.
    pub(crate) fn fail_unsent(&mut self) {
        for t in self.tickets.iter_mut() {
            let failure = match t.phase {
                Phase::Queued => Failure::Stopped,
                Phase::InFlight => Failure::ConnectionLost,
                Phase::Free | Phase::Done => continue,
            };
            t.outcome.fail(1, failure);
            t.finish();
        }
        self.room.wake();
    }

    /// Wakes every ticket's waiter (the runner stopped: receipt waits end).
    pub(crate) fn wake_all(&mut self) {
        for t in self.tickets.iter_mut() {
            t.waker.wake();
        }
        self.room.wake();
        self.mo_waiters.wake();
    }

    pub(crate) fn set_link(&mut self, state: LinkState) {
        if self.link.state != state {
            self.link.state = state;
            self.link_waiters.wake();
        }
    }

    pub(crate) fn update_link(&mut self, f: impl FnOnce(&mut LinkStatus)) {
        f(&mut self.link);
        self.link_waiters.wake();
    }

    /// The runner's wait for a request or a stop: ready when one was posted since it last
    /// looked.
    pub(crate) fn poll_posted(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if core::mem::take(&mut self.posted) {
            return Poll::Ready(());
        }
        self.runner.register(cx.waker());
        Poll::Pending
    }

    pub(crate) fn stopped(&self) -> bool {
        self.link.state == LinkState::Stopped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embassy_sync::blocking_mutex::raw::NoopRawMutex;

    type Small = State<NoopRawMutex, 2, 16, 32, 16>;

    /// Takes ticket `index` as a queued request, the way `Client::post` does.
    fn queue(s: &Small, index: usize) -> u16 {
        let generation = s.with(|i| {
            let t = &mut i.tickets[index];
            t.phase = Phase::Queued;
            t.wants_receipt = true;
            t.generation
        });
        let mut slot = s.request.try_lock().unwrap();
        slot.present = true;
        slot.ticket = index;
        slot.generation = generation;
        generation
    }

    #[test]
    fn dropping_a_queued_ticket_withdraws_its_request_and_a_stale_one_touches_nothing() {
        let s = Small::new();
        let g = queue(&s, 0);
        s.release(0, g);
        assert!(!s.request.try_lock().unwrap().present, "withdrawn");
        assert_eq!(s.with(|i| i.tickets[0].phase), Phase::Free);
        // The slot is reused; the old ticket's generation no longer names it.
        let g2 = queue(&s, 0);
        assert_ne!(g, g2);
        s.release(0, g);
        assert!(s.request.try_lock().unwrap().present, "a stale release leaves the new request alone");
        assert!(s.with(|i| i.is_queued(0, g2)));
    }

    #[test]
    fn outcomes_and_receipts_reach_the_ticket_by_handle_and_id() {
        let s = Small::new();
        let g = queue(&s, 1);
        s.with(|i| {
            i.id_match = IdMatch::CaseInsensitive;
            i.submitted(1, g, Handle(7));
            // A part of another message, and the parts of this one.
            i.outcome(Handle(3), Some(PartOf { message: Handle(9), index: 1, total: 1 }), None, b"zz");
            i.outcome(Handle(8), Some(PartOf { message: Handle(7), index: 1, total: 2 }), None, b"AB1");
            // Part 1's receipt before part 2's response.
            assert!(i.receipt(b"ab1", MessageState::DELIVERED, None), "matched ignoring case, in flight");
            i.outcome(Handle(9), Some(PartOf { message: Handle(7), index: 2, total: 2 }), None, b"ab2");
            assert_eq!(i.tickets[1].phase, Phase::InFlight, "done only with MessageDone");
            i.message_done(Handle(7), 2, 2, None);
            let t = &i.tickets[1];
            assert_eq!(t.phase, Phase::Done);
            assert!(t.outcome.is_accepted());
            assert_eq!(t.outcome.ids.get(2), Some("ab2"));
            assert!(t.receipt().is_none(), "part 2 has no receipt yet");
            assert!(!i.receipt(b"cd3", MessageState::DELIVERED, None));
            assert_eq!(i.unmatched_receipts, 1);
            assert!(i.receipt(b"AB2", MessageState::EXPIRED, Some(27)));
            let r = i.tickets[1].receipt().unwrap();
            assert_eq!((r.state, r.parts, r.delivered, r.error), (MessageState::EXPIRED, 2, 1, Some(27)));
        });
    }

    #[test]
    fn a_stopped_runner_fails_what_it_had_not_answered() {
        let s = Small::new();
        let g0 = queue(&s, 0);
        s.with(|i| {
            i.tickets[1].phase = Phase::InFlight;
            i.fail_unsent();
            assert_eq!(i.tickets[0].outcome.failure(), Some(Failure::Stopped));
            assert_eq!(i.tickets[1].outcome.failure(), Some(Failure::ConnectionLost));
            assert!(i.tickets.iter().all(|t| t.phase == Phase::Done));
            assert!(i.ticket(0, g0).is_some());
        });
    }
}
