//! The panel's SMPP side: the runner keeps the link bound; on each alarm every recipient gets the
//! text, and whoever's receipt does not say delivered gets it again after a growing pause.

use embassy_executor::Spawner;
use embassy_net::Stack;
use embassy_stm32::exti::ExtiInput;
use embassy_stm32::mode::Async;
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_time::{Duration, Instant, Timer, with_deadline};
use smpp_embassy::smpp_codec::Address;
use smpp_embassy::smpp_session::{self, Backoff, Keepalive};
use smpp_embassy::{Buffers, Client, Config, Failure, LinkState, MoMessage, Remote, Runner, State, Text};
use static_cell::{ConstStaticCell, StaticCell};

use crate::Leds;
use crate::config::{self, RECIPIENTS_MAX};

/// The session's window: requests awaiting a response at once, and the most parts of one text.
const WINDOW: usize = 4;
/// Messages followed at once (one per recipient, until its receipt).
const TICKETS: usize = RECIPIENTS_MAX;
/// Octets of a queued text (UTF-8).
const TEXT: usize = 160;
/// Octets for the SMSC's message ids of one message (LabsMobile's are 13 characters).
const IDS: usize = 32;
/// Octets kept of a message from a handset.
const MO: usize = 64;

type Sms = Client<'static, NoopRawMutex, TICKETS, TEXT, IDS, MO>;
type Ticket = smpp_embassy::Ticket<'static, NoopRawMutex, TICKETS, TEXT, IDS, MO>;
#[cfg(not(feature = "tls"))]
type Connector = smpp_embassy::TcpConnector<'static>;
#[cfg(feature = "tls")]
type Connector = crate::tls::Connector;
type SmsRunner = Runner<'static, NoopRawMutex, Connector, WINDOW, TICKETS, TEXT, IDS, MO>;

// Everything the SMPP side owns, in statics the linker places: no heap.
static STATE: ConstStaticCell<State<NoopRawMutex, TICKETS, TEXT, IDS, MO>> = ConstStaticCell::new(State::new());
/// The session's receive buffer: a receipt is ~160 octets; a longer PDU (a message from a
/// handset over ~300 characters) is refused and skipped.
static SESSION_RX: ConstStaticCell<[u8; 320]> = ConstStaticCell::new([0; 320]);
/// The session's transmit buffer: one single-part text (~210 octets for 160 GSM characters) with
/// the room the session keeps for its own PDUs and answers (`min_transmit_buffer` + the text).
static SESSION_TX: ConstStaticCell<[u8; 448]> = ConstStaticCell::new([0; 448]);
/// The TCP socket's buffers (the same in the firmware without SMPP).
static SOCKET_RX: ConstStaticCell<[u8; 1024]> = ConstStaticCell::new([0; 1024]);
static SOCKET_TX: ConstStaticCell<[u8; 1024]> = ConstStaticCell::new([0; 1024]);
/// The runner (with the session in it). Its task gets a reference: an `async fn` keeps its
/// arguments apart from the locals that outlive an await (rust-lang/rust#62958), so a runner
/// passed by value would take its size twice in the task's storage.
static RUNNER: StaticCell<SmsRunner> = StaticCell::new();

/// Starts the SMPP runner and the alarm task.
pub fn start(
    spawner: Spawner,
    stack: Stack<'static>,
    alarm: ExtiInput<'static, Async>,
    leds: Leds,
    seed: u32,
    #[cfg(feature = "tls")] rng: crate::tls::Rng,
) {
    let remote = Remote::Host(config::SMSC_HOST, config::SMSC_PORT);
    #[cfg(not(feature = "tls"))]
    let socket = smpp_embassy::TcpConnector::new(stack, remote, SOCKET_RX.take(), SOCKET_TX.take());
    #[cfg(feature = "tls")]
    let socket = crate::tls::connector(stack, remote, SOCKET_RX.take(), SOCKET_TX.take(), rng);
    let mut smpp = Config::new(config::SYSTEM_ID, config::PASSWORD);
    // enquire_link after 30 s without traffic; a link that does not answer in 10 s is dead.
    smpp.session.keepalive = Keepalive::WhenIdle(smpp_session::Duration::from_secs(30));
    smpp.session.enquire_link_timeout = smpp_session::Duration::from_secs(10);
    smpp.seed = seed;
    let buffers = Buffers { rx: SESSION_RX.take(), tx: SESSION_TX.take() };
    let (sms, runner): (Sms, SmsRunner) = smpp_embassy::new(STATE.take(), socket, smpp, buffers);
    let Leds { bound, busy, fault } = leds;
    spawner.spawn(unwrap!(smpp_task(RUNNER.init(runner))));
    spawner.spawn(unwrap!(link_task(sms, bound)));
    spawner.spawn(unwrap!(inbox_task(sms)));
    spawner.spawn(unwrap!(alarm_task(sms, alarm, busy, fault, seed)));
}

#[embassy_executor::task]
async fn smpp_task(runner: &'static mut SmsRunner) {
    match runner.run().await {
        Ok(()) => info!("smpp: unbound"),
        Err(e) => error!("smpp: stopped: {}", e),
    }
}

