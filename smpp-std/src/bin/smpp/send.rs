//! `smpp send`: one text (or EngageLab template) to one or many numbers, each part's id, and
//! with `--wait-receipt` each message's receipt; a summary at the end.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use crossbeam_channel::RecvTimeoutError;
use serde_json::json;
use smpp_codec::pdu::{SHORT_MESSAGE_MAX, Sm};
use smpp_codec::text::engagelab::TemplateBody;
use smpp_codec::text::gsm7::{self, Tables};
use smpp_codec::text::segment::Concatenation;
use smpp_codec::text::{latin1, ucs2};
use smpp_codec::{DataCoding, MessageState, Priority, RegisteredDelivery, Tlv, TlvTag, Tlvs};
use smpp_session::BindKind;
use smpp_std::{Addr, Error, Failure, MessageOutcome, Receipt, TextEncoding, TextMessage};

use crate::conn::{ConnArgs, WINDOW};
use crate::out::Out;
use crate::{Failed, Format, Interrupted, Outcome, SendBind, shown, when};

/// `--encoding`.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum EncodingArg {
    /// GSM 03.38 when the text fits it, else UCS-2.
    Auto,
    /// GSM 03.38.
    Gsm7,
    /// UCS-2 (UTF-16).
    Ucs2,
    /// Latin-1.
    Latin1,
}

/// `--split`.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum SplitArg {
    /// A UDH with an 8-bit reference in each part.
    Udh8,
    /// A UDH with a 16-bit reference in each part.
    Udh16,
    /// SAR TLVs on each part.
    Sar,
    /// The whole text in one message_payload TLV.
    Payload,
}

/// `smpp send`.
#[derive(Args, Debug)]
pub struct SendArgs {
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Bind as transmitter or transceiver.
    #[arg(long, value_enum, default_value = "trx")]
    pub bind: SendBind,
    /// Sender: letters (up to 11) are alphanumeric (TON 5), `+` and digits international,
    /// other digits of unknown type.
    #[arg(long, value_name = "SENDER", default_value = "")]
    pub from: String,
    /// Recipient (`+` and digits is international; the `+` is not sent). Repeat for several.
    #[arg(long, value_name = "NUMBER")]
    pub to: Vec<String>,
    /// Recipients, one number a line (blank lines and lines starting with # are skipped).
    #[arg(long, value_name = "FILE")]
    pub to_file: Option<PathBuf>,
    /// The text to send.
    #[arg(long, conflicts_with = "template")]
    pub text: Option<String>,
    /// The text's encoding.
    #[arg(long, value_enum)]
    pub encoding: Option<EncodingArg>,
    /// How a long text is split.
    #[arg(long, value_enum, default_value = "udh8")]
    pub split: SplitArg,
    /// service_type (EngageLab: MSG, CODE or MRKT).
    #[arg(long, value_name = "TYPE", default_value = "")]
    pub service_type: String,
    /// Send EngageLab's template body (JSON with this template id) instead of --text; it goes
    /// in UCS-2 unless --encoding says otherwise.
    #[arg(long, value_name = "ID")]
    pub template: Option<String>,
    /// The template's language.
    #[arg(long, value_name = "L", default_value = "default", requires = "template")]
    pub language: String,
    /// The template's verification code (with --service-type CODE).
    #[arg(long, value_name = "C", requires = "template")]
    pub code: Option<String>,
    /// A template parameter, `key=value`; repeat for several.
    #[arg(long = "param", value_name = "K=V", requires = "template")]
    pub params: Vec<String>,
    /// Ask for a delivery receipt (implied by --wait-receipt).
    #[arg(long)]
    pub registered_delivery: bool,
    /// How long the SMSC may try: a duration (10m, 2h, 1d) or a time (2025-04-23T15:42+02:00).
    #[arg(long, value_name = "DURATION|TIME")]
    pub validity: Option<String>,
    /// Deliver later: a duration from now (10m) or a time.
    #[arg(long, value_name = "DURATION|TIME")]
    pub schedule: Option<String>,
    /// priority_flag, 0 to 3.
    #[arg(long, value_name = "0-3", default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=3))]
    pub priority: u8,
    /// Wait up to this many seconds for every message's receipt.
    #[arg(long, value_name = "SECONDS")]
    pub wait_receipt: Option<u64>,
    /// Take ACCEPTD and ENROUTE receipts as success too.
    #[arg(long, requires = "wait_receipt")]
    pub accept_intermediate: bool,
    /// Submissions awaiting their response at once (1 to 64).
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub window: u16,
    /// At most this many messages per second (0: as fast as the window allows).
    #[arg(long, value_name = "N", default_value_t = 0.0)]
    pub rate: f64,
    #[command(flatten)]
    pub format: Format,
}

