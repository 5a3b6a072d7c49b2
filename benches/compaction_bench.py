#!/usr/bin/env python3
"""Log compaction (issue 15): `filka clean`'s speed against `cat` of the same bytes, and its
peak memory, on one partition's log.

Goals: compacting 1,000,000 records of 100-byte values over 10,000 distinct keys runs at no
less than 0.25 of the speed of `cat` reading the same segment files (in the same run), with
a peak RSS of at most 64 MiB; and 10,000,000 distinct keys (every record its own key, so
the offset map fills and the cleaner runs several rounds) finishes under the same cap.

What it does:
  prepare   a cluster of one broker (`filka init --brokers 1`) with topic t (1 partition,
            replication factor 1, cleanup.policy=compact, 64 MiB segments), filled by
            `filka produce -K :` with --records records (keys `key-<i mod --keys>`, values
            of 100 bytes), then one more record after segment.ms=1 so that a roll leaves
            every record below the active segment (all of it cleanable). Prepared once;
            each round runs on a fresh copy;
  small     rounds of: `cat` of the partition's `.log` files below the active segment to
            /dev/null, then `filka --cluster DIR clean --topic t` (the real command: the
            cluster opened, the partition lock taken, retention, then the clean), each
            timed (wall and CPU) with its peak RSS; the best of each is kept and the ratio
            cat time / clean time printed (1.0 = as fast as cat);
  large     one cluster of --large-keys records, each its own key, cleaned once; time and
            peak RSS printed.

Peak RSS: each command runs under a small Python parent whose only child it is, which
reports resource.getrusage(RUSAGE_CHILDREN).ru_maxrss (as cli_bench.py does). The machine
is shared: wall times vary with its load, so each is the best of --rounds and the CPU time
(user + system) is printed beside it.

Usage: benches/compaction_bench.py [--records N] [--keys K] [--large-keys N] [--rounds R]
                                   [--filka PATH] [--skip-large]
Without --filka it first runs `cargo build --release` and uses target/release/filka.
Exits 1 when a goal is missed.
"""

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time

GOAL_RATIO = 0.25
GOAL_RSS_MIB = 64
TOPIC = "t"
SEGMENT_BYTES = 64 << 20

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


def filka_run(filka, cluster, *args, stdin=None):
    subprocess.run([filka, "--cluster", cluster, *args], check=True, stdin=stdin,
                   stdout=subprocess.DEVNULL)


def prepare(filka, cluster, records, keys):
    """A cluster whose topic holds `records` records below its active segment."""
    shutil.rmtree(cluster, ignore_errors=True)
    filka_run(filka, cluster, "init", "--brokers", "1", "-q")
    filka_run(filka, cluster, "topic", "create", TOPIC, "-p", "1", "-r", "1",
              "-c", "cleanup.policy=compact", "-c", f"segment.bytes={SEGMENT_BYTES}", "-q")
    p = subprocess.Popen([filka, "--cluster", cluster, "produce", "-t", TOPIC, "-K", ":", "-q"],
                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    value = "v" * 100
    chunk = []
    for i in range(records):
        chunk.append(f"key-{i % keys:08}:{value}\n")
        if len(chunk) == 100_000:
            p.stdin.write("".join(chunk).encode())
            chunk = []
    p.stdin.write("".join(chunk).encode())
    p.stdin.close()
    if p.wait() != 0:
        sys.exit(f"filka produce failed ({p.returncode})")
    # A roll by time on the next append: every record above is then cleanable.
    filka_run(filka, cluster, "topic", "alter", TOPIC, "-c", "segment.ms=1", "-q")
    time.sleep(0.05)
    p = subprocess.run([filka, "--cluster", cluster, "produce", "-t", TOPIC, "-K", ":", "-q"],
                       input=b"last:roll\n", stdout=subprocess.DEVNULL)
    if p.returncode != 0:
        sys.exit(f"filka produce failed ({p.returncode})")


def segment_logs(cluster):
    """The partition's `.log` files below its active (last) segment."""
    logs = sorted(glob.glob(os.path.join(cluster, "broker-*", f"{TOPIC}-0", "*.log")))
    return logs[:-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--keys", type=int, default=10_000)
    ap.add_argument("--large-keys", type=int, default=10_000_000)
    ap.add_argument("--rounds", type=int, default=3, help="best of R")
    ap.add_argument("--filka", default=None)
    ap.add_argument("--skip-large", action="store_true")
    args = ap.parse_args()
    filka = args.filka
    if filka is None:
        subprocess.run(["cargo", "build", "--release"], check=True)
        filka = "target/release/filka"
    filka = os.path.abspath(filka)
    if not os.access(filka, os.X_OK):
        sys.exit(f"{filka} not found")
    work = tempfile.mkdtemp(prefix="filka-compaction-bench-")
    ok = True
    try:
        template = os.path.join(work, "template")
        cluster = os.path.join(work, "cluster")
        prepare(filka, template, args.records, args.keys)
        clean = [filka, "--cluster", cluster, "clean", "--topic", TOPIC]
        best = {"cat": None, "clean": None}
        cpu = {"cat": None, "clean": None}
        rss = {"cat": 0, "clean": 0}
        size = 0
        report = ""
        floor = measure(["true"])[2]
        for _ in range(args.rounds):
            shutil.rmtree(cluster, ignore_errors=True)
            shutil.copytree(template, cluster)
            logs = segment_logs(cluster)
            size = sum(os.path.getsize(f) for f in logs)
            for name, cmd in (("cat", ["cat"] + logs), ("clean", clean)):
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
        print(f"  filka clean: {report}")
        print(f"  speed ratio clean/cat {ratio:.3f} (wall), {cpu_ratio:.3f} (cpu); "
              f"goal >= {GOAL_RATIO}")
        if ratio < GOAL_RATIO:
            ok = False
            print("  MISSED: speed")
        if rss["clean"] > GOAL_RSS_MIB * 1024:
            ok = False
            print("  MISSED: memory")
        shutil.rmtree(template, ignore_errors=True)
        if not args.skip_large:
            prepare(filka, cluster, args.large_keys, args.large_keys)
            size = sum(os.path.getsize(f) for f in segment_logs(cluster))
            wall, c, r, out = measure(clean)
            print(f"{args.large_keys} distinct keys: {size / 2**20:.0f} MiB of segments; "
                  f"clean {wall:.1f} s wall, {c:.1f} s cpu, peak RSS {r / 1024:.1f} MiB "
                  f"(goal <= {GOAL_RSS_MIB} MiB)")
            print(f"  filka clean: {out}")
            if r > GOAL_RSS_MIB * 1024:
                ok = False
                print("  MISSED: memory")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
