//! The README's main job: start the SMSC simulator on a free loopback port, bind to it, send a
//! standard, a Unicode (with emoji) and a long concatenated SMS, and print each message id and
//! delivery receipt as they arrive.
//!
//! `cargo run -p smpp-std --example demo` (the `smpp demo` command does the same).

mod texts;

use std::time::Duration;

use smpp_std::{Addr, Client, ClientConfig, Profile, Server, ServerConfig, TextMessage};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = Server::start("127.0.0.1:0", ServerConfig::new("smppclient1", "password", Profile::labsmobile()))?;
    println!("SMSC simulator (labsmobile profile) listening on {}", server.local_addr());

    let client: Client = Client::connect(server.local_addr(), ClientConfig::new("smppclient1", "password"))?;
    println!("bound as transceiver");

    let texts = texts::texts();
    let mut sent = Vec::new();
    for (kind, text) in texts {
        let msg = TextMessage::new(Addr::sender("Alarm")?, Addr::number("+34600000001")?, text).with_receipt();
        sent.push((kind, client.send_text(msg)?));
    }
    let mut accepted = Vec::new();
    for (kind, pending) in sent {
        let outcome = pending.wait(Duration::from_secs(10))?;
        match &outcome.failure {
            None => {
                let ids: Vec<String> = outcome.ids().map(|(p, id)| format!("part {p}: {id}")).collect();
                println!("{kind:>8} accepted in {} part(s): {}", outcome.parts, ids.join(", "));
                accepted.push((kind, outcome));
            }
            Some((part, why)) => println!("{kind:>8} part {part} failed: {why}"),
        }
    }
    for (kind, outcome) in &accepted {
        for r in client.wait_for_receipt(outcome, Duration::from_secs(10))? {
            println!(
                "{kind:>8} receipt for {} (part {}): {} err:{} done {}",
                r.message_id,
                r.part.unwrap_or(1),
                r.stat.as_deref().unwrap_or("?"),
                r.err.as_deref().unwrap_or("?"),
                r.done_date.as_deref().unwrap_or("?"),
            );
        }
    }
    client.close()?;
    println!("unbound");
    Ok(())
}