/// A recipient as written and as sent.
struct Recipient {
    written: String,
    addr: Addr,
}

fn recipients(args: &SendArgs) -> Result<Vec<Recipient>, Failed> {
    let mut out = Vec::new();
    for t in &args.to {
        let addr = Addr::number(t).map_err(|e| Failed(format!("--to: {e}")))?;
        out.push(Recipient { written: t.trim().to_owned(), addr });
    }
    if let Some(f) = &args.to_file {
        let text = std::fs::read_to_string(f).map_err(|e| Failed(format!("cannot read {}: {e}", shown(f))))?;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let addr = Addr::number(line).map_err(|e| Failed(format!("{} line {}: {e}", shown(f), i + 1)))?;
            out.push(Recipient { written: line.to_owned(), addr });
        }
    }
    if out.is_empty() {
        return Err(Failed("no recipient: give --to NUMBER or --to-file FILE".into()));
    }
    Ok(out)
}

/// The text to send: --text, or the template body.
fn body(args: &SendArgs) -> Result<String, Failed> {
    if let Some(id) = &args.template {
        let mut pairs = Vec::new();
        for p in &args.params {
            let (k, v) = p.split_once('=').ok_or_else(|| Failed(format!("--param {p:?}: write it as key=value")))?;
            if k.is_empty() {
                return Err(Failed(format!("--param {p:?}: the key is empty")));
            }
            pairs.push((k, v));
        }
        let t = TemplateBody { id, language: &args.language, code: args.code.as_deref(), params: &pairs };
        let mut buf = vec![0u8; t.encoded_len()];
        let n = t.write(&mut buf).map_err(|e| Failed(format!("the template body: {e:?}")))?;
        buf.truncate(n);
        return String::from_utf8(buf).map_err(|_| Failed("the template body is not UTF-8".into()));
    }
    match &args.text {
        Some(t) if !t.is_empty() => Ok(t.clone()),
        Some(_) => Err(Failed("--text is empty".into())),
        None => Err(Failed("nothing to send: give --text TEXT or --template ID".into())),
    }
}

/// A template body in `encoding`: UCS-2 unless asked otherwise (EngageLab's advice, so that
/// its braces arrive as they are), GSM 03.38 (one septet per octet) or Latin-1.
fn template_octets(body: &str, encoding: TextEncoding) -> Result<(Vec<u8>, DataCoding), Failed> {
    let mut out = vec![0u8; body.len() * 4 + 4];
    let gsm = |out: &mut [u8]| gsm7::encode(body, Tables::DEFAULT, out).ok();
    let (n, dc) = match encoding {
        TextEncoding::Gsm7 => {
            (gsm(&mut out).ok_or_else(|| Failed("the template body is not GSM 03.38 text".into()))?, 0)
        }
        TextEncoding::Auto => match gsm(&mut out) {
            Some(n) => (n, 0),
            None => (ucs2::encode(body, &mut out).map_err(|e| Failed(format!("the template body: {e:?}")))?, 8),
        },
        TextEncoding::Latin1 => (
            latin1::encode(body, false, &mut out)
                .map_err(|_| Failed("the template body is not Latin-1 text".into()))?,
            3,
        ),
        _ => (ucs2::encode(body, &mut out).map_err(|e| Failed(format!("the template body: {e:?}")))?, 8),
    };
    out.truncate(n);
    Ok((out, DataCoding(dc)))
}

