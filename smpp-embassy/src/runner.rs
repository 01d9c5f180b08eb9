//! The runner: one task that owns the connection and the session, moves octets between them,
//! sleeps until the session's next deadline, feeds the application's requests to the session and
//! hands the session's events to the application. It reconnects with the session's back-off.
//!
//! Every protocol decision is the session's; this loop only moves octets, requests and events.

use core::future::{Future, pending, poll_fn};
use core::pin::{Pin, pin};
use core::task::{Context, Poll};

use embassy_futures::select::{Either, Either3, select, select3};
use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_time::{Duration as EmbassyDuration, Timer, with_timeout};
use embedded_io_async::{Error as _, Read, Write};
use smpp_codec::pdu::{self, Bind, SubmitSm};
use smpp_codec::text::segment::choose;
use smpp_codec::{CommandStatus, Pdu, RegisteredDelivery};
use smpp_session::{
    AckMode, Backoff, BindKind, CloseReason, CommandError, ConfigError, Event, Handle, IncomingToken, Instant, Session,
    State as SessionState, TextOptions,
};

use crate::connect::Connect;
use crate::state::{Request, RequestSlot, State};
use crate::time::{now, to_embassy, to_embassy_duration};
use crate::types::{Config, Failure, LinkState};

/// Octets of one encoded part while `submit_text` writes it (a part's user data is at most 140
/// octets; with [`Concatenation::Payload`](smpp_codec::text::segment::Concatenation) the whole
/// encoded text must fit).
const SCRATCH: usize = 160;

/// How long the last octets (an unbind_resp, a generic_nack) may take to leave once the session
/// has closed.
const FINAL_WRITE: EmbassyDuration = EmbassyDuration::from_secs(2);

/// ESME_RX_T_APPN: "temporary application error", the SMSC delivers the message again later.
const TRY_LATER: CommandStatus = CommandStatus::RECEIVER_TEMPORARY_ERROR;

/// The caller's buffers for the session: the receive buffer (at least
/// [`MIN_RECEIVE_BUFFER`](smpp_session::MIN_RECEIVE_BUFFER); a PDU longer than it is skipped
/// and refused) and the transmit buffer (at least `Session::<W>::min_transmit_buffer()`, and
/// room for every part of the longest text at once). A part store is optional: see
/// [`Runner::with_part_store`].
#[derive(Debug)]
pub struct Buffers<'a> {
    /// The receive buffer: the socket is read straight into it.
    pub rx: &'a mut [u8],
    /// The transmit buffer: the socket is written straight from it.
    pub tx: &'a mut [u8],
}

/// Why [`Runner::run`] returned an error.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RunError {
    /// The buffers are too small for the session.
    Buffers(ConfigError),
    /// The bind cannot be encoded (a system_id longer than 15 characters, a password longer than
    /// 8).
    Credentials(smpp_codec::Error),
    /// The back-off's attempt limit was reached without a bind.
    GaveUp,
}

impl core::fmt::Display for RunError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            RunError::Buffers(e) => write!(f, "session buffers: {e}"),
            RunError::Credentials(e) => write!(f, "the bind cannot be encoded: {e}"),
            RunError::GaveUp => f.write_str("gave up reconnecting"),
        }
    }
}

impl core::error::Error for RunError {}

/// What lasts across connections beside the session.
#[derive(Debug)]
struct Progress {
    /// The concatenation reference of the next long text.
    reference: u16,
    /// xorshift32 state for the back-off's jitter.
    random: u32,
}

impl Progress {
    fn random(&mut self) -> u32 {
        let mut x = self.random;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.random = x;
        x
    }
}

/// Runs the SMPP connection: owns the transport and the session. Spawn [`run`](Self::run) in
/// its own task.
///
/// `W` is the session's window: the most requests awaiting a response, and the most parts of
/// one text.
///
/// The session lives here: built once by [`new`], and made ready again in place for each
/// connection (`Session::reset`), so that handles, sequence numbers and the ids of accepted
/// messages go on across reconnections and no session is ever built on the runner's stack.
pub struct Runner<
    'a,
    M: RawMutex,
    C: Connect,
    const W: usize,
    const T: usize,
    const TEXT: usize,
    const IDS: usize,
    const MO: usize,
