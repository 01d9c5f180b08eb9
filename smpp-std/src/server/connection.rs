//! One connection of the server: an SMSC-role session driven by a poll loop on its own thread.

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use log::{debug, info, warn};
use mio::net::TcpStream;
use mio::{Events, Poll, Token, Waker};
use smpp_codec::pdu::{DeliverSm, MessageIdResp};
use smpp_codec::{Address, CommandId, CommandStatus, EsmClass, MessageState, Pdu, Tlv, Tlvs};
use smpp_session::{Event, Instant, Session, State};

use super::Hub;
use crate::clock::{Clock, from_std};
use crate::conn::Conn;

const SOCKET: Token = Token(0);
const WAKE: Token = Token(1);

/// The window of a server connection.
const W: usize = 64;

/// A receipt to send when it is due.
#[derive(Debug)]
struct Due {
    at: Instant,
    id: String,
    /// The handset the message was for (the receipt's source).
    handset: String,
    /// The sender of the message (the receipt's destination).
    sender: String,
    state: MessageState,
}

pub(super) fn serve(stream: TcpStream, peer: SocketAddr, id: usize, hub: Arc<Hub>) {
    if let Err(e) = run(stream, peer, id, &hub) {
        debug!("smpp server: connection {id} from {peer} ended: {e}");
    }
    hub.wakers.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&id);
}

