#!/usr/bin/env python3
"""Log compaction (issue 15): the cleaner's speed against `cat` of the same bytes, and its
peak memory, on one partition's log.

Goals: compacting 1,000,000 records of 100-byte values over 10,000 distinct keys runs at no
less than 0.25 of the speed of `cat` reading the same segment files (in the same run), with
a peak RSS of at most 64 MiB; and 10,000,000 distinct keys (every record its own key, so
the offset map fills and the cleaner runs several rounds) finishes under the same cap.

What it does:
  small     rounds of: a fresh log of --records records (batches of 100, keys `key-<i mod
            --keys>`, values of 100 bytes, 64 MiB segments, the last one rolled so all of it
            is cleanable); `cat` of its `.log` files to /dev/null, then the clean, each
            timed (wall and CPU) with its peak RSS; the best of each is kept and the ratio
            cat time / clean time printed (1.0 = as fast as cat);
  large     one log of --large-keys records, each its own key, cleaned once; time, rounds
            and peak RSS printed.

The clean runs through `examples/compact.rs` (a test-only driver of filka::log::cleaner
with filka's default settings: a 32 MiB offset map), until `filka clean` exists.

Peak RSS: each command runs under a small Python parent whose only child it is, which
reports resource.getrusage(RUSAGE_CHILDREN).ru_maxrss (as cli_bench.py does). The machine
is shared: wall times vary with its load, so each is the best of --rounds and the CPU time
(user + system) is printed beside it.

Usage: benches/compaction_bench.py [--records N] [--keys K] [--large-keys N] [--rounds R]
                                   [--compact PATH] [--skip-large]
Without --compact it first runs `cargo build --release --example compact`.
Exits 1 when a goal is missed.
"""

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile

GOAL_RATIO = 0.25
GOAL_RSS_MIB = 64

MEASURE = r"""
import resource, subprocess, sys, time
t = time.perf_counter()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL if sys.argv[1] == 'cat' else None)
e = time.perf_counter() - t
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{e} {u.ru_utime + u.ru_stime} {u.ru_maxrss}", file=sys.stderr)
sys.exit(r.returncode)
"""


def measure(cmd):
    """Runs cmd; returns (wall s, cpu s, peak RSS KiB, stdout)."""
    os.sync()
    p = subprocess.run([sys.executable, "-c", MEASURE] + cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr}")
    wall, cpu, rss = p.stderr.strip().splitlines()[-1].split()
    return float(wall), float(cpu), int(rss), p.stdout.strip()


def generate(compact, work, records, keys):
    shutil.rmtree(work, ignore_errors=True)
    d = os.path.join(work, "broker-0", "t-0")
    subprocess.run([compact, "generate", d, "--records", str(records), "--keys", str(keys),
                    "--value-bytes", "100"], check=True)
    return d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--keys", type=int, default=10_000)
    ap.add_argument("--large-keys", type=int, default=10_000_000)
    ap.add_argument("--rounds", type=int, default=3, help="best of R")
    ap.add_argument("--compact", default=None)
    ap.add_argument("--skip-large", action="store_true")
    args = ap.parse_args()
    compact = args.compact
    if compact is None:
        subprocess.run(["cargo", "build", "--release", "--example", "compact"], check=True)
        compact = "target/release/examples/compact"
    compact = os.path.abspath(compact)
    if not os.access(compact, os.X_OK):
        sys.exit(f"{compact} not found")
    work = tempfile.mkdtemp(prefix="filka-compaction-bench-")
    ok = True
    try:
        best = {"cat": None, "clean": None}
        cpu = {"cat": None, "clean": None}
        rss = {"cat": 0, "clean": 0}
        size = 0
        report = ""
        floor = measure(["true"])[2]
        for _ in range(args.rounds):
            d = generate(compact, work, args.records, args.keys)
            logs = sorted(glob.glob(os.path.join(d, "*.log")))
            size = sum(os.path.getsize(f) for f in logs)
            for name, cmd in (("cat", ["cat"] + logs), ("clean", [compact, "clean", d])):
                wall, c, r, out = measure(cmd)
                best[name] = wall if best[name] is None else min(best[name], wall)
                cpu[name] = c if cpu[name] is None else min(cpu[name], c)
                rss[name] = max(rss[name], r)
                if name == "clean":
                    report = out
        ratio = best["cat"] / best["clean"]
        cpu_ratio = cpu["cat"] / cpu["clean"] if cpu["clean"] else float("inf")
        print(f"{args.records} records of 100 B, {args.keys} keys: {size / 2**20:.1f} MiB of "
              f"segments; best of {args.rounds} (a parent's floor RSS is {floor / 1024:.1f} MiB)")
        for name in ("cat", "clean"):
            print(f"  {name:6} {best[name]:7.3f} s wall  {cpu[name]:7.3f} s cpu  "
                  f"peak RSS {rss[name] / 1024:6.1f} MiB")
        print(f"  clean: {report}")
        print(f"  speed ratio clean/cat {ratio:.3f} (wall), {cpu_ratio:.3f} (cpu); "
              f"goal >= {GOAL_RATIO}")
        if ratio < GOAL_RATIO:
            ok = False
            print("  MISSED: speed")
        if rss["clean"] > GOAL_RSS_MIB * 1024:
            ok = False
            print("  MISSED: memory")
        if not args.skip_large:
            d = generate(compact, work, args.large_keys, args.large_keys)
            logs = glob.glob(os.path.join(d, "*.log"))
            size = sum(os.path.getsize(f) for f in logs)
            wall, c, r, out = measure([compact, "clean", d])
            print(f"{args.large_keys} distinct keys: {size / 2**20:.0f} MiB of segments; "
                  f"clean {wall:.1f} s wall, {c:.1f} s cpu, peak RSS {r / 1024:.1f} MiB "
                  f"(goal <= {GOAL_RSS_MIB} MiB)")
            print(f"  clean: {out}")
            if r > GOAL_RSS_MIB * 1024:
                ok = False
                print("  MISSED: memory")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
