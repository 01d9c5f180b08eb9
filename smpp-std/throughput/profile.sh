#!/usr/bin/env bash
# Where one client's time goes: syscalls and context switches per message (perf stat, by kind)
# and the hottest symbols (perf record), of the client process and of the server, over 2 s of
# the measured window. Needs perf; run as root (or with perf_event_paranoid low enough).
#   profile.sh CLIENT BINDS WINDOW      e.g. profile.sh ours 4 64
set -euo pipefail
cd "$(dirname "$0")"
[ $# -eq 3 ] || { echo "usage: $0 ours|smpp34|rusmppc BINDS WINDOW" >&2; exit 2; }
cargo build --locked --release --quiet
bin=./target/release/smpp-throughput
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkfifo "$out/stdin"
"$bin" server < "$out/stdin" > "$out/server.txt" &
server=$!
exec 3> "$out/stdin"   # the server runs until this closes
for _ in $(seq 50); do grep -q LISTENING "$out/server.txt" 2>/dev/null && break; sleep 0.1; done
addr=$(sed -n 's/^LISTENING //p' "$out/server.txt")
"$bin" client "$1" --addr "$addr" --binds "$2" --window "$3" --warmup-ms 1000 --measure-ms 4500 \
  --server-pid "$server" > "$out/result.txt" &
client=$!
sleep 1
events=raw_syscalls:sys_enter,context-switches
for s in sendto recvfrom write read epoll_wait futex sched_yield; do events=$events,syscalls:sys_enter_$s; done
perf stat -e "$events" -p "$server" -o "$out/stat-server.txt" -- sleep 2 &
p1=$!
perf stat -e "$events" -p "$client" -o "$out/stat-client.txt" -- sleep 2 &
p2=$!
wait "$p1" "$p2"
perf record -q -F 1999 -g -p "$server" -o "$out/server.data" -- sleep 1.5 >/dev/null 2>&1 &
p1=$!
perf record -q -F 1999 -g -p "$client" -o "$out/client.data" -- sleep 1.5 >/dev/null 2>&1 &
p2=$!
wait "$p1" "$p2" "$client"
exec 3>&-
wait "$server" 2>/dev/null || true
cat "$out/result.txt"
read -r ok secs < <(sed -n 's/.* ok=\([0-9]*\).*secs=\([0-9.]*\).*/\1 \2/p' "$out/result.txt")
for who in client server; do
  echo "$who, per message over 2 s:"
  awk -v ok="$ok" -v secs="$secs" '/raw_syscalls|context-switches|sys_enter_/ {
      gsub(",", "", $1); n = $2; sub(".*sys_enter_", "", n); sub("raw_syscalls:sys_enter", "all syscalls", n)
      if ($1 > 0) printf "  %-16s %7.3f\n", n, $1 / (ok / secs * 2) }' "$out/stat-$who.txt"
  echo "$who, hottest symbols (self time):"
  perf report -i "$out/$who.data" --no-children --sort dso,sym -g none 2>/dev/null \
    | grep -v '^#' | grep -v '^$' | head -15 | sed 's/^/  /' || true
done
