#!/usr/bin/env python3
"""Where the bytes of a size-probe program go, by area of the library.

Usage: breakdown.py ELF [TOP]   (ELF built with debug info: see measure.sh --breakdown)

Every .text instruction is attributed through the inlining chain (addr2line -i) to the innermost
frame that lies in the workspace, then to an area (decode, encode, text, receipts, session, ...);
code of core and compiler-builtins that no workspace frame inlined is its own area. .rodata has no
symbols after LTO: each object reached from a literal pool is attributed to the area of the
function that loads its address, its size being the distance to the next such object (so the
figures are estimates). Needs binutils' addr2line and the llvm-tools component."""
import collections
import os
import re
import subprocess
import sys

elf = sys.argv[1]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 30
workspace = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", "..")) + "/"
host = re.search(r"host: (\S+)", subprocess.check_output(["rustc", "-vV"], text=True)).group(1)
tools = subprocess.check_output(["rustc", "--print", "sysroot"], text=True).strip() + f"/lib/rustlib/{host}/bin"


def sections():
    out = {}
    for line in subprocess.check_output([f"{tools}/llvm-objdump", "-h", elf], text=True).splitlines():
        f = line.split()
        if len(f) >= 4 and f[1].startswith("."):
            out[f[1]] = (int(f[3], 16), int(f[2], 16))
    return out


def area(frames):
    """The area of an address, from its inlining chain (innermost frame first)."""
    for fn, loc in frames:
        if workspace not in loc:
            continue
        f = loc.split(workspace)[1].split(":")[0]
        if f.startswith("smpp-codec/src/text/receipt"):
            return "text: delivery receipts"
        if f.startswith("smpp-codec/src/text/"):
            return "text: choose, encode, split"
        if f.startswith("smpp-session/"):
            return "session"
        if "size-probe" in f:
            return "probe program"
        if re.search(r"Reader|parse|TlvIter|Tlvs::get|typed|int_exact|split_tlv|empty_response|Decode", fn):
            return "codec: decode"
        if re.search(r"Encode|Sink|Writer|Measure|emit|encoded_len|measure|has_nul|put_|List<.*>::write|wire_parts", fn):
            return "codec: encode"
    for fn, loc in frames:
        if workspace in loc:
            return "codec: other"
    return "core + compiler-builtins"


def symbolize(addrs):
    inp = "".join(f"0x{a:x}\n" for a in addrs)
    out = subprocess.run(["addr2line", "-a", "-i", "-f", "-C", "-e", elf], input=inp, capture_output=True, text=True, check=True).stdout
    chains, cur = [], None
    for line in out.splitlines():
        if re.fullmatch(r"0x[0-9a-f]+", line):
            cur = []
            chains.append(cur)
        else:
            cur.append(line)
    return [list(zip(c[0::2], c[1::2])) for c in chains]


secs = sections()
text_start, text_size = secs[".text"]
ro_start, ro_size = secs.get(".rodata", (0, 0))
dis = subprocess.check_output([f"{tools}/llvm-objdump", "-d", "--no-show-raw-insn", "--section=.text", elf], text=True)
insns, literals, loaded_by = [], [], {}
for line in dis.splitlines():
    ld = re.search(r"^\s+([0-9a-f]+):.*\[pc, #[^]]*\].*@ 0x([0-9a-f]+)", line)
    if ld:
        loaded_by.setdefault(int(ld.group(2), 16), int(ld.group(1), 16))
    m = re.match(r"\s+([0-9a-f]+):\s+(\S+)\s*(\S*)", line)
    if not m:
        continue
    a = int(m.group(1), 16)
    insns.append(a)
    w = re.search(r"\.word\s+0x([0-9a-f]+)", line)
    if w:
        v = int(w.group(1), 16) & ~1
        if ro_start <= v < ro_start + ro_size:
            literals.append((v, a))
insns.sort()
literals = [(v, loaded_by.get(a, a)) for v, a in literals]
sizes = [(insns[i + 1] if i + 1 < len(insns) else text_start + text_size) - a for i, a in enumerate(insns)]
chains = symbolize(insns)
by_area, by_fn = collections.Counter(), collections.Counter()
area_of = {}
for a, n, frames in zip(insns, sizes, chains):
    ar = area(frames)
    area_of[a] = ar
    by_area[ar] += n
    inner = next((fn for fn, loc in frames if workspace in loc), frames[-1][0] if frames else "?")
    by_fn[(ar, inner)] += n
ro_area = collections.Counter()
targets = sorted({v: a for v, a in sorted(literals, reverse=True)}.items())
for i, (v, a) in enumerate(targets):
    end = targets[i + 1][0] if i + 1 < len(targets) else ro_start + ro_size
    ro_area[area_of.get(a, "?")] += end - v
    if os.environ.get("RODATA_DEBUG"): print(hex(v), end - v, hex(a), area_of.get(a))
if targets and targets[0][0] > ro_start:
    ro_area["(not reached from a literal pool)"] += targets[0][0] - ro_start

print(f"{elf}: .text {text_size}, .rodata {ro_size}")
print(f"\n{'.text':>7} {'.rodata':>8}  area")
for k in sorted(set(by_area) | set(ro_area), key=lambda k: -(by_area[k] + ro_area[k])):
    print(f"{by_area[k]:7d} {ro_area[k]:8d}  {k}")
bodies = collections.Counter()
for a, n, frames in zip(insns, sizes, chains):
    for fn, _ in frames:
        m = re.match(r"(?:<)?smpp_codec::(?:pdu::\w+|tlv)::(\w+)(?: as smpp_codec::\w+::(Encode|Item)>)?::(parse|encode|read|write)$", fn)
        if m:
            bodies[f"{m.group(1)} {'encode' if m.group(3) in ('encode', 'write') else 'decode'}"] += n
print("\nPDU bodies whose code is linked (bytes; a body's figure includes what it inlines, e.g. its TLVs):")
print("  " + ", ".join(f"{k} {v}" for k, v in sorted(bodies.items())))
print(f"\ntop {top} functions (.text, innermost workspace function, inlined code included):")
for (ar, fn), v in by_fn.most_common(top):
    print(f"{v:7d}  {fn}  [{ar}]")
