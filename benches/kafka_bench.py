#!/usr/bin/env python3
"""End to end, filka against the real local alternative: one Apache Kafka 4.4.0 broker.

In one run, on the same input file (N lines, each a 100-byte value and a newline, N =
1,000,000 by default: 101 MB), rounds alternate the two sides (filka first in even rounds,
Kafka first in odd ones; best time of the rounds kept) and time:

  filka  `filka produce -t T --acks 1 < file`, the same with `--acks all` into a second
         topic, and `filka consume -t T -o beginning -c N > out` of the first topic;
  Kafka  `kafka-console-producer --bootstrap-server B --topic T --command-property acks=1
         < file`, the same with acks=all into a second topic, and `kafka-console-consumer
         --bootstrap-server B --topic T --from-beginning --max-messages N > out` of the first;
         and, apart, `kafka-producer-perf-test --num-records N --record-size 100 --throughput
         -1 --command-property acks=1`: Kafka's best case, which reads no file, prints
         only its progress and sends the same 100 bytes (generated once) in every record.
  filka gets a fresh one-broker cluster (`init --brokers 1`) each round, Kafka fresh topics
  on the one broker started for the run.

It prints each step's seconds, records/s, the CPU seconds of the timed process (user+sys,
its children included) and, for Kafka, of the broker during the step, each process's peak
RSS, the ratio Kafka/filka of the times and the issue's goal (filka at least 3x faster end
to end: PASS or FAIL), the same ratio with Kafka's time less its start-up (ex-start: less
the console producer's empty-stdin run below), and Kafka's CPU (client and broker) over
filka's. Exit 1 when a goal fails.

Start-up is reported apart. A console tool's own start-up is in its end-to-end time, as a
user pays it on every command (as filka's); the broker's is in no ratio:
  `filka --version`, `kafka-console-producer --version` (a JVM and the tool's classes),
  `kafka-console-producer` with an empty stdin against the running broker (a JVM, a
  KafkaProducer created, connected and closed: the fixed cost of every console-producer
  run), and the broker's own start-up (`kafka.sh start --nodes 1`: storage format, then a
  node up to "Kafka Server started"), which a user pays once, not per command.

What is alike on both sides: the same input file on stdin (warm in the page cache), a
process timed from spawn to exit, output written into a file replaced each round and
checked byte for byte against the input (one partition, so the order is the input's: each
value carries its line number), os.sync() before each timed step, one partition with
replication factor 1 on one node, no compression (filka's default, the topic's
compression.type=producer, with no codec asked for; the console producer's default, none),
16 KiB batches (filka's --batch-size, the producer's batch.size), idempotence on with acks
all and off with acks 1 (the defaults of both), no keys, the consumer reading from the
first offset. The acks=all topic's end offset is checked (N) on both sides.

What is not alike, and cannot be: Kafka is a server. Its broker runs before, during and
after the steps (started once per run, its start-up reported apart, never in a ratio),
each record crosses a TCP socket twice (client to broker, broker to consumer) and the
console consumer joins a consumer group (a fresh random one) before it fetches. filka has
no server: each command opens the log files itself, under the cluster's locks. Both write
Kafka's own log format (batches, CRC-32C, .index and .timeindex). Kafka's JVMs run with the
options of Kafka's own bin/ scripts (not kafka.sh's small C1-only test JVMs): tools
`-Xmx512M` (kafka-console-producer.sh's and kafka-console-consumer.sh's heap; the perf test
gets the same), the broker `-Xmx1G -Xms1G` (kafka-server-start.sh's), and both
KAFKA_JVM_PERFORMANCE_OPTS's default (G1, MaxGCPauseMillis=20, ...). kafka.sh's own wrapper
(bash and a `java -version` check) is in the tools' times: 0.1 to 0.2 s, under 1% of each
step at 1,000,000 records (bin/kafka-run-class.sh, which it stands for, has its own). The broker
has kafka.sh's settings (num.network.threads=2, num.io.threads=2), sized for this 2-core
test machine; the broker's log flush policy is Kafka's default (no fsync per request), as
filka's (flush.messages at its default: no fsync).

Where each side spends its time, from the run of 2026-12-06 at 1,000,000 records (2 cores
shared with other jobs, load average 11 to 23: every wall time is stretched by waiting for
a core, so the CPU columns say more than the seconds):
  filka produce: 0.90 s wall, 0.24 s CPU (0.12 s wall, 0.11 s CPU at a quieter moment).
  `strace -c -f`: 652 read() of stdin (155 KB each), 314 write() of 330 KB to the segment,
  420 pwrite64() (index entries, checkpoints), and some 2,500 statx/openat/getdents64/flock
  calls on the cluster's metadata, locks and folders; no fsync. With RF 1, acks all makes
  the same calls as acks 1 (no follower to wait for; idempotence adds a producer id): their
  times differ by noise. The CPU is the batches' framing and CRC-32C over 101 MB; start-up
  is 7 ms (`filka --version`). consume: 0.29 s wall, 0.09 s CPU; 115 pread64() of the
  segment and 386 write() of stdout; `perf stat` gives 0.39 CPUs utilized: the rest is
  waiting, for a core and for the page cache to take its 101 MB of output.
  Kafka console producer, acks=1: 20.0 s wall, of which 5.3 s is the fixed cost of any run
  (2.8 s a JVM that only prints --version, 2.5 s more to create, connect and close a
  producer); 7.8 s of CPU in the client and 2.1 s in the broker (request handling and log
  appends), against filka's 0.24 s for the whole job. So the client is the cost, not the
  broker: about 8 us of CPU a record, to read a line (LineMessageReader), make a
  ProducerRecord of it and serialize it into the accumulator, with the JIT compiling all
  that and G1 collecting, on the cores the broker needs too. producer-perf-test, which reads
  no stdin, reports 72,286 records/s on its own clock (its start-up excluded) and took
  17.7 s end to end, not much less than the console producer: reading the file is not what
  makes Kafka slow, the producer client and the broker are. Console consumer: 21.4 s wall,
  7.0 s client CPU (a consumer group joined, fetches, each record formatted and printed on
  its own through a PrintStream), 1.8 s broker CPU (fetches served from the page cache with
  sendfile, the group coordinator). The broker: 24.4 s to format and start (once, in no
  ratio), 788 MiB resident.

Usage: benches/kafka_bench.py [--records N] [--rounds R] [--filka PATH]
Build first: cargo build --release. Needs what tests/apache-kafka/kafka.sh needs (Java 17+,
Maven, the cached classpath of Kafka 4.4.0).
"""