/// The green LED follows the link.
#[embassy_executor::task]
async fn link_task(sms: Sms, mut led: embassy_stm32::gpio::Output<'static>) {
    let mut bound = false;
    loop {
        let link = sms.wait_link(|l| matches!(l.state, LinkState::Bound(_)) != bound).await;
        bound = !bound;
        led.set_level(bound.into());
        info!("link: {} ({} binds, {} messages lost so far)", link.state, link.binds, link.lost);
        if link.state == LinkState::Stopped {
            return;
        }
    }
}

/// Messages from handsets are taken (so the SMSC's deliveries are answered) and logged (a panel
/// could take commands this way).
#[embassy_executor::task]
async fn inbox_task(sms: Sms) {
    loop {
        let m = sms.receive_message().await;
        log_message(&m);
    }
}

/// Logs a message from a handset with its text decoded.
#[cfg(feature = "defmt")]
fn log_message(m: &MoMessage<MO>) {
    let mut text: heapless::String<MO> = heapless::String::new();
    for c in m.chars() {
        if text.push(c).is_err() {
            break;
        }
    }
    info!("message from {=str}: {=str}", m.from.as_str(), text.as_str());
}

/// Without logging there is nothing to do with the text.
#[cfg(not(feature = "defmt"))]
fn log_message(_: &MoMessage<MO>) {}

#[embassy_executor::task]
async fn alarm_task(
    sms: Sms,
    mut alarm: ExtiInput<'static, Async>,
    mut busy: embassy_stm32::gpio::Output<'static>,
    mut fault: embassy_stm32::gpio::Output<'static>,
    seed: u32,
) {
    let recipients = config::RECIPIENT_LIST;
    let mut random = seed | 1;
    let mut round = 0u32;
    loop {
        alarm.wait_for_rising_edge().await;
        // A contact that bounces is one alarm.
        Timer::after(Duration::from_millis(50)).await;
        if alarm.is_low() {
            continue;
        }
        round = round.wrapping_add(1);
        info!("alarm {}: notifying", round);
        busy.set_high();
        let all = notify(sms, &recipients, &mut random).await;
        busy.set_low();
        fault.set_level((!all).into());
        match all {
            true => info!("alarm {}: delivered to everyone", round),
            false => warn!("alarm {}: not delivered to everyone", round),
        }
    }
}

/// Sends the alarm to every recipient, waits for the receipts, and sends it again to those
/// whose receipt did not say delivered (or who had none in time), after a growing pause; true
/// once everyone has it, false when the attempts run out.
async fn notify(sms: Sms, recipients: &[&'static str; RECIPIENTS_MAX], random: &mut u32) -> bool {
    // The recipients still waiting for the alarm.
    let mut pending = recipients.map(|r| !r.is_empty());
    let mut backoff = Backoff::new(
        smpp_session::Duration::from_millis(config::RETRY_FIRST_MS),
        smpp_session::Duration::from_millis(config::RETRY_MAX_MS),
        Some(config::RETRY_ATTEMPTS),
    );
    loop {
        // Every pending recipient's message goes out at once (the runner pipelines them).
        let mut tickets: [Option<Ticket>; RECIPIENTS_MAX] = [const { None }; RECIPIENTS_MAX];
        for ((to, ticket), _) in recipients.iter().zip(tickets.iter_mut()).zip(pending.iter()).filter(|(_, p)| **p) {
            let text = Text::new(Address::alphanumeric(config::SENDER), Address::international(to), config::ALARM_TEXT);
            match sms.submit_text(&text).await {
                Ok(t) => *ticket = Some(t),
                Err(e) => {
                    error!("alarm: {}", e);
                    return false;
                }
            }
        }
        // The SMSC's answers, then the receipts, all by one deadline.
        let deadline = Instant::now() + config::RECEIPT_WAIT;
        for ((to, ticket), pending) in recipients.iter().zip(tickets.iter()).zip(pending.iter_mut()) {
            let Some(ticket) = ticket else { continue };
            let outcome = ticket.outcome().await;
            if let Some(f) = outcome.failure() {
                warn!("alarm to {=str}: {}", to, f);
                if let Failure::Refused(_) = f {
                    error!("alarm to {=str}: cannot be sent", to);
                    *pending = false;
                }
                continue;
            }
            info!("alarm to {=str}: accepted as {=str}", to, outcome.message_id().unwrap_or("?"));
            match with_deadline(deadline, ticket.receipt()).await {
                Ok(Ok(r)) if r.is_delivered() => {
                    info!("alarm to {=str}: delivered", to);
                    *pending = false;
                }
                Ok(Ok(r)) => warn!("alarm to {=str}: {} (err {})", to, r.state, r.error),
                Ok(Err(e)) => warn!("alarm to {=str}: no receipt: {}", to, e),
                Err(_) => warn!("alarm to {=str}: no receipt in time", to),
            }
        }
        drop(tickets);
        if !pending.iter().any(|p| *p) {
            return recipients.iter().any(|r| !r.is_empty());
        }
        *random ^= *random << 13;
        *random ^= *random >> 17;
        *random ^= *random << 5;
        let Some(pause) = backoff.next_delay(*random) else {
            error!("alarm: giving up after {} rounds", backoff.attempts());
            return false;
        };
        info!("alarm: sending again in {} s", pause.as_millis() / 1000);
        Timer::after(Duration::from_millis(pause.as_millis())).await;
    }
}
