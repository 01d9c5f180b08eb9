//! An SMSC for the runner's tests: an SMSC-role session over any embedded-io-async connection,
//! imitating LabsMobile (13-hex-digit message ids; receipts with esm_class 4, the receipt text and
//! both TLVs; destinations ending in 0 undeliverable), with faults scripted by submission number.
//!
//! `no_std` (core, heapless, embassy): the host tests and the QEMU test binary both include it.
#![allow(dead_code, clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use core::cell::RefCell;
use core::fmt::Write as _;

use embassy_futures::select::{Either, select};
use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_time::{Duration, Instant as EmbassyInstant, Timer};
use embedded_io_async::{Read, Write};
use smpp_codec::pdu::{DeliverSm, MessageIdResp, QuerySmResp};
use smpp_codec::{Address, CommandId, CommandStatus, EsmClass, MessageState, Pdu, Tlv, Tlvs};
use smpp_session::{CloseReason, Config, Event, IncomingToken, Instant, Session};

/// What the SMSC is. Faults are armed at run time through [`Stats`] (`throttle_next` ...), so a
/// test scripts them right before the step they concern.
#[derive(Copy, Clone, Debug)]
pub struct Behaviour {
    pub system_id: &'static str,
    pub password: &'static str,
    /// Destinations ending in this digit get an UNDELIV receipt (err:001).
    pub undeliverable_suffix: Option<u8>,
}

impl Behaviour {
    pub const fn labsmobile(system_id: &'static str, password: &'static str) -> Self {
        Behaviour { system_id, password, undeliverable_suffix: Some(b'0') }
    }
}

/// How a connection ended on the SMSC's side.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Ended {
    /// Close it gracefully (FIN).
    Close,
    /// Reset it (a scripted fault).
    Abort,
}

/// A submit_sm as the SMSC saw it.
#[derive(Clone, Debug, Default)]
pub struct Seen {
    pub dest: heapless::Vec<u8, 20>,
    pub data_coding: u8,
    pub esm_class: u8,
    pub registered_delivery: u8,
    /// The user data (UDH included).
    pub message: heapless::Vec<u8, 160>,
    /// The message id given, empty when refused.
    pub id: heapless::String<16>,
}

impl Seen {
    /// The concatenation (reference, total, seq) of an 8-bit-reference UDH.
    pub fn concat(&self) -> Option<(u8, u8, u8)> {
        match self.message.as_slice() {
            [5, 0, 3, r, t, s, ..] if self.esm_class & 0x40 != 0 => Some((*r, *t, *s)),
            _ => None,
        }
    }

    /// The user data after the UDH.
    pub fn payload(&self) -> &[u8] {
        match self.esm_class & 0x40 != 0 {
            true => self.message.get(usize::from(self.message[0]) + 1..).unwrap_or_default(),
            false => &self.message,
        }
    }
}

/// What the SMSC did, and the faults armed for what comes next; shared with the test.
#[derive(Debug, Default)]
pub struct Stats {
    pub connections: u32,
    pub binds: u32,
    pub bad_binds: u32,
    pub submits: u32,
    pub accepted: u32,
    pub throttled: u32,
    pub dropped: u32,
    pub receipts_sent: u32,
    pub mo_sent: u32,
    /// Answers to our deliver_sm (receipts and messages), by status.
    pub delivers_ok: u32,
    pub delivers_try_later: u32,
    pub unbinds: u32,
    /// enquire_link requests received (every PDU received that no event accounts for).
    pub keepalives: u32,
    /// When each submission came, in ms since boot.
    pub submit_times: heapless::Vec<u64, 48>,
    pub seen: heapless::Vec<Seen, 48>,
    /// Receipts not sent yet; they survive the connection.
    receipts: heapless::Vec<PendingReceipt, 16>,

    // Faults armed by the test, each for that many of the next submissions.
    pub throttle_next: u32,
    /// Reset the connection on the submission, unanswered.
    pub drop_next: u32,
    /// Stop reading and answering for `mute_ms` on the submission, then reset the connection.
    pub mute_next: u32,
    pub mute_ms: u64,
    /// Answer the submission only after `delay_ms`.
    pub delay_next: u32,
    pub delay_ms: u64,
    /// How long bind_resp waits.
    pub bind_delay_ms: u64,
    /// How long after the response a receipt comes.
    pub receipt_delay_ms: u64,
    /// Messages from a handset to send as soon as bound.
    pub mo_next: heapless::Deque<&'static str, 4>,
}

