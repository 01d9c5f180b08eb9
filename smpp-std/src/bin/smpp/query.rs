//! `smpp query` (query_sm) and `smpp cancel` (cancel_sm): what an operator does when a receipt
//! never comes.

use std::time::Duration;

use clap::Args;
use serde_json::json;
use smpp_codec::Pdu;
use smpp_codec::pdu::{CancelSm, QuerySm};
use smpp_session::BindKind;
use smpp_std::{Addr, MessageOutcome};

use crate::conn::{ConnArgs, SmppClient};
use crate::dump::{state_long_name, status_name};
use crate::out::Out;
use crate::{Failed, Format, Outcome, SendBind};

/// `smpp query`.
#[derive(Args, Debug)]
pub struct QueryArgs {
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Bind as transmitter or transceiver.
    #[arg(long, value_enum, default_value = "trx")]
    pub bind: SendBind,
    /// The id the SMSC gave the message.
    #[arg(long, value_name = "ID")]
    pub message_id: String,
    /// The message's sender, as it was submitted.
    #[arg(long, value_name = "SENDER", default_value = "")]
    pub from: String,
    #[command(flatten)]
    pub format: Format,
}

/// `smpp cancel`.
#[derive(Args, Debug)]
pub struct CancelArgs {
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Bind as transmitter or transceiver.
    #[arg(long, value_enum, default_value = "trx")]
    pub bind: SendBind,
    /// The id the SMSC gave the message.
    #[arg(long, value_name = "ID")]
    pub message_id: String,
    /// The message's sender, as it was submitted.
    #[arg(long, value_name = "SENDER", default_value = "")]
    pub from: String,
    /// The message's recipient, as it was submitted.
    #[arg(long, value_name = "NUMBER")]
    pub to: Option<String>,
    /// The message's service_type.
    #[arg(long, value_name = "TYPE", default_value = "")]
    pub service_type: String,
    #[command(flatten)]
    pub format: Format,
}

fn kind(b: SendBind) -> BindKind {
    match b {
        SendBind::Tx => BindKind::Transmitter,
        SendBind::Trx => BindKind::Transceiver,
    }
}

/// Sends one request and waits for its outcome, then unbinds.
fn request(client: SmppClient, pdu: &Pdu<'_>, timeout: u64) -> Result<MessageOutcome, Failed> {
    let pending = client.send(pdu);
    let outcome = pending.and_then(|p| p.wait(Duration::from_secs(timeout.max(1) * 2)));
    let _ = client.close();
    outcome.map_err(|e| Failed(format!("no answer: {e}")))
}

/// The status an outcome ended with, and why it is not ESME_ROK.
fn status_of(o: &MessageOutcome) -> (String, Option<String>) {
    match (&o.failure, o.status) {
        (None, Some(s)) => (status_name(s), None),
        (Some((_, f)), _) => match f {
            smpp_std::Failure::Status(s) | smpp_std::Failure::GenericNack(s) => (status_name(*s), Some(f.to_string())),
            other => ("".into(), Some(other.to_string())),
        },
        (None, None) => ("".into(), Some("no status".into())),
    }
}

/// Runs `smpp query`.
pub fn query(args: QueryArgs) -> Outcome {
    let from = Addr::sender(&args.from).map_err(|e| Failed(format!("--from: {e}")))?;
    if args.message_id.is_empty() {
        return Err(Failed("--message-id is empty".into()));
    }
    let out = Out::new(args.format.json);
    let client = args.conn.connect(args.conn.config(kind(args.bind))?)?;
    let q = QuerySm { message_id: args.message_id.as_str().into(), source: from.as_address() };
    let o = request(client, &Pdu::QuerySm(q), args.conn.timeout)?;
    let (status, why) = status_of(&o);
    match (&o.query, why) {
        (Some(a), None) => {
            let final_date = (!a.final_date.is_empty()).then(|| a.final_date.clone());
            out.event(
                json!({"event": "query", "message_id": a.message_id, "status": status,
                       "state": a.state.name().map_or_else(|| a.state.raw().to_string(), str::to_owned),
                       "state_name": state_long_name(a.state), "final_date": final_date, "error_code": a.error_code}),
                || {
                    let short = a.state.name().map_or_else(|| a.state.raw().to_string(), str::to_owned);
                    let long = state_long_name(a.state);
                    let state = if short == long { short } else { format!("{short} ({long})") };
                    format!(
                        "{}: {state}, final date {}, error code {}",
                        a.message_id,
                        final_date.as_deref().unwrap_or("- (not final)"),
                        a.error_code
                    )
                },
            );
            Ok(())
        }
        (_, why) => {
            let why = why.unwrap_or_else(|| "the answer carried no state".into());
            out.event(
                json!({"event": "error", "stage": "query", "message_id": args.message_id, "status": status,
                       "reason": why}),
                || format!("{}: query failed: {why}", args.message_id),
            );
            Err(Failed(format!("query of {} failed: {why}", args.message_id)))
        }
    }
}

/// Runs `smpp cancel`.
pub fn cancel(args: CancelArgs) -> Outcome {
    let from = Addr::sender(&args.from).map_err(|e| Failed(format!("--from: {e}")))?;
    let to = match &args.to {
        Some(t) => Addr::number(t).map_err(|e| Failed(format!("--to: {e}")))?,
        None => Addr::default(),
    };
    let out = Out::new(args.format.json);
    let client = args.conn.connect(args.conn.config(kind(args.bind))?)?;
    let c = CancelSm {
        service_type: args.service_type.as_str().into(),
        message_id: args.message_id.as_str().into(),
        source: from.as_address(),
        dest: to.as_address(),
    };
    let o = request(client, &Pdu::CancelSm(c), args.conn.timeout)?;
    let (status, why) = status_of(&o);
    match why {
        None => {
            out.event(
                json!({"event": "cancel", "message_id": args.message_id, "status": status, "cancelled": true}),
                || format!("{}: cancelled", args.message_id),
            );
            Ok(())
        }
        Some(why) => {
            out.event(
                json!({"event": "cancel", "message_id": args.message_id, "status": status, "cancelled": false,
                       "reason": why}),
                || format!("{}: not cancelled: {why}", args.message_id),
            );
            Err(Failed(format!("cancel of {} failed: {why}", args.message_id)))
        }
    }
}
