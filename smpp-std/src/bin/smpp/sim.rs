//! `smpp sim`: the SMSC simulator with a provider profile and faults, one line per bind,
//! submission, receipt and unbind, until interrupted.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use crossbeam_channel::RecvTimeoutError;
use serde_json::{Value, json};
use smpp_std::server::{Faults, JsonLog, Profile, Server, ServerConfig, ServerEvent};

use crate::out::Out;
use crate::{Failed, Format, Interrupted, Outcome, shown};

/// `smpp sim`.
#[derive(Args, Debug)]
pub struct SimArgs {
    /// The provider imitated: labsmobile or engagelab.
    #[arg(long, value_name = "NAME", default_value = "labsmobile")]
    pub profile: String,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on; 0 picks a free one (the first line printed says which).
    #[arg(long, default_value_t = 2775)]
    pub port: u16,
    /// The account's system_id.
    #[arg(long, value_name = "ID", default_value = "smppclient1")]
    pub system_id: String,
    /// The account's password (a test account's; the simulator's own).
    #[arg(long, default_value = "password")]
    pub password: String,
    /// Milliseconds from a message being due to its receipt.
    #[arg(long, value_name = "N")]
    pub receipt_delay_ms: Option<u64>,
    /// Destinations matching this pattern (`*` and `?`) are undeliverable (UNDELIV); an empty
    /// pattern makes every one deliverable. Default: the profile's (numbers ending in 0).
    #[arg(long, value_name = "PATTERN")]
    pub undeliverable: Option<String>,
    /// Answer every K-th submit_sm of a connection with ESME_RTHROTTLED.
    #[arg(long, value_name = "K")]
    pub throttle_every: Option<u32>,
    /// Hold every answer to submit_sm, query_sm and cancel_sm this many milliseconds.
    #[arg(long, value_name = "M")]
    pub delay_ms: Option<u64>,
    /// Close a connection without unbind after answering this many submit_sm.
    #[arg(long, value_name = "N")]
    pub drop_after: Option<u32>,
    /// Write PDUs in small pieces, with a pause between them.
    #[arg(long)]
    pub split_writes: bool,
    /// Write a JSON-lines log of every event and PDU to this file.
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// Speak SMPP over TLS; without --cert and --key a throwaway CA and a certificate for
    /// localhost and 127.0.0.1 are made, and the CA file's path is printed first.
    #[arg(long)]
    pub tls: bool,
    /// With --tls: the server's certificate chain (PEM).
    #[arg(long, value_name = "FILE", requires_all = ["tls", "key"])]
    pub cert: Option<PathBuf>,
    /// With --tls: the key of --cert (PEM).
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,
    /// Stop (unbinding every client) after this many seconds.
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<u64>,
    #[command(flatten)]
    pub format: Format,
}

