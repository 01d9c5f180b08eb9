//! smpp34 1.5 as its README and its own load generator (examples/perf_esme.rs) use it: an
//! `SmppClient` per bind with `window_size` W and the default timers, the `SMSC` handle taken
//! from `on_smsc_bound`, and W tokio tasks per bind, each sending a submit_sm through the
//! builder and awaiting its response before the next. Tokio's default multi-threaded runtime
//! (a worker per core).

use std::sync::Arc;

use async_trait::async_trait;
use smpp34::client::{BIND_TYPE, SMSC, SmppClient, SmppClientListener};
use tokio::sync::{Mutex, oneshot};

use crate::measure::{self, RunArgs};

/// Hands the bound session to the run.
struct Bound {
    tx: Mutex<Option<oneshot::Sender<Arc<SMSC>>>>,
}

#[async_trait]
impl SmppClientListener for Bound {
    async fn on_smsc_bound(&self, smsc: SMSC, _session_id: &String) {
        if let Some(tx) = self.tx.lock().await.take() {
            let _ = tx.send(Arc::new(smsc));
        }
    }
}

pub fn run(args: &RunArgs) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(run_async(args))
}

async fn run_async(args: &RunArgs) -> Result<(), String> {
    let mut clients = Vec::new();
    let mut sessions = Vec::new();
    for _ in 0..args.binds {
        let (tx, rx) = oneshot::channel();
        let mut client = SmppClient::new(
            args.addr.ip().to_string(),
            args.addr.port(),
            false,
            BIND_TYPE::TRX,
            crate::SYSTEM_ID.to_string(),
            crate::PASSWORD.to_string(),
            String::new(),
            1,
            1,
            String::new(),
            Arc::new(Bound { tx: Mutex::new(Some(tx)) }),
            args.window,
        );
        client.start().await;
        let smsc = tokio::time::timeout(std::time::Duration::from_secs(10), rx)
            .await
            .map_err(|_| "smpp34: no bind in 10 s".to_string())?
            .map_err(|_| "smpp34: bind failed".to_string())?;
        sessions.push(smsc);
        clients.push(client);
    }
    let mut tasks = Vec::new();
    for smsc in &sessions {
        for _ in 0..args.window {
            let smsc = Arc::clone(smsc);
            tasks.push(tokio::spawn(async move {
                while !measure::stopping() {
                    let r = smsc
                        .submit_sm()
                        .source_addr_ton(1)
                        .source_addr_npi(1)
                        .source_addr(crate::SOURCE)
                        .dest_addr_ton(1)
                        .dest_addr_npi(1)
                        .destination_addr(crate::DEST)
                        .short_message(crate::TEXT)
                        .send()
                        .await;
                    measure::count(matches!(r, Ok(resp) if resp.is_success()));
                }
            }));
        }
    }
    let a = args.clone();
    tokio::task::spawn_blocking(move || measure::window("smpp34", &a)).await.map_err(|e| e.to_string())?;
    for t in tasks {
        let _ = t.await;
    }
    for mut c in clients {
        c.stop().await;
    }
    Ok(())
}
