//! `smpp demo`: the README's first command. It starts the simulator (LabsMobile profile) on a
//! free loopback port, binds, sends a standard, a Unicode (with emoji) and a long SMS, and
//! prints each part's id and each receipt, as `examples/demo` does with the same texts.

use std::time::Duration;

use clap::Args;
use serde_json::json;
use smpp_std::{Addr, ClientConfig, Profile, Server, ServerConfig, TextMessage};

use crate::conn::SmppClient;
use crate::out::Out;
use crate::{Failed, Format, Outcome};

#[path = "../../../examples/demo/texts.rs"]
mod texts;

/// `smpp demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    #[command(flatten)]
    pub format: Format,
}

/// Runs `smpp demo`.
pub fn run(args: DemoArgs) -> Outcome {
    let out = Out::new(args.format.json);
    let server = Server::start("127.0.0.1:0", ServerConfig::new("smppclient1", "password", Profile::labsmobile()))
        .map_err(|e| Failed(format!("cannot start the simulator: {e}")))?;
    let addr = server.local_addr();
    out.event(
        json!({"event": "listening", "host": addr.ip().to_string(), "port": addr.port(), "profile": "labsmobile"}),
        || format!("SMSC simulator (labsmobile profile) listening on {addr}"),
    );
    let client = SmppClient::connect(addr, ClientConfig::new("smppclient1", "password"))
        .map_err(|e| Failed(format!("cannot bind to the simulator: {e}")))?;
    out.event(json!({"event": "bound", "bind": "transceiver"}), || "bound as transceiver".into());
    let from = Addr::sender("Alarm")?;
    let to = Addr::number("+34600000001")?;
    let mut sent = Vec::new();
    for (kind, text) in texts::texts() {
        let msg = TextMessage::new(from.clone(), to.clone(), text).with_receipt();
        sent.push((kind, client.send_text(msg).map_err(|e| Failed(format!("{kind}: {e}")))?));
    }
    let mut accepted = Vec::new();
    let mut failed = 0;
    for (kind, pending) in sent {
        let outcome = pending.wait(Duration::from_secs(10)).map_err(|e| Failed(format!("{kind}: {e}")))?;
        for (part, id) in outcome.ids() {
            out.event(
                json!({"event": "submitted", "kind": kind, "part": part, "parts": outcome.parts, "message_id": id.to_string()}),
                || format!("{kind:>8} part {part}/{} accepted as {id}", outcome.parts),
            );
        }
        match &outcome.failure {
            None => accepted.push((kind, outcome)),
            Some((part, why)) => {
                failed += 1;
                out.event(json!({"event": "error", "kind": kind, "part": part, "reason": why.to_string()}), || {
                    format!("{kind:>8} part {part} failed: {why}")
                });
            }
        }
    }
    for (kind, outcome) in &accepted {
        let receipts = client
            .wait_for_receipt(outcome, Duration::from_secs(10))
            .map_err(|e| Failed(format!("{kind}: no receipt: {e}")))?;
        for r in receipts {
            let stat = r.stat.as_deref().unwrap_or("?");
            out.event(
                json!({"event": "receipt", "kind": kind, "part": r.part, "message_id": r.message_id, "stat": stat,
                       "err": r.err, "done_date": r.done_date}),
                || {
                    format!(
                        "{kind:>8} receipt for {} (part {}): {stat} err:{} done {}",
                        r.message_id,
                        r.part.unwrap_or(1),
                        r.err.as_deref().unwrap_or("?"),
                        r.done_date.as_deref().unwrap_or("?")
                    )
                },
            );
        }
    }
    client.close()?;
    out.event(json!({"event": "unbound"}), || "unbound".into());
    drop(server);
    if failed > 0 {
        return Err(Failed(format!("{failed} message(s) not accepted")));
    }
    Ok(())
}