> {
    state: &'a State<M, T, TEXT, IDS, MO>,
    connector: C,
    /// The bind request: the account and its password (never logged).
    bind: Bind<'a>,
    kind: BindKind,
    connect_timeout: EmbassyDuration,
    backoff: Backoff,
    /// The session, or why the buffers or the credentials cannot make one.
    session: Result<Session<'a, W, 0>, RunError>,
    progress: Progress,
}

impl<M: RawMutex, C: Connect, const W: usize, const T: usize, const TEXT: usize, const IDS: usize, const MO: usize>
    core::fmt::Debug for Runner<'_, M, C, W, T, TEXT, IDS, MO>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Runner")
            .field("system_id", &self.bind.system_id)
            .field("bind", &self.kind)
            .field("window", &W)
            .finish_non_exhaustive()
    }
}

/// The application's handle and the runner over `state`. The buffers and the credentials are
/// checked here; [`Runner::run`] reports what is wrong with them.
pub fn new<
    'a,
    M: RawMutex,
    C: Connect,
    const W: usize,
    const T: usize,
    const TEXT: usize,
    const IDS: usize,
    const MO: usize,
>(
    state: &'a State<M, T, TEXT, IDS, MO>,
    connector: C,
    config: Config<'a>,
    buffers: Buffers<'a>,
) -> (crate::Client<'a, M, T, TEXT, IDS, MO>, Runner<'a, M, C, W, T, TEXT, IDS, MO>) {
    state.with(|i| {
        i.resubmit = config.resubmit;
        i.id_match = config.session.id_match;
    });
    let bind = Bind { system_type: config.system_type.into(), ..Bind::new(config.system_id, config.password) };
    let runner = Runner {
        state,
        connector,
        bind,
        kind: config.bind,
        connect_timeout: config.connect_timeout,
        backoff: config.backoff,
        session: session::<W>(&config, &bind, buffers),
        progress: Progress { reference: 0, random: config.seed | 1 },
    };
    (crate::Client { state }, runner)
}

/// The runner's session, for the life of the runner. The runner acknowledges what the SMSC
/// sends itself (manual acks), whatever the configuration says.
fn session<'a, const W: usize>(
    config: &Config<'_>,
    bind: &Bind<'_>,
    buffers: Buffers<'a>,
) -> Result<Session<'a, W, 0>, RunError> {
    let mut session_config = config.session;
    session_config.ack_mode = AckMode::Manual;
    // Until the application posts a query_sm or a submit_multi (`Client::submit_pdu` then hands
    // over the full decoder), the session needs no parser of their responses.
    let session = Session::<W, 0>::esme_with_decoder(
        Pdu::parse_esme_inbound_basic,
        session_config,
        buffers.rx,
        buffers.tx,
        now(),
    )
    .map_err(RunError::Buffers)?;
    // Encoding into no room finds a field over its limit first.
    match pdu::emit(config.bind.command_id(), 0, CommandStatus::OK, bind, &mut []) {
        Ok(_) | Err(smpp_codec::Error::BufferTooSmall { .. }) => Ok(session),
        Err(e) => Err(RunError::Credentials(e)),
    }
}

impl<'a, M: RawMutex, C: Connect, const W: usize, const T: usize, const TEXT: usize, const IDS: usize, const MO: usize>
    Runner<'a, M, C, W, T, TEXT, IDS, MO>
{
    /// Gives the session a part store (see `Session::with_part_store`): a throttled part of a
    /// long text is then sent again after the pause instead of failing its message. About 200
    /// octets per part in flight. A firmware that does not call this links none of that code.
    #[must_use]
    pub fn with_part_store(mut self, store: &'a mut [u8]) -> Self {
        self.session = self.session.map(|s| s.with_part_store(store));
        self
    }
}