import argparse
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

GOAL = 3.0
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KAFKA_SH = os.path.join(ROOT, "tests", "apache-kafka", "kafka.sh")
# Kafka's bin/kafka-run-class.sh default KAFKA_JVM_PERFORMANCE_OPTS (Kafka 4.x).
JVM_PERF = ("-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35"
            " -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true")
TOOL_JVM = "-Xmx512M " + JVM_PERF     # kafka-console-producer.sh / -consumer.sh's heap
BROKER_JVM = "-Xmx1G -Xms1G " + JVM_PERF  # kafka-server-start.sh's heap

# Runs argv[2:], then writes "exit-code seconds peak-RSS-KiB cpu-seconds" to argv[1]. Its
# stdin, stdout and stderr are the measured command's.
MEASURE = r"""
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[2:]).returncode
elapsed = time.perf_counter() - start
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as f:
    f.write(f"{code} {elapsed} {ru.ru_maxrss} {ru.ru_utime + ru.ru_stime}\n")
"""


def run(argv, stdin_path=None, stdout_path=None, env=None):
    """Runs argv, timed; returns (seconds, peak RSS KiB or None, CPU seconds, stderr)."""
    # The previous step's dirty pages are still being written back; start each clean.
    os.sync()
    work = tempfile.mkdtemp(prefix="kafka-bench-run-")
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
            code, elapsed, rss, cpu = open(report).read().split()
            code, elapsed, rss, cpu = int(code), float(elapsed), int(rss), float(cpu)
        except (OSError, ValueError):
            sys.exit(f"{' '.join(argv)}: the measuring parent reported nothing: {err}")
    finally:
        for f in (fin, fout):
            if hasattr(f, "close"):
                f.close()
        shutil.rmtree(work, ignore_errors=True)
    if code != 0:
        sys.exit(f"{' '.join(argv)} failed ({code}): {err}")
    return elapsed, (rss if rss > 0 else None), cpu, err


