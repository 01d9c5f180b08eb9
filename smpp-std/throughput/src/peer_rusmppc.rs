//! rusmppc 0.4 as its crate docs show it: `ConnectionBuilder::new()` (its defaults: enquire_link
//! every 30 s, 5 s response timeout), `connect("smpp://…")`, `bind_transceiver`, a task draining
//! the event stream, and W tokio tasks per bind, each awaiting `client.submit_sm(sm.clone())`
//! before the next (rusmppc has no window setting: what is in flight is what the tasks send).
//! Tokio's default multi-threaded runtime (a worker per core).

use std::str::FromStr;

use futures::StreamExt;
use rusmpp::pdus::{BindTransceiver, SubmitSm};
use rusmpp::types::{COctetString, OctetString};
use rusmpp::values::{Npi, Ton};
use rusmppc::ConnectionBuilder;

use crate::measure::{self, RunArgs};

pub fn run(args: &RunArgs) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(run_async(args))
}

fn c<const MIN: usize, const MAX: usize>(s: &str) -> Result<COctetString<MIN, MAX>, String> {
    COctetString::from_str(s).map_err(|e| format!("{s:?}: {e:?}"))
}

async fn run_async(args: &RunArgs) -> Result<(), String> {
    let sm = SubmitSm::builder()
        .source_addr_ton(Ton::International)
        .source_addr_npi(Npi::Isdn)
        .source_addr(c(crate::SOURCE)?)
        .dest_addr_ton(Ton::International)
        .dest_addr_npi(Npi::Isdn)
        .destination_addr(c(crate::DEST)?)
        .short_message(OctetString::from_slice(crate::TEXT).map_err(|e| format!("{e:?}"))?)
        .build();
    let mut clients = Vec::new();
    let mut drains = Vec::new();
    for _ in 0..args.binds {
        let (client, mut events) = ConnectionBuilder::new()
            .connect(format!("smpp://{}", args.addr))
            .await
            .map_err(|e| format!("rusmppc connect: {e}"))?;
        client
            .bind_transceiver(
                BindTransceiver::builder().system_id(c(crate::SYSTEM_ID)?).password(c(crate::PASSWORD)?).build(),
            )
            .await
            .map_err(|e| format!("rusmppc bind: {e}"))?;
        drains.push(tokio::spawn(async move { while events.next().await.is_some() {} }));
        clients.push(client);
    }
    let mut tasks = Vec::new();
    for client in &clients {
        for _ in 0..args.window {
            let client = client.clone();
            let sm = sm.clone();
            tasks.push(tokio::spawn(async move {
                while !measure::stopping() {
                    let r = client.submit_sm(sm.clone()).await;
                    measure::count(r.is_ok());
                }
            }));
        }
    }
    let a = args.clone();
    tokio::task::spawn_blocking(move || measure::window("rusmppc", &a)).await.map_err(|e| e.to_string())?;
    for t in tasks {
        let _ = t.await;
    }
    for client in &clients {
        let _ = client.unbind().await;
        let _ = client.close().await;
    }
    for d in drains {
        let _ = d.await;
    }
    Ok(())
}
