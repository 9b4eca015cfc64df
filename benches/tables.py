#!/usr/bin/env python3
"""Turns the output of the DKIM bench into the Markdown tables of benches/README.md.

    for i in 1 2 3; do
        cargo bench -p mailroom-benches --bench dkim > ring-$i.txt
        cargo bench -p mailroom-benches --bench dkim --features aws-lc-rs > aws-lc-rs-$i.txt
    done
    python3 benches/tables.py ring-*.txt aws-lc-rs-*.txt

Given several runs of a backend, each row is taken whole from the run where Mailroom ÷ bare is
the median of the runs. A row's numbers then come from one run, measured minutes apart at most:
on a shared machine the speed drifts between runs, and the lowest time of each column taken from
different runs would compare one run's quiet moment with another's busy one.
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


def backend_of(times):
    return "aws-lc-rs" if any(k.startswith("primitives/aws-lc-rs") for k in times) else "ring"


def rows_of(t):
    """Row label -> (Mailroom, mail-auth, bare, bare's label, bare + SHA-256) for one run."""
    backend = backend_of(t)
    p = lambda name: t[f"primitives/{backend}/{name}"]
    rows = {}
    for size in ["4KiB", "1MiB", "1MiB-attachment"]:
        for alg in ["rsa-2048", "ed25519"]:
            for canon in ["relaxed", "simple"]:
                for op in ["sign", "verify"]:
                    ours = t.get(f"dkim/{size}/{alg}/{canon}/mailroom/{op}")
                    theirs = t.get(f"dkim/{size}/{alg}/{canon}/mail-auth/{op}")
                    if ours is None or theirs is None:
                        continue
                    bare = p(f"{alg}/{op}")
                    # The floor the 4 KiB targets leave out: hashing the message cannot be
                    # skipped. The 1 MiB targets already include it.
                    with_sha = bare + p(f"sha256/{size}")
                    label = f"bare {op}"
                    if size.startswith("1MiB"):
                        bare = with_sha
                        label += " + SHA-256"
                    rows[f"{size} {alg} {canon} {op}"] = (ours, theirs, bare, label, with_sha)
    return rows


def table(backend, runs):
    lines = [
        f"**{backend}** | Mailroom | mail-auth | bare primitives | Mailroom ÷ bare | mail-auth ÷ bare"
        " | Mailroom ÷ (bare + SHA-256)",
        "--- | ---: | ---: | ---: | ---: | ---: | ---:",
    ]
    per_run = [rows_of(t) for t in runs]
    for name in per_run[0]:
        measured = sorted((rows[name] for rows in per_run), key=lambda r: r[0] / r[2])
        ours, theirs, bare, label, with_sha = measured[(len(measured) - 1) // 2]
        lines.append(
            f"{name} | {fmt(ours)} | {fmt(theirs)} | {fmt(bare)} ({label}) | "
            f"{ours / bare:.2f}× | {theirs / bare:.2f}× | {ours / with_sha:.2f}×"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    runs = {}
    for path in sys.argv[1:]:
        times = read(path)
        runs.setdefault(backend_of(times), []).append(times)
    for backend in ["ring", "aws-lc-rs"]:
        if backend in runs:
            print(table(backend, runs[backend]))
            print()
