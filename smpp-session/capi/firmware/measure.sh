#!/usr/bin/env bash
# The flash the C API costs an ESME firmware on a Cortex-M4F: firmware/esme.c (bind, an alarm
# text with smpp_submit_text, its receipt, keepalive, unbind) linked with arm-none-eabi-gcc -Os
# --gc-sections against the thumbv7em staticlib, minus the same program built with -DBASELINE
# (same start-up, network, clock and loop, no SMPP). Runs the firmware under QEMU too: it exits
# 0 only when every step of the exchange happened.
#
# Usage: firmware/measure.sh [path/to/libsmpp_capi.a]   (default: the release thumbv7em build)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
capi="$(dirname "$here")"
root="$(cd "$capi/../.." && pwd)"
lib="${1:-$root/target/thumbv7em-none-eabihf/release/libsmpp_capi.a}"
out="$root/target/capi-firmware"
mkdir -p "$out"
flags=(-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -std=c11 -Wall -Wextra -Werror -pedantic
       -Os -ffunction-sections -fdata-sections -I"$capi/include")
link=(-nostartfiles --specs=nano.specs --specs=nosys.specs -T "$capi/tests/qemu/mps2-an386.ld"
      -Wl,--gc-sections -Wl,--no-warn-execstack)
arm-none-eabi-gcc "${flags[@]}" "$here/esme.c" "$lib" "${link[@]}" -o "$out/esme.elf"
arm-none-eabi-gcc "${flags[@]}" -DBASELINE "$here/esme.c" "$lib" "${link[@]}" -o "$out/baseline.elf"

flash() { arm-none-eabi-size -A "$1" | awk '$1 == ".text" || $1 == ".data" || $1 == ".ARM.exidx" { n += $2 } END { print n }'; }
run() {
  timeout 60 qemu-system-arm -cpu cortex-m4 -machine mps2-an386 -nographic \
    -semihosting-config enable=on,target=native -kernel "$1"
}
echo "baseline under QEMU:"
run "$out/baseline.elf"
echo "ESME firmware under QEMU:"
run "$out/esme.elf"
e=$(flash "$out/esme.elf"); b=$(flash "$out/baseline.elf")
words=$(grep -o 'SMPP_SESSION_WORDS [0-9]*' "$capi/include/smpp.h" | head -1 | awk '{print $2}')
echo "C firmware on thumbv7em (arm-none-eabi-gcc -Os --gc-sections; staticlib opt-level z, LTO):"
echo "  baseline flash: $b octets; with the ESME path: $e octets"
echo "  flash added by smpp-capi: $((e - b)) octets ($(awk -v n=$((e - b)) 'BEGIN { printf "%.1f", n / 1024 }') KiB)"
echo "  RAM of this firmware's session: storage $((words * 8)) + rx 512 + tx 1024 octets, static"