fn run(stream: TcpStream, peer: SocketAddr, id: usize, hub: &Hub) -> io::Result<()> {
    let mut poll = Poll::new()?;
    let waker = Arc::new(Waker::new(poll.registry(), WAKE)?);
    hub.wakers.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(id, Arc::clone(&waker));
    let mut conn = Conn::register(poll.registry(), stream, SOCKET)?;
    let (mut rx, mut tx) = (vec![0u8; 64 * 1024 + 1024], vec![0u8; 64 * 1024]);
    let clock = Clock::new();
    let mut session: Session<'_, W> = Session::smsc(hub.config.session, &mut rx, &mut tx, clock.now())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
    let mut due: VecDeque<Due> = VecDeque::new();
    let mut events = Events::with_capacity(8);
    let profile = &hub.config.profile;
    loop {
        let now = clock.now();
        if hub.stopping.load(Ordering::SeqCst) && !session.is_closed() {
            match session.state() {
                State::Bound(_) => {
                    let _ = session.unbind(now);
                }
                _ => session.close(now),
            }
        }
        let mut progress = conn.read(&mut session, now)?;
        if conn.eof && !session.is_closed() {
            session.handle_connection_lost(now);
        }
        if session.poll_timeout().is_some_and(|t| t <= now) {
            session.handle_timeout(now);
        }
        // Receipts due now, while the window takes them.
        while due.front().is_some_and(|d| d.at <= now) {
            let Some(d) = due.front() else { break };
            let can = matches!(session.state(), State::Bound(k) if k.can_receive());
            if !can {
                due.clear();
                break;
            }
            match send_receipt(&mut session, now, d, profile) {
                Ok(_) => {
                    hub.stats.receipts.fetch_add(1, Ordering::Relaxed);
                    due.pop_front();
                    progress = true;
                }
                Err(e) if e.is_busy() => break,
                Err(e) => {
                    warn!("smpp server: receipt for {} not sent: {e}", d.id);
                    due.pop_front();
                }
            }
        }
        while let Some(event) = session.poll_event() {
            progress = true;
            match event {
                Event::BindRequest { token, kind } => {
                    let account = match session.pdu() {
                        Some(Pdu::BindTransmitter(b) | Pdu::BindReceiver(b) | Pdu::BindTransceiver(b)) => {
                            hub.config.check(b.system_id.as_bytes(), b.password.as_bytes()).map(str::to_owned)
                        }
                        _ => None,
                    };
                    let result = match account {
                        Some(system_id) if profile.accepts(kind) => {
                            hub.stats.binds.fetch_add(1, Ordering::Relaxed);
                            info!("smpp server: {peer} bound as {kind:?} ({system_id})");
                            session.accept_bind(now, token, &system_id)
                        }
                        Some(_) => session.reject_bind(now, token, CommandStatus::BIND_FAILED),
                        None => session.reject_bind(now, token, CommandStatus::INVALID_PASSWORD),
                    };
                    if let Err(e) = result {
                        warn!("smpp server: bind answer not sent: {e}");
                    }
                }
                Event::Request { token, command: CommandId::SUBMIT_SM } => {
                    let Some(sm) = session.sm() else { continue };
                    let n = hub.next_id.fetch_add(1, Ordering::Relaxed);
                    let message_id = profile.id(n);
                    let handset = String::from_utf8_lossy(sm.dest.addr.as_bytes()).into_owned();
                    let sender = String::from_utf8_lossy(sm.source.addr.as_bytes()).into_owned();
                    let wants = sm.registered_delivery.0 & 3 != 0;
                    let resp = Pdu::SubmitSmResp(MessageIdResp::new(&message_id));
                    match session.respond(now, token, CommandStatus::OK, Some(&resp)) {
                        Ok(()) => {
                            hub.stats.submitted.fetch_add(1, Ordering::Relaxed);
                            if wants {
                                let undeliverable =
                                    profile.undeliverable_suffix.as_deref().is_some_and(|s| handset.ends_with(s));
                                let state =
                                    if undeliverable { MessageState::UNDELIVERABLE } else { MessageState::DELIVERED };
                                let at = now + from_std(profile.receipt_delay);
                                due.push_back(Due { at, id: message_id, handset, sender, state });
                            }
                        }
                        Err(e) => warn!("smpp server: submit_sm_resp not sent: {e}"),
                    }
                }
                Event::Request { token, .. } | Event::DataSm { token: Some(token) } => {
                    let _ = session.respond(now, token, CommandStatus::INVALID_COMMAND_ID, None);
                }
                Event::Closed(reason) => info!("smpp server: {peer} closed: {reason:?}"),
                _ => {}
            }
        }
        progress |= conn.write(&mut session)?;
        if session.is_closed() && session.transmit().is_empty() {
            return Ok(());
        }
        if progress || (conn.wants_read() && !session.receive_buffer().is_empty()) {
            continue;
        }
        let deadline = [session.poll_timeout(), due.front().map(|d| d.at)].into_iter().flatten().min();
        poll.poll(&mut events, deadline.map(|d| clock.until(d)))?;
        for ev in events.iter() {
            if ev.token() == SOCKET {
                conn.ready(ev);
            }
        }
    }
}

/// Sends the receipt of `d` as the profile writes receipts.
fn send_receipt(
    session: &mut Session<'_, W>,
    now: Instant,
    d: &Due,
    profile: &super::Profile,
) -> Result<smpp_session::Handle, smpp_session::CommandError> {
    let (stat, err) = match d.state {
        MessageState::DELIVERED => ("DELIVRD", "000"),
        MessageState::EXPIRED => ("EXPIRED", "000"),
        _ => ("UNDELIV", "001"),
    };
    let text = format!(
        "id:{} sub:001 dlvrd:{} submit date:2504231542 done date:2504231543 stat:{stat} err:{err}",
        d.id,
        if d.state == MessageState::DELIVERED { "001" } else { "000" }
    );
    let tlvs = [Tlv::receipted_message_id(d.id.as_str()), Tlv::message_state(d.state)];
    let sm = DeliverSm {
        esm_class: EsmClass(profile.receipt.esm_class),
        tlvs: if profile.receipt.tlvs { Tlvs::from_slice(&tlvs) } else { Tlvs::default() },
        ..DeliverSm::new(Address::international(&d.handset), Address::alphanumeric(&d.sender), text.as_bytes())
    };
    session.send(now, &Pdu::DeliverSm(sm))
}