/// Polls a future through a call the compiler does not inline, so that the future's
/// temporaries get a frame of their own instead of adding to the frame of the future that awaits
/// it: the runner's stack high-water mark is the sum of the frames on one path, and the compiler
/// sums the temporaries of every branch it inlines into one frame.
struct Framed<'p, F>(Pin<&'p mut F>);

impl<F: Future> Future for Framed<'_, F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        poll_framed(self.0.as_mut(), cx)
    }
}

#[inline(never)]
fn poll_framed<F: Future>(f: Pin<&mut F>, cx: &mut Context<'_>) -> Poll<F::Output> {
    f.poll(cx)
}

/// How one connection ended.
enum End {
    /// The application asked to stop and the session is closed.
    Stopped,
    /// The connection or the session ended; `bound` tells whether it got bound first.
    Lost { bound: bool },
}

/// Marks the runner stopped however `run` ends (returned, or its future dropped): what was not
/// sent fails, waits end.
struct StopGuard<'s, M: RawMutex, const T: usize, const TEXT: usize, const IDS: usize, const MO: usize> {
    state: &'s State<M, T, TEXT, IDS, MO>,
}

impl<M: RawMutex, const T: usize, const TEXT: usize, const IDS: usize, const MO: usize> Drop
    for StopGuard<'_, M, T, TEXT, IDS, MO>
{
    fn drop(&mut self) {
        if let Ok(mut slot) = self.state.request.try_lock() {
            slot.present = false;
        }
        self.state.with(|i| {
            i.fail_unsent();
            i.set_link(LinkState::Stopped);
            i.wake_all();
        });
        info!("smpp: runner stopped");
    }
}

impl<'a, M: RawMutex, C: Connect, const W: usize, const T: usize, const TEXT: usize, const IDS: usize, const MO: usize>
    Runner<'a, M, C, W, T, TEXT, IDS, MO>
{
    /// Connects, binds, and serves the application until it unbinds
    /// ([`Client::unbind`](crate::Client::unbind)): then returns `Ok(())`. A lost connection
    /// (or a session that closes: link dead, bind refused, peer unbound) is reopened after the
    /// back-off; messages in flight then end as [`Failure::ConnectionLost`] and the link status
    /// counts them, and messages still queued wait for the next bind.
    ///
    /// # Errors
    /// [`RunError::Buffers`] and [`RunError::Credentials`] at once, before connecting;
    /// [`RunError::GaveUp`] when the back-off's attempt limit is reached.
    ///
    /// # Cancel safety
    /// Dropping the future drops the connection without an unbind (the SMSC sees the TCP
    /// connection end), ends every queued message with [`Failure::Stopped`] and every message
    /// in flight with [`Failure::ConnectionLost`], and marks the link stopped. A stop asked with
    /// `unbind` is final: a later `run` returns at once.
    pub async fn run(&mut self) -> Result<(), RunError> {
        let Runner { state, connector, bind, kind, connect_timeout, backoff, session, progress } = self;
        let state: &State<M, T, TEXT, IDS, MO> = state;
        let _guard = StopGuard { state };
        let session = session.as_mut().map_err(|e| *e)?;
        let mut backoff = *backoff;
        loop {
            if state.with(|i| i.stop) {
                return Ok(());
            }
            state.with(|i| i.set_link(LinkState::Connecting));
            debug!("smpp: connecting");
            // The attempt's future lives in this block only, not beside the connection's.
            let attempt = {
                let connect = pin!(select(with_timeout(*connect_timeout, connector.connect()), wait_stop(state)));
                Framed(connect).await
            };
            let bound = match attempt {
                Either::Second(()) => return Ok(()),
                Either::First(Err(_)) => {
                    warn!("smpp: connecting timed out");
                    false
                }
                Either::First(Ok(Err(e))) => {
                    warn!("smpp: cannot connect: {}", e.kind());
                    false
                }
                Either::First(Ok(Ok(mut conn))) => {
                    info!("smpp: connected");
                    let end = {
                        let served =
                            pin!(serve::<C, M, W, T, TEXT, IDS, MO>(state, session, bind, *kind, progress, &mut conn));
                        Framed(served).await
                    };
                    Framed(pin!(C::close(&mut conn))).await;
                    match end {
                        End::Stopped => return Ok(()),
                        End::Lost { bound } => bound,
                    }
                }
            };
            if bound {
                backoff.reset();
            } else {
                state.with(|i| i.update_link(|l| l.failed_attempts = l.failed_attempts.wrapping_add(1)));
            }
            state.with(|i| i.set_link(LinkState::Disconnected));
            let Some(delay) = backoff.next_delay(progress.random()) else {
                error!("smpp: giving up after {} attempts", backoff.attempts());
                return Err(RunError::GaveUp);
            };
            info!("smpp: reconnecting in {} ms", delay.0);
            if let Either::Second(()) = select(Timer::after(to_embassy_duration(delay)), wait_stop(state)).await {
                return Ok(());
            }
        }
    }
}

