#!/usr/bin/env bash
# Instructions per call of the codec's hot paths (the decoder of each role, typed encode,
# the text layer), counted by callgrind (repeatable whatever else the machine is doing).
# and prints, for each case function, its inclusive instruction count divided by the calls.
set -euo pipefail
cd "$(dirname "$0")/.."
exe=$(cargo bench --bench instructions --no-run --message-format=json 2>/dev/null |
  grep -o "\"executable\":\"[^\"]*instructions[^\"]*\"" | cut -d\" -f4 | tail -1)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$out" "$exe" >/dev/null 2>&1
n=$(sed -n 's/^const N: usize = \([0-9]*\);/\1/p' benches/instructions.rs)
callgrind_annotate --inclusive=yes --threshold=100 "$out" 2>/dev/null |
  awk -v n="$n" '/instructions::(parse|decode|esme|smsc|emit|encode|split)[a-z_0-9]*( |$)/ {
      gsub(",", "", $1); name = $0; sub(/.*instructions::/, "", name); sub(/ .*/, "", name);
      if (!(name in seen)) { seen[name] = 1; printf "%-32s %8.0f\n", name, $1 / n }
    }'
