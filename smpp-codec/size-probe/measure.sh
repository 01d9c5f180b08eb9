#!/usr/bin/env bash
# Prints the .text size smpp-codec adds to a Cortex-M4F firmware: a program that decodes any PDU
# and encodes a submit_sm, against an empty cortex-m-rt program with the same plumbing.
set -euo pipefail
cd "$(dirname "$0")"
rustup target add thumbv7em-none-eabihf >/dev/null 2>&1 || true
rustup component add llvm-tools >/dev/null 2>&1 || true
cargo build --quiet --release --target thumbv7em-none-eabihf --bins
size_tool="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/llvm-size"
[ -x "$size_tool" ] || size_tool=arm-none-eabi-size
text() { "$size_tool" -A "target/thumbv7em-none-eabihf/release/$1" | awk '$1 == ".text" { print $2 }'; }
base=$(text baseline)
codec=$(text codec)
echo "thumbv7em-none-eabihf, opt-level z, LTO, panic abort"
echo "  baseline .text: $base bytes"
echo "  codec    .text: $codec bytes"
echo "  added by smpp-codec: $((codec - base)) bytes ($(( (codec - base + 512) / 1024 )) KiB; target: at most 12 KiB)"
[ $((codec - base)) -le 12288 ]
