#!/usr/bin/env bash
# Apache Kafka as the judge of filka: builds the classpath of a pinned Kafka (pom.xml beside
# this file), runs Kafka's tools by short name, starts and stops a real KRaft cluster on
# 127.0.0.1, and runs the suite (`test`). See README.md beside this file.
#
#   kafka.sh classpath                  build (or reuse) the classpath, print its file
#   kafka.sh tool NAME [ARGS...]        run a Kafka tool (kafka.sh tool list: the names)
#   kafka.sh start [--nodes 1|3] DIR    format DIR and start the nodes, print bootstrap=...
#   kafka.sh boot DIR                   start nodes on the log dirs DIR/broker-<id> as they are
#   kafka.sh stop DIR                   stop the nodes started in DIR, keep their logs
#   kafka.sh test                       the suite: build, start, check, stop
#
# Exit codes: 0 ok, 1 a failure (a check, a start that timed out), 2 a usage error or a
# missing prerequisite (Java 17+, Maven, a reachable Maven repository).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CACHE="$ROOT/target/apache-kafka"
LOG4J="$HERE/config/log4j2.properties"

# Every wait is bounded; these can be raised from the environment on a slow machine.
START_TIMEOUT=${KAFKA_START_TIMEOUT:-60}   # seconds for all nodes to come up
STOP_TIMEOUT=${KAFKA_STOP_TIMEOUT:-30}     # seconds after TERM before KILL
TOOL_TIMEOUT=${KAFKA_TOOL_TIMEOUT:-300}    # seconds for one tool run (0: no limit)
MAVEN_TIMEOUT=${KAFKA_MAVEN_TIMEOUT:-600}  # seconds for one Maven run
BROKER_HEAP=${KAFKA_BROKER_HEAP:-512m}
TOOL_HEAP=${KAFKA_TOOL_HEAP:-256m}

# Fast-starting, small JVMs: tools are short-lived, so C1 only and the serial collector.
TOOL_JVM=(-Xms32m "-Xmx$TOOL_HEAP" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto)
# Test brokers too: C1 only (3 nodes starting on 2 cores spend their start-up compiling).
BROKER_JVM=(-Xms128m "-Xmx$BROKER_HEAP" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto)
# KAFKA_TOOL_JVM_OPTS / KAFKA_BROKER_JVM_OPTS (space-separated) replace these, e.g. with the
# options Kafka's own bin/ scripts use (benches/kafka_bench.py does, to time what users run).
[[ -n ${KAFKA_TOOL_JVM_OPTS:-} ]] && read -ra TOOL_JVM <<<"$KAFKA_TOOL_JVM_OPTS"
[[ -n ${KAFKA_BROKER_JVM_OPTS:-} ]] && read -ra BROKER_JVM <<<"$KAFKA_BROKER_JVM_OPTS"

die() { # die CODE MESSAGE: one line on stderr, then exit
  echo "kafka.sh: $2" >&2
  exit "$1"
}

# --- prerequisites and the classpath -------------------------------------------------------

