#!/usr/bin/env python3
"""End-to-end throughput and memory of `filka produce` and `filka consume`, beside `cat`.

In one run, each round in turn (best of the rounds kept), measures:
  cat input   `cat < input > file`: the yardstick for produce,
  produce     1,000,000 lines of `key<TAB>100-byte value` (110 bytes each) from the same
              input file on stdin into a 3-partition topic, with replication factor 1, then 3,
  cat output  `cat < output > file`, of a file holding exactly the bytes consume writes: the
              yardstick for consume,
  consume     every record of the RF=1 topic to stdout, into a file (default template, %v\n:
              the 100-byte value and a newline, 101 bytes a record),
and prints each time, records/s, MB/s (of the bytes read from stdin for cat input and
produce, of the bytes written to stdout for cat output and consume), the ratio
yardstick time / filka time against the issue's target, and each process's peak RSS, which
must stay under 64 MiB for filka.

What is alike on both sides of each ratio: a process started and timed from spawn to exit,
stdin read from the same kind of file (warm in the page cache: each was written or read
moments before), output written into a file replaced each round, os.sync() before each run.
consume and its cat write the same bytes to stdout, checked byte for byte every round (every
value is the same 100 bytes, so the order of the partitions cannot change them); the cat
input copy is checked against the input too.

What is not alike, and cannot be: produce's yardstick only copies the lines, while produce
also splits each at the tab, partitions by key hash, builds record batches (framing,
CRC-32C), writes them with their `.index` and `.timeindex` entries into the partition logs
(about 118 bytes a record on disk, not 110; with RF=3, three copies on three brokers:
replication), waits for acks=all, and takes the cluster's locks and reads its metadata.
consume reads those logs (batch framing, CRC-32C, decoding) where its cat reads the output
bytes themselves. That extra work is what the ratios measure.

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
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile

TARGETS = {"produce RF=1": 0.30, "produce RF=3": 0.12, "consume": 0.40}
# Each filka phase's yardstick.
YARDSTICK = {"produce RF=1": "cat input", "produce RF=3": "cat input", "consume": "cat output"}
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


def same_bytes(got, want, what):
    """Exits loudly unless the files `got` and `want` hold the same bytes."""
    if not filecmp.cmp(got, want, shallow=False):
        sys.exit(f"{what}: {os.path.getsize(got)} bytes, not the {os.path.getsize(want)} "
                 f"expected, or different ones: the two sides did not write the same bytes")


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
        # What consume writes: each value and a newline (%v\n).
        expected = os.path.join(work, "expected.txt")
        with open(expected, "w") as f:
            for _ in range(args.records):
                f.write(f"{value}\n")
        size = {"in": os.path.getsize(src), "out": os.path.getsize(expected)}
        env = dict(os.environ)
        env.pop("FILKA_CLUSTER", None)

        results = {}

        def keep(name, measured):
            """Keeps the best time; the largest peak RSS (None once any was unmeasured)."""
            t, rss = measured
            if name not in results:
                results[name] = (t, rss)
                return
            best, peak = results[name]
            peak = None if peak is None or rss is None else max(peak, rss)
            results[name] = (min(best, t), peak)

        def produce(rf):
            # Each round replaces the last one's cluster, as cat's each round replaces its
            # output file: both then write into pages the kernel just freed, not fresh ones
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

        floor = run(["true"])[1]
        cat_out = os.path.join(work, "cat.out")
        out = os.path.join(work, "consumed.txt")
        # Rounds of every phase in turn: interleaving gives each the same odds against
        # whatever else the machine is doing.
        for _ in range(args.rounds):
            keep("cat input", run(["cat"], stdin_path=src, stdout_path=cat_out))
            same_bytes(cat_out, src, "cat input's copy")
            keep("produce RF=1", produce(1))
            keep("produce RF=3", produce(3))
            keep("cat output", run(["cat"], stdin_path=expected, stdout_path=cat_out))
            same_bytes(cat_out, expected, "cat output's copy")
            keep("consume", run([filka, "--cluster", os.path.join(work, "c-rf1"),
                                 "consume", "-t", "bench"], stdout_path=out, env=env))
            same_bytes(out, expected, "consume's output")

        print(f"{args.records} records, {size['in'] / 1e6:.1f} MB input (110-byte lines), "
              f"{size['out'] / 1e6:.1f} MB consumed (101-byte lines), best of {args.rounds}; "
              f"peak RSS floor (the measuring parent's own) "
              f"{floor / 1024 if floor else float('nan'):.1f} MiB")
        print(f"{'phase':<14}{'seconds':>9}{'records/s':>13}{'MB/s':>9}{'cat/filka':>11}"
              f"{'target':>8}{'peak RSS':>11}  result")
        failed = False
        for name in ("cat input", "produce RF=1", "produce RF=3", "cat output", "consume"):
            t, rss = results[name]
            yardstick = YARDSTICK.get(name)
            ratio = results[yardstick][0] / t if yardstick else None
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
            moved = size["out"] if name in ("cat output", "consume") else size["in"]
            print(f"{name:<14}{t:>9.3f}{args.records / t:>13,.0f}{moved / 1e6 / t:>9.0f}"
                  f"{(f'{ratio:.2f}' if ratio else '-'):>11}"
                  f"{(f'>={target:.2f}' if target else ''):>8}"
                  f"{shown:>11}  {verdict}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
