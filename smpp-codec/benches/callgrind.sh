#!/usr/bin/env bash
# Instructions per call of each side's decode and encode, counted by callgrind (repeatable
# whatever else the machine runs). Usage: smpp-codec/benches/callgrind.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(cargo bench -p smpp-codec --bench codec --no-run --message-format=json 2>/dev/null |
  jq -r 'select(.reason == "compiler-artifact" and .target.name == "codec" and .executable != null) | .executable')
calls=10000
cases=("submit_sm" "receipt + 2 TLVs" "enquire_link" "submit_sm_resp")
printf '%-18s %12s %12s %12s %12s\n' case "decode ours" theirs "encode ours" theirs
for i in "${!cases[@]}"; do
  row=()
  for what in ours-decode theirs-decode ours-encode theirs-encode; do
    fn="${what%-*}_${what#*-}"
    out=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file="$out" --collect-atstart=no \
      "--toggle-collect=*codec::${fn}" "$bin" --callgrind "$what" "$i" >/dev/null 2>&1
    total=$(sed -n 's/^summary: //p; s/^totals: //p' "$out" | head -1)
    rm -f "$out"
    row+=("$((total / calls))")
  done
  printf '%-18s %12s %12s %12s %12s\n' "${cases[$i]}" "${row[@]}"
done