JAVA=java
find_java() {
  if [[ -n ${JAVA_HOME:-} ]]; then
    [[ -x $JAVA_HOME/bin/java ]] ||
      die 2 "Java 17 or newer is needed and JAVA_HOME ($JAVA_HOME) has no bin/java"
    JAVA=$JAVA_HOME/bin/java
  elif command -v java >/dev/null 2>&1; then
    JAVA=java
  else
    die 2 "Java 17 or newer is needed and no java was found (set JAVA_HOME or put java on PATH)"
  fi
  local line major
  line=$("$JAVA" -version 2>&1 | head -n 1) || die 2 "'$JAVA -version' failed: $line"
  major=$(sed -E 's/.*version "([0-9]+)(\.([0-9]+))?.*/\1 \3/' <<<"$line")
  # Java 8 and older call themselves 1.x.
  if [[ ${major% *} == 1 ]]; then major=${major#* }; else major=${major% *}; fi
  [[ $major =~ ^[0-9]+$ && $major -ge 17 ]] ||
    die 2 "Java 17 or newer is needed, '$JAVA' is: $line"
}

# The key of the cached classpath: everything Maven's result depends on in this folder.
cache_key() {
  (cd "$HERE" && find pom.xml src -type f | LC_ALL=C sort | xargs sha256sum) |
    sha256sum | cut -c1-16
}

# run_maven LOG ARGS...: one Maven run, output to LOG; on failure one line saying why.
run_maven() {
  local log=$1
  shift
  command -v mvn >/dev/null 2>&1 ||
    die 2 "Maven (mvn) is needed to build the Apache Kafka classpath and was not found on PATH"
  # The default local repository (~/.m2/repository) on purpose: CI runs in a fresh clone, so
  # a repository under target/ would download Kafka again (~80 MB) on every run, while
  # ~/.m2 is shared by every clone and worktree on the machine and survives between runs.
  # KAFKA_MAVEN_REPO moves it (e.g. into target/ for a fully self-contained run).
  local repo=()
  [[ -n ${KAFKA_MAVEN_REPO:-} ]] && repo=("-Dmaven.repo.local=$KAFKA_MAVEN_REPO")
  # -U: a failed download is retried now, not skipped because ~/.m2 remembers the failure.
  if ! timeout "$MAVEN_TIMEOUT" mvn -B -U -f "$HERE/pom.xml" "${repo[@]}" "$@" >"$log" 2>&1; then
    if grep -qE 'Could not transfer|UnknownHost|Connection refused|Network is unreachable|offline mode' "$log"; then
      local url why
      url=$(grep -m1 -oE 'from/to [^ ]+ \([^)]*\)' "$log" | sed -E 's/.*\((.*)\)/\1/' || true)
      why=$(grep -m1 -oE 'Connection refused|Unknown ?[Hh]ost[^,;)]*|Network is unreachable|timed out|offline mode|transfer failed' "$log" || true)
      die 2 "Maven could not download Apache Kafka from ${url:-its repository} (${why:-see the log}); log: $log"
    fi
    # A compiler error names its file and line; otherwise Maven's first error line.
    local err
    err=$(grep -m1 -E '^\[ERROR\] .*\.java:\[' "$log" || grep -m1 -E '^\[ERROR\] .' "$log" || true)
    die 1 "Maven failed: $(cut -c1-240 <<<"${err#\[ERROR\] }"); log: $log"
  fi
}

# ensure_classpath: sets CP to the broker and tools classpath (plus the drivers), building it
# when pom.xml or a driver source changed; CP_FILE is the file it is cached in.
ensure_classpath() {
  find_java
  local key
  key=$(cache_key)
  CP_FILE="$CACHE/classpath-$key.txt"
  if [[ ! -s $CP_FILE ]]; then
    mkdir -p "$CACHE"
    local deps="$CACHE/deps-$key.txt"
    # The drivers compile into a folder of this key, so a failed or later build of other
    # sources never changes the classes a cached classpath names.
    run_maven "$CACHE/maven.log" compile dependency:build-classpath "-Dmdep.outputFile=$deps" \
      "-DapacheKafka.buildDir=$CACHE/maven-$key"
    [[ -s $deps ]] || die 1 "Maven wrote no classpath; log: $CACHE/maven.log"
    printf '%s:%s\n' "$CACHE/maven-$key/classes" "$(cat "$deps")" >"$CP_FILE.tmp"
    mv "$CP_FILE.tmp" "$CP_FILE"
    rm -f "$deps"
  fi
  CP=$(cat "$CP_FILE")
}

# ensure_shell_classpath: sets SHELL_CP, the metadata shell's own classpath (profile `shell`).
ensure_shell_classpath() {
  find_java
  local file
  file="$CACHE/shell-classpath-$(cache_key).txt"
  if [[ ! -s $file ]]; then
    mkdir -p "$CACHE"
    run_maven "$CACHE/maven-shell.log" -Pshell dependency:build-classpath \
      "-Dmdep.outputFile=$file.tmp"
    mv "$file.tmp" "$file"
  fi
  SHELL_CP=$(cat "$file")
}

# --- tools ---------------------------------------------------------------------------------

# Short name -> main class, as Kafka 4.x's bin/kafka-*.sh scripts run them.
tool_class() {
  case $1 in
    dump-log) echo org.apache.kafka.tools.DumpLogSegments ;;
    storage) echo kafka.tools.StorageTool ;;
    metadata-shell) echo org.apache.kafka.shell.MetadataShell ;;
    consumer-groups) echo org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
    console-consumer) echo org.apache.kafka.tools.consumer.ConsoleConsumer ;;
    console-producer) echo org.apache.kafka.tools.ConsoleProducer ;;
    producer-perf-test) echo org.apache.kafka.tools.ProducerPerformance ;;
    consumer-perf-test) echo org.apache.kafka.tools.ConsumerPerformance ;;
    metadata-quorum) echo org.apache.kafka.tools.MetadataQuorumCommand ;;
    reassign-partitions) echo org.apache.kafka.tools.reassign.ReassignPartitionsCommand ;;
    configs) echo org.apache.kafka.tools.ConfigCommand ;;
    topics) echo org.apache.kafka.tools.TopicCommand ;;
    get-offsets) echo org.apache.kafka.tools.GetOffsetShell ;;
    log-dirs) echo org.apache.kafka.tools.LogDirsCommand ;;
    features) echo org.apache.kafka.tools.FeatureCommand ;;
    cluster) echo org.apache.kafka.tools.ClusterTool ;;
    transactions) echo org.apache.kafka.tools.TransactionsCommand ;;
    delete-records) echo org.apache.kafka.tools.DeleteRecordsCommand ;;
    leader-election) echo org.apache.kafka.tools.LeaderElectionCommand ;;
    acls) echo org.apache.kafka.tools.AclCommand ;;
    broker-api-versions) echo org.apache.kafka.tools.BrokerApiVersionsCommand ;;
    verifiable-producer) echo org.apache.kafka.tools.VerifiableProducer ;;
    verifiable-consumer) echo org.apache.kafka.tools.VerifiableConsumer ;;
    partitioner) echo filka.apachekafka.Partitioner ;;
    file-checks) echo filka.apachekafka.FileChecks ;;
    txn-producer) echo filka.apachekafka.TxnProducer ;;
    metadata-records) echo filka.apachekafka.MetadataRecords ;;
    assign) echo filka.apachekafka.Assign ;;
    produce) echo filka.apachekafka.Produce ;;
    consume) echo filka.apachekafka.Consume ;;
    transactional) echo filka.apachekafka.Transactional ;;
    compaction) echo filka.apachekafka.Compaction ;;
    records) echo filka.apachekafka.Records ;;
    *) return 1 ;;
  esac
}
TOOL_NAMES="dump-log storage metadata-shell consumer-groups console-consumer console-producer
producer-perf-test consumer-perf-test metadata-quorum reassign-partitions configs topics
get-offsets log-dirs features cluster transactions delete-records leader-election acls
broker-api-versions verifiable-producer verifiable-consumer partitioner file-checks txn-producer
metadata-records assign produce consume transactional records compaction"