/// Waits until the application asks to stop.
async fn wait_stop<M: RawMutex, const T: usize, const TEXT: usize, const IDS: usize, const MO: usize>(
    state: &State<M, T, TEXT, IDS, MO>,
) {
    poll_fn(|cx| {
        state.with(|i| match i.stop {
            true => Poll::Ready(()),
            false => {
                i.runner.register(cx.waker());
                Poll::Pending
            }
        })
    })
    .await;
}

/// A timer for `deadline`; one that never fires without one.
fn sleep_until(deadline: Option<Instant>) -> Timer {
    Timer::at(deadline.map_or(embassy_time::Instant::MAX, to_embassy))
}

/// What the session of one connection needs beside itself.
struct Link {
    bound: bool,
    /// unbind (or close) was asked of the session.
    stopping: bool,
    /// The transport has not failed.
    alive: bool,
    /// Messages lost with this connection.
    lost: u16,
    closed: Option<CloseReason>,
}

/// Why a submission waits.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Waiting {
    /// Nothing to submit, or nothing blocked.
    No,
    /// The transmit buffer is full: send, then try again at once.
    Transmit,
    /// The window is full, submissions are paused, or the session is not bound: an outcome, a
    /// deadline or a bind comes first.
    Session,
}

/// One connection: bind, then move octets, requests and events until the session closes.
async fn serve<
    C: Connect,
    M: RawMutex,
    const W: usize,
    const T: usize,
    const TEXT: usize,
    const IDS: usize,
    const MO: usize,
