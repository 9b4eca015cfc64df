#!/usr/bin/env python3
"""Turns the output of the DKIM bench into the Markdown tables of benches/README.md.

    for i in 1 2 3; do
        cargo bench -p mailroom-benches --bench dkim > ring-$i.txt
        cargo bench -p mailroom-benches --bench dkim --features aws-lc-rs > aws-lc-rs-$i.txt
    done
    python3 benches/tables.py ring-*.txt aws-lc-rs-*.txt

The numbers come from the bench's `paired` lines: for each row, Mailroom, mail-auth and the
bare operation are run in turn, iteration by iteration, and each ratio is the median of the
per-iteration ratios, so the drift of a shared machine's speed (a few percent between benches
run minutes apart) cancels. The times are the medians of each operation's own times.

Given several runs of a backend, each row is taken whole from the run where Mailroom ÷ bare is
the median of the runs.
"""
import re
import sys

UNITS = {"ns": 1e-3, "µs": 1.0, "us": 1.0, "ms": 1e3, "s": 1e6}


def read(path):
    """Bench name -> median time in microseconds, and row -> the numbers of its paired line."""
    times, paired, name = {}, {}, None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip()
        words = line.split()
        if words and words[0] == "paired":
            paired[words[1]] = {k: float(v.removesuffix("us")) for k, v in
                                (w.split("=") for w in words[2:])}
            continue
        if re.match(r"^(dkim|primitives)/\S+$", words[0] if words else ""):
            name = words[0]
        m = re.search(r"time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", line)
        if m and name and name not in times:
            times[name] = float(m.group(1)) * UNITS[m.group(2)]
            name = None
    return times, paired


def fmt(us):
    return f"{us / 1000:.3f} ms" if us >= 1000 else f"{us:.1f} µs"


def backend_of(times):
    return "aws-lc-rs" if any(k.startswith("primitives/aws-lc-rs") for k in times) else "ring"


def rows_of(run):
    """Row label -> the numbers of its table row, for one run, from the paired measurements."""
    t, paired = run
    backend = backend_of(t)
    rows = {}
    for size in ["4KiB", "1MiB", "1MiB-attachment"]:
        for alg in ["rsa-2048", "ed25519"]:
            for canon in ["relaxed", "simple"]:
                for op in ["sign", "verify"]:
                    p = paired.get(f"dkim/{size}/{alg}/{canon}/{op}")
                    if p is None:
                        continue
                    label = f"bare {op}"
                    sha = t.get(f"primitives/{backend}/sha256/{size}")
                    if size.startswith("1MiB"):
                        # The paired bare operation already includes SHA-256 of the message.
                        label += " + SHA-256"
                        sha = 0.0
                    rows[f"{size} {alg} {canon} {op}"] = {
                        "ours": p["mailroom"],
                        "theirs": p["mail-auth"],
                        "bare": p["bare"],
                        "label": label,
                        "ours/bare": p["mailroom/bare"],
                        "theirs/bare": p["mail-auth/bare"],
                        "ours/theirs": p["mailroom/mail-auth"],
                        # The floor the 4 KiB targets leave out: hashing the message cannot be
                        # skipped. The 1 MiB targets already include it.
                        "ours/floor": None if sha is None else p["mailroom"] / (p["bare"] + sha),
                    }
    return rows


def table(backend, runs):
    lines = [
        f"**{backend}** | Mailroom | mail-auth | bare primitives | Mailroom ÷ bare"
        " | mail-auth ÷ bare | Mailroom ÷ mail-auth | Mailroom ÷ (bare + SHA-256)",
        "--- | ---: | ---: | ---: | ---: | ---: | ---: | ---:",
    ]
    per_run = [rows_of(run) for run in runs]
    for name in per_run[0]:
        measured = sorted((rows[name] for rows in per_run), key=lambda r: r["ours/bare"])
        r = measured[(len(measured) - 1) // 2]
        lines.append(
            f"{name} | {fmt(r['ours'])} | {fmt(r['theirs'])} | {fmt(r['bare'])} ({r['label']}) | "
            f"{r['ours/bare']:.3f}× | {r['theirs/bare']:.3f}× | {r['ours/theirs']:.3f}× | "
            + ("–" if r["ours/floor"] is None else f"{r['ours/floor']:.3f}×")
        )
    return "\n".join(lines)


if __name__ == "__main__":
    runs = {}
    for path in sys.argv[1:]:
        run = read(path)
        runs.setdefault(backend_of(run[0]), []).append(run)
    for backend in ["ring", "aws-lc-rs"]:
        if backend in runs:
            print(table(backend, runs[backend]))
            print()
