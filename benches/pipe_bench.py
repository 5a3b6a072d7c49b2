#!/usr/bin/env python3
"""Throughput of `filka pipe -- cat` (one transaction per 1,000-record batch: the command run,
its output produced, the group's offset committed with it) beside `filka consume | filka
produce` (no transactions, no group), on the same topic, in one run.

Usage: benches/pipe_bench.py [--records N] [--batch B] [--rounds R] [--filka PATH]
Build first: cargo build --release
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time


def run(cmd, env):
    # The previous phase's dirty pages are still being written back; a write that meets
    # that writeback is slowed by the kernel, whoever made the backlog. Start each clean.
    os.sync()
    start = time.perf_counter()
    proc = subprocess.run(cmd, shell=True, env=env, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{cmd} failed ({proc.returncode}): {proc.stderr.decode()}")
    return elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3, help="best of R")
    ap.add_argument("--filka", default="target/release/filka")
    args = ap.parse_args()
    filka = os.path.abspath(args.filka)
    if not os.access(filka, os.X_OK):
        sys.exit(f"{filka} not found: run `cargo build --release` first")
    work = tempfile.mkdtemp(prefix="filka-pipe-bench-")
    env = dict(os.environ)
    env.pop("FILKA_CLUSTER", None)
    try:
        src = os.path.join(work, "in.txt")
        with open(src, "w") as f:
            for i in range(args.records):
                f.write(f"record-{i:08d}-" + "x" * 80 + "\n")
        best = {}
        for r in range(args.rounds):
            c = os.path.join(work, f"c{r}")
            f = f"{filka} --cluster {c} -q"
            run(f"{f} init", env)
            run(f"{f} topic create in -p 3 && {f} topic create plain -p 3 && {f} topic create out -p 3", env)
            run(f"{f} produce -t in < {src}", env)
            # The internal topics exist before the clock starts, for both.
            run(f"echo x | {f} produce -t warm --transactional-id warm", env)
            t = run(f"{f} consume -t in | {f} produce -t plain", env)
            best["consume | produce"] = min(best.get("consume | produce", t), t)
            t = run(f"{f} pipe --from in --to out --group g --batch {args.batch} -- cat", env)
            best["pipe -- cat"] = min(best.get("pipe -- cat", t), t)
            got = subprocess.run(f"{f} consume -t out --isolation read_committed | wc -l",
                                 shell=True, env=env, capture_output=True).stdout.decode().strip()
            if int(got) != args.records:
                sys.exit(f"pipe wrote {got} records, not {args.records}")
            shutil.rmtree(c)
        n = args.records
        base = best["consume | produce"]
        print(f"{n} records of 100 bytes, 3 partitions, best of {args.rounds}; "
              f"pipe batches of {args.batch}")
        for name, t in best.items():
            print(f"  {name:18} {t:7.3f} s  {n / t:10.0f} records/s  ratio {base / t:5.2f}")
        batches = -(-n // args.batch)
        print(f"  per batch: {best['pipe -- cat'] / batches * 1000:.1f} ms "
              f"({batches} transactions, each a command run)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
