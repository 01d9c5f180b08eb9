//! Our client (smpp-std): one `Client<W>` per bind (each with its I/O thread), all fed by one
//! thread through `submit_tagged` (the documented way to pipeline from one thread without
//! allocating per message), which keeps W requests in flight on each bind; every outcome comes
//! back on one channel, tagged with its bind.

use std::time::Duration;

use smpp_codec::Address;
use smpp_codec::pdu::SubmitSm;
use smpp_std::{Client, ClientConfig, Completion};

use crate::measure::{self, RunArgs};

pub fn run(args: &RunArgs) -> Result<(), String> {
    match args.window {
        1 => run_w::<1>(args),
        8 => run_w::<8>(args),
        64 => run_w::<64>(args),
        w => Err(format!("window {w}: our client is built for windows 1, 8 and 64 here")),
    }
}

fn run_w<const W: usize>(args: &RunArgs) -> Result<(), String> {
    let mut clients = Vec::new();
    for _ in 0..args.binds {
        let config = ClientConfig::new(crate::SYSTEM_ID, crate::PASSWORD);
        let c: Client<W> = Client::connect(args.addr, config).map_err(|e| format!("bind: {e}"))?;
        clients.push(c);
    }
    let feeder = std::thread::spawn({
        let clients = clients.clone();
        move || feed(&clients)
    });
    measure::window("ours", args);
    feeder.join().map_err(|_| "the submitter panicked".to_string())??;
    for c in clients {
        c.close().map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Keeps W requests in flight on each bind until told to stop, then waits for the last ones.
fn feed<const W: usize>(clients: &[Client<W>]) -> Result<(), String> {
    let sm = SubmitSm::new(Address::international(crate::SOURCE), Address::international(crate::DEST), crate::TEXT);
    let (tx, rx) = crossbeam_channel::bounded::<Completion>(W * clients.len());
    let mut inflight = vec![0usize; clients.len()];
    loop {
        for (bind, client) in clients.iter().enumerate() {
            while inflight[bind] < W && !measure::stopping() {
                client.submit_tagged(&sm, bind as u64, &tx).map_err(|e| format!("submit: {e}"))?;
                inflight[bind] += 1;
            }
        }
        if inflight.iter().all(|&n| n == 0) {
            return Ok(());
        }
        let first = rx.recv_timeout(Duration::from_secs(30)).map_err(|e| format!("no outcome: {e}"))?;
        for c in std::iter::once(first).chain(rx.try_iter()) {
            inflight[c.tag as usize] -= 1;
            measure::count(c.outcome.is_accepted());
        }
    }
}
