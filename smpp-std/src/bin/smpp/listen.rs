//! `smpp listen`: bind as receiver or transceiver and print messages from handsets (long ones
//! put back together) and delivery receipts until interrupted; Ctrl-C unbinds.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use crossbeam_channel::RecvTimeoutError;
use serde_json::json;
use smpp_codec::CommandStatus;
use smpp_session::{AckMode, BindKind};
use smpp_std::{AckToken, ClientEvent, Disconnect};

use crate::conn::{ConnArgs, SmppClient};
use crate::out::Out;
use crate::send::show_receipt;
use crate::{Failed, Format, Interrupted, Outcome};

/// `--bind` of listen.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum ListenBind {
    /// Receiver.
    Rx,
    /// Transceiver.
    Trx,
}

/// `--ack`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AckArg {
    /// Each message and receipt is answered ESME_ROK as it arrives.
    Auto,
    /// Each is first answered ESME_RX_T_APPN (a temporary error: the SMSC delivers it again
    /// later), and ESME_ROK when it comes again.
    Manual,
}

/// `smpp listen`.
#[derive(Args, Debug)]
pub struct ListenArgs {
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Bind as receiver or transceiver.
    #[arg(long, value_enum, default_value = "trx")]
    pub bind: ListenBind,
    /// How messages and receipts are answered.
    #[arg(long, value_enum, default_value = "auto")]
    pub ack: AckArg,
    /// Stop (and unbind) after this many messages and receipts.
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Stop (and unbind) after this many seconds.
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<u64>,
    #[command(flatten)]
    pub format: Format,
}

/// Answers per `--ack manual`: defer the first delivery, take the next. Returns whether this
/// one was taken.
fn answer(client: &SmppClient, out: &Out, seen: &mut HashSet<String>, key: String, ack: Option<AckToken>) -> bool {
    let Some(ack) = ack else { return true };
    let first = seen.insert(key.clone());
    let status = if first { CommandStatus::RECEIVER_TEMPORARY_ERROR } else { CommandStatus::OK };
    if let Err(e) = client.ack(ack, status) {
        out.warn(&format!("cannot answer: {e}"));
    }
    if first {
        out.event(json!({"event": "deferred", "key": key, "status": "ESME_RX_T_APPN"}), || {
            format!("  answered ESME_RX_T_APPN: the SMSC will deliver it again ({key})")
        });
    } else {
        seen.remove(&key);
        out.event(json!({"event": "acknowledged", "key": key, "status": "ESME_ROK"}), || {
            format!("  answered ESME_ROK on its second delivery ({key})")
        });
    }
    !first
}

/// Runs `smpp listen`.
pub fn run(args: ListenArgs, stop: &Interrupted) -> Outcome {
    let kind = match args.bind {
        ListenBind::Rx => BindKind::Receiver,
        ListenBind::Trx => BindKind::Transceiver,
    };
    let mut config = args.conn.config(kind)?;
    if args.ack == AckArg::Manual {
        config.session.ack_mode = AckMode::Manual;
    }
    let out = Out::new(args.format.json);
    let client = args.conn.connect(config)?;
    let events = client.events();
    let bind = match kind {
        BindKind::Receiver => "receiver",
        _ => "transceiver",
    };
    out.event(json!({"event": "bound", "host": args.conn.host, "port": args.conn.port, "bind": bind}), || {
        format!("bound to {} as {bind}; waiting for messages and receipts (Ctrl-C to stop)", args.conn.target())
    });
    let started = Instant::now();
    let mut taken = 0u64;
    let mut seen = HashSet::new();
    let result = loop {
        if stop.is_set() {
            break Ok(());
        }
        if args.count.is_some_and(|n| taken >= n) || args.duration.is_some_and(|s| started.elapsed().as_secs() >= s) {
            break Ok(());
        }
        let event = match events.recv_timeout(Duration::from_millis(100)) {
            Ok(e) => e,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => break Err(Failed("the client stopped".into())),
        };
        match event {
            ClientEvent::Receipt { receipt, ack } => {
                show_receipt(&out, &receipt.recipient, &receipt);
                let key = format!("receipt {} {}", receipt.message_id, receipt.stat.as_deref().unwrap_or(""));
                if args.ack == AckArg::Auto || answer(&client, &out, &mut seen, key, ack) {
                    taken += 1;
                }
            }
            ClientEvent::Message { message, ack } => {
                out.event(
                    json!({"event": "message", "from": message.from.addr, "to": message.to.addr,
                           "text": message.text, "parts": message.parts, "data_coding": message.data_coding}),
                    || {
                        format!(
                            "{} -> {}: {} ({} part(s))",
                            message.from.addr, message.to.addr, message.text, message.parts
                        )
                    },
                );
                let key = format!("message {} {}", message.from.addr, message.text);
                if args.ack == AckArg::Auto || answer(&client, &out, &mut seen, key, ack) {
                    taken += 1;
                }
            }
            ClientEvent::Disconnected { connection: 0, reason, .. } => {
                let why = match reason {
                    Disconnect::Session(r) => format!("{r:?}"),
                    Disconnect::Io(e) => e,
                    Disconnect::Eof => "the SMSC closed the connection".into(),
                };
                break Err(Failed(format!("disconnected from {}: {why}", args.conn.target())));
            }
            _ => {}
        }
    };
    let _ = client.close();
    out.event(json!({"event": "unbound", "received": taken}), || {
        format!("unbound after {taken} message(s) and receipt(s)")
    });
    result
}