>(
    state: &State<M, T, TEXT, IDS, MO>,
    session: &mut Session<'_, W, 0>,
    bind: &Bind<'_>,
    kind: BindKind,
    progress: &mut Progress,
    conn: &mut C::Connection<'_>,
) -> End {
    if !open(session, bind, kind) {
        return End::Lost { bound: false };
    }
    state.with(|i| i.set_link(LinkState::Binding));
    let mut link = Link { bound: false, stopping: false, alive: true, lost: 0, closed: None };
    loop {
        // Mutate, then drain: events first (handling them may queue answers), then the
        // application's requests, then the octets.
        while let Some(event) = session.poll_event() {
            on_event(event, session, state, &mut link);
        }
        let waiting = match link.stopping {
            true => Waiting::No,
            false => submit_pending(state, session, progress),
        };
        if session.is_closed() {
            if link.alive && !session.transmit().is_empty() {
                let last = Instant(now().0.saturating_add(FINAL_WRITE.as_millis()));
                let _ = write_out::<C, W>(conn, session, Some(last)).await;
            }
            break;
        }
        if link.alive && !session.transmit().is_empty() {
            let deadline = session.poll_timeout();
            match write_out::<C, W>(conn, session, deadline).await {
                Ok(()) if waiting == Waiting::Transmit => continue,
                Ok(()) => {}
                Err(Stall::Deadline) => {
                    session.handle_timeout(now());
                    continue;
                }
                Err(Stall::Broken) => {
                    warn!("smpp: the connection broke while sending");
                    link.alive = false;
                    session.handle_connection_lost(now());
                    continue;
                }
            }
        }
        let deadline = session.poll_timeout();
        let alive = link.alive;
        let woke = {
            let room = session.receive_buffer();
            let read = async {
                match alive && !room.is_empty() {
                    true => conn.read(room).await,
                    false => pending().await,
                }
            };
            let posted = poll_fn(|cx| state.with(|i| i.poll_posted(cx)));
            select3(read, sleep_until(deadline), posted).await
        };
        let at = now();
        match woke {
            Either3::First(Ok(0)) => {
                info!("smpp: the SMSC closed the connection");
                link.alive = false;
                session.handle_connection_lost(at);
            }
            Either3::First(Ok(n)) => session.commit(at, n),
            Either3::First(Err(e)) => {
                warn!("smpp: read failed: {}", e.kind());
                link.alive = false;
                session.handle_connection_lost(at);
            }
            Either3::Second(()) => session.handle_timeout(at),
            Either3::Third(()) => {
                if !link.stopping && state.with(|i| i.stop) {
                    link.stopping = true;
                    match session.state() {
                        SessionState::Bound(_) => {
                            info!("smpp: unbinding");
                            let _ = session.unbind(at);
                        }
                        _ => session.close(at),
                    }
                }
            }
        }
    }
    let lost = link.lost;
    let reason = link.closed;
    state.with(|i| {
        i.update_link(|l| {
            l.lost = l.lost.wrapping_add(u32::from(lost));
            l.lost_last = lost;
            l.last_close = reason;
        })
    });
    if lost > 0 {
        warn!("smpp: {} messages lost with the connection", lost);
    }
    match link.stopping {
        true => End::Stopped,
        false => End::Lost { bound: link.bound },
    }
}

/// Makes the session ready for a new connection and sends the bind; false when the bind cannot
/// be sent.
#[inline(never)]
fn open<const W: usize>(session: &mut Session<'_, W, 0>, bind: &Bind<'_>, kind: BindKind) -> bool {
    let at = now();
    if session.state() != SessionState::Open {
        // The last connection's session, closed and drained when `serve` returned; or, when
        // `run` was dropped in the middle of a connection, closed here, and what it still had to
        // say dropped (the stop guard already ended every message).
        session.close(at);
        while session.poll_event().is_some() {}
        let _ = session.reset(at);
    }
    session.bind(at, kind, bind).is_ok()
}

/// Why sending stopped before the transmit buffer was empty.
enum Stall {
    /// The session's deadline came first.
    Deadline,
    /// The transport failed.
    Broken,
}

/// Writes what the session holds, straight from its transmit buffer.
async fn write_out<C: Connect, const W: usize>(
    conn: &mut C::Connection<'_>,
    session: &mut Session<'_, W, 0>,
    deadline: Option<Instant>,
) -> Result<(), Stall> {
    // One timer for every write and the flush.
    let mut timer = sleep_until(deadline);
    loop {
        let out = session.transmit();
        if out.is_empty() {
            break;
        }
        match select(conn.write(out), &mut timer).await {
            Either::First(Ok(0) | Err(_)) => return Err(Stall::Broken),
            Either::First(Ok(n)) => session.transmitted(n),
            Either::Second(()) => return Err(Stall::Deadline),
        }
    }
    match select(C::flush(conn), &mut timer).await {
        Either::First(Ok(())) => Ok(()),
        Either::First(Err(_)) => Err(Stall::Broken),
        Either::Second(()) => Err(Stall::Deadline),
    }
}

