//! What every client run shares: the counters its submitters bump, the stop flag, and the
//! measurement window (a warm-up, then a fixed time during which completions, allocations and
//! CPU time are counted).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Responses with ESME_ROK.
pub static OK: AtomicU64 = AtomicU64::new(0);
/// Requests that ended any other way (error status, timeout, closed).
pub static ERR: AtomicU64 = AtomicU64::new(0);
/// Set when the measurement is over: submitters stop and let what is in flight finish.
pub static STOP: AtomicBool = AtomicBool::new(false);

pub fn stopping() -> bool {
    STOP.load(Ordering::Relaxed)
}

pub fn count(ok: bool) {
    if ok {
        OK.fetch_add(1, Ordering::Relaxed);
    } else {
        ERR.fetch_add(1, Ordering::Relaxed);
    }
}

/// What a run is told.
#[derive(Clone, Debug)]
pub struct RunArgs {
    pub addr: std::net::SocketAddr,
    pub binds: usize,
    pub window: usize,
    pub warmup: Duration,
    pub measure: Duration,
    /// The server's process, whose CPU time is read at both ends of the window.
    pub server_pid: Option<u32>,
}

/// Nanoseconds of CPU time used so far by every live thread of process `pid` ("self" for
/// this one), from the scheduler's own accounting.
pub fn cpu_ns(pid: &str) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return 0 };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next().and_then(|n| n.parse::<u64>().ok()))
        .sum()
}

struct Snapshot {
    at: Instant,
    ok: u64,
    err: u64,
    allocs: u64,
    cpu: u64,
    server_cpu: u64,
}

fn snapshot(server: &Option<String>) -> Snapshot {
    Snapshot {
        at: Instant::now(),
        ok: OK.load(Ordering::Relaxed),
        err: ERR.load(Ordering::Relaxed),
        allocs: crate::alloc::allocations(),
        cpu: cpu_ns("self"),
        server_cpu: server.as_deref().map_or(0, cpu_ns),
    }
}

/// Waits out the warm-up, measures, raises the stop flag and prints the result line the
/// driver parses.
pub fn window(name: &str, args: &RunArgs) {
    let server = args.server_pid.map(|p| p.to_string());
    std::thread::sleep(args.warmup);
    let a = snapshot(&server);
    std::thread::sleep(args.measure);
    let b = snapshot(&server);
    STOP.store(true, Ordering::SeqCst);
    let secs = b.at.duration_since(a.at).as_secs_f64();
    println!(
        "RESULT client={name} binds={} window={} ok={} err={} secs={secs:.4} allocs={} cpu_ns={} server_cpu_ns={}",
        args.binds,
        args.window,
        b.ok - a.ok,
        b.err - a.err,
        b.allocs - a.allocs,
        b.cpu - a.cpu,
        b.server_cpu - a.server_cpu,
    );
}
