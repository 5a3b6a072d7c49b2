#!/usr/bin/env python3
"""How long one TAB takes: shell completion on a cluster of 1,000 topics, against 50 ms.

A TAB in bash runs `FILKA_COMPLETE=bash filka -- WORDS...` (what completions/filka.bash
does) and reads the candidates from its stdout. This script builds a cluster with
--topics topics (1,000 by default, 1 partition each, replication factor 3, with the
default 3 brokers, so the metadata log holds every topic and its partition records and the
snapshots the controller took along the way), a consumer group and a transactional id, then
times, each from spawn to exit, the completion of:
  topics        `filka consume -t <TAB>`: every non-internal topic (checked: all of them),
  partitions    `filka consume -t topic-0500 -p <TAB>`,
  groups        `filka group describe <TAB>`: folders and a scan of __consumer_offsets,
  txn ids       `filka transactions describe <TAB>`: a scan of __transaction_state,
  brokers       `filka simulate-failure broker-down <TAB>`,
  config keys   `filka topic create t -c <TAB>`: no cluster read (the process floor).
Each is run --rounds times; the median and the worst are printed with the verdict against
the 50 ms bound (the median must be under it). The cluster is built once and not changed
by the measured runs (completion writes nothing).

What is measured is the whole process: exec, clap's command definition, finding and
replaying the cluster's metadata (snapshot plus log tail), reading the internal topics, and
printing. The shell's own work around it (a fork, word splitting) is not included; it is the
same for any completion.

Usage: benches/completion_bench.py [--topics N] [--rounds R] [--filka PATH]
Build first: cargo build --release
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

LIMIT_MS = 50.0


def filka(binary, cluster, *args, stdin=None):
    subprocess.run(
        [binary, "--cluster", cluster, *args],
        input=stdin,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def complete(binary, cluster, words):
    """Runs one completion request as bash's script does; returns (seconds, candidates)."""
    env = dict(os.environ)
    env.update(
        {
            "FILKA_COMPLETE": "bash",
            "FILKA_CLUSTER": cluster,
            "_CLAP_IFS": "\n",
            "_CLAP_COMPLETE_INDEX": str(len(words) - 1),
        }
    )
    start = time.perf_counter()
    out = subprocess.run(
        [binary, "--", *words], env=env, capture_output=True, check=True
    )
    elapsed = time.perf_counter() - start
    if out.stderr:
        sys.exit(f"completion wrote to stderr: {out.stderr!r}")
    return elapsed, [l for l in out.stdout.decode().split("\n") if l]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--topics", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=21)
    ap.add_argument("--filka", default="target/release/filka")
    a = ap.parse_args()
    binary = os.path.abspath(a.filka)
    work = tempfile.mkdtemp(prefix="filka-completion-bench-")
    try:
        cluster = os.path.join(work, "data")
        filka(binary, cluster, "init")
        start = time.perf_counter()
        for i in range(a.topics):
            filka(binary, cluster, "topic", "create", f"topic-{i:04}", "-p", "1")
        print(
            f"setup: {a.topics} topics created in {time.perf_counter() - start:.1f} s",
            file=sys.stderr,
        )
        filka(binary, cluster, "produce", "-t", "topic-0000", stdin=b"a\nb\n")
        filka(binary, cluster, "group", "commit", "g1", "-t", "topic-0000", "-p", "0", "-o", "1")
        filka(
            binary, cluster, "produce", "-t", "topic-0001",
            "--transactional-id", "tx1", stdin=b"x\n",
        )
        cases = [
            ("topics", ["filka", "consume", "-t", ""], a.topics),
            ("partitions", ["filka", "consume", "-t", "topic-0500", "-p", ""], 1),
            ("groups", ["filka", "group", "describe", "g"], 1),
            ("txn ids", ["filka", "transactions", "describe", "t"], 1),
            ("brokers", ["filka", "simulate-failure", "broker-down", "1"], 3),
            ("config keys", ["filka", "topic", "create", "t", "-c", ""], None),
        ]
        print(f"{'completion':<12} {'median ms':>10} {'worst ms':>9} {'candidates':>11}  verdict")
        failed = False
        for name, words, want in cases:
            times = []
            for _ in range(a.rounds):
                t, got = complete(binary, cluster, words)
                times.append(t * 1000)
            if want is not None and len(got) != want:
                sys.exit(f"{name}: {len(got)} candidates, expected {want}: {got[:5]}...")
            median = statistics.median(times)
            ok = median < LIMIT_MS
            failed |= not ok
            verdict = f"{'ok' if ok else 'FAIL'} (< {LIMIT_MS:.0f} ms)"
            print(f"{name:<12} {median:>10.1f} {max(times):>9.1f} {len(got):>11}  {verdict}")
        sys.exit(1 if failed else 0)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