# run_tool NAME ARGS...: the tool's stdout and stderr are the caller's; its log goes to
# $KAFKA_TOOL_LOG, default target/apache-kafka/logs/NAME.log (appended).
run_tool() {
  local name=$1 class cp
  shift
  if [[ $name == list ]]; then
    tr ' ' '\n' <<<"$TOOL_NAMES" | tr -s '\n'
    return 0
  fi
  class=$(tool_class "$name") ||
    die 2 "unknown tool '$name' (kafka.sh tool list: the names)"
  if [[ $name == metadata-shell ]]; then
    ensure_shell_classpath
    cp=$SHELL_CP
  else
    ensure_classpath
    cp=$CP
  fi
  local log=${KAFKA_TOOL_LOG:-$CACHE/logs/$name.log} rc=0
  mkdir -p "$(dirname "$log")"
  # Bounded: a tool can wait forever (the metadata shell on a log it cannot read does).
  # --foreground keeps an interactive tool (the metadata shell) on the terminal.
  timeout --foreground -k 10 "$TOOL_TIMEOUT" "$JAVA" "${TOOL_JVM[@]}" \
    "-Dlog4j2.configurationFile=$LOG4J" "-Dkafka.log.file=$log" -cp "$cp" "$class" "$@" ||
    rc=$?
  if ((rc == 124 || rc == 137)) && ((TOOL_TIMEOUT > 0)); then
    die 1 "tool $name did not finish within ${TOOL_TIMEOUT}s (KAFKA_TOOL_TIMEOUT); log: $log"
  fi
  return "$rc"
}

