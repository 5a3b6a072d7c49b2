#!/usr/bin/env python3
"""Throughput of the serializers, beside plain string produce and consume, in one run.

On the same N truck positions (fixtures/schemas/truck_position.avsc and .proto), measures:
  produce string     the JSON lines as plain values (no parsing),
  produce json       --input-format json --value-format json (each line parsed and checked),
  produce avro       --input-format json --value-schema truck_position.avsc (JSON -> Avro),
  produce protobuf   --input-format json --proto truck_position.proto (JSON -> Protobuf),
  consume string     the string topic, %v per line,
  consume avro       the Avro topic as JSON envelopes (Avro -> JSON),
  consume protobuf   the Protobuf topic as JSON envelopes,
each into a 1-partition topic with replication factor 1, best of R rounds, and prints
seconds, records/s and the ratio of each to its plain string counterpart.

Usage: benches/serializer_bench.py [--records N] [--rounds R] [--filka PATH]
Build first: cargo build --release
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMAS = os.path.join(HERE, "..", "fixtures", "schemas")


def run(argv, stdin_path=None, stdout_path=None, env=None):
    """Runs argv to completion; returns its wall time in seconds."""
    # The previous phase's dirty pages are still being written back; a write that meets
    # that writeback is slowed by the kernel, whoever made the backlog. Start each clean.
    os.sync()
    fin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    fout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    start = time.perf_counter()
    proc = subprocess.run(argv, stdin=fin, stdout=fout, stderr=subprocess.PIPE, env=env)
    elapsed = time.perf_counter() - start
    for f in (fin, fout):
        if hasattr(f, "close"):
            f.close()
    if proc.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.decode()}")
    return elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=200_000)
    ap.add_argument("--rounds", type=int, default=3, help="best of R for each phase")
    ap.add_argument("--filka", default="target/release/filka")
    args = ap.parse_args()
    filka = os.path.abspath(args.filka)
    if not os.access(filka, os.X_OK):
        sys.exit(f"{filka} not found: run `cargo build --release` first")
    avsc = os.path.join(SCHEMAS, "truck_position.avsc")
    proto = os.path.join(SCHEMAS, "truck_position.proto")

    work = tempfile.mkdtemp(prefix="filka-serializer-bench-")
    try:
        src = os.path.join(work, "trucks.jsonl")
        with open(src, "w") as f:
            for i in range(args.records):
                f.write(
                    f'{{"truck_id":"truck-{i % 500}","latitude":{48 + i % 1000 / 1000:.4f},'
                    f'"longitude":{2 + i % 777 / 1000:.4f},"speed_kmh":{i % 130}.5,'
                    f'"recorded_at":{1700000000000 + i * 1000}}}\n'
                )
        env = dict(os.environ)
        env.pop("FILKA_CLUSTER", None)
        phases = {
            "produce string": ["--value-format", "string"],
            "produce json": ["--input-format", "json", "--value-format", "json"],
            "produce avro": ["--input-format", "json", "--value-schema", avsc],
            "produce protobuf": ["--input-format", "json", "--proto", proto],
        }
        results = {}
        for r in range(args.rounds):
            cluster = os.path.join(work, f"c{r}")
            base = [filka, "--cluster", cluster, "-q"]
            run(base + ["init", "--brokers", "1"], env=env)
            for name, flags in phases.items():
                topic = name.split()[1]
                run(base + ["topic", "create", topic, "-p", "1", "-r", "1"], env=env)
                t = run(base + ["produce", "-t", topic] + flags, stdin_path=src, env=env)
                results[name] = min(results.get(name, t), t)
            out = os.path.join(work, "out")
            for name, argv in {
                "consume string": ["consume", "-t", "string"],
                "consume avro": ["consume", "-t", "avro", "--value-schema", avsc,
                                 "--output", "json"],
                "consume protobuf": ["consume", "-t", "protobuf", "--proto", proto,
                                     "--output", "json"],
            }.items():
                t = run(base + argv, stdout_path=out, env=env)
                results[name] = min(results.get(name, t), t)
            shutil.rmtree(cluster)

        n = args.records
        print(f"{n} truck positions, best of {args.rounds}; ratio = string time / this time")
        for name, t in results.items():
            baseline = results["produce string" if name.startswith("produce") else "consume string"]
            print(f"  {name:18} {t:7.3f} s  {n / t / 1e6:6.2f} M records/s  "
                  f"ratio {baseline / t:5.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
