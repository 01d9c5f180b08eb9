#!/usr/bin/env bash
# Builds the throughput benchmark (a crate outside the workspace, with its own Cargo.lock, so
# that the peers' tokio trees stay out of the workspace's graph) and runs it.
#   run.sh               the full run behind ../BENCHMARKS.md: 5 rounds of windows 1, 8, 64
#                        x 1 and 4 binds x our client, smpp34 and rusmppc, interleaved
#   run.sh --smoke       a few seconds of each (CI): checks that every client binds and that
#                        ours and smpp34 get answers, not how fast
# Other arguments go to `smpp-throughput run` (--rounds, --warmup-ms, --measure-ms, --windows,
# --binds, --clients, --grace-s).
set -euo pipefail
cd "$(dirname "$0")"
cargo build --locked --release --quiet
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr)"
echo "uptime before: $(uptime)"
if [ "${1:-}" = "--smoke" ]; then
  shift
  set -- --rounds 1 --warmup-ms 100 --measure-ms 300 --grace-s 12 --check ours,smpp34 "$@"
fi
./target/release/smpp-throughput run "$@"
echo "uptime after: $(uptime)"
