//! The firmware with the SMPP parts taken out, for the footprint comparison: the same Ethernet
//! driver, executor, DHCP, DNS and TCP socket (with the same buffers), the same alarm input and
//! LEDs. On an alarm it writes a line to the server and reads what comes back.
//!
//! With `codec-only` the line is a submit_sm encoded by smpp-codec and what comes back is decoded
//! by it; with `rusmpp` both are rusmpp-core's (its borrowed, no-alloc API). The two variants
//! differ from the baseline by one codec each, on identical plumbing.

use embassy_executor::Spawner;
use embassy_futures::select::{Either, select};
use embassy_net::dns::DnsQueryType;
use embassy_net::tcp::TcpSocket;
use embassy_net::{IpEndpoint, Stack};
use embassy_stm32::exti::ExtiInput;
use embassy_stm32::gpio::Output;
use embassy_stm32::mode::Async;
use embassy_time::{Duration, Timer, with_timeout};
use static_cell::ConstStaticCell;

use crate::Leds;
use crate::config;

/// The TCP socket's buffers (the same as the SMPP firmware's).
static SOCKET_RX: ConstStaticCell<[u8; 1024]> = ConstStaticCell::new([0; 1024]);
static SOCKET_TX: ConstStaticCell<[u8; 1024]> = ConstStaticCell::new([0; 1024]);

pub fn start(spawner: Spawner, stack: Stack<'static>, alarm: ExtiInput<'static, Async>, leds: Leds) {
    spawner.spawn(unwrap!(link_task(stack, alarm, leds)));
}

#[embassy_executor::task]
async fn link_task(stack: Stack<'static>, mut alarm: ExtiInput<'static, Async>, leds: Leds) {
    let (rx, tx) = (SOCKET_RX.take(), SOCKET_TX.take());
    let Leds { mut bound, mut busy, fault: _ } = leds;
    loop {
        stack.wait_config_up().await;
        let Ok(addrs) = stack.dns_query(config::SMSC_HOST, DnsQueryType::A).await else {
            warn!("cannot resolve the server");
            Timer::after(Duration::from_secs(5)).await;
            continue;
        };
        let Some(addr) = addrs.first() else { continue };
        let mut socket = TcpSocket::new(stack, rx, tx);
        socket.set_timeout(Some(Duration::from_secs(60)));
        match with_timeout(Duration::from_secs(10), socket.connect(IpEndpoint::new(*addr, config::SMSC_PORT))).await {
            Ok(Ok(())) => {}
            _ => {
                warn!("cannot connect");
                Timer::after(Duration::from_secs(5)).await;
                continue;
            }
        }
        bound.set_high();
        serve(&mut socket, &mut alarm, &mut busy).await;
        bound.set_low();
        socket.close();
        let _ = with_timeout(Duration::from_secs(1), socket.flush()).await;
    }
}

/// Sends on each alarm and reads what comes back, until the connection ends.
async fn serve(socket: &mut TcpSocket<'_>, alarm: &mut ExtiInput<'static, Async>, busy: &mut Output<'static>) {
    let mut inbox = [0u8; 512];
    let mut filled = 0;
    loop {
        let room = inbox.get_mut(filled..).unwrap_or_default();
        match select(socket.read(room), alarm.wait_for_rising_edge()).await {
            Either::First(Ok(0) | Err(_)) => return,
            Either::First(Ok(n)) => {
                filled += n;
                filled = received(&mut inbox, filled);
            }
            Either::Second(()) => {
                busy.set_high();
                let mut out = [0u8; 256];
                let n = alarm_frame(&mut out);
                let sent = socket.write(out.get(..n).unwrap_or_default()).await;
                busy.set_low();
                if sent.is_err() {
                    return;
                }
                info!("alarm sent");
            }
        }
    }
}

