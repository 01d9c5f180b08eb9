#!/usr/bin/env bash
# Runs the target test binary (codec and text vectors, the ESME/SMSC pair, the embassy runner) on
# both emulated boards, and fails if any check fails on either. Prints each board's report, with
# the runner's stack high-water mark. Usage: smpp-embassy/qemu/run.sh
set -euo pipefail
cd "$(dirname "$0")"
command -v qemu-system-arm >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-system-arm >/dev/null
}
rustup target add thumbv7m-none-eabi thumbv7em-none-eabihf >/dev/null 2>&1 || true
for target in thumbv7em-none-eabihf thumbv7m-none-eabi; do
  echo "--- $target"
  # The runner in .cargo/config.toml starts QEMU; semihosting's exit code is the verdict.
  cargo test --locked --release --quiet --target "$target" --test target 2>&1 | grep -v '^Timer with period zero'
done