/// Hands one event of the session to the application.
#[inline(never)]
fn on_event<M: RawMutex, const W: usize, const T: usize, const TEXT: usize, const IDS: usize, const MO: usize>(
    event: Event,
    session: &mut Session<'_, W, 0>,
    state: &State<M, T, TEXT, IDS, MO>,
    link: &mut Link,
) {
    match event {
        Event::Bound { kind, .. } => {
            info!("smpp: bound ({})", kind);
            link.bound = true;
            state.with(|i| {
                i.set_link(LinkState::Bound(kind));
                i.update_link(|l| l.binds = l.binds.wrapping_add(1));
            });
        }
        Event::BindFailed(f) => warn!("smpp: bind failed: {}", f),
        Event::Outcome { handle, part, outcome, .. } => {
            let failure = outcome.part_failure().map(Failure::of_part);
            if let Some(f) = failure {
                warn!("smpp: request {} failed: {}", handle.0, f);
                if part.is_none() && f == Failure::ConnectionLost {
                    link.lost = link.lost.saturating_add(1);
                }
            }
            let id = session.message_id();
            let id = id.as_ref().map_or(&[][..], |m| m.as_bytes());
            state.with(|i| i.outcome(handle, part, failure, id));
        }
        Event::MessageDone { message, total, accepted, failed } => {
            let failed = failed.map(|(p, f)| (p, Failure::of_part(f)));
            if failed.is_some_and(|(_, f)| f == Failure::ConnectionLost) {
                link.lost = link.lost.saturating_add(1);
            }
            debug!("smpp: message {} done: {}/{} parts accepted", message.0, accepted, total);
            state.with(|i| i.message_done(message, total, accepted, failed));
        }
        Event::Receipt { token, .. } => {
            if let Some(r) = session.receipt() {
                match r.message_id {
                    Some(id) if r.state.is_final() => {
                        let error = r.text.and_then(|t| t.err).and_then(parse_code);
                        if !state.with(|i| i.receipt(id.as_bytes(), r.state, error)) {
                            debug!("smpp: a receipt for no message followed");
                        }
                    }
                    _ => debug!("smpp: intermediate receipt ({})", r.state),
                }
            }
            if let Some(token) = token {
                ack(session, token, CommandStatus::OK);
            }
        }
        Event::Message { token } | Event::DataSm { token } => {
            let status = deliver_mo::<M, W, T, TEXT, IDS, MO>(state, session);
            if let Some(token) = token {
                ack(session, token, status);
            }
        }
        Event::Throttled { until } => warn!("smpp: throttled until {} ms", until.0),
        Event::Closed(reason) => {
            info!("smpp: session closed: {}", reason);
            link.closed = Some(reason);
        }
        _ => {}
    }
}

/// The numeric `err:` code of a receipt.
fn parse_code(digits: &[u8]) -> Option<u16> {
    if digits.is_empty() || digits.len() > 4 {
        return None;
    }
    digits.iter().try_fold(0u16, |n, &d| d.is_ascii_digit().then(|| n * 10 + u16::from(d - b'0')))
}

/// Copies the message from a handset behind the event just polled into the application's slot;
/// returns the answer for the SMSC: "try later" while the slot is taken.
#[inline(never)]
fn deliver_mo<M: RawMutex, const W: usize, const T: usize, const TEXT: usize, const IDS: usize, const MO: usize>(
    state: &State<M, T, TEXT, IDS, MO>,
    session: &Session<'_, W, 0>,
) -> CommandStatus {
    let (source, dest, esm_class, data_coding, data) = match session.pdu() {
        Some(Pdu::DeliverSm(sm)) => (sm.source, sm.dest, sm.esm_class, sm.data_coding, sm.message()),
        Some(Pdu::DataSm(d)) => {
            let payload = d.tlvs.message_payload().ok().flatten().unwrap_or_default();
            (d.source, d.dest, d.esm_class, d.data_coding, payload)
        }
        _ => return CommandStatus::OK,
    };
    let Ok(mut slot) = state.mo.try_lock() else { return TRY_LATER };
    if slot.present {
        debug!("smpp: message from a handset refused: the last one was not taken yet");
        return TRY_LATER;
    }
    let m = &mut slot.message;
    m.from.set_lossy(&source);
    m.to.set_lossy(&dest);
    m.esm_class = esm_class;
    m.data_coding = data_coding;
    let n = data.len().min(MO);
    m.data.clear();
    let _ = m.data.extend_from_slice(data.get(..n).unwrap_or_default());
    m.truncated = n < data.len();
    slot.present = true;
    drop(slot);
    state.with(|i| i.mo_waiters.wake());
    CommandStatus::OK
}

