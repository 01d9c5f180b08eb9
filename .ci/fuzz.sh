#!/usr/bin/env bash
# Builds every fuzz target and runs each for FUZZ_SECONDS (default 20) from the committed seeds,
# with AddressSanitizer on stable (RUSTC_BOOTSTRAP=1). Fails on any crash.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
seconds="${FUZZ_SECONDS:-20}"
cargo fuzz build
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for target in $(cargo fuzz list); do
  mkdir -p "$work/$target"
  cp corpus/"$target"/seed-* "$work/$target/" 2>/dev/null || true
  echo "--- fuzz $target for ${seconds}s"
  cargo fuzz run "$target" "$work/$target" -- -max_total_time="$seconds" -dict=smpp.dict 2>&1 | grep -E "^#[0-9]+[[:space:]]+DONE|panicked|ERROR|SUMMARY" || true
  # cargo fuzz exits non-zero on a crash; the pipeline hides it, so check the artifacts.
  if ls artifacts/"$target"/crash-* artifacts/"$target"/leak-* artifacts/"$target"/timeout-* >/dev/null 2>&1; then
    echo "fuzz target $target found a failure: see fuzz/artifacts/$target/" >&2
    exit 1
  fi
done
echo "fuzz: every target ran ${seconds}s without a crash"
