#!/usr/bin/env python3
"""End-to-end throughput and memory of `filka produce` and `filka consume`, beside `cat`.

In one run, on the same input, measures:
  cat      copying the input into a file (the yardstick),
  produce  1,000,000 lines of `key<TAB>100-byte value` from stdin into a 3-partition topic,
           with replication factor 1, then 3,
  consume  every record of the RF=1 topic into a file (default template, %v\\n),
and prints each time, records/s, MB/s, the ratio cat_time / filka_time against the issue's
target, and each filka process's peak RSS, which must stay under 64 MiB.

Peak RSS: each command runs under a small Python parent whose only child it is; the parent
reports resource.getrusage(RUSAGE_CHILDREN).ru_maxrss, the kernel's count for that child.
Linux folds into a child's ru_maxrss the resident size of the process it was forked from
(the pages it shares until it execs), so this script's own pages would count if it were
the parent; the small parent's are the floor of every reading instead (about 14 MiB,
measured with `true` and printed): a reading at the floor means "at most that", which is
all a 64 MiB bound needs (tests/integration/dump.rs measures the same way). A check that
could not be measured never passes.

Usage: benches/cli_bench.py [--records N] [--rounds R] [--filka PATH]
Build first: cargo build --release
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

TARGETS = {"produce RF=1": 0.30, "produce RF=3": 0.12, "consume": 0.40}
RSS_LIMIT_MIB = 64

# Runs argv[2:], then writes "exit-code seconds peak-RSS-KiB" to argv[1]. Its stdin, stdout
# and stderr are the measured command's.
MEASURE = r"""
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[2:]).returncode
elapsed = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(sys.argv[1], "w") as f:
    f.write(f"{code} {elapsed} {rss}\n")
"""


def run(argv, stdin_path=None, stdout_path=None, env=None):
    """Runs argv; returns (seconds, peak RSS in KiB or None when it was not measured)."""
    # The previous phase's dirty pages are still being written back; a write that meets
    # that writeback is slowed by the kernel, whoever made the backlog. Start each clean.
    os.sync()
    work = tempfile.mkdtemp(prefix="filka-bench-run-")
    report = os.path.join(work, "report")
    err_path = os.path.join(work, "stderr")
    fin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    fout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    try:
        with open(err_path, "wb") as ferr:
            subprocess.run([sys.executable, "-c", MEASURE, report] + argv,
                           stdin=fin, stdout=fout, stderr=ferr, env=env, check=False)
        err = open(err_path, "rb").read().decode(errors="replace")
        try:
            code, elapsed, rss = open(report).read().split()
            code, elapsed, rss = int(code), float(elapsed), int(rss)
        except (OSError, ValueError):
            sys.exit(f"{' '.join(argv)}: the measuring parent reported nothing: {err}")
    finally:
        for f in (fin, fout):
            if hasattr(f, "close"):
                f.close()
        shutil.rmtree(work, ignore_errors=True)
    if code != 0:
        sys.exit(f"{' '.join(argv)} failed ({code}): {err}")
    return elapsed, (rss if rss > 0 else None)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3, help="best of R for each phase")
    ap.add_argument("--filka", default="target/release/filka")
    args = ap.parse_args()
    filka = os.path.abspath(args.filka)
    if not os.access(filka, os.X_OK):
        sys.exit(f"{filka} not found: run `cargo build --release` first")

    work = tempfile.mkdtemp(prefix="filka-bench-")
    try:
        src = os.path.join(work, "input.txt")
        value = "v" * 100
        with open(src, "w") as f:
            for i in range(args.records):
                f.write(f"key-{i % 1000:04d}\t{value}\n")
        size = os.path.getsize(src)
        env = dict(os.environ)
        env.pop("FILKA_CLUSTER", None)

        results = {}

        def best(name, fn):
            """Best time of the rounds; the largest peak RSS (None if any was unmeasured)."""
            times, rss = [], []
            for r in range(args.rounds):
                t, m = fn(r)
                times.append(t)
                rss.append(m)
            peak = None if any(m is None for m in rss) else max(rss)
            results[name] = (min(times), peak)

        floor = run(["true"])[1]
        best("cat", lambda r: run(["cat", src], stdout_path=os.path.join(work, "cat.out")))

        def produce(rf):
            def go(r):
                # Each round replaces the last one's cluster, as cat's each round replaces
                # cat.out: both then write into pages the kernel just freed, not fresh ones
                # (in a VM a never-touched page costs the host a fault, which doubled times).
                cluster = os.path.join(work, f"c-rf{rf}")
                shutil.rmtree(cluster, ignore_errors=True)
                subprocess.run([filka, "--cluster", cluster, "-q", "init"], check=True,
                               stdout=subprocess.DEVNULL, env=env)
                subprocess.run([filka, "--cluster", cluster, "-q", "topic", "create", "bench",
                                "-p", "3", "-r", str(rf)], check=True,
                               stdout=subprocess.DEVNULL, env=env)
                return run([filka, "--cluster", cluster, "produce", "-t", "bench", "-K", "\\t",
                            "--acks", "all"], stdin_path=src, env=env)
            return go

        best("produce RF=1", produce(1))
        best("produce RF=3", produce(3))
        out = os.path.join(work, "consumed.txt")
        best("consume", lambda r: run([filka, "--cluster", os.path.join(work, "c-rf1"),
                                       "consume", "-t", "bench"], stdout_path=out, env=env))
        lines = sum(1 for _ in open(out, "rb"))
        if lines != args.records:
            sys.exit(f"consume wrote {lines} lines, expected {args.records}")

        cat_t = results["cat"][0]
        print(f"{args.records} records, {size / 1e6:.1f} MB input, best of {args.rounds}; "
              f"peak RSS floor (the measuring parent's own) "
              f"{floor / 1024 if floor else float('nan'):.1f} MiB")
        print(f"{'phase':<14}{'seconds':>9}{'records/s':>13}{'MB/s':>9}{'cat/filka':>11}"
              f"{'target':>8}{'peak RSS':>11}  result")
        failed = False
        for name, (t, rss) in results.items():
            ratio = cat_t / t
            target = TARGETS.get(name)
            verdict = ""
            if target is not None:
                problems = []
                if ratio < target:
                    problems.append("slow")
                if rss is None:
                    problems.append("RSS not measured")
                elif rss / 1024 >= RSS_LIMIT_MIB:
                    problems.append(f"RSS over {RSS_LIMIT_MIB} MiB")
                verdict = "PASS" if not problems else "FAIL (" + ", ".join(problems) + ")"
                failed |= bool(problems)
            at_floor = rss is not None and floor is not None and rss <= floor
            shown = "n/a" if rss is None else f"{'<=' if at_floor else ''}{rss / 1024:.1f}MiB"
            print(f"{name:<14}{t:>9.3f}{args.records / t:>13,.0f}{size / 1e6 / t:>9.0f}"
                  f"{ratio:>11.2f}{(f'>={target:.2f}' if target else ''):>8}"
                  f"{shown:>11}  {verdict}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