/// Answers a message or receipt. The answer always fits (the session kept room for it when it
/// took the request); an error means the session closed since, and the close answers it.
#[inline(never)]
fn ack<const W: usize>(session: &mut Session<'_, W, 0>, token: IncomingToken, status: CommandStatus) {
    if session.ack(now(), token, status).is_err() {
        debug!("smpp: an answer found its request gone");
    }
}

/// Hands the queued request to the session when it can take it.
#[inline(never)]
fn submit_pending<M: RawMutex, const W: usize, const T: usize, const TEXT: usize, const IDS: usize, const MO: usize>(
    state: &State<M, T, TEXT, IDS, MO>,
    session: &mut Session<'_, W, 0>,
    progress: &mut Progress,
) -> Waiting {
    let SessionState::Bound(kind) = session.state() else { return Waiting::Session };
    let at = now();
    if session.paused_until(at).is_some() || session.outstanding() >= session.effective_window() {
        return Waiting::Session;
    }
    // The slot is read in place, outside the state's mutex: a critical section must not last as
    // long as splitting and encoding a text. The application never holds the slot across an
    // await, so it is free here (unless another executor holds it this instant: then the
    // posting wakes us again).
    let Ok(mut slot) = state.request.try_lock() else { return Waiting::Session };
    if !slot.present {
        return Waiting::No;
    }
    let (index, generation) = (slot.ticket, slot.generation);
    if !state.with(|i| i.is_queued(index, generation)) {
        // Its ticket was dropped meanwhile: withdrawn.
        slot.present = false;
        state.with(|i| i.room.wake());
        return Waiting::No;
    }
    let result = match kind.can_transmit() {
        false => Err(CommandError::InvalidState),
        true => submit(session, &slot, at, progress.reference),
    };
    match result {
        Ok(handle) => {
            if matches!(slot.request, Request::Text { .. }) {
                progress.reference = progress.reference.wrapping_add(1);
            }
            slot.present = false;
            drop(slot);
            debug!("smpp: submitted as {}", handle.0);
            state.with(|i| i.submitted(index, generation, handle));
            Waiting::No
        }
        Err(CommandError::TransmitBufferFull) => Waiting::Transmit,
        Err(e) if e.is_busy() => Waiting::Session,
        Err(e) => {
            warn!("smpp: request refused: {}", e);
            slot.present = false;
            drop(slot);
            state.with(|i| i.refused(index, generation, Failure::Refused(e)));
            Waiting::No
        }
    }
}

#[inline(never)]
fn submit<const W: usize, const TEXT: usize>(
    session: &mut Session<'_, W, 0>,
    request: &RequestSlot<TEXT>,
    at: Instant,
    reference: u16,
) -> Result<Handle, CommandError> {
    let (from, to) = (&request.from, &request.to);
    match &request.request {
        Request::Frame { frame, decoder } => {
            if let Some(decoder) = decoder {
                session.set_decoder(*decoder);
            }
            session.send_frame(at, frame)
        }
        Request::Text { text, encoding, concatenation, receipt } => {
            let template = SubmitSm {
                registered_delivery: match receipt {
                    true => RegisteredDelivery::RECEIPT,
                    false => RegisteredDelivery(0),
                },
                ..SubmitSm::new(from.as_address(), to.as_address(), &[])
            };
            let encoding = encoding.unwrap_or_else(|| choose(text, &[], *concatenation));
            let options = TextOptions { encoding, concatenation: *concatenation, reference };
            let mut scratch = [0u8; SCRATCH];
            session.submit_text(at, &template, text, options, &mut scratch)
        }
    }
}
