#!/usr/bin/env bash
# Sizes on a Cortex-M4F (thumbv7em-none-eabihf, opt-level z, LTO, one codegen unit, panic abort),
# each program against a baseline with the same plumbing and no SMPP:
#   codec: decodes any PDU through `Pdu::parse` (every field kept) and encodes a submit_sm
#          (.text);
#   esme:  an ESME on smpp-session: bind, submit_text, submit_sm_resp, receipt, keepalive
#          (.text + .rodata), GSM 03.38 and UCS-2 only; esme_national: the same with the
#          Portuguese shift tables allowed.
# Exits non-zero when a figure is over its target.
# `measure.sh --breakdown` also prints where the ESME's bytes go (needs python3 and addr2line).
set -euo pipefail
cd "$(dirname "$0")"
rustup target add thumbv7em-none-eabihf >/dev/null 2>&1 || true
rustup component add llvm-tools >/dev/null 2>&1 || true
target=thumbv7em-none-eabihf
cargo build --quiet --release --target "$target" --bins
host="$(rustc -vV | sed -n 's/^host: //p')"
size_tool="$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-size"
[ -x "$size_tool" ] || size_tool=arm-none-eabi-size
section() { "$size_tool" -A "target/$target/release/$1" | awk -v s="$2" '$1 == s { print $2 }'; }
kib() { awk -v n="$1" 'BEGIN { printf "%.1f KiB", n / 1024 }'; }
status=0

base=$(section baseline .text)
codec=$(section codec .text)
echo "$target, opt-level z, LTO, panic abort"
echo "codec probe (Pdu::parse + submit_sm emit)"
echo "  baseline .text: $base bytes"
echo "  codec    .text: $codec bytes"
echo "  added by smpp-codec: $((codec - base)) bytes ($(kib $((codec - base))); target: at most 12 KiB)"
[ $((codec - base)) -le 12288 ] || { echo "  OVER TARGET"; status=1; }

esme_target=24576
bt=$(section esme_baseline .text); br=$(section esme_baseline .rodata)
et=$(section esme .text); er=$(section esme .rodata)
added=$(( (et - bt) + (er - br) ))
echo "ESME probe (Session<'_, 4>, 1 KiB buffers: bind, submit_text, submit_sm_resp, receipt, keepalive)"
echo "  baseline .text: $bt bytes, .rodata: $br bytes"
echo "  esme     .text: $et bytes, .rodata: $er bytes"
echo "  added: .text $((et - bt)) + .rodata $((er - br)) = $added bytes ($(kib "$added"); target: at most $(kib $esme_target))"
[ "$added" -le "$esme_target" ] || { echo "  OVER TARGET"; status=1; }

nt=$(section esme_national .text); nr=$(section esme_national .rodata)
echo "  with the Portuguese shift tables allowed: +$(( (nt - et) + (nr - er) )) bytes (.text +$((nt - et)), .rodata +$((nr - er)))"
# The national tables are statics: their symbols say whether they were linked.
nm_tool="$(dirname "$size_tool")/llvm-nm"
[ -x "$nm_tool" ] || nm_tool=arm-none-eabi-nm
national() { "$nm_tool" -C "target/$target/release/$1" | grep -cE 'gsm7::[A-Z]+_(SINGLE|LOCKING)' || true; }
if [ "$(national esme_national)" -eq 0 ]; then
  echo "  cannot check the national tables: no symbol of them even where they are used"; status=1
elif [ "$(national esme)" -ne 0 ]; then
  echo "  NATIONAL TABLES LINKED though no language is allowed"; status=1
else
  echo "  national shift tables linked without a language allowed: none"
fi

if [ "${1:-}" = "--breakdown" ]; then
  # Same build with debug info (it does not change the code much) in its own target directory.
  CARGO_PROFILE_RELEASE_DEBUG=2 cargo build --quiet --release --target "$target" --bins --target-dir target/debuginfo
  python3 breakdown.py "target/debuginfo/$target/release/esme"
fi
exit $status
