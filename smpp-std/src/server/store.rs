//! The messages the server accepted, the moments their states become final, and the receipts
//! waiting for a receiver of each account.
//!
//! Memory is bounded: the store remembers at most `capacity` messages; when it is full, the
//! oldest message whose state is final is forgotten, and when none is final the submission is
//! refused with ESME_RMSGQFUL (a message scheduled far ahead does not hold up the others). Each
//! account's outbox holds at most its capacity of receipts (the oldest is dropped, and
//! reported, to make room). Times are the server's monotonic instants; nothing here reads a
//! clock, so it is tested without sleeping.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use mio::Waker;
use smpp_codec::MessageState;
use smpp_session::{Duration, Instant};

use super::profile::IdFormat;
use crate::Addr;

/// Octets of a message's text kept for the `{text}` of its receipt (characters, SMPP 3.4
/// Appendix B).
pub(crate) const RECEIPT_TEXT_CHARS: usize = 20;

/// A submission the server accepts, as the store needs it.
#[derive(Clone, Debug)]
pub(crate) struct Submission {
    pub(crate) account: Arc<str>,
    pub(crate) service_type: String,
    pub(crate) source: Addr,
    pub(crate) dest: Addr,
    pub(crate) registered_delivery: u8,
    /// The start of the text, for receipts.
    pub(crate) text: Box<str>,
    /// When delivery may start (schedule_delivery_time, else arrival).
    pub(crate) deliver_at: Instant,
    /// When the validity period ends, if it was given.
    pub(crate) expires_at: Option<Instant>,
    /// Whether delivery will fail.
    pub(crate) undeliverable: bool,
}

/// A message the server accepted.
#[derive(Clone, Debug)]
pub(crate) struct Record {
    pub(crate) id: String,
    pub(crate) sub: Submission,
    pub(crate) submitted: Instant,
    /// When the state becomes final, unless cancelled first.
    pub(crate) due: Instant,
    /// The final state it reaches then.
    pub(crate) outcome: MessageState,
    /// Its state now.
    pub(crate) state: MessageState,
    /// When it reached its final state.
    pub(crate) final_at: Option<Instant>,
}

impl Record {
    /// The network error code it reports (receipts' `err`, query_sm_resp's error_code).
    pub(crate) fn error_code(&self) -> u8 {
        match self.state {
            MessageState::UNDELIVERABLE => 1,
            _ => 0,
        }
    }
}

/// What query_sm finds.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct QueryResult {
    pub(crate) state: MessageState,
    pub(crate) final_at: Option<Instant>,
    pub(crate) error_code: u8,
}

/// The store is full of messages whose state is not final yet.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Full;

/// What cancel_sm names.
#[derive(Copy, Clone, Debug)]
pub(crate) struct CancelRequest<'a> {
    pub(crate) account: &'a str,
    pub(crate) message_id: &'a [u8],
    pub(crate) service_type: &'a [u8],
    pub(crate) source: &'a [u8],
    pub(crate) dest: &'a [u8],
}

/// The accepted messages, by number.
#[derive(Debug)]
pub(crate) struct Store {
    ids: IdFormat,
    capacity: usize,
    /// The number the next message gets (its id is this number, formatted).
    next: u64,
    records: Records,
    /// (due, number) of every message whose state is not final.
    schedule: Ordered<(Instant, u64)>,
    /// Numbers of the messages whose state is final: the oldest is forgotten first.
    finals: Ordered<u64>,
}

/// The records by number. Numbers are given in turn, so the recent ones sit in a queue indexed
/// by number (a forgotten one leaves a hole until it reaches the front); a record older than
/// the queue's reach (a message pending far ahead while many newer came and went) moves to a
/// map. Adding, finding and forgetting touch memory in order, not at random as a map would.
#[derive(Debug)]
struct Records {
    /// The number of `slots[0]`; `base + slots.len()` is the next number.
    base: u64,
    slots: VecDeque<Option<Record>>,
    old: HashMap<u64, Record, BuildHasherDefault<NumberHasher>>,
    len: usize,
    /// The most slots kept: older live records move to `old`.
    reach: usize,
}

impl Records {
    fn new(first: u64, capacity: usize) -> Self {
        Records { base: first, slots: VecDeque::new(), old: HashMap::default(), len: 0, reach: capacity + 1024 }
    }

    fn len(&self) -> usize {
        self.len
    }

