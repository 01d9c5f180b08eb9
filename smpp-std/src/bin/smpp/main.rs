//! `smpp`: send SMS, listen for messages and receipts, run an SMSC simulator, and decode or
//! encode PDUs — what operators and firmware developers use to try an SMSC and debug traffic.
//!
//! Output is for people by default; `--json` prints one JSON object per line on stdout and
//! nothing else there. Errors go to stderr, one line each, with a non-zero exit code (1; 2 for
//! a command line that does not parse). Passwords come from `--password-env`,
//! `--password-file` or a prompt, never from the command line, and are never printed.

mod codec;
mod conn;
mod demo;
mod dump;
mod listen;
mod out;
mod query;
mod send;
mod sim;
mod when;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Args, Parser, Subcommand, ValueEnum};

/// What a command ends with: success, or the reason it failed (one line for stderr).
pub type Outcome = Result<(), Failed>;

/// A command that failed: the line to print on stderr.
#[derive(Debug)]
pub struct Failed(pub String);

impl<T: std::fmt::Display> From<T> for Failed {
    fn from(e: T) -> Self {
        Failed(e.to_string())
    }
}

/// Set by Ctrl-C (SIGINT) and SIGTERM; long commands check it and unbind.
#[derive(Clone, Debug)]
pub struct Interrupted(Arc<AtomicBool>);

impl Interrupted {
    /// Whether the user asked to stop.
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

#[derive(Parser, Debug)]
#[command(
    name = "smpp",
    version,
    about = "SMPP from the command line: send, listen, query, cancel, an SMSC simulator, and a PDU decoder and encoder"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Send a text (or an EngageLab template) to one or many numbers; print ids and receipts.
    Send(send::SendArgs),
    /// Ask the SMSC for the state of a message (query_sm).
    Query(query::QueryArgs),
    /// Cancel a message the SMSC has not delivered yet (cancel_sm).
    Cancel(query::CancelArgs),
    /// Bind and print messages from handsets and delivery receipts until interrupted.
    Listen(listen::ListenArgs),
    /// Run the SMSC simulator (LabsMobile or EngageLab profile) until interrupted.
    Sim(sim::SimArgs),
    /// Decode PDUs (hex or a raw capture) into JSON shaped like LabsMobile's PDU dumps.
    Decode(codec::DecodeArgs),
    /// Encode PDU JSON (as `decode` writes it) back into hex or raw octets.
    Encode(codec::EncodeArgs),
    /// Start the simulator on a free loopback port and send a standard, a Unicode and a long SMS
    /// through it, printing ids and receipts.
    Demo(demo::DemoArgs),
}

/// Output format flag shared by the commands.
#[derive(Args, Debug, Clone, Copy)]
pub struct Format {
    /// Print one JSON object per line on stdout (stable field names), nothing else.
    #[arg(long)]
    pub json: bool,
}

/// `--bind` of commands that send.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendBind {
    /// Transmitter (receipts, when awaited, come through a receiver bind beside it).
    Tx,
    /// Transceiver.
    Trx,
}

/// A path given on the command line, for messages.
pub fn shown(p: &std::path::Path) -> String {
    p.display().to_string()
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let stop = Interrupted(Arc::new(AtomicBool::new(false)));
    let flag = Arc::clone(&stop.0);
    // Without a handler Ctrl-C kills the process before it can unbind; a failure to install
    // one leaves that default.
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));
    let result = match cli.command {
        Command::Send(a) => send::run(a, &stop),
        Command::Query(a) => query::query(a),
        Command::Cancel(a) => query::cancel(a),
        Command::Listen(a) => listen::run(a, &stop),
        Command::Sim(a) => sim::run(a, &stop),
        Command::Decode(a) => codec::decode(a),
        Command::Encode(a) => codec::encode(a),
        Command::Demo(a) => demo::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failed(why)) => {
            // One line, whatever the message holds.
            eprintln!("smpp: {}", why.replace(['\n', '\r'], " "));
            ExitCode::from(1)
        }
    }
}

/// Reads a file named on the command line, or stdin for `-`.
pub fn read_input(path: &PathBuf) -> Result<Vec<u8>, Failed> {
    use std::io::Read;
    if path.as_os_str() == "-" {
        let mut v = Vec::new();
        std::io::stdin().read_to_end(&mut v).map_err(|e| Failed(format!("cannot read stdin: {e}")))?;
        return Ok(v);
    }
    std::fs::read(path).map_err(|e| Failed(format!("cannot read {}: {e}", shown(path))))
}