/// The TLS configuration and, when one was made, the CA file's path.
#[cfg(feature = "tls")]
fn tls(args: &SimArgs) -> Result<(std::sync::Arc<rustls::ServerConfig>, Option<PathBuf>), Failed> {
    use smpp_std::tls;
    if let (Some(cert), Some(key)) = (&args.cert, &args.key) {
        return Ok((tls::server_config(cert, key)?, None));
    }
    let g = tls::generate(&["localhost", "127.0.0.1"], -60, 30 * 86_400)?;
    let dir = std::env::temp_dir().join(format!("smpp-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| Failed(format!("cannot create {}: {e}", shown(&dir))))?;
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, &g.ca_pem).map_err(|e| Failed(format!("cannot write {}: {e}", shown(&ca))))?;
    Ok((tls::server_config_from(g.chain, g.key)?, Some(ca)))
}

fn config(args: &SimArgs) -> Result<ServerConfig, Failed> {
    let mut profile = Profile::named(&args.profile)
        .ok_or_else(|| Failed(format!("--profile {:?}: use labsmobile or engagelab", args.profile)))?;
    if let Some(ms) = args.receipt_delay_ms {
        profile.receipts.delay = Duration::from_millis(ms);
    }
    if let Some(p) = &args.undeliverable {
        profile.undeliverable = (!p.is_empty()).then(|| p.clone());
    }
    if args.system_id.is_empty() || args.system_id.len() >= smpp_codec::pdu::SYSTEM_ID_MAX {
        return Err(Failed(format!("--system-id: give 1 to {} characters", smpp_codec::pdu::SYSTEM_ID_MAX - 1)));
    }
    if args.password.len() >= smpp_codec::pdu::PASSWORD_MAX {
        return Err(Failed(format!("--password: at most {} characters", smpp_codec::pdu::PASSWORD_MAX - 1)));
    }
    let faults = Faults {
        throttle_every: args.throttle_every,
        response_delay: Duration::from_millis(args.delay_ms.unwrap_or(0)),
        drop_after: args.drop_after,
        write_chunk: args.split_writes.then_some(7),
        chunk_pause: if args.split_writes { Duration::from_millis(2) } else { Duration::ZERO },
        ..Faults::default()
    };
    let mut config = ServerConfig::new(args.system_id.clone(), args.password.as_str(), profile).with_faults(faults);
    if let Some(path) = &args.log {
        config =
            config.with_log(JsonLog::create(path).map_err(|e| Failed(format!("cannot create {}: {e}", shown(path))))?);
    }
    Ok(config)
}

/// One server event as a line for people.
fn human(e: &ServerEvent) -> String {
    let v = e.to_json();
    let s = |k: &str| match v.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => "-".into(),
        Some(other) => other.to_string(),
    };
    let conn = s("conn");
    match v.get("event").and_then(Value::as_str).unwrap_or("") {
        "connected" => format!("[{conn}] connected from {}", s("peer")),
        "bound" => format!("[{conn}] {} bound as {}", s("system_id"), s("bind")),
        "bind_refused" => format!("[{conn}] bind of {} as {} refused ({})", s("system_id"), s("bind"), s("status")),
        "submitted" => {
            let part = match v.get("part").and_then(Value::as_array) {
                Some(p) => format!(
                    " part {}/{}",
                    p.first().map_or(0, |x| x.as_u64().unwrap_or(0)),
                    p.get(1).map_or(0, |x| x.as_u64().unwrap_or(0))
                ),
                None => String::new(),
            };
            format!("[{conn}] submit_sm {} -> {}{part}: {} ({:?})", s("from"), s("to"), s("message_id"), s("text"))
        }
        "submit_refused" => format!("[{conn}] submit_sm refused: {} ({})", s("status"), s("reason")),
        "message" => format!("[{conn}] message {} -> {}: {:?}", s("from"), s("to"), s("text")),
        "receipt" => format!("[{conn}] receipt {} {} answered {}", s("message_id"), s("state"), s("status")),
        "receipt_dropped" => format!("receipt {} dropped: {}", s("message_id"), s("reason")),
        "query" => format!("[{conn}] query_sm {}: {}", s("message_id"), s("state")),
        "cancel" => format!("[{conn}] cancel_sm {}: {} cancelled", s("message_id"), s("cancelled")),
        "fault" => format!("[{conn}] fault injected: {}", s("fault")),
        "closed" => format!("[{conn}] closed ({})", s("reason")),
        "reassembly_failed" => format!("[{conn}] long message from {} not reassembled: {}", s("from"), s("reason")),
        other => format!("[{conn}] {other}"),
    }
}

/// Runs `smpp sim`.
pub fn run(args: SimArgs, stop: &Interrupted) -> Outcome {
    #[allow(unused_mut)]
    let mut config = config(&args)?;
    let mut ca_file: Option<PathBuf> = None;
    if args.tls {
        #[cfg(feature = "tls")]
        {
            let (tls, ca) = tls(&args)?;
            config = config.with_tls(tls);
            ca_file = ca;
        }
        #[cfg(not(feature = "tls"))]
        return Err(Failed("this smpp was built without TLS (the `tls` feature)".into()));
    }
    let profile = config.profile.name.clone();
    let mut server = Server::start((args.host.as_str(), args.port), config)
        .map_err(|e| Failed(format!("cannot listen on {}:{}: {e}", args.host, args.port)))?;
    let events = server.subscribe(4096);
    let addr = server.local_addr();
    let out = Out::new(args.format.json);
    let ca = ca_file.as_deref().map(shown);
    out.event(
        json!({"event": "listening", "host": addr.ip().to_string(), "port": addr.port(), "profile": profile,
               "tls": args.tls, "ca_file": ca, "system_id": args.system_id}),
        || {
            let tls = match (&ca, args.tls) {
                (Some(ca), _) => format!(", TLS with a throwaway CA: {ca}"),
                (None, true) => ", TLS".into(),
                (None, false) => String::new(),
            };
            format!("smpp sim ({profile}) listening on {addr} for {}{tls}", args.system_id)
        },
    );
    let started = Instant::now();
    loop {
        if stop.is_set() || args.duration.is_some_and(|s| started.elapsed().as_secs() >= s) {
            break;
        }
        match events.recv_timeout(Duration::from_millis(100)) {
            Ok(e) => out.event(e.to_json(), || human(&e)),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    server.stop();
    // What the stop itself caused (unbinds, closes).
    for e in events.try_iter() {
        out.event(e.to_json(), || human(&e));
    }
    let stats = server.stats();
    let n = |a: &std::sync::atomic::AtomicU64| a.load(std::sync::atomic::Ordering::Relaxed);
    out.event(
        json!({"event": "stopped", "connections": n(&stats.connections), "submitted": n(&stats.submitted),
               "refused": n(&stats.refused), "receipts": n(&stats.receipts)}),
        || {
            format!(
                "stopped: {} connection(s), {} submission(s) accepted, {} refused, {} receipt(s) delivered",
                n(&stats.connections),
                n(&stats.submitted),
                n(&stats.refused),
                n(&stats.receipts)
            )
        },
    );
    if let Some(ca) = ca_file {
        let _ = std::fs::remove_file(&ca);
        if let Some(dir) = ca.parent() {
            let _ = std::fs::remove_dir(dir);
        }
    }
    Ok(())
}
