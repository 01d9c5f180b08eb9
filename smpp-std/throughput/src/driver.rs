//! The driver: one server process, every client in its own process against it, interleaved,
//! repeated; medians and ratios at the end.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::Opts;

/// One client run, as its process reported it.
#[derive(Clone, Debug)]
struct Sample {
    ok: u64,
    err: u64,
    secs: f64,
    allocs: u64,
    cpu_ns: u64,
    server_cpu_ns: u64,
}

impl Sample {
    fn rate(&self) -> f64 {
        self.ok as f64 / self.secs
    }

    /// Per message accepted (NaN when none was).
    fn per_msg(&self, v: u64) -> f64 {
        v as f64 / self.ok as f64
    }
}

fn parse(line: &str) -> Option<Sample> {
    let rest = line.strip_prefix("RESULT ")?;
    let field =
        |name: &str| rest.split_whitespace().find_map(|kv| kv.strip_prefix(name).and_then(|v| v.strip_prefix('=')));
    Some(Sample {
        ok: field("ok")?.parse().ok()?,
        err: field("err")?.parse().ok()?,
        secs: field("secs")?.parse().ok()?,
        allocs: field("allocs")?.parse().ok()?,
        cpu_ns: field("cpu_ns")?.parse().ok()?,
        server_cpu_ns: field("server_cpu_ns")?.parse().ok()?,
    })
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg").map(|s| s.trim().to_string()).unwrap_or_default()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

struct ServerProcess {
    child: Child,
    addr: String,
}

impl ServerProcess {
    fn start(exe: &std::path::Path) -> Result<Self, String> {
        let mut child = Command::new(exe)
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the server: {e}"))?;
        let out = child.stdout.take().ok_or("no server stdout")?;
        let mut line = String::new();
        BufReader::new(out).read_line(&mut line).map_err(|e| e.to_string())?;
        let addr = line.trim().strip_prefix("LISTENING ").ok_or_else(|| format!("server said {line:?}"))?.to_string();
        Ok(ServerProcess { child, addr })
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // Closing its stdin stops it (unbinding whoever is left).
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// Milliseconds of warm-up and measurement, and seconds a client may take to finish after.
#[derive(Copy, Clone)]
struct Timing {
    warmup: u64,
    measure: u64,
    grace: u64,
}

/// Runs one client process to its end (killed if it overstays) and returns its result line.
fn run_client(
    exe: &std::path::Path,
    server: &ServerProcess,
    name: &str,
    binds: usize,
    window: usize,
    t: Timing,
) -> Result<Sample, String> {
    let Timing { warmup, measure, grace } = t;
    let mut child = Command::new(exe)
        .args(["client", name, "--addr", &server.addr])
        .args(["--binds", &binds.to_string(), "--window", &window.to_string()])
        .args(["--warmup-ms", &warmup.to_string(), "--measure-ms", &measure.to_string()])
        .args(["--server-pid", &server.child.id().to_string()])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let out = child.stdout.take().ok_or("no client stdout")?;
    let reader = std::thread::spawn(move || BufReader::new(out).lines().map_while(Result::ok).find_map(|l| parse(&l)));
    // A client may need a response timeout or two to finish what it has in flight.
    let deadline = Instant::now() + Duration::from_millis(warmup + measure) + Duration::from_secs(grace);
    loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(status) if status.success() => break,
            Some(status) => return Err(format!("{name} exited with {status}")),
            None if Instant::now() > deadline => {
                eprintln!("  {name}: still running {grace} s after its measurement: killed (its result stands)");
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    reader.join().map_err(|_| "reader panicked".to_string())?.ok_or_else(|| format!("{name} printed no result"))
}

type Key = (usize, usize, String);

pub fn run(o: &Opts) -> Result<(), String> {
    let rounds: usize = o.num("rounds", 5);
    let warmup: u64 = o.num("warmup-ms", 500);
    let measure: u64 = o.num("measure-ms", 2000);
    // How long a client may take to finish what is in flight (a response timeout or two).
    let grace: u64 = o.num("grace-s", 60);
    let windows: Vec<usize> = o.list("windows", "1,8,64").iter().map(|s| s.parse().unwrap_or(64)).collect();
    let binds: Vec<usize> = o.list("binds", "1,4").iter().map(|s| s.parse().unwrap_or(1)).collect();
    let clients = o.list("clients", "ours,smpp34,rusmppc");
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let server = ServerProcess::start(&exe)?;
    println!("server: our SMSC (LabsMobile profile) on {}, pid {}", server.addr, server.child.id());
    println!(
        "{} rounds; each run: {warmup} ms warm-up, {measure} ms measured; clients interleaved, order rotating",
        rounds
    );
    let mut samples: BTreeMap<Key, Vec<Sample>> = BTreeMap::new();
    for round in 0..rounds {
        println!("round {}: loadavg before {}", round + 1, loadavg());
        for &w in &windows {
            for &b in &binds {
                for i in 0..clients.len() {
                    let name = &clients[(i + round) % clients.len()];
                    let s = run_client(&exe, &server, name, b, w, Timing { warmup, measure, grace })?;
                    println!(
                        "  w={w:<2} binds={b} {name:<8} {:>10.0} msg/s  err {:>6}  client {:>6.2} us/msg  server {:>6.2} us/msg  allocs/msg {:>6.2}",
                        s.rate(),
                        s.err,
                        s.per_msg(s.cpu_ns) / 1e3,
                        s.per_msg(s.server_cpu_ns) / 1e3,
                        s.per_msg(s.allocs)
                    );
                    samples.entry((w, b, name.clone())).or_default().push(s);
                }
            }
        }
        println!("round {}: loadavg after  {}", round + 1, loadavg());
    }
    drop(server);
    report(&samples, &windows, &binds, &clients);
    // --check: these clients must have had answers, and only ESME_ROK, in every run.
    for name in o.list("check", "") {
        for ((w, b, c), runs) in &samples {
            if *c == name && runs.iter().any(|s| s.ok == 0 || s.err > 0) {
                return Err(format!("{name} at window {w}, {b} binds: a run had no answers or errors"));
            }
        }
    }
    Ok(())
}

fn report(samples: &BTreeMap<Key, Vec<Sample>>, windows: &[usize], binds: &[usize], clients: &[String]) {
    let get = |w: usize, b: usize, c: &str| samples.get(&(w, b, c.to_string())).cloned().unwrap_or_default();
    let peers: Vec<&String> = clients.iter().filter(|c| *c != "ours").collect();
    println!();
    println!(
        "Medians over rounds (msg/s: submit_sm answered ESME_ROK per second); ratio: median of each round's ours/peer"
    );
    print!("\n| window | binds |");
    for c in clients {
        print!(" {c} |");
    }
    for p in &peers {
        print!(" ours / {p} |");
    }
    println!();
    println!("|---|---|{}", "---:|".repeat(clients.len() + peers.len()));
    for &w in windows {
        for &b in binds {
            print!("| {w} | {b} |");
            for c in clients {
                print!(" {:.0} |", median(get(w, b, c).iter().map(Sample::rate).collect()));
            }
            for p in &peers {
                let ours = get(w, b, "ours");
                let theirs = get(w, b, p);
                let ratios = ours.iter().zip(&theirs).map(|(a, t)| a.rate() / t.rate()).collect();
                print!(" {:.2} |", median(ratios));
            }
            println!();
        }
    }
    println!("\nPer message accepted (medians): client CPU µs, server CPU µs, client allocations, errors per run");
    println!("\n| window | binds | client | client µs | server µs | allocs | errors |");
    println!("|---|---|---|---:|---:|---:|---:|");
    for &w in windows {
        for &b in binds {
            for c in clients {
                let s = get(w, b, c);
                println!(
                    "| {w} | {b} | {c} | {:.2} | {:.2} | {:.3} | {:.0} |",
                    median(s.iter().map(|x| x.per_msg(x.cpu_ns) / 1e3).collect()),
                    median(s.iter().map(|x| x.per_msg(x.server_cpu_ns) / 1e3).collect()),
                    median(s.iter().map(|x| x.per_msg(x.allocs)).collect()),
                    median(s.iter().map(|x| x.err as f64).collect()),
                );
            }
        }
    }
}