/// Takes whole frames (or lines) from the front of `inbox`; returns what is left.
fn received(inbox: &mut [u8], filled: usize) -> usize {
    let mut at = 0;
    while let Some(n) = take_frame(inbox.get(at..filled).unwrap_or_default()) {
        at += n;
    }
    if at == 0 && filled == inbox.len() {
        // A frame larger than the buffer: drop it all.
        return 0;
    }
    inbox.copy_within(at..filled, 0);
    filled - at
}

#[cfg(feature = "baseline")]
fn alarm_frame(out: &mut [u8]) -> usize {
    let line = config::ALARM_TEXT.as_bytes();
    let n = line.len().min(out.len() - 1);
    out[..n].copy_from_slice(&line[..n]);
    out[n] = b'\n';
    n + 1
}

#[cfg(feature = "baseline")]
fn take_frame(bytes: &[u8]) -> Option<usize> {
    let end = bytes.iter().position(|b| *b == b'\n')?;
    info!("server: {} octets", end);
    Some(end + 1)
}

#[cfg(feature = "codec-only")]
fn alarm_frame(out: &mut [u8]) -> usize {
    use smpp_codec::pdu::SubmitSm;
    use smpp_codec::{Address, CommandStatus, Pdu, RegisteredDelivery};
    let mut sm = SubmitSm::new(
        Address::alphanumeric(config::SENDER),
        Address::international("34600000001"),
        config::ALARM_TEXT.as_bytes(),
    );
    sm.registered_delivery = RegisteredDelivery::RECEIPT;
    Pdu::SubmitSm(sm).emit(1, CommandStatus::OK, out).unwrap_or(0)
}

#[cfg(feature = "codec-only")]
fn take_frame(bytes: &[u8]) -> Option<usize> {
    use smpp_codec::{DEFAULT_MAX_COMMAND_LENGTH, Frame, Pdu, frame_len};
    let Ok(Frame::Complete(n)) = frame_len(bytes, DEFAULT_MAX_COMMAND_LENGTH) else { return None };
    match Pdu::parse(bytes.get(..n)?) {
        Ok((h, pdu)) => info!("server: {} seq {}", pdu.command_id(), h.sequence_number),
        Err(e) => warn!("server: undecodable frame: {}", e),
    }
    Some(n)
}

#[cfg(feature = "rusmpp")]
fn alarm_frame(out: &mut [u8]) -> usize {
    use rusmpp_core::command::borrowed::Command;
    use rusmpp_core::decode::borrowed::DecodeWithLength;
    use rusmpp_core::encode::{Encode, Length};
    // rusmpp-core builds a submit_sm from its own types; decoding the wire form of the same
    // message (SMPP-REFERENCE §11.4) gives one without pulling in its builders.
    const SUBMIT_SM: [u8; 54] = [
        0x00, 0x00, 0x00, 0x36, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x05,
        0x00, 0x54, 0x65, 0x73, 0x74, 0x00, 0x01, 0x01, 0x34, 0x34, 0x37, 0x37, 0x30, 0x30, 0x39, 0x30, 0x30, 0x31,
        0x32, 0x33, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F,
    ];
    let template = core::hint::black_box(&SUBMIT_SM);
    let Ok((command, _)) = Command::<'_, 16>::decode(&template[4..], template.len() - 4) else { return 0 };
    let len = 4 + command.length();
    if len > out.len() {
        return 0;
    }
    out[..4].copy_from_slice(&(len as u32).to_be_bytes());
    command.encode(&mut out[4..len]) + 4
}

#[cfg(feature = "rusmpp")]
fn take_frame(bytes: &[u8]) -> Option<usize> {
    use rusmpp_core::command::borrowed::Command;
    use rusmpp_core::decode::borrowed::DecodeWithLength;
    let len = u32::from_be_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
    if len < 16 || bytes.len() < len {
        return None;
    }
    match Command::<'_, 16>::decode(&bytes[4..len], len - 4) {
        Ok((command, _)) => info!("server: seq {}", command.sequence_number()),
        Err(_) => warn!("server: undecodable frame"),
    }
    Some(len)
}
