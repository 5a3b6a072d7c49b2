#!/usr/bin/env python3
"""Throughput of `filka mirror` against librdkafka's mock cluster, beside kcat.

In one run, on the same input (N lines of `key<TAB>value`, 100-byte values, 1,000 distinct
keys), measures, each round on a fresh 3-broker mock cluster (examples/mock_kafka.rs, its own
process, reached over TCP on 127.0.0.1 as a real cluster would be):
  kcat -P        the lines from a file into a 3-partition topic (kcat's defaults),
  mirror to      `filka mirror --to-kafka` of the same records from a local 3-partition topic
                 (filled beforehand, not timed) into a 3-partition topic,
  kcat -C        the mirrored topic read back (`-e`, to a pipe),
  mirror from    `filka mirror --from-kafka` of that topic into a fresh local cluster,
and checks that every record was sent and every record still held was read back. The mock
cluster keeps only the last 5 MiB of each partition (rdkafka_mock.c), so the way back reads
about 130,000 records, whatever N is. Prints seconds and records/s (best of
the rounds) and filka's rate over kcat's.

Both sides use librdkafka with its default settings: filka's own copy (built from source by
the rdkafka crate) and Debian's, which kcat links. kcat is installed with apt-get when
missing (root needed).

Usage: benches/mirror_bench.py [--records N] [--rounds R]
Build first: cargo build --release --features kafka --bin filka --example mock_kafka
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ensure_kcat():
    if shutil.which("kcat"):
        return
    print("kcat missing: installing Debian's kcat", file=sys.stderr)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if subprocess.run(["apt-get", "install", "-y", "-qq", "kcat"], env=env).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "kcat"], env=env, check=True)


def timed(argv, stdin_path=None, stdout=subprocess.DEVNULL):
    """Runs argv to completion; returns its wall time in seconds. Fails loudly."""
    fin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    start = time.perf_counter()
    proc = subprocess.run(argv, stdin=fin, stdout=stdout, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(argv)}: exit {proc.returncode}: {proc.stderr.decode()[-2000:]}")
    return elapsed


class Mock:
    """A mock cluster process with the given topics (name -> partitions)."""

    def __init__(self, binary, topics):
        argv = [binary]
        for name, parts in topics.items():
            argv += ["--topic", f"{name}:{parts}"]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.proc.stdout.readline().decode().strip()
        if not line:
            sys.exit(f"mock_kafka did not start: {self.proc.stderr.read().decode()}")
        self.bootstrap = line

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def offsets(bootstrap, topic, partitions, which):
    """Per partition: the log start (which=-2) or end (-1) offset, from kcat -Q."""
    out = []
    for p in range(partitions):
        line = subprocess.run(["kcat", "-Q", "-b", bootstrap, "-t", f"{topic}:{p}:{which}"],
                              stdout=subprocess.PIPE, check=True).stdout.decode()
        out.append(int(line.split()[-1]))
    return out


def lines(argv):
    return subprocess.run(argv, stdout=subprocess.PIPE, check=True).stdout.count(b"\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--filka", default=os.path.join(ROOT, "target/release/filka"))
    ap.add_argument("--mock", default=os.path.join(ROOT, "target/release/examples/mock_kafka"))
    args = ap.parse_args()
    for b in (args.filka, args.mock):
        if not os.path.exists(b):
            sys.exit(f"{b} missing: cargo build --release --features kafka --bin filka "
                     "--example mock_kafka")
    ensure_kcat()
    n = args.records
    work = tempfile.mkdtemp(prefix="filka-mirror-bench-")
    try:
        data = os.path.join(work, "input.txt")
        with open(data, "wb") as f:
            value = b"v" * 100
            for i in range(n):
                f.write(b"key%d\t%s\n" % (i % 1000, value))
        src = os.path.join(work, "src")
        subprocess.run([args.filka, "--cluster", src, "-q", "topic", "create", "bench",
                        "-p", "3", "-r", "1"], check=True, stdout=subprocess.DEVNULL)
        fill = timed([args.filka, "--cluster", src, "produce", "-t", "bench", "-K", "\\t"], data)
        print(f"local topic filled in {fill:.2f}s (not part of the figures)")

        best = {}
        kept = 0
        for r in range(args.rounds):
            mock = Mock(args.mock, {"viakcat": 3, "bench": 3})
            try:
                times = {
                    "kcat -P": timed(["kcat", "-P", "-b", mock.bootstrap, "-t", "viakcat",
                                      "-K", "\t"], data),
                    "mirror --to-kafka": timed([args.filka, "--cluster", src, "-q", "mirror",
                                                "--to-kafka", mock.bootstrap, "-t", "bench",
                                                "--group", f"round-{r}"]),
                }
                for topic in ("viakcat", "bench"):
                    got = sum(offsets(mock.bootstrap, topic, 3, -1))
                    if got != n:
                        sys.exit(f"{topic}: {got} records sent to the mock cluster, not {n}")
                # The mock keeps the last 5 MiB of each partition (rdkafka_mock.c), so the
                # way back reads what it still holds.
                low = offsets(mock.bootstrap, "bench", 3, -2)
                kept = n - sum(low)
                start = time.perf_counter()
                got = lines(["kcat", "-C", "-b", mock.bootstrap, "-t", "bench", "-e", "-q",
                             "-f", "x\n"])
                times["kcat -C"] = time.perf_counter() - start
                dst = os.path.join(work, f"dst-{r}")
                times["mirror --from-kafka"] = timed(
                    [args.filka, "--cluster", dst, "-q", "mirror", "--from-kafka",
                     mock.bootstrap, "-t", "bench"])
                written = lines([args.filka, "--cluster", dst, "consume", "-t", "bench",
                                 "--format", "x\n"])
                if got != kept or written != kept:
                    sys.exit(f"the mock holds {kept} records; kcat -C read {got}, "
                             f"mirror --from-kafka wrote {written}")
                shutil.rmtree(dst, ignore_errors=True)
            finally:
                mock.stop()
            for k, t in times.items():
                best[k] = min(best.get(k, t), t)
            print(f"round {r + 1}: " + ", ".join(f"{k} {t:.2f}s" for k, t in times.items()))

        rate = {k: (n if k in ("kcat -P", "mirror --to-kafka") else kept) / t
                for k, t in best.items()}
        print(f"\nbest of {args.rounds} rounds, 100-byte values:")
        for k, t in best.items():
            count = n if k in ("kcat -P", "mirror --to-kafka") else kept
            print(f"  {k:<20} {count:>9,} records {t:7.2f} s {rate[k]:>12,.0f} records/s")
        print(f"  mirror --to-kafka at {rate['mirror --to-kafka'] / rate['kcat -P']:.2f}x "
              f"kcat -P's rate; mirror --from-kafka at "
              f"{rate['mirror --from-kafka'] / rate['kcat -C']:.2f}x kcat -C's rate")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