/// What happened to one message.
struct Sent {
    outcome: Option<MessageOutcome>,
    delivered: bool,
}

fn failure_json(f: &Failure) -> serde_json::Value {
    match f {
        Failure::Status(s) | Failure::GenericNack(s) => json!(crate::dump::status_name(*s)),
        _ => serde_json::Value::Null,
    }
}

/// Prints the ids of a message's accepted parts, and its failure.
fn show(out: &Out, to: &[Recipient], i: usize, o: &MessageOutcome) {
    let who = to.get(i).map_or("?", |r| r.written.as_str());
    for (part, id) in o.ids() {
        out.event(
            json!({"event": "submitted", "to": who, "part": part, "parts": o.parts, "message_id": id.to_string()}),
            || format!("{who}: part {part}/{} accepted as {id}", o.parts),
        );
    }
    if let Some((part, why)) = &o.failure {
        out.event(
            json!({"event": "error", "stage": "submit", "to": who, "part": part, "parts": o.parts,
                   "status": failure_json(why), "reason": why.to_string()}),
            || format!("{who}: part {part}/{} not accepted: {why}", o.parts),
        );
    }
}

/// Takes one outcome: shown, kept, counted.
fn take(c: smpp_std::Completion, out: &Out, to: &[Recipient], sent: &mut [Sent], done: &mut usize) {
    *done += 1;
    out.step(1);
    let i = usize::try_from(c.tag).unwrap_or(usize::MAX);
    show(out, to, i, &c.outcome);
    if let Some(s) = sent.get_mut(i) {
        s.outcome = Some(c.outcome);
    }
}

