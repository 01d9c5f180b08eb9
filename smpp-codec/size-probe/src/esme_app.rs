//! The ESME program of `esme.rs` and `esme_national.rs`: binds, sends a text with
//! `submit_text` in the encoding `choose` picks among GSM 03.38, the shift tables of the allowed
//! national languages and UCS-2, takes the submit_sm_resp and a delivery receipt, and runs
//! keepalive, with a `Session<'_, 4>` and 1 KiB buffers.
//!
//! The socket, the clock and the application are `black_box`es, so nothing is folded at
//! compile time; `esme_baseline.rs` is the same plumbing without SMPP.

use core::hint::black_box;

use smpp_codec::text::gsm7::Language;
use smpp_codec::pdu::{Bind, SubmitSm};
use smpp_codec::text::segment::{Concatenation, choose};
use smpp_codec::{Address, RegisteredDelivery};
use smpp_session::{BindKind, Config, Event, Instant, Session, TextOptions};

/// Runs connection after connection, allowing `languages` when choosing the encoding.
#[inline(always)]
pub fn run(languages: &[Language]) -> ! {
    let mut rx = [0u8; 1024];
    let mut tx = [0u8; 1024];
    let mut scratch = [0u8; 160];
    let mut reference: u16 = 0;
    loop {
        // One connection.
        let mut now = Instant(black_box(0));
        let Ok(mut esme) = Session::<'_, 4>::esme(Config::default(), &mut rx, &mut tx, now) else {
            continue;
        };
        let (system_id, password) = black_box(("panel", "secret"));
        if esme.bind(now, BindKind::Transceiver, &Bind::new(system_id, password)).is_err() {
            continue;
        }
        loop {
            // The socket: read straight into the session (opaque count), write straight from it.
            now = Instant(black_box(now.0));
            let room = esme.receive_buffer();
            let read = black_box(room.len()).min(room.len());
            black_box(&mut room[..read]);
            esme.commit(now, read);
            let mut send_text = false;
            while let Some(event) = esme.poll_event() {
                match event {
                    Event::Bound { .. } => send_text = true,
                    Event::Outcome { handle, outcome, .. } => {
                        black_box((handle, outcome.is_ok(), esme.message_id()));
                    }
                    Event::MessageDone { message, accepted, failed, .. } => {
                        black_box((message, accepted, failed.is_none()));
                    }
                    Event::Receipt { submit, state, .. } => {
                        black_box((submit, state, esme.receipt().map(|r| r.state)));
                    }
                    Event::Closed(reason) => {
                        black_box(reason);
                    }
                    _ => {}
                }
            }
            if send_text {
                // The alarm text, from the application.
                let text: &str = black_box("Alarm: zone 3 (back door) opened at 02:14");
                let concatenation = Concatenation::Udh8;
                let encoding = choose(text, languages, concatenation);
                let mut template = SubmitSm::new(
                    Address::alphanumeric("Panel"),
                    Address::international(black_box("447700900123")),
                    &[],
                );
                template.registered_delivery = RegisteredDelivery::RECEIPT;
                reference = reference.wrapping_add(1);
                let options = TextOptions { encoding, concatenation, reference };
                black_box(esme.submit_text(now, &template, text, options, &mut scratch).is_ok());
            }
            let out = esme.transmit();
            let sent = black_box(out.len()).min(out.len());
            black_box(&out[..sent]);
            esme.transmitted(sent);
            // Keepalive and every other timer.
            if esme.poll_timeout().is_some_and(|t| t <= now) {
                esme.handle_timeout(now);
            }
            if esme.is_closed() {
                break;
            }
        }
    }
}
