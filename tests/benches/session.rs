//! The in-memory pair doing submit_sm → submit_sm_resp → receipt deliver_sm → deliver_sm_resp
//! cycles, with window 1 and 64: messages per second on one core.
//!
//! Run: `cargo bench -p smpp-tests --bench session`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::time::Instant as StdInstant;

use smpp_codec::pdu::{Bind, DeliverSm, MessageIdResp, SubmitSm};
use smpp_codec::{Address, CommandStatus, EsmClass, MessageState, Pdu, RegisteredDelivery, Tlv, Tlvs};
use smpp_session::{BindKind, Config, Event, Instant, Keepalive, Role, Session};

/// Writes `n` in hex into `buf`, returning the digits.
fn hex_id(n: u64, buf: &mut [u8; 16]) -> &[u8] {
    let mut i = buf.len();
    let mut v = n;
    loop {
        i -= 1;
        buf[i] = b"0123456789abcdef"[(v & 15) as usize];
        v >>= 4;
        if v == 0 {
            break;
        }
    }
    &buf[i..]
}

fn pump<const W: usize>(messages: u64) -> f64 {
    let config = Config { keepalive: Keepalive::Off, ..Config::default() };
    let (mut erx, mut etx, mut srx, mut stx) = (vec![0u8; 4096], vec![0u8; 32768], vec![0u8; 4096], vec![0u8; 32768]);
    let mut esme: Session<'_, W> = Session::new(Role::Esme, config, &mut erx, &mut etx, Instant(0));
    let mut smsc: Session<'_, W> = Session::new(Role::Smsc, config, &mut srx, &mut stx, Instant(0));
    let now = Instant(0);
    let mut wire = vec![0u8; 65536];
    esme.bind(now, BindKind::Transceiver, &Bind::new("user", "pw")).unwrap();

    let text = [b'x'; 140];
    let mut sm = SubmitSm::new(Address::alphanumeric("Test"), Address::international("447700900123"), &text);
    sm.registered_delivery = RegisteredDelivery::RECEIPT;
    let (mut submitted, mut receipts, mut next_id) = (0u64, 0u64, 0u64);
    let mut receipts_due: Vec<u64> = Vec::with_capacity(W);
    let start = StdInstant::now();
    while receipts < messages {
        while submitted < messages && esme.submit(now, &sm).is_ok() {
            submitted += 1;
        }
        let n = esme.poll_transmit(&mut wire);
        let mut used = 0;
        while used < n {
            used += smsc.handle_input(now, &wire[used..n]);
            let mut answer = None;
            while let Some(e) = smsc.poll_event() {
                match e {
                    Event::BindRequest { token, .. } => answer = Some((token, true)),
                    Event::Request { token, .. } => answer = Some((token, false)),
                    _ => {}
                }
            }
            if let Some((token, bind)) = answer {
                if bind {
                    smsc.accept_bind(now, token, "SMSC").unwrap();
                } else {
                    let mut idb = [0u8; 16];
                    let id = hex_id(next_id, &mut idb);
                    let resp = Pdu::SubmitSmResp(MessageIdResp { message_id: id.into(), tlvs: Tlvs::EMPTY });
                    smsc.respond(now, token, CommandStatus::OK, Some(&resp)).unwrap();
                    receipts_due.push(next_id);
                    next_id += 1;
                }
            }
        }
        for id in receipts_due.drain(..) {
            let mut idb = [0u8; 16];
            let id = hex_id(id, &mut idb);
            let mut text = [0u8; 96];
            let prefix = b"id:";
            let suffix = b" submit date:2504231542 done date:2504231543 stat:DELIVRD err:000";
            text[..3].copy_from_slice(prefix);
            text[3..3 + id.len()].copy_from_slice(id);
            text[3 + id.len()..3 + id.len() + suffix.len()].copy_from_slice(suffix);
            let text = &text[..3 + id.len() + suffix.len()];
            let tlvs = [Tlv::receipted_message_id(id), Tlv::message_state(MessageState::DELIVERED)];
            let d = DeliverSm {
                esm_class: EsmClass::DELIVERY_RECEIPT,
                tlvs: Tlvs::from_slice(&tlvs),
                ..DeliverSm::new(Address::international("447700900123"), Address::alphanumeric("Test"), text)
            };
            smsc.send(now, &Pdu::DeliverSm(d)).unwrap();
        }
        let n = smsc.poll_transmit(&mut wire);
        let mut used = 0;
        while used < n {
            used += esme.handle_input(now, &wire[used..n]);
            while let Some(e) = esme.poll_event() {
                if let Event::Receipt { sm, submit, .. } = e {
                    let id = sm.tlvs.receipted_message_id().unwrap().unwrap();
                    // Every receipt is matched to its submission (ids are the handles in hex).
                    let n = u32::from_str_radix(id.to_str().unwrap(), 16).unwrap();
                    assert_eq!(submit, Some(smpp_session::Handle(n)), "window {W}");
                    receipts += 1;
                }
            }
        }
        while smsc.poll_event().is_some() {}
    }
    // The last deliver_sm_resp.
    let n = esme.poll_transmit(&mut wire);
    let mut used = 0;
    while used < n {
        used += smsc.handle_input(now, &wire[used..n]);
        while smsc.poll_event().is_some() {}
    }
    assert_eq!(smsc.outstanding(), 0);
    messages as f64 / start.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let n = if quick { 2_000 } else { 100_000 };
    let runs = if quick { 1 } else { 7 };
    let mut w1 = Vec::new();
    let mut w64 = Vec::new();
    for _ in 0..runs {
        w1.push(pump::<1>(n));
        w64.push(pump::<64>(n));
    }
    println!("session pair, {n} messages per run, {runs} interleaved runs, median:");
    println!("  window  1: {:>10.0} messages/s (submit, resp, receipt, resp)", median(w1));
    println!("  window 64: {:>10.0} messages/s", median(w64));
}