/// Runs `smpp send`.
pub fn run(args: SendArgs, stop: &Interrupted) -> Outcome {
    let to = recipients(&args)?;
    let text = body(&args)?;
    let from = Addr::sender(&args.from).map_err(|e| Failed(format!("--from: {e}")))?;
    let validity = args.validity.as_deref().map(|v| when::smpp_time(v, "--validity")).transpose()?;
    let schedule = args.schedule.as_deref().map(|v| when::smpp_time(v, "--schedule")).transpose()?;
    if !(args.rate >= 0.0 && args.rate.is_finite()) {
        return Err(Failed(format!("--rate {}: give 0 or more messages per second", args.rate)));
    }
    let encoding = match (args.encoding, args.template.is_some()) {
        (Some(EncodingArg::Auto), _) | (None, false) => TextEncoding::Auto,
        // EngageLab recommends UCS-2 so that the braces of the body arrive as they are.
        (None, true) | (Some(EncodingArg::Ucs2), _) => TextEncoding::Ucs2,
        (Some(EncodingArg::Gsm7), _) => TextEncoding::Gsm7,
        (Some(EncodingArg::Latin1), _) => TextEncoding::Latin1,
    };
    let concatenation = match args.split {
        SplitArg::Udh8 => Concatenation::Udh8,
        SplitArg::Udh16 => Concatenation::Udh16,
        SplitArg::Sar => Concatenation::Sar,
        SplitArg::Payload => Concatenation::Payload,
    };
    let waiting = args.wait_receipt.map(Duration::from_secs);
    let kind = match args.bind {
        SendBind::Tx => BindKind::Transmitter,
        SendBind::Trx => BindKind::Transceiver,
    };
    let mut config = args.conn.config(kind)?;
    config.receiver_beside = kind == BindKind::Transmitter && waiting.is_some();
    config.session.window = Some(args.window.min(WINDOW as u16));
    let messages: Vec<TextMessage> = to
        .iter()
        .map(|r| TextMessage {
            encoding,
            concatenation,
            service_type: args.service_type.clone(),
            receipt: args.registered_delivery || waiting.is_some(),
            validity: validity.clone().unwrap_or_default(),
            schedule: schedule.clone().unwrap_or_default(),
            priority: args.priority,
            ..TextMessage::new(from.clone(), r.addr.clone(), text.clone())
        })
        .collect();

    let template = match args.template {
        Some(_) => Some(template_octets(&text, encoding)?),
        None => None,
    };
    let mut out = Out::new(args.format.json);
    let client = args.conn.connect(config)?;
    let started = Instant::now();
    if to.len() > 1 || waiting.is_some() {
        out.progress(to.len() as u64, "sending");
    }
    let (tx, rx) = crossbeam_channel::unbounded();
    let mut sent: Vec<Sent> = to.iter().map(|_| Sent { outcome: None, delivered: false }).collect();
    let mut queued = 0usize;
    let mut done = 0usize;
    let mut interrupted = false;
    for (i, msg) in messages.into_iter().enumerate() {
        let Some(recipient) = to.get(i) else { break };
        if stop.is_set() {
            interrupted = true;
            break;
        }
        if args.rate > 0.0 {
            let due = started + Duration::from_secs_f64(i as f64 / args.rate);
            while let Some(left) = due.checked_duration_since(Instant::now()) {
                if stop.is_set() {
                    break;
                }
                // Take outcomes while waiting for the next slot.
                if let Ok(c) = rx.recv_timeout(left.min(Duration::from_millis(100))) {
                    take(c, &out, &to, &mut sent, &mut done);
                }
            }
        }
        let submitted = match &template {
            // A template body is one request to the provider, never split into SMS parts.
            Some((octets, data_coding)) => {
                let payload = [Tlv::octets(TlvTag::MESSAGE_PAYLOAD, octets)];
                let fits = octets.len() <= SHORT_MESSAGE_MAX;
                let sm = Sm {
                    service_type: msg.service_type.as_str().into(),
                    source: msg.from.as_address(),
                    dest: recipient.addr.as_address(),
                    priority_flag: Priority(msg.priority),
                    schedule_delivery_time: msg.schedule.as_str().into(),
                    validity_period: msg.validity.as_str().into(),
                    registered_delivery: if msg.receipt { RegisteredDelivery::RECEIPT } else { RegisteredDelivery(0) },
                    data_coding: *data_coding,
                    short_message: if fits { octets } else { &[] },
                    tlvs: if fits { Tlvs::EMPTY } else { Tlvs::from_slice(&payload) },
                    ..Sm::default()
                };
                client.submit_tagged(&sm, i as u64, &tx)
            }
            None => client.send_text_tagged(msg, i as u64, &tx),
        };
        match submitted {
            Ok(_) => queued += 1,
            Err(Error::Text(why)) => {
                let _ = client.close();
                return Err(Failed(format!("the text cannot be sent: {why}")));
            }
            Err(e) => {
                out.warn(&format!("{}: {e}", to.get(i).map_or("?", |r| r.written.as_str())));
                break;
            }
        }
        while let Ok(c) = rx.try_recv() {
            take(c, &out, &to, &mut sent, &mut done);
        }
    }
    // Every request the client took ends with one outcome.
    while done < queued {
        if stop.is_set() {
            interrupted = true;
            break;
        }
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(c) => take(c, &out, &to, &mut sent, &mut done),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    let accepted_n = sent.iter().filter(|s| s.outcome.as_ref().is_some_and(MessageOutcome::is_accepted)).count();
    let mut receipts_missing = 0usize;
    if let (Some(wait), false) = (waiting, interrupted) {
        let deadline = Instant::now() + wait;
        out.stage("receipts", accepted_n as u64);
        for (i, s) in sent.iter_mut().enumerate() {
            let Some(o) = s.outcome.as_ref().filter(|o| o.is_accepted()) else { continue };
            let who = to.get(i).map_or("?", |r| r.written.as_str());
            let got = loop {
                if stop.is_set() {
                    interrupted = true;
                    break None;
                }
                let left = deadline.saturating_duration_since(Instant::now()).min(Duration::from_millis(200));
                let r = if args.accept_intermediate {
                    client.wait_for_any_receipt(o, left)
                } else {
                    client.wait_for_receipt(o, left)
                };
                match r {
                    Ok(r) => break Some(r),
                    Err(Error::Timeout) if Instant::now() < deadline => {}
                    Err(Error::Timeout) => break None,
                    Err(e) => {
                        out.warn(&format!("{who}: {e}"));
                        break None;
                    }
                }
            };
            if interrupted {
                break;
            }
            out.step(1);
            match got {
                Some(receipts) => {
                    s.delivered = receipts.iter().all(|r| good(r, args.accept_intermediate));
                    for r in &receipts {
                        show_receipt(&out, who, r);
                    }
                }
                None => {
                    receipts_missing += 1;
                    let id = o.message_id().map(ToString::to_string).unwrap_or_default();
                    out.event(
                        json!({"event": "error", "stage": "receipt", "to": who, "message_id": id,
                               "status": null, "reason": format!("no receipt within {} s", wait.as_secs())}),
                        || format!("{who}: no receipt for {id} within {} s", wait.as_secs()),
                    );
                }
            }
        }
    }
    out.done();
    let _ = client.close();
    let elapsed = started.elapsed().as_secs_f64();
    let submitted = sent.iter().filter(|s| s.outcome.is_some()).count();
    let delivered = sent.iter().filter(|s| s.delivered).count();
    let failed = if waiting.is_some() { to.len() - delivered } else { to.len() - accepted_n };
    let rate = if elapsed > 0.0 { submitted as f64 / elapsed } else { 0.0 };
    out.event(
        json!({"event": "summary", "messages": to.len(), "sent": submitted, "accepted": accepted_n,
               "delivered": waiting.map(|_| delivered), "failed": failed,
               "elapsed_s": (elapsed * 1000.0).round() / 1000.0, "rate": (rate * 10.0).round() / 10.0,
               "interrupted": interrupted}),
        || {
            let d = if waiting.is_some() { format!(", {delivered} delivered") } else { String::new() };
            format!("{submitted} sent, {accepted_n} accepted{d}, {failed} failed in {elapsed:.1} s ({rate:.1} msg/s)")
        },
    );
    if interrupted {
        return Err(Failed("interrupted: unbound before every message was sent or answered".into()));
    }
    if accepted_n < to.len() {
        return Err(Failed(format!("{} of {} message(s) not accepted", to.len() - accepted_n, to.len())));
    }
    if waiting.is_some() && delivered < to.len() {
        let what = if args.accept_intermediate { "DELIVRD, ACCEPTD or ENROUTE" } else { "DELIVRD" };
        let missing =
            if receipts_missing > 0 { format!(" ({receipts_missing} without a receipt)") } else { String::new() };
        return Err(Failed(format!("{} of {} message(s) not {what}{missing}", to.len() - delivered, to.len())));
    }
    Ok(())
}

/// Whether a receipt counts as success.
fn good(r: &Receipt, intermediate: bool) -> bool {
    r.state == MessageState::DELIVERED
        || (intermediate && (r.state == MessageState::ACCEPTED || r.state == MessageState::ENROUTE))
}

/// Prints one receipt of a message sent to `who`.
pub fn show_receipt(out: &Out, who: &str, r: &Receipt) {
    let stat = r.stat.clone().or_else(|| r.state.name().map(str::to_owned)).unwrap_or_else(|| "?".into());
    out.event(
        json!({"event": "receipt", "to": who, "message_id": r.message_id, "part": r.part, "stat": stat,
               "state": crate::dump::state_long_name(r.state), "err": r.err, "done_date": r.done_date}),
        || {
            format!(
                "{who}: receipt for {}: {stat} err:{} done {}",
                r.message_id,
                r.err.as_deref().unwrap_or("-"),
                r.done_date.as_deref().unwrap_or("-")
            )
        },
    );
}
