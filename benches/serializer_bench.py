#!/usr/bin/env python3
"""Throughput of the serializers, beside plain string produce and consume, in one run.

On the same N truck positions (fixtures/schemas/truck_position.avsc and .proto), measures:
  produce string     the JSON lines as plain values (no parsing),
  produce json       --input-format json --value-format json (each line parsed and checked),
  produce avro       --input-format json --value-schema truck_position.avsc (JSON -> Avro),
  produce protobuf   --input-format json --proto truck_position.proto (JSON -> Protobuf),
  consume string     the string topic, %v per line,
  consume avro       the Avro topic, %v per line (Avro -> JSON),
  consume pb-string  a string topic holding, as plain values, the lines consume protobuf
                     writes (Protobuf's JSON mapping: camelCase names, int64 as a string),
  consume protobuf   the Protobuf topic, %v per line (Protobuf -> JSON),
each into a 1-partition topic with replication factor 1, best of R rounds, and prints
seconds, records/s and the ratio of each to its plain string counterpart.

Like with like: every produce reads the same input file; each consume and its string
counterpart write the same bytes (the input is canonical JSON, as filka renders it),
checked byte for byte every round, so a ratio is the cost of the serializer alone. What
differs, by design: the stored values (Avro and Protobuf are smaller than the JSON text).

Usage: benches/serializer_bench.py [--records N] [--rounds R] [--filka PATH]
Build first: cargo build --release
"""

import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMAS = os.path.join(HERE, "..", "fixtures", "schemas")
# Each consume's plain string counterpart (every produce's is produce string).
COUNTERPART = {"consume string": "consume string", "consume avro": "consume string",
               "consume pb-string": "consume pb-string", "consume protobuf": "consume pb-string"}


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
        # The same records as consume protobuf renders them (proto3's JSON mapping).
        pb_src = os.path.join(work, "trucks-pb.jsonl")
        compact = {"separators": (",", ":")}
        with open(src, "w") as f, open(pb_src, "w") as g:
            for i in range(args.records):
                # Three decimals, rounded: 2 + 119 / 1000 would print as 2.1189999999999998.
                truck = f"truck-{i % 500}"
                lat, lon = round(48 + i % 1000 / 1000, 3), round(2 + i % 777 / 1000, 3)
                speed, at = i % 130 + 0.5, 1700000000000 + i * 1000
                f.write(json.dumps({"truck_id": truck, "latitude": lat, "longitude": lon,
                                    "speed_kmh": speed, "recorded_at": at}, **compact) + "\n")
                g.write(json.dumps({"truckId": truck, "latitude": lat, "longitude": lon,
                                    "speedKmh": speed, "recordedAt": str(at)}, **compact)
                        + "\n")
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
            # The protobuf counterpart's topic (not timed).
            run(base + ["topic", "create", "pb-string", "-p", "1", "-r", "1"], env=env)
            run(base + ["produce", "-t", "pb-string"], stdin_path=pb_src, env=env)
            outs = {}
            for name, argv in {
                "consume string": ["consume", "-t", "string"],
                "consume avro": ["consume", "-t", "avro", "--value-schema", avsc],
                "consume pb-string": ["consume", "-t", "pb-string"],
                "consume protobuf": ["consume", "-t", "protobuf", "--proto", proto],
            }.items():
                outs[name] = os.path.join(work, name.replace(" ", "-") + ".out")
                t = run(base + argv, stdout_path=outs[name], env=env)
                results[name] = min(results.get(name, t), t)
            for name, want in (("consume string", src), ("consume avro", src),
                               ("consume pb-string", pb_src), ("consume protobuf", pb_src)):
                if not filecmp.cmp(outs[name], want, shallow=False):
                    sys.exit(f"{name} did not write the bytes its counterpart writes "
                             f"({os.path.getsize(outs[name])} bytes, {want} has "
                             f"{os.path.getsize(want)}): the ratio would not compare like "
                             f"with like")
            shutil.rmtree(cluster)

        n = args.records
        print(f"{n} truck positions, best of {args.rounds}; ratio = string time / this time")
        for name, t in results.items():
            baseline = results[COUNTERPART.get(name, "produce string")]
            print(f"  {name:18} {t:7.3f} s  {n / t / 1e6:6.2f} M records/s  "
                  f"ratio {baseline / t:5.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
