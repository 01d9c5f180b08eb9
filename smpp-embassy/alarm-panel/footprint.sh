#!/usr/bin/env bash
# Builds the alarm-panel firmware in its variants (SMPP and the baseline without SMPP, each with
# and without defmt; the baseline plus smpp-codec, and plus rusmpp-core), measures them, and
# writes ../BENCHMARKS.md.
# The runner's stack high-water mark comes from the QEMU run: pass its output in QEMU_REPORT, or
# the script runs ../qemu/run.sh itself. With SMPP_FOOTPRINT_ENFORCE=1 an enforced target that is
# not met fails it (see footprint.py).
# Usage: smpp-embassy/alarm-panel/footprint.sh
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
# The targets are judged without defmt; the same pair with defmt shows what logging costs.
build smpp-nodefmt --no-default-features --features smpp
build baseline-nodefmt --no-default-features --features baseline
build smpp
build baseline --no-default-features --features baseline,defmt
build codec-only --no-default-features --features codec-only,defmt
build rusmpp --no-default-features --features rusmpp,defmt
report=${QEMU_REPORT:-}
if [ -z "$report" ]; then
  report="$out/qemu.txt"
  ../qemu/run.sh | tee "$report"
fi
python3 footprint.py "$out" "$report" ../BENCHMARKS.md