def proc_cpu(pid):
    """CPU seconds (user+sys) the process pid has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_hwm_kib(pid):
    """Peak RSS (VmHWM) of the process pid, in KiB, or None."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


def same_bytes(got, want, what):
    """Exits loudly unless the files `got` and `want` hold the same bytes."""
    if not filecmp.cmp(got, want, shallow=False):
        sys.exit(f"{what}: {os.path.getsize(got)} bytes, not the {os.path.getsize(want)} "
                 f"of the input, or different ones: the records read back are not those sent")


def main():
    ap = argparse.ArgumentParser(description="filka against one real Kafka broker, end to end")
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=2, help="best of R for each step")
    ap.add_argument("--filka", default=os.path.join(ROOT, "target", "release", "filka"))
    args = ap.parse_args()
    n = args.records
    filka = os.path.abspath(args.filka)
    if not os.access(filka, os.X_OK):
        sys.exit(f"{filka} not found: run `cargo build --release` first")

    work = tempfile.mkdtemp(prefix="kafka-bench-")
    kdir = os.path.join(work, "kafka")
    fenv = dict(os.environ)
    fenv.pop("FILKA_CLUSTER", None)
    kenv = dict(os.environ, KAFKA_TOOL_JVM_OPTS=TOOL_JVM, KAFKA_BROKER_JVM_OPTS=BROKER_JVM,
                KAFKA_TOOL_LOG=os.path.join(work, "tools.log"),
                KAFKA_TOOL_TIMEOUT=str(600 + n // 1000))
    broker_pid = None
    ok = False
    try:
        src = os.path.join(work, "input.txt")
        with open(src, "w") as f:
            for i in range(n):
                f.write(f"{i:010d}{'x' * 90}\n")

        def kafka(*argv, **kw):
            """A Kafka tool run by kafka.sh, untimed; returns its stdout."""
            p = subprocess.run([KAFKA_SH, "tool"] + list(argv), env=kenv, check=False,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
            if p.returncode != 0:
                sys.exit(f"kafka.sh tool {' '.join(argv)} failed ({p.returncode}): "
                         f"{p.stderr.decode(errors='replace')}")
            return p.stdout.decode()

        subprocess.run([KAFKA_SH, "classpath"], env=kenv, check=True, stdout=subprocess.DEVNULL)
        os.sync()
        t0 = time.perf_counter()
        p = subprocess.run([KAFKA_SH, "start", "--nodes", "1", kdir], env=kenv, check=False,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        broker_start = time.perf_counter() - t0
        m = re.search(r"^bootstrap=(\S+)$", p.stdout.decode(), re.M)
        if p.returncode != 0 or not m:
            sys.exit(f"kafka.sh start failed ({p.returncode}): {p.stderr.decode()}")
        bootstrap = m.group(1)
        broker_pid = int(open(os.path.join(kdir, "run", "101", "pid")).read())
        kafka("topics", "--bootstrap-server", bootstrap, "--create", "--topic", "startup",
              "--partitions", "1", "--replication-factor", "1")

        results = {}
        steady = []  # producer-perf-test's own records/s, each round

        def keep(name, measured, broker_cpu=None):
            """Keeps the best time (with its CPU), the largest peak RSS (None: unmeasured)."""
            t, rss, cpu = measured[:3]
            if name in results:
                best, best_cpu, peak, best_broker = results[name]
                peak = max_rss(peak, rss)
                if best <= t:
                    results[name] = (best, best_cpu, peak, best_broker)
                    return
            else:
                peak = rss
            results[name] = (t, cpu, peak, broker_cpu)

        def kafka_step(name, argv, stdin_path=None, stdout_path=None, acks=None):
            """Runs a Kafka tool, timed, and the broker's CPU meanwhile. With acks, checks
            that the producer's config (logged by Kafka) has it: a misspelt property would
            be ignored."""
            log = os.path.join(work, "step.log")
            env = dict(kenv, KAFKA_TOOL_LOG=log)
            before = proc_cpu(broker_pid)
            measured = run([KAFKA_SH, "tool"] + argv, stdin_path, stdout_path, env)
            keep(name, measured, proc_cpu(broker_pid) - before)
            if acks is not None and f"\tacks = {acks}\n" not in open(log).read():
                sys.exit(f"{name}: Kafka's log of the producer's config has no acks = {acks}")
            os.remove(log)
            return measured

        def filka_side(r):
            cluster = os.path.join(work, "filka")
            shutil.rmtree(cluster, ignore_errors=True)
            fk = [filka, "--cluster", cluster, "-q"]
            for argv in (["init", "--brokers", "1"],
                         ["topic", "create", "acks1", "-p", "1", "-r", "1"],
                         ["topic", "create", "acksall", "-p", "1", "-r", "1"]):
                subprocess.run(fk + argv, check=True, stdout=subprocess.DEVNULL, env=fenv)
            keep("filka produce acks=1",
                 run(fk + ["produce", "-t", "acks1", "--acks", "1"], src, None, fenv))
            keep("filka produce acks=all",
                 run(fk + ["produce", "-t", "acksall", "--acks", "all"], src, None, fenv))
            out = os.path.join(work, "filka.out")
            keep("filka consume",
                 run(fk + ["consume", "-t", "acks1", "-o", "beginning", "-c", str(n)],
                     None, out, fenv))
            same_bytes(out, src, f"round {r}: filka consume")
            desc = subprocess.run(fk + ["--output", "json", "describe", "topic", "acksall"],
                                  check=True, stdout=subprocess.PIPE, env=fenv).stdout
            hw = json.loads(desc.decode().splitlines()[0])["partitions"][0]["high_watermark"]
            if hw != n:
                sys.exit(f"round {r}: filka's acksall topic ends at {hw}, not {n}")

        def perf_step(r, topic):
            path = os.path.join(work, "perf.out")
            kafka_step("Kafka producer-perf-test acks=1",
                       ["producer-perf-test", "--topic", topic, "--num-records", str(n),
                        "--record-size", "100", "--throughput", "-1", "--command-property",
                        f"bootstrap.servers={bootstrap}", "acks=1"],
                       stdout_path=path, acks="1")
            final = open(path).read().strip().splitlines()[-1]
            m = re.match(r"(\d+) records sent, ([\d.]+) records/sec", final)
            if not m or int(m.group(1)) != n:
                sys.exit(f"round {r}: producer-perf-test: {final}")
            steady.append(float(m.group(2)))

        def kafka_round(r):
            topics = {k: f"r{r}-{k}" for k in ("acks1", "acksall", "perf")}
            for t in topics.values():
                kafka("topics", "--bootstrap-server", bootstrap, "--create", "--topic", t,
                      "--partitions", "1", "--replication-factor", "1")
            for acks, logged in (("1", "1"), ("all", "-1")):
                kafka_step(f"Kafka console-producer acks={acks}",
                           ["console-producer", "--bootstrap-server", bootstrap, "--topic",
                            topics["acks1" if acks == "1" else "acksall"],
                            "--command-property", f"acks={acks}"], stdin_path=src,
                           acks=logged)
            out = os.path.join(work, "kafka.out")
            kafka_step("Kafka console-consumer",
                       ["console-consumer", "--bootstrap-server", bootstrap, "--topic",
                        topics["acks1"], "--from-beginning", "--max-messages", str(n),
                        "--timeout-ms", "60000"], stdout_path=out)
            same_bytes(out, src, f"round {r}: Kafka console-consumer")
            got = kafka("get-offsets", "--bootstrap-server", bootstrap, "--topic",
                        topics["acksall"]).strip()
            if got != f"{topics['acksall']}:0:{n}":
                sys.exit(f"round {r}: Kafka's acks=all topic: {got}, not {n} records")
            perf_step(r, topics["perf"])

        for r in range(args.rounds):
            # Start-up, each round: the smallest runs of each side.
            keep("filka --version", run([filka, "--version"], env=fenv))
            keep("Kafka console-producer --version",
                 run([KAFKA_SH, "tool", "console-producer", "--version"], env=kenv))
            kafka_step("Kafka console-producer, empty stdin",
                       ["console-producer", "--bootstrap-server", bootstrap, "--topic",
                        "startup"], stdin_path="/dev/null")
            sides = [filka_side, kafka_round]
            for side in (sides if r % 2 == 0 else sides[::-1]):
                side(r)

        broker_hwm = proc_hwm_kib(broker_pid)
        ok = report(args, n, results, steady, broker_start, broker_hwm, os.path.getsize(src))
    finally:
        if broker_pid is not None or os.path.isdir(os.path.join(kdir, "run")):
            subprocess.run([KAFKA_SH, "stop", kdir], env=kenv,
                           check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


def max_rss(a, b):
    """The larger of two peak RSS readings; None when either was not measured."""
    return None if a is None or b is None else max(a, b)


PAIRS = (("filka produce acks=1", "Kafka console-producer acks=1"),
         ("filka produce acks=all", "Kafka console-producer acks=all"),
         ("filka consume", "Kafka console-consumer"))
START_UP = ("filka --version", "Kafka console-producer --version",
            "Kafka console-producer, empty stdin")


def report(args, n, results, steady, broker_start, broker_hwm, size):
    """Prints the table; returns whether every goal was met."""
    floor = run(["true"])[1]

    def rss_text(kib):
        if kib is None:
            return "n/a"
        at_floor = floor is not None and kib <= floor
        return f"{'<=' if at_floor else ''}{kib / 1024:.0f}MiB"

    def row(name, ratio="", ex_start="", cpu_ratio="", goal="", verdict="", rate=True):
        t, cpu, rss, broker = results[name]
        print(f"{name:<36}{t:>9.3f}{(f'{n / t:,.0f}' if rate else ''):>12}{cpu:>8.2f}"
              f"{('' if broker is None else f'{broker:.2f}'):>8}{rss_text(rss):>9}"
              f"{ratio:>8}{ex_start:>9}{cpu_ratio:>8}{goal:>6}  {verdict}")

    def cpu_ratio(theirs, ours):
        """Kafka's CPU (client and broker) over filka's, or "-" when filka's rounds to 0."""
        _, cpu, _, broker = results[theirs]
        mine = results[ours][1]
        return f"{(cpu + broker) / mine:.0f}x" if mine > 0 else "-"

    print(f"{n:,} records of 100-byte values ({size / 1e6:.1f} MB of lines), best of "
          f"{args.rounds} round(s); Kafka 4.4.0, one broker+controller node, RF 1, its JVMs "
          f"with Kafka's bin/ options")
    print(f"{'step':<36}{'seconds':>9}{'records/s':>12}{'CPU s':>8}{'broker':>8}"
          f"{'peak RSS':>9}{'K/filka':>8}{'ex-start':>9}{'CPU K/f':>8}{'goal':>6}  result")
    kafka_start = results["Kafka console-producer, empty stdin"][0]
    ok = True
    for ours, theirs in PAIRS:
        row(ours)
        ratio = results[theirs][0] / results[ours][0]
        ex_start = (results[theirs][0] - kafka_start) / results[ours][0]
        passed = ratio >= GOAL
        ok &= passed
        row(theirs, f"{ratio:.1f}x", f"{ex_start:.1f}x", cpu_ratio(theirs, ours),
            f">={GOAL:.0f}x", "PASS" if passed else "FAIL")
    perf, ours = "Kafka producer-perf-test acks=1", "filka produce acks=1"
    row(perf, f"{results[perf][0] / results[ours][0]:.1f}x",
        f"{(results[perf][0] - kafka_start) / results[ours][0]:.1f}x", cpu_ratio(perf, ours),
        "", f"best case, no file: it reports {max(steady):,.0f} records/s itself")
    print("start-up, apart (in each console tool's time above, but not the broker's):")
    for name in START_UP:
        row(name, rate=False)
    print(f"{'Kafka broker start (format + start)':<36}{broker_start:>9.3f}{'':>12}{'':>8}"
          f"{'':>8}{rss_text(broker_hwm):>9}  (once per run; peak RSS at the end of the run)")
    print(f"(CPU s: the timed process's user+sys, children included; broker: the broker's "
          f"during the step; K/filka: Kafka's time / filka's; ex-start: Kafka's time less its "
          f"console producer's empty-stdin run, over filka's; CPU K/f: Kafka's client and "
          f"broker CPU over filka's; peak RSS floor, the measuring "
          f"parent's own: {rss_text(floor)})")
    return ok


if __name__ == "__main__":
    main()
