#!/usr/bin/env bash
# Every check of the C ABI, as CI runs it (called from .ci/run; runs alone too). Installs what
# a fresh machine lacks, then: the header is current; fmt, clippy and the Rust tests; the C
# tests with gcc and clang under ASan + UBSan on the host; the same C tests cross-linked with
# arm-none-eabi-gcc against the thumbv7em staticlib and run under QEMU (mps2-an386,
# semihosting, checked by exit code); the no_std staticlib for thumbv6m and riscv32imc; the
# Python ctypes tests against the cdylib (a pair in one process, and an ESME over a socket
# against `smpp sim`); the ESME firmware under QEMU and its flash cost; the window-32 build
# against the header's window-32 storage.
set -euo pipefail
cd "$(dirname "$0")"
capi="$(pwd)"
root="$(cd ../.. && pwd)"
target="$root/target"
out="$target/capi-ci"
mkdir -p "$out"

step() { printf '\n=== capi: %s\n' "$*"; }

CBINDGEN_VERSION=0.29.0

step "tools"
need=()
command -v arm-none-eabi-gcc >/dev/null || need+=(gcc-arm-none-eabi libnewlib-arm-none-eabi)
[ -d /usr/lib/arm-none-eabi/newlib ] || need+=(libnewlib-arm-none-eabi)
command -v clang >/dev/null || need+=(clang)
command -v qemu-system-arm >/dev/null || need+=(qemu-system-arm)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ "$(cbindgen --version 2>/dev/null | awk '{print $2}')" != "$CBINDGEN_VERSION" ]; then
  cargo install cbindgen --locked --version "$CBINDGEN_VERSION"
fi
rustup target add thumbv7em-none-eabihf thumbv6m-none-eabi riscv32imc-unknown-none-elf >/dev/null

step "smpp.h is what cbindgen $CBINDGEN_VERSION writes from the sources"
./gen-header.sh --check

step "fmt, clippy (host and bare metal), Rust tests"
cargo fmt -p smpp-capi --check
cargo clippy --locked -p smpp-capi --all-targets -- -D warnings
for t in thumbv7em-none-eabihf thumbv6m-none-eabi riscv32imc-unknown-none-elf; do
  # (rustc notes that it drops the cdylib on these targets: only the staticlib is built there)
  cargo clippy --locked -p smpp-capi --target "$t" -- -D warnings
done
cargo test --locked -p smpp-capi

step "C tests on the host: gcc and clang, C11, -Wall -Wextra -Werror -pedantic, ASan + UBSan"
cargo build --locked -p smpp-capi
native_libs="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"
cflags=(-std=c11 -Wall -Wextra -Werror -pedantic -g -O1 -fsanitize=address,undefined
        -fno-sanitize-recover=all -fno-omit-frame-pointer -I"$capi/include")
for cc in gcc clang; do
  # shellcheck disable=SC2086
  "$cc" "${cflags[@]}" -DGARBAGE_ROUNDS=3000 tests/c/test_capi.c tests/c/harness.c \
    "$target/debug/libsmpp_capi.a" $native_libs -o "$out/test_capi_$cc"
  echo "--- $cc"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 "$out/test_capi_$cc"
done

step "C tests on a Cortex-M4F under QEMU (thumbv7em staticlib, arm-none-eabi-gcc)"
# What firmware links: release (LTO, one codegen unit), optimized for size.
CARGO_PROFILE_RELEASE_OPT_LEVEL=z cargo rustc --locked -p smpp-capi --release \
  --target thumbv7em-none-eabihf --crate-type staticlib
arm=(-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16)
arm-none-eabi-gcc "${arm[@]}" -std=c11 -Wall -Wextra -Werror -pedantic -O2 -g \
  -ffunction-sections -fdata-sections -DSMPP_TEST_QEMU -I"$capi/include" \
  tests/c/test_capi.c tests/c/harness.c tests/qemu/startup.c \
  "$target/thumbv7em-none-eabihf/release/libsmpp_capi.a" \
  --specs=rdimon.specs -nostartfiles -T tests/qemu/mps2-an386.ld -Wl,--gc-sections \
  -Wl,--no-warn-execstack -o "$out/test_capi_qemu.elf"
timeout 300 qemu-system-arm -cpu cortex-m4 -machine mps2-an386 -nographic \
  -semihosting-config enable=on,target=native -kernel "$out/test_capi_qemu.elf"

step "no_std staticlib for thumbv6m and riscv32imc"
for t in thumbv6m-none-eabi riscv32imc-unknown-none-elf; do
  cargo rustc --locked -p smpp-capi --target "$t" --crate-type staticlib
  ls -l "$target/$t/debug/libsmpp_capi.a"
done

step "Python ctypes against the cdylib"
python3 tests/python/test_ctypes.py "$target/debug/libsmpp_capi.so" include/smpp.h

step "Python ctypes: the cdylib's ESME over a socket against the smpp-std simulator (smpp sim)"
cargo build --locked -p smpp-std --bin smpp
python3 tests/python/esme_against_sim.py "$target/debug/libsmpp_capi.so" include/smpp.h "$target/debug/smpp"

step "the README's C example against an SMSC on loopback (the cdylib's SMSC session, driven from Python)"
awk '/^```c$/ { on = 1; next } /^```$/ { on = 0 } on' README.md > "$out/send_alarm.c"
# shellcheck disable=SC2086
gcc "${cflags[@]}" "$out/send_alarm.c" "$target/debug/libsmpp_capi.a" $native_libs -o "$out/send_alarm"
rm -f "$out/smsc.port"
python3 tests/python/smsc_server.py "$target/debug/libsmpp_capi.so" include/smpp.h "$out/smsc.port" &
smsc=$!
for _ in $(seq 100); do [ -s "$out/smsc.port" ] && break; sleep 0.1; done
timeout 30 "$out/send_alarm" "$(cat "$out/smsc.port")" 34600000000
wait "$smsc"

step "the ESME firmware under QEMU, and what smpp-capi adds to its flash"
firmware/measure.sh "$target/thumbv7em-none-eabihf/release/libsmpp_capi.a"

step "window-32: the library and the header's SMPP_WINDOW_32 storage agree"
# Last: it replaces the default build's debug staticlib.
cargo rustc --locked -p smpp-capi --features window-32 --crate-type staticlib
# shellcheck disable=SC2086
gcc "${cflags[@]}" -DSMPP_WINDOW_32 -DGARBAGE_ROUNDS=100 tests/c/test_capi.c tests/c/harness.c \
  "$target/debug/libsmpp_capi.a" $native_libs -o "$out/test_capi_w32"
"$out/test_capi_w32"

step "capi: done"
