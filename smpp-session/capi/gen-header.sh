#!/usr/bin/env bash
# Writes include/smpp.h with the pinned cbindgen (`--check`: fails instead when it is stale).
set -euo pipefail
cd "$(dirname "$0")"
want=0.29.0
have="$(cbindgen --version 2>/dev/null | awk '{print $2}')" || true
if [ "$have" != "$want" ]; then
  echo "cbindgen $want is needed (found: ${have:-none}): cargo install cbindgen --locked --version $want" >&2
  exit 1
fi
out=include/smpp.h
# cbindgen writes negative constants bare (`#define X -1`); parenthesized, `-X` cannot become
# `--1`.
generate() { cbindgen --quiet --config cbindgen.toml . | sed -E 's/^(#define [A-Z0-9_]+) (-[0-9]+)$/\1 (\2)/'; }
if [ "${1:-}" = "--check" ]; then
  tmp="$(mktemp)"
  trap 'rm -f "$tmp"' EXIT
  generate >"$tmp"
  if ! diff -u "$out" "$tmp"; then
    echo "include/smpp.h is stale: run smpp-session/capi/gen-header.sh and commit it" >&2
    exit 1
  fi
  echo "include/smpp.h is current"
else
  generate >"$out"
fi
