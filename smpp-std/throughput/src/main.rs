//! Messages per second of three SMPP clients against our SMSC server on loopback: our client
//! (smpp-std), rusmppc 0.4 and smpp34 1.5, with windows 1, 8 and 64 and one or four binds.
//!
//! `smpp-throughput run` is the driver: it starts one server process and, round after round,
//! runs each client in its own process against it, interleaved (the order rotates each round),
//! then prints medians and ratios. A client process binds, submits for a warm-up, measures
//! for a fixed time (responses, its allocations and CPU time, the server's CPU time), stops
//! submitting and lets what is in flight finish. See ../BENCHMARKS.md and run.sh.

mod alloc;
mod driver;
mod measure;
mod ours;
mod peer_rusmppc;
mod peer_smpp34;
mod server;

#[global_allocator]
static ALLOC: alloc::Counting = alloc::Counting;

/// The account every client binds with.
const SYSTEM_ID: &str = "bench";
const PASSWORD: &str = "bench";
/// The message every client submits: the same fields from each (TON 1, NPI 1 addresses,
/// data_coding 0, no receipt asked).
const SOURCE: &str = "12345";
const DEST: &str = "31600000001";
const TEXT: &[u8] = b"perf test message";

fn usage() -> ! {
    eprintln!(
        "usage:\n  smpp-throughput run [--rounds N] [--warmup-ms MS] [--measure-ms MS] [--windows 1,8,64] [--binds 1,4] [--clients ours,smpp34,rusmppc] [--check ours,smpp34] [--grace-s S]\n  smpp-throughput server\n  smpp-throughput client NAME --addr ADDR --binds B --window W [--warmup-ms MS] [--measure-ms MS] [--server-pid PID]"
    );
    std::process::exit(2)
}

/// `--name value` pairs after the positional arguments.
struct Opts(Vec<(String, String)>);

impl Opts {
    fn parse(args: &[String]) -> Opts {
        let mut v = Vec::new();
        let mut it = args.iter();
        while let Some(k) = it.next() {
            let Some(name) = k.strip_prefix("--") else { usage() };
            let Some(value) = it.next() else { usage() };
            v.push((name.to_string(), value.clone()));
        }
        Opts(v)
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn num<T: std::str::FromStr>(&self, name: &str, default: T) -> T {
        match self.get(name) {
            None => default,
            Some(s) => s.parse().unwrap_or_else(|_| {
                eprintln!("--{name} {s}: not a number");
                usage()
            }),
        }
    }

    fn list(&self, name: &str, default: &str) -> Vec<String> {
        self.get(name).unwrap_or(default).split(',').map(str::to_string).collect()
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => driver::run(&Opts::parse(&args[1..])),
        Some("server") => server::serve(),
        Some("client") => {
            let Some(name) = args.get(1) else { usage() };
            client(name, &Opts::parse(&args[2..]))
        }
        _ => usage(),
    };
    if let Err(e) = result {
        eprintln!("smpp-throughput: {e}");
        std::process::exit(1);
    }
}

fn client(name: &str, o: &Opts) -> Result<(), String> {
    let addr = o.get("addr").unwrap_or_else(|| usage()).parse().map_err(|e| format!("--addr: {e}"))?;
    let args = measure::RunArgs {
        addr,
        binds: o.num("binds", 1),
        window: o.num("window", 64),
        warmup: std::time::Duration::from_millis(o.num("warmup-ms", 500)),
        measure: std::time::Duration::from_millis(o.num("measure-ms", 2000)),
        server_pid: o.get("server-pid").and_then(|p| p.parse().ok()),
    };
    match name {
        "ours" => ours::run(&args),
        "smpp34" => peer_smpp34::run(&args),
        "rusmppc" => peer_rusmppc::run(&args),
        other => Err(format!("no client called {other:?} (ours, smpp34, rusmppc)")),
    }
}
