//! `smpp decode` and `smpp encode`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use serde_json::Value;

use crate::dump::{self, Item};
use crate::{Failed, Outcome, read_input};

/// `smpp decode`.
#[derive(Args, Debug)]
pub struct DecodeArgs {
    /// PDUs in hex (spaces, `:` and `0x` allowed); several back to back are decoded in turn.
    #[arg(value_name = "HEX", conflicts_with = "file")]
    pub hex: Vec<String>,
    /// Read the PDUs from this file (`-` for stdin): raw octets, or hex text.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Indent the JSON (one object per PDU, several lines each).
    #[arg(long)]
    pub pretty: bool,
    /// Show the passwords of binds and outbinds (masked as *** otherwise).
    #[arg(long)]
    pub show_passwords: bool,
}

/// `smpp encode`.
#[derive(Args, Debug)]
pub struct EncodeArgs {
    /// PDU JSON objects (as `smpp decode` writes them).
    #[arg(value_name = "JSON", conflicts_with = "file")]
    pub json: Vec<String>,
    /// Read the JSON objects from this file (`-` for stdin), one after the other.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Write the octets themselves to stdout instead of one hex line per PDU.
    #[arg(long)]
    pub raw: bool,
}

/// Whether a file holds hex text rather than raw octets.
fn looks_like_hex(bytes: &[u8]) -> bool {
    let text = bytes.iter().filter(|b| !b.is_ascii_whitespace()).count();
    text > 0
        && bytes
            .iter()
            .all(|&b| b.is_ascii_hexdigit() || b.is_ascii_whitespace() || matches!(b, b':' | b',' | b'-' | b'x' | b'X'))
}

/// Decodes every PDU; each one that does not decode is reported on stderr (field and offset)
/// and decoding goes on with the next frame while the framing holds.
pub fn decode(args: DecodeArgs) -> Outcome {
    let input = match &args.file {
        Some(f) => {
            let bytes = read_input(f)?;
            if looks_like_hex(&bytes) {
                dump::unhex(&String::from_utf8_lossy(&bytes)).map_err(|e| Failed(format!("{}: {e}", f.display())))?
            } else {
                bytes
            }
        }
        None if args.hex.is_empty() => return Err(Failed("give PDUs in hex, or --file FILE".into())),
        None => dump::unhex(&args.hex.join(" ")).map_err(|e| Failed(format!("the hex does not read: {e}")))?,
    };
    if input.is_empty() {
        return Err(Failed("no octets to decode".into()));
    }
    let mut failed = 0usize;
    let mut decoded = 0usize;
    let mut stdout = std::io::stdout().lock();
    for (n, item) in dump::frames(&input).into_iter().enumerate() {
        let result = match item {
            Item::Frame(at, frame) => dump::decode(frame, at, args.show_passwords),
            Item::Lost(e) => Err(e),
        };
        match result {
            Ok(v) => {
                decoded += 1;
                let text = if args.pretty { serde_json::to_string_pretty(&v) } else { serde_json::to_string(&v) };
                let _ = writeln!(stdout, "{}", text.unwrap_or_default());
            }
            Err(e) => {
                failed += 1;
                let _ = stdout.flush();
                eprintln!("smpp: PDU {}: {e}", n + 1);
            }
        }
    }
    let _ = stdout.flush();
    if failed > 0 {
        return Err(Failed(format!("{failed} PDU(s) did not decode, {decoded} did")));
    }
    Ok(())
}

/// Encodes each JSON object into its PDU.
pub fn encode(args: EncodeArgs) -> Outcome {
    let text = match &args.file {
        Some(f) => {
            String::from_utf8(read_input(f)?).map_err(|_| Failed(format!("{} is not UTF-8 text", f.display())))?
        }
        None if args.json.is_empty() => return Err(Failed("give PDU JSON objects, or --file FILE".into())),
        None => args.json.join("\n"),
    };
    let mut values = Vec::new();
    for (n, v) in serde_json::Deserializer::from_str(&text).into_iter::<Value>().enumerate() {
        values.push(v.map_err(|e| Failed(format!("JSON object {}: {e}", n + 1)))?);
    }
    if values.is_empty() {
        return Err(Failed("no JSON object to encode".into()));
    }
    let mut out = Vec::new();
    for (n, v) in values.iter().enumerate() {
        let bytes = dump::encode(v).map_err(|e| Failed(format!("PDU {}: {e}", n + 1)))?;
        out.push(bytes);
    }
    let mut stdout = std::io::stdout().lock();
    for bytes in out {
        let r = if args.raw {
            stdout.write_all(&bytes)
        } else {
            writeln!(stdout, "{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
        };
        r.map_err(|e| Failed(format!("cannot write: {e}")))?;
    }
    stdout.flush().map_err(|e| Failed(format!("cannot write: {e}")))?;
    Ok(())
}
