#!/usr/bin/env python3
"""End-to-end throughput of `filka produce` and `filka consume`, beside `cat`.

In one run, on the same input, measures:
  cat      copying the input into a file (the yardstick),
  produce  1,000,000 lines of `key<TAB>100-byte value` from stdin into a 3-partition topic,
           with replication factor 1, then 3,
  consume  every record of the RF=1 topic into a file (default template, %v\\n),
and prints each time, records/s, MB/s, the ratio cat_time / filka_time against the issue's
target, and each filka process's peak RSS (from wait4), which must stay under 64 MiB.

Usage: benches/cli_bench.py [--records N] [--rounds R] [--filka PATH]
Build first: cargo build --release
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

TARGETS = {"produce RF=1": 0.30, "produce RF=3": 0.12, "consume": 0.40}
RSS_LIMIT_MIB = 64


# GNU time reports the measured program's own peak RSS. wait4 on our child would also count
# this Python process's memory, which the child shares until it execs.
GNU_TIME = shutil.which("time") if os.path.exists("/usr/bin/time") else None


def run(argv, stdin_path=None, stdout_path=None, env=None):
    """Runs argv; returns (seconds, peak RSS in KiB, or 0 when GNU time is missing)."""
    fin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    fout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    rss_file = tempfile.NamedTemporaryFile(prefix="filka-bench-rss-", delete=False).name
    if GNU_TIME:
        argv = ["/usr/bin/time", "-f", "%M", "-o", rss_file] + argv
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=fin, stdout=fout, stderr=subprocess.PIPE, env=env)
    _, status, _ = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    try:
        rss = int(open(rss_file).read().split()[-1]) if GNU_TIME else 0
    except (ValueError, IndexError):
        rss = 0
    os.unlink(rss_file)
    for f in (fin, fout):
        if hasattr(f, "close"):
            f.close()
    if proc.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({proc.returncode}): {err}")
    return elapsed, rss


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
            times, rss = [], 0
            for r in range(args.rounds):
                t, m = fn(r)
                times.append(t)
                rss = max(rss, m)
            results[name] = (min(times), rss)

        best("cat", lambda r: run(["cat", src], stdout_path=os.path.join(work, "cat.out")))

        def produce(rf):
            def go(r):
                cluster = os.path.join(work, f"c-rf{rf}-{r}")
                subprocess.run([filka, "--cluster", cluster, "init"], check=True,
                               stdout=subprocess.DEVNULL, env=env)
                subprocess.run([filka, "--cluster", cluster, "topic", "create", "bench",
                                "-p", "3", "-r", str(rf)], check=True,
                               stdout=subprocess.DEVNULL, env=env)
                return run([filka, "--cluster", cluster, "produce", "-t", "bench", "-K", "\\t",
                            "--acks", "all"], stdin_path=src, env=env)
            return go

        best("produce RF=1", produce(1))
        best("produce RF=3", produce(3))
        out = os.path.join(work, "consumed.txt")
        best("consume", lambda r: run([filka, "--cluster", os.path.join(work, "c-rf1-0"),
                                       "consume", "-t", "bench"], stdout_path=out, env=env))
        lines = sum(1 for _ in open(out, "rb"))
        if lines != args.records:
            sys.exit(f"consume wrote {lines} lines, expected {args.records}")

        cat_t = results["cat"][0]
        print(f"{args.records} records, {size / 1e6:.1f} MB input, best of {args.rounds}")
        print(f"{'phase':<14}{'seconds':>9}{'records/s':>13}{'MB/s':>9}{'cat/filka':>11}"
              f"{'target':>8}{'peak RSS':>10}  result")
        for name, (t, rss) in results.items():
            ratio = cat_t / t
            target = TARGETS.get(name)
            verdict = ""
            if target is not None:
                ok = ratio >= target and rss / 1024 < RSS_LIMIT_MIB
                verdict = "PASS" if ok else "FAIL"
            print(f"{name:<14}{t:>9.3f}{args.records / t:>13,.0f}{size / 1e6 / t:>9.0f}"
                  f"{ratio:>11.2f}{(f'>={target:.2f}' if target else ''):>8}"
                  f"{(f'{rss / 1024:.1f}MB' if rss else 'n/a'):>10}  {verdict}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
