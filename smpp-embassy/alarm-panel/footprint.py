"""Measures the alarm-panel firmware variants and writes smpp-embassy/BENCHMARKS.md.

Usage: footprint.py <dir with smpp.elf, baseline.elf, codec-only.elf, rusmpp.elf> <qemu report> <out.md>

.text is attributed to crates through the debug info: each instruction goes to the innermost
inlined frame that is not the standard library's, so the session's code inlined into the runner
counts as the session's.
"""

import collections
import datetime
import os
import re
import subprocess
import sys

VARIANTS = ["smpp", "baseline", "codec-only", "rusmpp"]
GENERIC = {"core", "alloc", "compiler_builtins", "std"}
TARGETS = {"text": 24 * 1024, "ram": 3 * 1024, "stack": 4 * 1024}


def tool(name):
    sysroot = subprocess.run(["rustc", "--print", "sysroot"], capture_output=True, text=True, check=True).stdout.strip()
    host = re.search(r"host: (\S+)", subprocess.run(["rustc", "-vV"], capture_output=True, text=True).stdout).group(1)
    return os.path.join(sysroot, "lib", "rustlib", host, "bin", name)


SIZE, NM = tool("llvm-size"), tool("llvm-nm")


def sections(elf):
    out = subprocess.run([SIZE, "-A", elf], capture_output=True, text=True, check=True).stdout
    s = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0].startswith("."):
            s[parts[0]] = int(parts[1])
    return s


