#!/usr/bin/env bash
# Builds the alarm-panel firmware with and without TLS (--features tls), measures both, and
# writes the TLS section of ../BENCHMARKS.md (footprint_tls.py; footprint.sh writes the rest of
# the file and drops this section, so run this after it, as ../ci.sh does). The record buffer
# sizes come from the TLS host test: pass its output in TLS_REPORT, or the script runs it.
# Usage: smpp-embassy/alarm-panel/footprint-tls.sh
set -euo pipefail
cd "$(dirname "$0")"
rustup target add thumbv7em-none-eabihf >/dev/null 2>&1 || true
rustup component add llvm-tools >/dev/null 2>&1 || true
command -v addr2line >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq binutils >/dev/null
}
out=target/footprint
mkdir -p "$out"
build() {
  local name=$1; shift
  cargo build --release --locked --quiet "$@"
  cp target/thumbv7em-none-eabihf/release/alarm-panel "$out/$name.elf"
}
build smpp
build tls --features tls
report=${TLS_REPORT:-}
if [ -z "$report" ]; then
  report="$out/tls-test.txt"
  (cd ../.. && cargo test --locked -p smpp-embassy --features tls --test tls -- --nocapture --test-threads=1) | tee "$report"
fi
python3 footprint_tls.py "$out" "$report" ../BENCHMARKS.md