    /// Adds the record of the next number, `n`.
    fn push(&mut self, n: u64, r: Record) {
        if self.slots.is_empty() {
            self.base = n;
        }
        debug_assert_eq!(self.base + self.slots.len() as u64, n, "numbers are given in turn");
        self.slots.push_back(Some(r));
        self.len += 1;
        while self.slots.len() > self.reach {
            if let Some(Some(r)) = self.slots.pop_front() {
                self.old.insert(self.base, r);
            }
            self.base += 1;
        }
        self.trim();
    }

    fn slot(&self, n: u64) -> Option<usize> {
        n.checked_sub(self.base).and_then(|i| usize::try_from(i).ok())
    }

    fn get(&self, n: u64) -> Option<&Record> {
        match self.slot(n) {
            Some(i) => self.slots.get(i)?.as_ref(),
            None => self.old.get(&n),
        }
    }

    fn get_mut(&mut self, n: u64) -> Option<&mut Record> {
        match self.slot(n) {
            Some(i) => self.slots.get_mut(i)?.as_mut(),
            None => self.old.get_mut(&n),
        }
    }

    fn remove(&mut self, n: u64) {
        let gone = match self.slot(n) {
            Some(i) => self.slots.get_mut(i).and_then(Option::take).is_some(),
            None => self.old.remove(&n).is_some(),
        };
        if gone {
            self.len -= 1;
            self.trim();
        }
    }

    /// Drops the holes at the front.
    fn trim(&mut self) {
        while self.slots.front().is_some_and(Option::is_none) {
            self.slots.pop_front();
            self.base += 1;
        }
    }
}

/// Hashes a message number: numbers are consecutive, so a multiplication spreads them well
/// enough, at a fraction of SipHash's cost (the store is touched for every submission).
#[derive(Default)]
pub(crate) struct NumberHasher(u64);

impl Hasher for NumberHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// A set taken smallest first that is cheap when values come in increasing order, as message
/// numbers and (with one receipt delay) due times do: those go to the end of a queue; the
/// others, to a tree.
#[derive(Debug)]
struct Ordered<T> {
    /// Increasing.
    run: VecDeque<T>,
    rest: BTreeSet<T>,
}

impl<T: Ord + Copy> Ordered<T> {
    fn new() -> Self {
        Ordered { run: VecDeque::new(), rest: BTreeSet::new() }
    }

    fn insert(&mut self, v: T) {
        if self.run.back().is_none_or(|b| *b < v) {
            self.run.push_back(v);
        } else {
            self.rest.insert(v);
        }
    }

    fn first(&self) -> Option<T> {
        match (self.run.front(), self.rest.first()) {
            (Some(a), Some(b)) => Some(*a.min(b)),
            (a, b) => a.or(b).copied(),
        }
    }

    fn pop_first(&mut self) -> Option<T> {
        match (self.run.front(), self.rest.first()) {
            (Some(a), Some(b)) if b < a => self.rest.pop_first(),
            (Some(_), _) => self.run.pop_front(),
            (None, _) => self.rest.pop_first(),
        }
    }

    fn remove(&mut self, v: &T) {
        if !self.rest.remove(v) {
            if let Ok(i) = self.run.binary_search(v) {
                self.run.remove(i);
            }
        }
    }

    fn iter(&self) -> impl Iterator<Item = &T> {
        self.run.iter().chain(&self.rest)
    }
}

impl Store {
    pub(crate) fn new(ids: IdFormat, first: u64, capacity: usize) -> Self {
        Store {
            ids,
            capacity: capacity.max(1),
            next: first,
            records: Records::new(first, capacity.max(1)),
            schedule: Ordered::new(),
            finals: Ordered::new(),
        }
    }

    /// Messages remembered.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    /// The earliest moment a state becomes final.
    pub(crate) fn next_due(&self) -> Option<Instant> {
        self.schedule.first().map(|(at, _)| at)
    }

    /// Accepts a message at `now`; its state becomes final `delay` after it may be delivered,
    /// or when its validity ends if that comes first (EXPIRED). Returns its id.
    ///
    /// # Errors
    /// [`Full`] when every remembered message is still pending.
    pub(crate) fn accept(&mut self, now: Instant, sub: Submission, delay: Duration) -> Result<String, Full> {
        if self.records.len() >= self.capacity {
            let oldest = self.finals.pop_first().ok_or(Full)?;
            self.records.remove(oldest);
        }
        let n = self.next;
        self.next += 1;
        let id = self.ids.format(n);
        let delivered_at = sub.deliver_at.max(now) + delay;
        let (due, outcome) = match sub.expires_at {
            Some(end) if end < delivered_at => (end.max(now), MessageState::EXPIRED),
            _ if sub.undeliverable => (delivered_at, MessageState::UNDELIVERABLE),
            _ => (delivered_at, MessageState::DELIVERED),
        };
        self.schedule.insert((due, n));
        self.records.push(
            n,
            Record { id: id.clone(), sub, submitted: now, due, outcome, state: MessageState::ENROUTE, final_at: None },
        );
        Ok(id)
    }