def text_range(elf):
    out = subprocess.run(["readelf", "-SW", elf], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        m = re.search(r"\]\s+\.text\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", line)
        if m:
            lo = int(m.group(1), 16)
            return lo, lo + int(m.group(2), 16)
    raise SystemExit("no .text in " + elf)


def crate_of(path):
    m = re.search(r"/registry/src/[^/]+/([A-Za-z0-9_\-]+?)-\d+\.\d+\.\d+[^/]*/", path)
    if m:
        return m.group(1)
    m = re.search(r"/rustc/[0-9a-f]+/library/([a-z_]+)/", path)
    if m:
        return m.group(1)
    for crate in ("smpp-codec", "smpp-session"):
        if "/" + crate + "/" in path:
            return crate
    if "/alarm-panel/" in path or path.startswith("src/"):
        return "alarm-panel (application)"
    if "/smpp-embassy/" in path:
        return "smpp-embassy"
    return "other"


def attribute(elf):
    """Octets of .text per crate."""
    lo, hi = text_range(elf)
    step = 2
    addrs = "\n".join(hex(a) for a in range(lo, hi, step)) + "\n"
    lines = subprocess.run(["addr2line", "-a", "-i", "-e", elf], input=addrs, capture_output=True, text=True,
                           check=True).stdout.splitlines()
    agg = collections.Counter()
    i = 0
    while i < len(lines):
        if not lines[i].startswith("0x"):
            i += 1
            continue
        i += 1
        crate, first = None, None
        while i < len(lines) and not lines[i].startswith("0x"):
            path = lines[i].rsplit(":", 1)[0]
            i += 1
            if path in ("??", ""):
                continue
            c = crate_of(path)
            first = first or c
            if crate is None and c not in GENERIC:
                crate = c
        agg[crate or first or "unknown"] += step
    return agg


def symbols(elf):
    """(name without hash, size, kind) of every sized symbol."""
    out = subprocess.run([NM, "--print-size", "-C", "--radix=d", elf], capture_output=True, text=True,
                         check=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split(None, 3)
        if len(parts) < 4:
            continue
        name = re.sub(r"::h[0-9a-f]{16}$", "", parts[3].strip())
        syms.append((name, int(parts[1]), parts[2]))
    return syms


def ram_symbols(elf):
    agg = collections.Counter()
    for name, size, kind in symbols(elf):
        if kind in "bBdD":
            agg[name] += size
    return agg


def short(name):
    name = re.sub(r"^alarm_panel::", "", name)
    name = name.replace("____embassy_main_task::____embassy_main_task_inner_function::_$u7b$$u7b$closure$u7d$$u7d$::",
                        "main::")
    return name


def kib(n):
    return f"{n / 1024:.1f} KiB"


def stack_report(path):
    boards, current = {}, None
    for line in open(path, encoding="utf-8", errors="replace"):
        m = re.match(r"--- (\S+)", line)
        if m:
            current = m.group(1)
        m = re.search(r"runner stack high-water mark: (\d+) octets", line)
        if m and current:
            boards[current] = int(m.group(1))
        m = re.search(r"sizes: (.*)", line)
        if m and current:
            boards[current + " sizes"] = m.group(1).strip()
    return boards


def main():
    d, qemu, md = sys.argv[1:4]
    elf = {v: os.path.join(d, v + ".elf") for v in VARIANTS}
    size = {v: sections(elf[v]) for v in VARIANTS}

    def ram(v):
        return size[v].get(".data", 0) + size[v].get(".bss", 0) + size[v].get(".uninit", 0)

    def flash(v):
        return size[v].get(".vector_table", 0) + size[v].get(".text", 0) + size[v].get(".rodata", 0) + size[v].get(".data", 0)

    attr = {v: attribute(elf[v]) for v in ("smpp", "baseline")}
    ram_syms = {v: ram_symbols(elf[v]) for v in ("smpp", "baseline")}
    heap = [n for n, _, _ in symbols(elf["smpp"]) if re.search(r"__rust_alloc|__rg_alloc|__rust_alloc_error", n)]
    stack = stack_report(qemu)
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()

    text_delta = size["smpp"][".text"] - size["baseline"][".text"]
    ram_delta = ram("smpp") - ram("baseline")
    worst_stack = max((v for k, v in stack.items() if isinstance(v, int)), default=None)

    w = []
    w.append("# smpp-embassy: footprint\n")
    w.append("Generated by `smpp-embassy/alarm-panel/footprint.sh` (CI runs it through `smpp-embassy/ci.sh`); "
             "do not edit by hand.\n")
    w.append(f"Measured {datetime.date.today().isoformat()} at commit `{commit or '?'}` with {rustc}, "
             "for `thumbv7em-none-eabihf` (NUCLEO-F767ZI), the firmware's release profile (opt-level \"s\", LTO, one "
             "codegen unit, panic abort), defmt logging on in every variant. The session and codec are the ones on "
             "this branch: the session/codec flash work (role-specific decoders, per-body encoding, national tables "
             "only when used) is being done elsewhere and shrinks the first two rows of the attribution below; "
             "re-run the script after merging it.\n")
    w.append("## The firmware and the same firmware without SMPP\n")
    w.append("| variant | .text | .rodata | .data | .bss | flash | static RAM |")
    w.append("|---|---:|---:|---:|---:|---:|---:|")
    names = {
        "smpp": "alarm panel (SMPP)",
        "baseline": "without SMPP (same driver, executor, DHCP, DNS, TCP socket and buffers)",
        "codec-only": "without SMPP + smpp-codec decode all + encode submit_sm",
        "rusmpp": "without SMPP + rusmpp-core 0.4 decode all + encode submit_sm",
    }
    for v in VARIANTS:
        s = size[v]
        w.append(f"| {names[v]} | {s.get('.text', 0)} | {s.get('.rodata', 0)} | {s.get('.data', 0)} | "
                 f"{s.get('.bss', 0) + s.get('.uninit', 0)} | {flash(v)} | {ram(v)} |")
    w.append("")
    w.append("Octets. flash = vector table + .text + .rodata + .data's initial image; static RAM = .data + .bss "
             "(+ .uninit). The Ethernet DMA rings (12 KiB) and the TCP socket's buffers (2 × 1 KiB) are in every "
             "variant.\n")
    w.append("| what SMPP adds | .text | .rodata | static RAM |")
    w.append("|---|---:|---:|---:|")
    for v, label in (("smpp", "the alarm panel's SMPP (codec, session, runner, the alarm logic)"),
                     ("codec-only", "smpp-codec alone (decode + encode)"),
                     ("rusmpp", "rusmpp-core alone (decode + encode), for comparison")):
        w.append(f"| {label} | {size[v]['.text'] - size['baseline']['.text']} "
                 f"({kib(size[v]['.text'] - size['baseline']['.text'])}) | "
                 f"{size[v].get('.rodata', 0) - size['baseline'].get('.rodata', 0)} | {ram(v) - ram('baseline')} |")
    w.append("")
    w.append("## Where the .text goes\n")
    w.append("| crate | with SMPP | without | added |")
    w.append("|---|---:|---:|---:|")
    crates = set(attr["smpp"]) | set(attr["baseline"])
    rows = sorted(crates, key=lambda c: -(attr["smpp"][c] - attr["baseline"][c]))
    other_with = other_without = 0
    for c in rows:
        a, b = attr["smpp"][c], attr["baseline"][c]
        if abs(a - b) < 256:
            other_with += a
            other_without += b
            continue
        w.append(f"| {c} | {a} | {b} | {a - b:+d} |")
    w.append(f"| everything else | {other_with} | {other_without} | {other_with - other_without:+d} |")
    w.append("")
    w.append("Each instruction counts for the innermost inlined function outside the standard library, so code "
             "of the session inlined into the runner counts as the session's; `core` is what the standard library "
             "adds on its own (formatting for panic messages, wide arithmetic).\n")
    w.append("## Static RAM that SMPP adds\n")
    w.append("| symbol | octets |")
    w.append("|---|---:|")
    added = collections.Counter()
    for n, s in ram_syms["smpp"].items():
        added[short(n)] += s
    for n, s in ram_syms["baseline"].items():
        added[short(n)] -= s
    total = 0
    for n, s in sorted(added.items(), key=lambda x: -abs(x[1])):
        if s == 0 or "SOCKET_" in n:
            continue
        total += s
        w.append(f"| `{n}` | {s:+d} |")
    w.append(f"| total | {total:+d} |")
    w.append("")
    w.append("`smpp_task::POOL` is the runner's task: its future holds the session (window 4) and the connection; "
             "`STATE` is the tickets, the request slot and the slot for a message from a handset; `SESSION_RX` and "
             "`SESSION_TX` are the session's buffers; `link_task` in the firmware without SMPP is its plain TCP "
             "loop. No heap: " + ("no allocator symbol is linked." if not heap else "ALLOCATOR SYMBOLS FOUND: " + ", ".join(heap)) + "\n")
    w.append("## The runner's stack\n")
    w.append("Measured on QEMU by `smpp-embassy/qemu` (the runner against the test SMSC over an in-memory connection, "
             "every scenario of the host tests): the free stack is painted before each poll of the runner's future "
             "and read after it; the figure is the deepest use over the run, interrupts included.\n")
    w.append("| board | runner stack high-water mark | sizes |")
    w.append("|---|---:|---|")
    for board in ("thumbv7em-none-eabihf", "thumbv7m-none-eabi"):
        label = {"thumbv7em-none-eabihf": "mps2-an386 (Cortex-M4F)", "thumbv7m-none-eabi": "lm3s6965evb (Cortex-M3)"}[board]
        w.append(f"| {label} | {stack.get(board, 'not measured')} octets | {stack.get(board + ' sizes', '')} |")
    w.append("")
    w.append("## Against the targets\n")
    w.append("| target | measured | |")
    w.append("|---|---:|---|")
    w.append(f"| SMPP adds at most 24 KiB of .text | {text_delta} ({kib(text_delta)}) | "
             f"{'met' if text_delta <= TARGETS['text'] else 'not met'} |")
    w.append(f"| SMPP adds at most 3 KiB of static RAM (window 4, socket buffers excluded) | {ram_delta} | "
             f"{'met' if ram_delta <= TARGETS['ram'] else 'not met'} |")
    w.append(f"| no heap | {'none' if not heap else 'found'} | {'met' if not heap else 'not met'} |")
    if worst_stack is not None:
        w.append(f"| runner stack high-water mark under 4 KiB | {worst_stack} | "
                 f"{'met' if worst_stack < TARGETS['stack'] else 'not met'} |")
    w.append("")
    with open(md, "w", encoding="utf-8") as f:
        f.write("\n".join(w))
    print("\n".join(w))
    unmet = [line for line in w if line.endswith("| not met |")]
    if unmet and os.environ.get("SMPP_FOOTPRINT_ENFORCE") == "1":
        raise SystemExit("targets not met (SMPP_FOOTPRINT_ENFORCE=1):\n" + "\n".join(unmet))


if __name__ == "__main__":
    main()