pub type Shared = Mutex<CriticalSectionRawMutex, RefCell<Stats>>;

pub const fn shared() -> Shared {
    Mutex::new(RefCell::new(Stats {
        connections: 0,
        binds: 0,
        bad_binds: 0,
        submits: 0,
        accepted: 0,
        throttled: 0,
        dropped: 0,
        receipts_sent: 0,
        mo_sent: 0,
        delivers_ok: 0,
        delivers_try_later: 0,
        unbinds: 0,
        keepalives: 0,
        submit_times: heapless::Vec::new(),
        seen: heapless::Vec::new(),
        receipts: heapless::Vec::new(),
        throttle_next: 0,
        drop_next: 0,
        mute_next: 0,
        mute_ms: 0,
        delay_next: 0,
        delay_ms: 0,
        bind_delay_ms: 0,
        receipt_delay_ms: 20,
        mo_next: heapless::Deque::new(),
    }))
}

/// Takes one from an armed fault counter.
fn take(n: &mut u32) -> bool {
    let armed = *n > 0;
    *n = n.saturating_sub(1);
    armed
}

pub fn stats<R>(shared: &Shared, f: impl FnOnce(&mut Stats) -> R) -> R {
    shared.lock(|c| f(&mut c.borrow_mut()))
}

fn now() -> Instant {
    Instant(EmbassyInstant::now().as_millis())
}

/// A receipt to send later.
#[derive(Clone, Debug)]
struct PendingReceipt {
    due: u64,
    id: heapless::String<16>,
    handset: heapless::Vec<u8, 20>,
    delivered: bool,
}

/// A response to send later.
#[derive(Copy, Clone, Debug)]
struct Delayed {
    due: u64,
    token: IncomingToken,
    bind: bool,
    submit: u32,
}

