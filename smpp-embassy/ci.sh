#!/usr/bin/env bash
# Every check of smpp-embassy, as CI runs them (.ci/run calls this after the workspace's own
# fmt, clippy and tests). Installs what a fresh machine lacks. Usage: bash smpp-embassy/ci.sh
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== smpp-embassy: %s\n' "$*"; }

step "targets, tools, QEMU"
rustup target add thumbv7em-none-eabihf thumbv7m-none-eabi thumbv6m-none-eabi >/dev/null
rustup component add llvm-tools clippy rustfmt >/dev/null
missing=()
command -v qemu-system-arm >/dev/null || missing+=(qemu-system-arm)
command -v addr2line >/dev/null || missing+=(binutils)
command -v ip >/dev/null || missing+=(iproute2)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

step "fmt and clippy (the crate; the QEMU tests and the firmware, outside the workspace)"
cargo fmt -p smpp-embassy --check
(cd smpp-embassy/qemu && cargo fmt --check)
(cd smpp-embassy/alarm-panel && cargo fmt --check)
(cd smpp-embassy/qemu && cargo clippy --locked --release --target thumbv7em-none-eabihf --all-targets -- -D warnings)
(cd smpp-embassy/alarm-panel && cargo clippy --locked --release -- -D warnings)
cargo clippy --locked -p smpp-embassy --all-targets --features tls -- -D warnings
(cd smpp-embassy/alarm-panel && cargo clippy --locked --release --features tls -- -D warnings)
(cd smpp-embassy/alarm-panel && cargo clippy --locked --release --no-default-features --features smpp -- -D warnings)

step "the library on no_std targets, with and without defmt and embassy-net"
for target in thumbv7em-none-eabihf thumbv6m-none-eabi; do
  cargo build --locked -p smpp-embassy --target "$target"
  cargo build --locked -p smpp-embassy --target "$target" --features defmt
  cargo build --locked -p smpp-embassy --target "$target" --no-default-features
  cargo build --locked -p smpp-embassy --target "$target" --features tls,defmt
done

step "MSRV 1.87 without embassy-net (smoltcp 0.13 needs 1.91)"
rustup toolchain install 1.87 --profile minimal >/dev/null
cargo +1.87 check --locked -p smpp-embassy --no-default-features

step "host tests: two embassy-net stacks joined in memory, and the TAP device (required here)"
SMPP_REQUIRE_TAP=1 cargo test --locked -p smpp-embassy

step "TLS (feature tls): the verifier's unit tests, and the runner over embedded-tls against the std server"
cargo test --locked -p smpp-embassy --features tls --lib
tls_report=$(mktemp)
cargo test --locked -p smpp-embassy --features tls --test tls -- --nocapture --test-threads=1 | tee "$tls_report"

step "QEMU: vectors, the ESME/SMSC pair and the runner on mps2-an386 and lm3s6965evb"
report=$(mktemp)
smpp-embassy/qemu/run.sh | tee "$report"

step "the firmware for its board (NUCLEO-F767ZI), its variants, and the footprint (the targets met stay met)"
QEMU_REPORT="$report" SMPP_FOOTPRINT_ENFORCE=1 smpp-embassy/alarm-panel/footprint.sh
rm -f "$report"

step "the TLS variant of the firmware (--features tls) and its footprint (after footprint.sh, which rewrites BENCHMARKS.md)"
TLS_REPORT="$tls_report" smpp-embassy/alarm-panel/footprint-tls.sh
rm -f "$tls_report"