    fn get(&self, id: &[u8]) -> Option<(u64, &Record)> {
        let n = self.ids.parse(id)?;
        self.records.get(n).map(|r| (n, r))
    }

    /// Makes final every state due at `now`; returns a copy of those messages `wanted` picks
    /// (the ones that get a receipt), in due order.
    pub(crate) fn advance(&mut self, now: Instant, wanted: impl Fn(&Record) -> bool) -> Vec<Record> {
        let mut done = Vec::new();
        while let Some((at, n)) = self.schedule.first() {
            if at > now {
                break;
            }
            self.schedule.pop_first();
            if let Some(r) = self.records.get_mut(n) {
                r.state = r.outcome;
                r.final_at = Some(at);
                self.finals.insert(n);
                if wanted(r) {
                    done.push(r.clone());
                }
            }
        }
        done
    }

    /// The state of a message of `account` (whose source, when the query names one, matches).
    pub(crate) fn query(&self, account: &str, id: &[u8], source: &[u8]) -> Option<QueryResult> {
        let (_, r) = self.get(id)?;
        if &*r.sub.account != account || (!source.is_empty() && r.sub.source.addr.as_bytes() != source) {
            return None;
        }
        Some(QueryResult { state: r.state, final_at: r.final_at, error_code: r.error_code() })
    }

    /// Cancels the messages cancel_sm names that are not final yet (DELETED, no receipt);
    /// returns how many. With a message_id, that message if its source matches; without one,
    /// every pending message of the account from `source` to `dest` (and of `service_type`
    /// when given).
    pub(crate) fn cancel(&mut self, now: Instant, req: &CancelRequest<'_>) -> usize {
        let matches = |r: &Record| {
            &*r.sub.account == req.account
                && !r.state.is_final()
                && (req.source.is_empty() || r.sub.source.addr.as_bytes() == req.source)
        };
        let targets: Vec<u64> = if req.message_id.is_empty() {
            if req.dest.is_empty() {
                return 0;
            }
            // Only pending messages can be cancelled: look through those.
            self.schedule
                .iter()
                .filter_map(|(_, n)| self.records.get(*n).map(|r| (*n, r)))
                .filter(|(_, r)| {
                    matches(r)
                        && r.sub.dest.addr.as_bytes() == req.dest
                        && (req.service_type.is_empty() || r.sub.service_type.as_bytes() == req.service_type)
                })
                .map(|(n, _)| n)
                .collect()
        } else {
            self.get(req.message_id).filter(|(_, r)| matches(r)).map(|(n, _)| n).into_iter().collect()
        };
        for &n in &targets {
            if let Some(r) = self.records.get_mut(n) {
                r.state = MessageState::DELETED;
                r.final_at = Some(now);
                let due = r.due;
                self.schedule.remove(&(due, n));
                self.finals.insert(n);
            }
        }
        targets.len()
    }
}

/// A receipt waiting to be sent.
#[derive(Clone, Debug)]
pub(crate) struct ReceiptJob {
    pub(crate) record: Record,
    /// Deliveries tried so far.
    pub(crate) attempts: u8,
    /// Not to be sent before this (a retry after a transient refusal).
    pub(crate) not_before: Instant,
}

/// How many times a receipt is offered before it is dropped.
pub(crate) const RECEIPT_ATTEMPTS: u8 = 5;

/// How long a receipt the client refused for now waits before it is sent again.
pub(crate) const RECEIPT_RETRY: Duration = Duration::from_secs(1);

