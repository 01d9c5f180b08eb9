//! Where output goes: one line per event on stdout, for people or as JSON; warnings on stderr;
//! a progress bar on stderr only when it is a terminal.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::Value;

/// The output of one command.
#[derive(Debug)]
pub struct Out {
    json: bool,
    bar: Option<ProgressBar>,
}

impl Out {
    /// Output as JSON lines or for people.
    pub fn new(json: bool) -> Self {
        Out { json, bar: None }
    }

    /// One event: `value` as a JSON line, or `human()` as a line of text.
    pub fn event(&self, value: Value, human: impl FnOnce() -> String) {
        let line = if self.json { value.to_string() } else { human() };
        self.line(&line);
    }

    fn line(&self, line: &str) {
        let write = || {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not worth a panic.
            let _ = writeln!(stdout, "{line}");
            let _ = stdout.flush();
        };
        match &self.bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    /// A warning on stderr, above the progress bar if there is one.
    pub fn warn(&self, msg: &str) {
        let write = || eprintln!("smpp: {msg}");
        match &self.bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    /// Starts a progress bar of `total` steps, when stderr is a terminal.
    pub fn progress(&mut self, total: u64, what: &str) {
        if !std::io::stderr().is_terminal() {
            return;
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message(what.to_owned());
        bar.enable_steady_tick(Duration::from_millis(200));
        self.bar = Some(bar);
    }

    /// Moves the progress bar on.
    pub fn step(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }

    /// Renames the progress bar's stage and sets its length.
    pub fn stage(&self, what: &str, total: u64) {
        if let Some(b) = &self.bar {
            b.set_message(what.to_owned());
            b.set_length(total);
            b.set_position(0);
        }
    }

    /// Removes the progress bar.
    pub fn done(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}

impl Drop for Out {
    fn drop(&mut self) {
        self.done();
    }
}