/// Serves one connection until it ends or a scripted fault ends it; says how the caller closes
/// the connection.
pub async fn serve<C: Read + Write>(conn: &mut C, b: &Behaviour, shared: &Shared) -> Ended {
    let mut rx = [0u8; 1024];
    let mut tx = [0u8; 1024];
    let config = Config { session_init_timeout: smpp_session::Duration::from_secs(30), ..Config::default() };
    let Ok(mut session) = Session::<'_, 8>::smsc(config, &mut rx, &mut tx, now()) else { return Ended::Abort };
    let keepalives_before = stats(shared, |s| {
        s.connections += 1;
        s.keepalives
    });
    let mut delayed: heapless::Vec<Delayed, 8> = heapless::Vec::new();
    // PDUs received that an event accounts for; the rest are enquire_links.
    let mut accounted = 0u32;
    loop {
        let at = now();
        while let Some(event) = session.poll_event() {
            match event {
                Event::BindRequest { token, .. } => {
                    accounted += 1;
                    let ok = match session.pdu() {
                        Some(Pdu::BindTransceiver(x) | Pdu::BindTransmitter(x) | Pdu::BindReceiver(x)) => {
                            x.system_id.as_bytes() == b.system_id.as_bytes()
                                && x.password.as_bytes() == b.password.as_bytes()
                        }
                        _ => false,
                    };
                    let delay = stats(shared, |s| s.bind_delay_ms);
                    if !ok {
                        stats(shared, |s| s.bad_binds += 1);
                        let _ = session.reject_bind(at, token, CommandStatus::INVALID_PASSWORD);
                    } else if delay > 0 {
                        let _ = delayed.push(Delayed { due: at.0 + delay, token, bind: true, submit: 0 });
                    } else {
                        accept(&mut session, token, shared);
                    }
                }
                Event::Request { token, command: CommandId::SUBMIT_SM } => {
                    accounted += 1;
                    let Some(sm) = session.sm() else { continue };
                    let mut seen = Seen {
                        dest: heapless::Vec::from_slice(sm.dest.addr.as_bytes()).unwrap_or_default(),
                        data_coding: sm.data_coding.0,
                        esm_class: sm.esm_class.0,
                        registered_delivery: sm.registered_delivery.0,
                        message: heapless::Vec::from_slice(sm.message()).unwrap_or_default(),
                        id: heapless::String::new(),
                    };
                    enum Fault {
                        None,
                        Drop,
                        Mute(u64),
                        Throttle,
                        Delay(u64),
                    }
                    let (n, fault) = stats(shared, |s| {
                        s.submits += 1;
                        let _ = s.submit_times.push(at.0);
                        let fault = if take(&mut s.drop_next) {
                            Fault::Drop
                        } else if take(&mut s.mute_next) {
                            Fault::Mute(s.mute_ms)
                        } else if take(&mut s.throttle_next) {
                            Fault::Throttle
                        } else if take(&mut s.delay_next) {
                            Fault::Delay(s.delay_ms)
                        } else {
                            Fault::None
                        };
                        match fault {
                            Fault::Drop | Fault::Mute(_) => s.dropped += 1,
                            Fault::Throttle => s.throttled += 1,
                            _ => {}
                        }
                        (s.submits, fault)
                    });
                    match fault {
                        Fault::Drop => {
                            stats(shared, |s| s.seen.push(seen).ok());
                            return Ended::Abort;
                        }
                        Fault::Mute(ms) => {
                            stats(shared, |s| s.seen.push(seen).ok());
                            Timer::after(Duration::from_millis(ms)).await;
                            return Ended::Abort;
                        }
                        Fault::Throttle => {
                            stats(shared, |s| s.seen.push(seen).ok());
                            let _ = session.respond(at, token, CommandStatus::THROTTLED, None);
                            continue;
                        }
                        Fault::Delay(ms) => {
                            seen.id = message_id(n);
                            stats(shared, |s| s.seen.push(seen).ok());
                            let _ = delayed.push(Delayed { due: at.0 + ms, token, bind: false, submit: n });
                            continue;
                        }
                        Fault::None => {}
                    }
                    let id = message_id(n);
                    seen.id = id.clone();
                    if seen.registered_delivery & 0x03 != 0 {
                        let delivered = b.undeliverable_suffix.is_none_or(|d| seen.dest.last() != Some(&d));
                        let handset = seen.dest.clone();
                        stats(shared, |s| {
                            let due = at.0 + s.receipt_delay_ms;
                            s.receipts.push(PendingReceipt { due, id: id.clone(), handset, delivered }).ok()
                        });
                    }
                    stats(shared, |s| {
                        s.accepted += 1;
                        s.seen.push(seen).ok()
                    });
                    let resp = Pdu::SubmitSmResp(MessageIdResp::new(id.as_str()));
                    let _ = session.respond(at, token, CommandStatus::OK, Some(&resp));
                }
                Event::Request { token, command: CommandId::QUERY_SM } => {
                    accounted += 1;
                    let mut id: heapless::String<65> = heapless::String::new();
                    if let Some(Pdu::QuerySm(q)) = session.pdu() {
                        let _ = id.push_str(core::str::from_utf8(q.message_id.as_bytes()).unwrap_or(""));
                    }
                    let resp = QuerySmResp {
                        message_id: id.as_str().into(),
                        message_state: MessageState::DELIVERED,
                        ..QuerySmResp::default()
                    };
                    let _ = session.respond(at, token, CommandStatus::OK, Some(&Pdu::QuerySmResp(resp)));
                }
                Event::Request { token, .. } | Event::DataSm { token: Some(token) } => {
                    accounted += 1;
                    let _ = session.respond(at, token, CommandStatus::INVALID_COMMAND_ID, None);
                }
                Event::Outcome { outcome, .. } => {
                    accounted += 1;
                    stats(shared, |s| match outcome.status().map(|st| st.raw()) {
                        Some(0) => s.delivers_ok += 1,
                        Some(0x64) => s.delivers_try_later += 1,
                        _ => {}
                    });
                }
                Event::Closed(CloseReason::PeerUnbound) => {
                    accounted += 1;
                    stats(shared, |s| s.unbinds += 1);
                }
                _ => {}
            }
        }
        // Due responses, receipts and messages from handsets.
        let at = now();
        while let Some(i) = delayed.iter().position(|d| d.due <= at.0) {
            let d = delayed.swap_remove(i);
            if d.bind {
                accept(&mut session, d.token, shared);
            } else {
                let id = message_id(d.submit);
                let resp = Pdu::SubmitSmResp(MessageIdResp::new(id.as_str()));
                if session.respond(at, d.token, CommandStatus::OK, Some(&resp)).is_ok() {
                    stats(shared, |s| s.accepted += 1);
                }
            }
        }
        if matches!(session.state(), smpp_session::State::Bound(_)) {
            while let Some(r) =
                stats(shared, |s| s.receipts.iter().position(|r| r.due <= at.0).map(|i| s.receipts[i].clone()))
            {
                if send_receipt(&mut session, at, &r).is_err() {
                    break;
                }
                stats(shared, |s| {
                    s.receipts.retain(|x| x.id != r.id);
                    s.receipts_sent += 1;
                });
            }
            while let Some(text) = stats(shared, |s| s.mo_next.front().copied()) {
                let sm = DeliverSm::new(
                    Address::international("34600111222"),
                    Address::alphanumeric("Panel"),
                    text.as_bytes(),
                );
                if session.send(at, &Pdu::DeliverSm(sm)).is_err() {
                    break;
                }
                stats(shared, |s| {
                    s.mo_next.pop_front();
                    s.mo_sent += 1;
                });
            }
        }
        let keepalives = session.counters().pdus_received.saturating_sub(accounted);
        stats(shared, |s| s.keepalives = keepalives_before + keepalives);
        // Send.
        while !session.transmit().is_empty() {
            match conn.write(session.transmit()).await {
                Ok(0) | Err(_) => return Ended::Abort,
                Ok(n) => session.transmitted(n),
            }
        }
        let _ = conn.flush().await;
        if session.is_closed() {
            return Ended::Close;
        }
        // Sleep until the socket, the session or a scripted moment needs us.
        // Receipts and messages armed from another task are picked up by polling.
        let mut deadline = at.0 + 20;
        let receipt_due = stats(shared, |s| s.receipts.iter().map(|r| r.due).min());
        let session_due = session.poll_timeout().map(|t| t.0);
        for due in receipt_due.into_iter().chain(session_due).chain(delayed.iter().map(|d| d.due)) {
            deadline = deadline.min(due);
        }
        let woke = {
            let room = session.receive_buffer();
            select(conn.read(room), Timer::at(EmbassyInstant::from_millis(deadline))).await
        };
        let at = now();
        match woke {
            Either::First(Ok(0) | Err(_)) => return Ended::Close,
            Either::First(Ok(n)) => session.commit(at, n),
            Either::Second(()) => session.handle_timeout(at),
        }
    }
}

