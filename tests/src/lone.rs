//! One session against a peer that a test (or a fuzz target) scripts octet by octet, under a
//! [`Watch`] and a virtual clock.

use std::collections::VecDeque;

use smpp_session::{Event, Instant, Session};

use crate::{Rng, Seen, Watch, drain, feed};

/// What a [`Lone`] session's application does with an event.
pub type React<'r, 'b, const W: usize, const R: usize> =
    dyn FnMut(&mut Session<'b, W, R>, &mut Watch, Instant, &Event, &Seen) + 'r;

/// A session whose peer is a byte queue: what the test puts in `inbox` is fed to the session (in
/// random chunks, copied or written in place), what the session sends lands in `wire` (in random
/// partial writes, or not at all while the transport is not `writable`), and every step is
/// checked by `watch`.
pub struct Lone<'b, const W: usize, const R: usize = W> {
    pub now: Instant,
    pub session: Session<'b, W, R>,
    pub watch: Watch,
    pub events: Vec<Event>,
    pub seen: Vec<Seen>,
    /// Every octet the session sent.
    pub wire: Vec<u8>,
    /// Octets from the peer not taken yet.
    pub inbox: VecDeque<u8>,
    pub rng: Rng,
    /// Largest chunk fed at once and largest write (random sizes up to it); 0 = whole.
    pub max_chunk: usize,
    /// Whether the transport takes octets now.
    pub writable: bool,
}

impl<'b, const W: usize, const R: usize> Lone<'b, W, R> {
    /// Watches `session` (new, nothing taken or sent yet), with random choices from `seed`.
    pub fn new(mut session: Session<'b, W, R>, name: &'static str, seed: u64, max_chunk: usize) -> Self {
        let watch = Watch::new(&mut session, name);
        Lone {
            now: Instant(0),
            session,
            watch,
            events: Vec::new(),
            seen: Vec::new(),
            wire: Vec::new(),
            inbox: VecDeque::new(),
            rng: Rng::new(seed),
            max_chunk,
            writable: true,
        }
    }

    /// Feeds the inbox and drains, reacting to each event, until nothing moves.
    pub fn run(&mut self, react: &mut React<'_, 'b, W, R>) {
        for _ in 0..100_000 {
            let now = self.now;
            let moved = drain(
                &mut self.session,
                &mut self.watch,
                &mut self.events,
                &mut self.seen,
                &mut self.wire,
                &mut self.rng,
                self.max_chunk,
                self.writable,
                |s, w, e, seen| react(s, w, now, e, seen),
            );
            let used =
                feed(&mut self.session, &mut self.watch, self.now, &mut self.inbox, &mut self.rng, self.max_chunk);
            if !moved && used == 0 {
                return;
            }
        }
        panic!("the session did not settle");
    }

    /// Advances the clock to `t`, firing every deadline on the way (each checked to be acted
    /// on), and runs.
    pub fn advance_to(&mut self, t: Instant, react: &mut React<'_, 'b, W, R>) {
        for _ in 0..100_000 {
            match self.session.poll_timeout() {
                Some(d) if d <= t => {
                    self.now = self.now.max(d);
                    self.watch.handle_timeout(&mut self.session, self.now);
                    self.run(react);
                }
                _ => {
                    self.now = self.now.max(t);
                    self.run(react);
                    return;
                }
            }
        }
        panic!("deadlines up to {t:?} never ran out");
    }

    /// Ends the run: the connection is lost (if the session still stands), what is queued goes
    /// out, and the watch checks the end.
    pub fn finish(&mut self, react: &mut React<'_, 'b, W, R>) {
        self.writable = true;
        self.session.handle_connection_lost(self.now);
        self.run(react);
        self.watch.finish(&self.session);
    }
}
