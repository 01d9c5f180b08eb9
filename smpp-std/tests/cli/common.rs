//! Running the binary and reading what it printed.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::Value;
use smpp_std::server::{Profile, Server, ServerConfig};

/// The account every test server has; the password is distinctive so that a leak is found.
pub const USER: &str = "smppclient1";
pub const PASS: &str = "Zq7#pw9x";
/// The environment variable the tests pass the password in.
pub const PASS_ENV: &str = "SMPP_TEST_PASSWORD";

/// What a finished run printed.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Every stdout line, each of which must be one JSON object.
    pub fn json(&self) -> Vec<Value> {
        json_lines(&self.stdout)
    }

    /// The JSON lines whose `event` is `name`.
    pub fn events(&self, name: &str) -> Vec<Value> {
        self.json().into_iter().filter(|v| v["event"] == name).collect()
    }

    /// Asserts the password shows nowhere.
    pub fn assert_no_password(&self) {
        assert!(!self.stdout.contains(PASS) && !self.stderr.contains(PASS), "the password leaked: {self:?}");
    }
}

pub fn json_lines(s: &str) -> Vec<Value> {
    s.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l:?}"));
            assert!(v.is_object(), "{l}");
            v
        })
        .collect()
}

pub fn smpp() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_smpp"));
    c.env(PASS_ENV, PASS).stdin(Stdio::null());
    c
}

/// Runs `smpp args…` to the end.
pub fn run(args: &[&str]) -> Run {
    run_with(smpp().args(args))
}

pub fn run_with(c: &mut Command) -> Run {
    let out = c.output().expect("the smpp binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `smpp` with `input` on stdin.
pub fn run_stdin(args: &[&str], input: &[u8]) -> Run {
    let mut child =
        smpp().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A labsmobile server whose receipts come after 20 ms.
pub fn server() -> Server {
    server_with(Profile::labsmobile(), |c| c)
}

pub fn server_with(mut profile: Profile, f: impl FnOnce(ServerConfig) -> ServerConfig) -> Server {
    profile.receipts.delay = Duration::from_millis(20);
    Server::start("127.0.0.1:0", f(ServerConfig::new(USER, PASS, profile))).unwrap()
}

/// The connection flags for `server`.
pub fn conn(server: &Server) -> Vec<String> {
    conn_port(server.local_addr().port())
}

pub fn conn_port(port: u16) -> Vec<String> {
    ["--host", "127.0.0.1", "--port", &port.to_string(), "--system-id", USER, "--password-env", PASS_ENV]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// `args` after `first`, as `&str`s.
pub fn with<'a>(first: &[&'a str], rest: &'a [String]) -> Vec<&'a str> {
    first.iter().copied().chain(rest.iter().map(String::as_str)).collect()
}

/// A process still running, its stdout read line by line.
pub struct Live {
    pub child: Child,
    lines: Receiver<String>,
    pub seen: Vec<String>,
}

impl Live {
    pub fn spawn(args: &[&str]) -> Live {
        let mut child =
            smpp().args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("the smpp binary runs");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Live { child, lines, seen: Vec::new() }
    }

    /// The next line, within `timeout`.
    pub fn line(&mut self, timeout: Duration) -> Option<String> {
        match self.lines.recv_timeout(timeout) {
            Ok(l) => {
                self.seen.push(l.clone());
                Some(l)
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => None,
        }
    }

    /// Reads JSON lines until one has `event` = `name`; panics after `timeout`.
    pub fn until(&mut self, name: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Some(l) = self.line(left) else { panic!("no {name:?} event in time; saw {:?}", self.seen) };
            let v: Value = serde_json::from_str(&l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"));
            if v["event"] == name {
                return v;
            }
        }
    }

    /// Sends SIGINT (Ctrl-C) to this process (by its own id).
    pub fn interrupt(&self) {
        let ok = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status().unwrap().success();
        assert!(ok, "kill -INT");
    }

    /// Waits for the end (at most `timeout`): the exit code, the rest of stdout and stderr.
    pub fn finish(mut self, timeout: Duration) -> Run {
        let deadline = Instant::now() + timeout;
        let code = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s.code().unwrap_or(-1);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the process did not end in time; saw {:?}", self.seen);
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        while let Some(_l) = self.line(Duration::from_millis(500)) {}
        let mut stderr = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut e, &mut stderr);
        }
        Run { code, stdout: self.seen.join("\n"), stderr }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A temporary file with `contents`, removed when dropped.
pub struct TempFile(pub std::path::PathBuf);

impl TempFile {
    pub fn new(name: &str, contents: &[u8]) -> TempFile {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("smpp-cli-test-{}-{n}-{name}", std::process::id()));
        std::fs::write(&p, contents).unwrap();
        TempFile(p)
    }

    pub fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