# --- a real cluster ------------------------------------------------------------------------
#
# DIR/broker-<id>/        the node's log.dirs and metadata.log.dir (ids 101, 102, 103: the
#                         ids filka's default cluster uses)
# DIR/run/<id>/           server.properties, pid, console.out, server.log
# DIR/bootstrap           the bootstrap servers

FIRST_ID=101

# free_port: sets PORT to a TCP port on 127.0.0.1 that nothing listens on now and that this
# run has not handed out before (not in USED_PORTS).
USED_PORTS=" "
free_port() {
  local p tries=0
  while ((tries++ < 200)); do
    p=$((20000 + RANDOM % 40000))
    [[ $USED_PORTS == *" $p "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      USED_PORTS+="$p "
      PORT=$p
      return 0
    fi
  done
  die 1 "found no free port on 127.0.0.1"
}

# A Kafka cluster id: 16 random bytes in URL-safe base64 without padding, never starting with
# '-' (as Kafka's Uuid.randomUuid), unless KAFKA_CLUSTER_ID gives one.
cluster_id() {
  if [[ -n ${KAFKA_CLUSTER_ID:-} ]]; then
    echo "$KAFKA_CLUSTER_ID"
    return
  fi
  local id
  while :; do
    id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | cut -c1-22)
    [[ $id != -* ]] && break
  done
  echo "$id"
}

# is_our_node PID DIR: the process PID is alive and is a node started from DIR (not a pid
# reused by something else since).
is_our_node() {
  local pid=$1 dir=$2
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$dir/run/"
}

stop_cluster() {
  local dir=$1 pidfile pid pids=() start=$SECONDS
  [[ -d $dir/run ]] || die 2 "no cluster started in $dir (no $dir/run)"
  dir=$(cd "$dir" && pwd)
  for pidfile in "$dir"/run/*/pid; do
    [[ -f $pidfile ]] || continue
    pid=$(cat "$pidfile")
    if is_our_node "$pid" "$dir"; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
    rm -f "$pidfile"
  done
  local deadline=$((SECONDS + STOP_TIMEOUT)) alive
  while :; do
    alive=()
    for pid in "${pids[@]}"; do
      is_our_node "$pid" "$dir" && alive+=("$pid")
    done
    ((${#alive[@]} == 0)) && break
    if ((SECONDS >= deadline)); then
      echo "kafka.sh: ${alive[*]} still running ${STOP_TIMEOUT}s after TERM, killing" >&2
      kill -KILL "${alive[@]}" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  echo "stopped ${#pids[@]} node(s) in $((SECONDS - start))s" >&2
}

start_cluster() {
  local nodes=1 dir=''
  while (($#)); do
    case $1 in
      --nodes)
        [[ $# -ge 2 ]] || die 2 "--nodes needs a value, 1 or 3"
        nodes=$2
        shift 2
        ;;
      --nodes=*)
        nodes=${1#--nodes=}
        shift
        ;;
      -*) die 2 "start: unknown option $1" ;;
      *)
        [[ -z $dir ]] || die 2 "start: one DIR only"
        dir=$1
        shift
        ;;
    esac
  done
  [[ -n $dir ]] || die 2 "usage: kafka.sh start [--nodes 1|3] DIR"
  [[ $nodes == 1 || $nodes == 3 ]] || die 2 "--nodes must be 1 or 3, not '$nodes'"
  if [[ -e $dir ]] && [[ -n $(ls -A "$dir") ]]; then
    die 2 "$dir is not empty: start formats fresh storage and wants an empty or new folder"
  fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  ensure_classpath

  local t0=$SECONDS i id ids=() voters='' bootstrap='' rf=$nodes
  declare -A port cport
  for ((i = 0; i < nodes; i++)); do
    id=$((FIRST_ID + i))
    ids+=("$id")
    free_port
    port[$id]=$PORT
    free_port
    cport[$id]=$PORT
    voters+="${voters:+,}$id@127.0.0.1:${cport[$id]}"
    bootstrap+="${bootstrap:+,}127.0.0.1:${port[$id]}"
  done
  local cid
  cid=$(cluster_id)
  for id in "${ids[@]}"; do
    local run="$dir/run/$id"
    mkdir -p "$run"
    # A combined broker+controller with a static voter set (kraft.version 0), as small as
    # Kafka allows: replication factors fit the node count, no delays for tests.
    cat >"$run/server.properties" <<EOF
process.roles=broker,controller
node.id=$id
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:${port[$id]},CONTROLLER://127.0.0.1:${cport[$id]}
advertised.listeners=PLAINTEXT://127.0.0.1:${port[$id]}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/broker-$id
metadata.log.dir=$dir/broker-$id
num.partitions=1
default.replication.factor=$rf
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
auto.create.topics.enable=true
EOF
    # KAFKA_SERVER_PROPERTIES: more lines for every node (e.g. a small
    # metadata.log.max.record.bytes.between.snapshots, so that the node writes snapshots).
    if [[ -n ${KAFKA_SERVER_PROPERTIES:-} ]]; then
      printf '%s\n' "$KAFKA_SERVER_PROPERTIES" >>"$run/server.properties"
    fi
  done
  # Format every node's storage at once (one JVM each), then check each result.
  # KAFKA_RELEASE_VERSION (e.g. 4.3) formats at an older metadata.version, one the metadata
  # shell (served only up to an older Kafka) can read.
  local fpids=() release=()
  [[ -n ${KAFKA_RELEASE_VERSION:-} ]] && release=(--release-version "$KAFKA_RELEASE_VERSION")
  for id in "${ids[@]}"; do
    local run="$dir/run/$id"
    KAFKA_TOOL_LOG="$run/storage-format.log" run_tool storage format \
      --config "$run/server.properties" --cluster-id "$cid" "${release[@]}" \
      >"$run/storage-format.out" 2>&1 &
    fpids+=($!)
  done
  for i in "${!ids[@]}"; do
    wait "${fpids[$i]}" ||
      die 1 "formatting $dir/broker-${ids[$i]} failed: $(tail -n 1 "$dir/run/${ids[$i]}/storage-format.out")"
  done
  local t1=$SECONDS
  launch_nodes "$dir" "${ids[@]}"
  echo "$bootstrap" >"$dir/bootstrap"
  echo "started $nodes node(s) in $((SECONDS - t0))s (format $((t1 - t0))s); logs in $dir/run" >&2
  echo "bootstrap=$bootstrap"
}

# launch_nodes DIR ID...: starts the node of each DIR/run/ID/server.properties and waits
# (bounded) until each logs `Kafka Server started`; on a timeout or a node that exits, stops
# them and fails with where the logs are.
launch_nodes() {
  local dir=$1 id
  shift
  local ids=("$@")
  for id in "${ids[@]}"; do
    local run="$dir/run/$id"
    # Output to files and stdin from /dev/null: a node must not hold the caller's pipes, or
    # `$(kafka.sh start DIR)` would wait for it to exit.
    "$JAVA" "${BROKER_JVM[@]}" "-Dlog4j2.configurationFile=$LOG4J" \
      "-Dkafka.log.file=$run/server.log" -cp "$CP" kafka.Kafka "$run/server.properties" \
      </dev/null >"$run/console.out" 2>&1 &
    echo $! >"$run/pid"
  done

  # Each node logs "Kafka Server started" once it is registered and serving; a node that
  # exits before that is a failure at once, not after the timeout.
  local deadline=$((SECONDS + START_TIMEOUT)) pending=("${ids[@]}") left pid
  while ((${#pending[@]})); do
    left=()
    for id in "${pending[@]}"; do
      pid=$(cat "$dir/run/$id/pid")
      if grep -q "Kafka Server started" "$dir/run/$id/server.log" 2>/dev/null; then
        continue
      fi
      if ! kill -0 "$pid" 2>/dev/null; then
        stop_cluster "$dir" 2>/dev/null || true
        die 1 "node $id exited during start-up; logs: $dir/run/$id (console.out, server.log)"
      fi
      left+=("$id")
    done
    pending=("${left[@]}")
    ((${#pending[@]})) || break
    if ((SECONDS >= deadline)); then
      stop_cluster "$dir" 2>/dev/null || true
      die 1 "node(s) ${pending[*]} not started within ${START_TIMEOUT}s (KAFKA_START_TIMEOUT); logs: $dir/run/${pending[0]} (console.out, server.log)"
    fi
    sleep 0.25
  done
}

# boot_cluster DIR: starts Kafka on log dirs that exist, as they are (no format): a node for
# each DIR/broker-<id> folder with a meta.properties (its node.id), log.dirs and
# metadata.log.dir that folder; a folder holding __cluster_metadata-0 is a voter of the
# static quorum (process.roles=broker,controller), any other a broker alone. PLAINTEXT
# listeners on localhost, ports KAFKA_FIRST_PORT, +1, ... in id order (the ports a filka
# cluster registers its brokers with: 9092...), or free ones; CONTROLLER listeners on free
# ports. Run files in DIR/run/<id>, as `start` keeps them; prints bootstrap=...
boot_cluster() {
  [[ $# -eq 1 ]] || die 2 "usage: kafka.sh boot DIR"
  local dir=$1
  [[ -d $dir ]] || die 2 "boot: $dir is not a folder"
  dir=$(cd "$dir" && pwd)
  ensure_classpath
  local t0=$SECONDS ids=() id f i=0 voters='' bootstrap=''
  declare -A port cport voter
  for f in "$dir"/broker-*/meta.properties; do
    [[ -f $f ]] || continue
    id=$(sed -n 's/^node\.id=//p' "$f")
    [[ $id =~ ^[0-9]+$ && $f == "$dir/broker-$id/meta.properties" ]] ||
      die 2 "boot: $f names node.id '$id', not its folder's"
    ids+=("$id")
  done
  ((${#ids[@]})) || die 2 "boot: no broker-<id>/meta.properties in $dir"
  mapfile -t ids < <(printf '%s\n' "${ids[@]}" | sort -n)
  for id in "${ids[@]}"; do
    if [[ -n ${KAFKA_FIRST_PORT:-} ]]; then
      port[$id]=$((KAFKA_FIRST_PORT + i))
    else
      free_port
      port[$id]=$PORT
    fi
    i=$((i + 1))
    bootstrap+="${bootstrap:+,}localhost:${port[$id]}"
    if [[ -d $dir/broker-$id/__cluster_metadata-0 ]]; then
      voter[$id]=1
      free_port
      cport[$id]=$PORT
      voters+="${voters:+,}$id@localhost:${cport[$id]}"
    fi
  done
  [[ -n $voters ]] || die 2 "boot: no broker-<id>/__cluster_metadata-0 in $dir (no controller)"
  local n=${#ids[@]} rf
  rf=$((n < 3 ? n : 3))
  for id in "${ids[@]}"; do
    local run="$dir/run/$id" roles=broker listeners="PLAINTEXT://localhost:${port[$id]}"
    if [[ -n ${voter[$id]:-} ]]; then
      roles=broker,controller
      listeners+=",CONTROLLER://localhost:${cport[$id]}"
    fi
    mkdir -p "$run"
    cat >"$run/server.properties" <<EOF
process.roles=$roles
node.id=$id
controller.quorum.voters=$voters
listeners=$listeners
advertised.listeners=PLAINTEXT://localhost:${port[$id]}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/broker-$id
metadata.log.dir=$dir/broker-$id
default.replication.factor=$rf
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
EOF
    if [[ -n ${KAFKA_SERVER_PROPERTIES:-} ]]; then
      printf '%s\n' "$KAFKA_SERVER_PROPERTIES" >>"$run/server.properties"
    fi
  done
  launch_nodes "$dir" "${ids[@]}"
  echo "$bootstrap" >"$dir/run/bootstrap"
  echo "booted $n node(s) in $((SECONDS - t0))s; logs in $dir/run" >&2
  echo "bootstrap=$bootstrap"
}

# --- the suite -----------------------------------------------------------------------------

PASSED=0
FAILED=0
check() { # check NAME EXPECTED ACTUAL
  if [[ $2 == "$3" ]]; then
    PASSED=$((PASSED + 1))
    echo "ok: $1"
  else
    FAILED=$((FAILED + 1))
    echo "FAILED: $1"
    diff <(echo "$2") <(echo "$3") | sed 's/^/  /' || true
  fi
}

check_ok() { # check_ok NAME COMMAND...: the command exits 0 (its stdout is dropped)
  local rc=0
  "${@:2}" >/dev/null || rc=$?
  check "$1" "exit 0" "exit $rc"
}

phase() { # phase NAME: prints how long the previous phase took
  local now=$SECONDS
  [[ -n ${PHASE:-} ]] && echo "phase $PHASE: $((now - PHASE_START))s"
  PHASE=$1
  PHASE_START=$now
}

run_suite() {
  local t0=$SECONDS
  phase classpath
  ensure_classpath
  echo "classpath: $CP_FILE"

  phase start
  local dir
  mkdir -p "$CACHE/runs"
  dir=$(mktemp -d "$CACHE/runs/test.XXXXXX")
  # Whatever happens from here on, the node is stopped (its logs stay in $dir on failure).
  trap 'stop_cluster "'"$dir"'" >/dev/null 2>&1 || true; echo "logs kept in '"$dir"'/run" >&2' EXIT
  local bootstrap
  bootstrap=$(start_cluster "$dir" | sed -n 's/^bootstrap=//p')
  [[ -n $bootstrap ]] || die 1 "no bootstrap from start; logs: $dir/run"
  echo "bootstrap=$bootstrap"

  phase produce-consume
  local t="judge-check" sent got
  sent=$(for i in $(seq 1 10); do echo "k$i:value-$i"; done)
  check_ok "topics --create $t (3 partitions)" run_tool topics --bootstrap-server "$bootstrap" \
    --create --topic "$t" --partitions 3 --replication-factor 1
  check_ok "console-producer sends 10 keyed records" run_tool console-producer \
    --bootstrap-server "$bootstrap" --topic "$t" --reader-property parse.key=true \
    --reader-property key.separator=: <<<"$sent"
  got=$(run_tool console-consumer --bootstrap-server "$bootstrap" --topic "$t" \
    --from-beginning --max-messages 10 --timeout-ms 30000 --formatter-property print.key=true \
    --formatter-property key.separator=: 2>/dev/null | LC_ALL=C sort -t: -k1.2n || true)
  check "console producer and consumer carry 10 keyed records" "$sent" "$got"

  phase partitioner
  # truckID123 -> 3 of 10 is the example of filka's README; the murmur2 values are those of
  # Kafka's own UtilsTest.testMurmur2, so the driver is checked against Kafka's test vectors.
  local keys
  keys="$(printf truckID123 | od -An -tx1 | tr -d ' \n')
3231
666f6f626172
616263"
  check "Kafka's partitioner: truckID123, 21, foobar, abc of 10 partitions" \
    "3 0 6 7" "$(run_tool partitioner 10 <<<"$keys" | tr '\n' ' ' | sed 's/ $//')"
  check "Kafka's murmur2 of 21, foobar, abc" "-973932308 -790332482 479470107" \
    "$(tail -n 3 <<<"$keys" | run_tool partitioner --murmur2 | tr '\n' ' ' | sed 's/ $//')"

  phase stop
  trap - EXIT
  stop_cluster "$dir"
  phase end
  echo "apache-kafka suite: $((SECONDS - t0))s"
  if ((FAILED == 0)); then
    rm -rf "$dir"
  else
    echo "logs kept in $dir/run"
  fi
  echo "apache-kafka: $PASSED passed, $FAILED failed"
  ((FAILED == 0))
}

# --- dispatch ------------------------------------------------------------------------------

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -n '/^#   kafka.sh/s/^# *//p' >&2
  exit 2
}

[[ $# -ge 1 ]] || usage
cmd=$1
shift
case $cmd in
  classpath)
    [[ $# -eq 0 ]] || die 2 "classpath takes no arguments"
    ensure_classpath
    echo "$CP_FILE"
    ;;
  tool)
    [[ $# -ge 1 ]] || die 2 "usage: kafka.sh tool NAME [ARGS...] (kafka.sh tool list: the names)"
    run_tool "$@"
    ;;
  start) start_cluster "$@" ;;
  boot) boot_cluster "$@" ;;
  stop)
    [[ $# -eq 1 ]] || die 2 "usage: kafka.sh stop DIR"
    stop_cluster "$1"
    echo "logs kept in $1/run" >&2
    ;;
  test)
    [[ $# -eq 0 ]] || die 2 "test takes no arguments"
    run_suite
    ;;
  -h | --help | help) usage ;;
  *) die 2 "unknown subcommand '$cmd' (classpath, tool, start, boot, stop, test)" ;;
esac
