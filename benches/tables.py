#!/usr/bin/env python3
"""Turns the output of the DKIM bench into the Markdown table of benches/README.md.

    cargo bench -p mailroom-benches --bench dkim > ring.txt
    cargo bench -p mailroom-benches --bench dkim --features aws-lc-rs > aws-lc-rs.txt
    python3 benches/tables.py ring.txt aws-lc-rs.txt
"""
import re
import sys

UNITS = {"ns": 1e-3, "µs": 1.0, "us": 1.0, "ms": 1e3, "s": 1e6}


def read(path):
    """Bench name -> median time in microseconds."""
    times, name = {}, None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip()
        if re.match(r"^(dkim|primitives)/\S+$", line.split()[0] if line.split() else ""):
            name = line.split()[0]
        m = re.search(r"time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", line)
        if m and name and name not in times:
            times[name] = float(m.group(1)) * UNITS[m.group(2)]
            name = None
    return times


def fmt(us):
    return f"{us / 1000:.3f} ms" if us >= 1000 else f"{us:.1f} µs"


def table(path):
    t = read(path)
    backend = "aws-lc-rs" if any(k.startswith("primitives/aws-lc-rs") for k in t) else "ring"
    p = lambda name: t[f"primitives/{backend}/{name}"]
    rows = [
        f"**{backend}** | Mailroom | mail-auth | bare primitives | Mailroom ÷ bare | mail-auth ÷ bare",
        "--- | ---: | ---: | ---: | ---: | ---:",
    ]
    for size in ["4KiB", "1MiB", "1MiB-attachment"]:
        for alg, prim in [("rsa-2048", "rsa-2048"), ("ed25519", "ed25519")]:
            for canon in ["relaxed", "simple"]:
                for op in ["sign", "verify"]:
                    ours = t.get(f"dkim/{size}/{alg}/{canon}/mailroom/{op}")
                    theirs = t.get(f"dkim/{size}/{alg}/{canon}/mail-auth/{op}")
                    if ours is None or theirs is None:
                        continue
                    bare = p(f"{prim}/{op}")
                    label = f"bare {op}"
                    if size.startswith("1MiB"):
                        bare += p(f"sha256/{size}")
                        label += " + SHA-256"
                    rows.append(
                        f"{size} {alg} {canon} {op} | {fmt(ours)} | {fmt(theirs)} | "
                        f"{fmt(bare)} ({label}) | {ours / bare:.2f}× | {theirs / bare:.2f}×"
                    )
    return "\n".join(rows)


if __name__ == "__main__":
    for path in sys.argv[1:]:
        print(table(path))
        print()