/// The receipts of one account, waiting for a receiver or transceiver bind of it, and the
/// connections that can take them.
#[derive(Debug)]
pub(crate) struct Outbox {
    capacity: usize,
    jobs: Mutex<VecDeque<ReceiptJob>>,
    /// `jobs.len()`, readable without the lock.
    queued: AtomicUsize,
    receivers: Mutex<Vec<(u64, Arc<Waker>)>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Outbox {
    pub(crate) fn new(capacity: usize) -> Self {
        Outbox {
            capacity: capacity.max(1),
            jobs: Mutex::new(VecDeque::new()),
            queued: AtomicUsize::new(0),
            receivers: Mutex::new(Vec::new()),
        }
    }

    /// Receipts waiting.
    pub(crate) fn len(&self) -> usize {
        self.queued.load(Ordering::Acquire)
    }

    /// Queues a receipt; returns the oldest one when it had to be dropped to make room.
    pub(crate) fn push(&self, job: ReceiptJob) -> Option<ReceiptJob> {
        let mut jobs = lock(&self.jobs);
        let dropped = if jobs.len() >= self.capacity { jobs.pop_front() } else { None };
        jobs.push_back(job);
        self.queued.store(jobs.len(), Ordering::Release);
        dropped
    }

    /// Puts back receipts a connection took and could not deliver, ahead of the others (they
    /// are older). The queue may exceed its capacity by what one connection had in flight.
    pub(crate) fn put_back(&self, back: impl IntoIterator<Item = ReceiptJob>) {
        let mut jobs = lock(&self.jobs);
        let mut back: Vec<ReceiptJob> = back.into_iter().collect();
        back.sort_by_key(|j| j.record.final_at);
        for job in back.into_iter().rev() {
            jobs.push_front(job);
        }
        self.queued.store(jobs.len(), Ordering::Release);
    }

    /// The next receipt to send at `now`, if one is due.
    pub(crate) fn pop(&self, now: Instant) -> Option<ReceiptJob> {
        if self.len() == 0 {
            return None;
        }
        let mut jobs = lock(&self.jobs);
        if jobs.front().is_some_and(|j| j.not_before > now) {
            return None;
        }
        let job = jobs.pop_front();
        self.queued.store(jobs.len(), Ordering::Release);
        job
    }

    /// When the first receipt, held back for a retry, may go.
    pub(crate) fn next_retry(&self, now: Instant) -> Option<Instant> {
        if self.len() == 0 {
            return None;
        }
        lock(&self.jobs).front().map(|j| j.not_before).filter(|&t| t > now)
    }

    /// A connection that can take receipts.
    pub(crate) fn register(&self, connection: u64, waker: Arc<Waker>) {
        lock(&self.receivers).push((connection, waker));
        // It may have receipts waiting for it already.
        self.wake();
    }

    pub(crate) fn unregister(&self, connection: u64) {
        lock(&self.receivers).retain(|(c, _)| *c != connection);
    }

    /// Wakes the connections that can take receipts.
    pub(crate) fn wake(&self) {
        for (_, w) in lock(&self.receivers).iter() {
            // A connection whose waker fails is ending; it takes nothing more.
            let _ = w.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(account: &str, dest: &str) -> Submission {
        Submission {
            account: account.into(),
            service_type: String::new(),
            source: Addr::sender("Alarm").unwrap_or_default(),
            dest: Addr::number(dest).unwrap_or_default(),
            registered_delivery: 1,
            text: "hello".into(),
            deliver_at: Instant(0),
            expires_at: None,
            undeliverable: false,
        }
    }

    fn all(_: &Record) -> bool {
        true
    }

    fn store(capacity: usize) -> Store {
        Store::new(IdFormat::Hex13, 0x68090a534e551, capacity)
    }

    #[test]
    fn states_become_final_after_the_delay() {
        let mut s = store(10);
        let d = Duration(100);
        let a = s.accept(Instant(0), sub("u", "+34600000001"), d).unwrap_or_default();
        let b = s.accept(Instant(10), Submission { undeliverable: true, ..sub("u", "+34600000000") }, d);
        let b = b.unwrap_or_default();
        assert_eq!(a, "68090a534e551");
        assert_eq!(b, "68090a534e552");
        assert_eq!(s.query("u", a.as_bytes(), b"").map(|q| q.state), Some(MessageState::ENROUTE));
        assert!(s.advance(Instant(99), all).is_empty());
        assert_eq!(s.next_due(), Some(Instant(100)));
        let done = s.advance(Instant(200), all);
        let states: Vec<_> = done.iter().map(|r| (r.id.as_str(), r.state, r.final_at)).collect();
        assert_eq!(
            states,
            [
                (a.as_str(), MessageState::DELIVERED, Some(Instant(100))),
                (b.as_str(), MessageState::UNDELIVERABLE, Some(Instant(110)))
            ]
        );
        let q = s.query("u", b.as_bytes(), b"Alarm").unwrap_or(QueryResult {
            state: MessageState::UNKNOWN,
            final_at: None,
            error_code: 9,
        });
        assert_eq!(q, QueryResult { state: MessageState::UNDELIVERABLE, final_at: Some(Instant(110)), error_code: 1 });
        assert_eq!(s.query("other", b.as_bytes(), b""), None, "another account sees nothing");
        assert_eq!(s.query("u", b.as_bytes(), b"Mallory"), None, "the source must match");
        assert_eq!(s.query("u", b"zzz", b""), None);
        assert_eq!(s.next_due(), None);
    }

    #[test]
    fn validity_and_schedule_move_the_final_state() {
        let mut s = store(10);
        let d = Duration(1000);
        // Valid for 500 ms, delivered after 1000 ms: expires at 500.
        let a =
            s.accept(Instant(0), Submission { expires_at: Some(Instant(500)), ..sub("u", "1") }, d).unwrap_or_default();
        // Scheduled for 2000: delivered at 3000.
        let b = s.accept(Instant(0), Submission { deliver_at: Instant(2000), ..sub("u", "2") }, d).unwrap_or_default();
        // Scheduled for 2000, valid until 2500: expires at 2500.
        let c = s
            .accept(
                Instant(0),
                Submission { deliver_at: Instant(2000), expires_at: Some(Instant(2500)), ..sub("u", "3") },
                d,
            )
            .unwrap_or_default();
        // Validity already over when it arrives: expires at once.
        let e =
            s.accept(Instant(50), Submission { expires_at: Some(Instant(10)), ..sub("u", "4") }, d).unwrap_or_default();
        let order: Vec<_> = s.advance(Instant(10_000), all).into_iter().map(|r| (r.id, r.state, r.final_at)).collect();
        assert_eq!(
            order,
            [
                (e, MessageState::EXPIRED, Some(Instant(50))),
                (a, MessageState::EXPIRED, Some(Instant(500))),
                (c, MessageState::EXPIRED, Some(Instant(2500))),
                (b, MessageState::DELIVERED, Some(Instant(3000))),
            ]
        );
    }

    fn req<'a>(id: &'a str, dest: &'a [u8]) -> CancelRequest<'a> {
        CancelRequest { account: "u", message_id: id.as_bytes(), service_type: b"", source: b"", dest }
    }

    #[test]
    fn cancel_takes_pending_messages_only() {
        let mut s = store(10);
        let d = Duration(100);
        let a = s.accept(Instant(0), sub("u", "1"), d).unwrap_or_default();
        let b = s.accept(Instant(0), sub("u", "2"), d).unwrap_or_default();
        let c = s.accept(Instant(0), sub("u", "2"), d).unwrap_or_default();
        assert_eq!(s.cancel(Instant(5), &CancelRequest { account: "v", ..req(&a, b"") }), 0, "not its account");
        assert_eq!(s.cancel(Instant(5), &CancelRequest { source: b"Other", ..req(&a, b"") }), 0, "not its source");
        assert_eq!(s.cancel(Instant(5), &req(&a, b"")), 1);
        assert_eq!(s.cancel(Instant(6), &req(&a, b"")), 0, "already cancelled");
        assert_eq!(s.cancel(Instant(7), &req("", b"")), 0, "no id and no destination names nothing");
        assert_eq!(s.cancel(Instant(7), &req("", b"2")), 2, "all pending to that destination");
        assert_eq!(s.query("u", b.as_bytes(), b"").map(|q| q.state), Some(MessageState::DELETED));
        assert!(s.advance(Instant(1000), all).is_empty(), "cancelled messages get no final state or receipt");
        let q = s.query("u", c.as_bytes(), b"");
        assert_eq!(q.map(|q| (q.state, q.final_at)), Some((MessageState::DELETED, Some(Instant(7)))));
        let late = s.accept(Instant(1000), sub("u", "3"), d).unwrap_or_default();
        s.advance(Instant(2000), all);
        assert_eq!(s.cancel(Instant(2000), &req(&late, b"")), 0, "delivered already");
    }

    #[test]
    fn a_full_store_forgets_final_messages_and_refuses_when_all_are_pending() {
        let mut s = store(2);
        let d = Duration(100);
        let a = s.accept(Instant(0), sub("u", "1"), d).unwrap_or_default();
        s.accept(Instant(0), sub("u", "2"), d).unwrap_or_default();
        assert_eq!(s.accept(Instant(1), sub("u", "3"), d), Err(Full));
        s.advance(Instant(100), all);
        let c = s.accept(Instant(101), sub("u", "3"), d).unwrap_or_default();
        assert_eq!(s.len(), 2);
        assert_eq!(s.query("u", a.as_bytes(), b""), None, "the oldest was forgotten");
        assert!(s.query("u", c.as_bytes(), b"").is_some());
    }

    fn job(n: u64) -> ReceiptJob {
        let record = Record {
            id: n.to_string(),
            sub: sub("u", "1"),
            submitted: Instant(0),
            due: Instant(n),
            outcome: MessageState::DELIVERED,
            state: MessageState::DELIVERED,
            final_at: Some(Instant(n)),
        };
        ReceiptJob { record, attempts: 0, not_before: Instant(0) }
    }

    #[test]
    fn a_message_scheduled_far_ahead_does_not_hold_up_the_others() {
        let mut s = store(2);
        let d = Duration(100);
        let far = s.accept(Instant(0), Submission { deliver_at: Instant(86_400_000), ..sub("u", "1") }, d).unwrap();
        let b = s.accept(Instant(0), sub("u", "2"), d).unwrap();
        s.advance(Instant(100), all);
        let c = s.accept(Instant(101), sub("u", "3"), d).unwrap();
        assert_eq!(s.query("u", b.as_bytes(), b""), None, "the oldest final message made room");
        assert!(s.query("u", far.as_bytes(), b"").is_some() && s.query("u", c.as_bytes(), b"").is_some());
        assert_eq!(s.accept(Instant(102), sub("u", "4"), d), Err(Full), "both pending");
    }

    #[test]
    fn a_message_pending_while_thousands_come_and_go_is_still_found_and_made_final() {
        let mut s = store(3);
        let d = Duration(1);
        let far = s.accept(Instant(0), Submission { deliver_at: Instant(1_000_000), ..sub("u", "1") }, d).unwrap();
        let mut last = String::new();
        for t in 0..5_000u64 {
            last = s.accept(Instant(t), sub("u", "2"), d).unwrap();
            s.advance(Instant(t + 1), all);
        }
        assert!(s.records.slots.len() <= s.records.reach, "the queue keeps its reach");
        assert_eq!(s.records.old.len(), 1, "the pending one moved out of the queue");
        assert_eq!(s.len(), 3);
        assert_eq!(s.query("u", far.as_bytes(), b"").map(|q| q.state), Some(MessageState::ENROUTE));
        assert_eq!(s.query("u", last.as_bytes(), b"").map(|q| q.state), Some(MessageState::DELIVERED));
        let done = s.advance(Instant(1_000_001), all);
        assert_eq!(done.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), [far.as_str()]);
        // Final now, and the oldest: the next submission makes room by forgetting it.
        s.accept(Instant(1_000_002), sub("u", "3"), d).unwrap();
        assert_eq!(s.query("u", far.as_bytes(), b""), None);
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn ordered_sets_give_the_smallest_first_whatever_the_order_of_arrival() {
        let mut o = Ordered::new();
        for v in [5, 7, 3, 9, 8, 1, 10] {
            o.insert(v);
        }
        o.remove(&9);
        o.remove(&3);
        let mut all: Vec<i32> = o.iter().copied().collect();
        all.sort_unstable();
        assert_eq!(all, [1, 5, 7, 8, 10]);
        assert_eq!(o.first(), Some(1));
        let taken: Vec<i32> = std::iter::from_fn(|| o.pop_first()).collect();
        assert_eq!(taken, [1, 5, 7, 8, 10]);
        assert_eq!(o.first(), None);
    }

    #[test]
    fn outboxes_are_bounded_and_put_back_in_order() {
        let o = Outbox::new(2);
        assert!(o.push(job(1)).is_none());
        assert!(o.push(job(2)).is_none());
        assert_eq!(o.push(job(3)).map(|j| j.record.id), Some("1".to_string()), "the oldest makes room");
        let (a, b) = (o.pop(Instant(0)), o.pop(Instant(0)));
        assert_eq!(o.len(), 0);
        o.put_back(b.into_iter().chain(a));
        let ids: Vec<String> = std::iter::from_fn(|| o.pop(Instant(0))).map(|j| j.record.id).collect();
        assert_eq!(ids, ["2", "3"]);
        o.push(ReceiptJob { not_before: Instant(50), ..job(4) });
        assert!(o.pop(Instant(10)).is_none(), "held back until its retry");
        assert_eq!(o.next_retry(Instant(10)), Some(Instant(50)));
        assert!(o.pop(Instant(50)).is_some());
    }
}