fn accept<const W: usize>(session: &mut Session<'_, W>, token: IncomingToken, shared: &Shared) {
    if session.accept_bind(now(), token, "LabsMobile").is_ok() {
        stats(shared, |s| s.binds += 1);
    }
}

/// LabsMobile's id form: 13 lowercase hex digits.
fn message_id(n: u32) -> heapless::String<16> {
    let mut id = heapless::String::new();
    let _ = write!(id, "{:013x}", 0x6_8090_a534_e551u64 + u64::from(n));
    id
}

fn send_receipt<const W: usize>(
    session: &mut Session<'_, W>,
    at: Instant,
    r: &PendingReceipt,
) -> Result<(), smpp_session::CommandError> {
    let (stat, err, dlvrd, state) = match r.delivered {
        true => ("DELIVRD", "000", "001", MessageState::DELIVERED),
        false => ("UNDELIV", "001", "000", MessageState::UNDELIVERABLE),
    };
    let mut text: heapless::String<160> = heapless::String::new();
    let _ = write!(
        text,
        "id:{} sub:001 dlvrd:{dlvrd} submit date:2504231542 done date:2504231543 stat:{stat} err:{err}",
        r.id
    );
    let tlvs = [Tlv::receipted_message_id(r.id.as_str()), Tlv::message_state(state)];
    let handset = core::str::from_utf8(&r.handset).unwrap_or_default();
    let sm = DeliverSm {
        esm_class: EsmClass::DELIVERY_RECEIPT,
        tlvs: Tlvs::from_slice(&tlvs),
        ..DeliverSm::new(Address::international(handset), Address::alphanumeric("Alarm"), text.as_bytes())
    };
    session.send(at, &Pdu::DeliverSm(sm)).map(drop)
}
