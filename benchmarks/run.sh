#!/usr/bin/env bash
# Runs every Skyward benchmark and its Hazelcast peer, then prints the Markdown tables.
#
#   benchmarks/run.sh                      # quiet mode, every row (about 9 minutes on a quiet 2-core machine)
#   MODE=both benchmarks/run.sh            # the quiet table, then the same run with a CPU hog (about 25 minutes)
#   MODE=busy benchmarks/run.sh            # only the busy table (BUSY=1 is the same)
#   BENCH_OPTS=-Dbench.quick=true benchmarks/run.sh   # smoke run with small sizes
#   ONLY="peer" benchmarks/run.sh          # any of: cold heal ours peer plain jshell scale (space-separated)
#   HEAL_ROUNDS=5                          # node kills -> replacement ready, on one 2-node pool (default 5)
#   SKIP_BUILD=1 benchmarks/run.sh         # reuse the last build
#   ROUNDS=3 benchmarks/run.sh             # alternate ours/peer 3 times; the tables show per-row medians
#   COLD_REPS=5                            # cold starts per node count, each in a fresh JVM (default 5)
#   PLAIN_PROPS="bench.rt.iters=20000 ..." # sizes for the plain-JVM rows (default: see below)
#   BENCH_JFR=1 benchmarks/run.sh          # also record a JFR file per tuned client JVM and per agent (see PROFILING.md)
#   BENCH_ASPROF=1 benchmarks/run.sh       # async-profiler (from Maven Central) on the tuned ours/peer client JVMs and
#                                          # the agents: flame graphs; ASPROF_EVENT=cpu|wall|alloc|lock (default cpu),
#                                          # ASPROF_FORMAT=html|collapsed|jfr (default html)
#
# Busy mode: one busy-looping process per core at nice 19 runs for the whole run, so the benchmark's
# JVMs (ours and the peer's alike) compete with a CPU hog the way they do on a busy laptop or on a
# node whose cores a training job owns.
#
# Results (raw key=value files, member logs, table.md) land in benchmarks/target/bench-results/MODE/;
# benchmarks/target/bench-results/table.md holds every mode's table.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

MODE="${MODE:-quiet}"
if [[ "${BUSY:-0}" == 1 ]]; then MODE=busy; fi
case "$MODE" in
  quiet) MODES=(quiet) ;;
  busy) MODES=(busy) ;;
  both) MODES=(quiet busy) ;;
  *) echo "MODE must be quiet, busy or both (was '$MODE')" >&2; exit 2 ;;
esac

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  if [[ -x ./mvnw ]]; then MVN=./mvnw; else MVN=mvn; fi
  echo "== building benchmarks and the modules they need ($MVN package -DskipTests)"
  "$MVN" -q -B -pl benchmarks -am package -DskipTests || { echo "build failed" >&2; exit 1; }
fi

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
RESULTS="$ROOT/benchmarks/target/bench-results"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
CP="$ROOT/benchmarks/target/benchmarks.jar:$ROOT/benchmarks/target/lib/*"
COLD_REPS="${COLD_REPS:-5}"
ONLY="${ONLY:-cold heal ours peer plain jshell scale}"
HEAL_ROUNDS="${HEAL_ROUNDS:-5}"
ROUNDS="${ROUNDS:-1}"

# Every tuned benchmark client JVM (ours and the peer's) runs with these; the agents and the Hazelcast
# members run with Skyward's agent defaults (dev.skyward.node.AgentCommand.DEFAULT_JVM_OPTIONS).
# The common-pool parallelism: with 2 CPUs the JDK default is 1, and then CompletableFuture (and
# Hazelcast, which copies its rule) start a NEW THREAD for every async callback; that made the peer's
# async throughput ~10x lower here. Pinning it to max(2, nproc-1) keeps the default elsewhere.
NPROC=$(nproc)
FJP=$(( NPROC > 3 ? NPROC - 1 : 2 ))
JOPTS=(-Xms3g -Xmx3g -XX:+UseG1GC -Djava.util.concurrent.ForkJoinPool.common.parallelism=$FJP
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn)
# The scaling JVMs hold a million boxed inputs and results, or a 1 GiB result and its copies: a
# larger heap, the same for both sides.
SOPTS=("${JOPTS[@]/-Xms3g/-Xms6g}")
SOPTS=("${SOPTS[@]/-Xmx3g/-Xmx6g}")
# shellcheck disable=SC2206
EXTRA=(${BENCH_OPTS:-})
# The plain-JVM rows: `java -cp CP Main` with no flags at all. Their sizes reach the JVM through the
# environment (a -D would be a flag); BENCH_OPTS' -D settings are passed the same way.
PLAIN_PROPS="${PLAIN_PROPS:-bench.phases=rt,tp bench.rt.warmup=20000 bench.rt.iters=30000 bench.tp.runs=1} ${BENCH_OPTS:-}"

if [[ "${BENCH_ASPROF:-0}" == 1 ]]; then
  # async-profiler's native library, from its Maven Central jar (copied to target/lib by the build).
  ASPROF_JAR=$(ls "$ROOT"/benchmarks/target/lib/async-profiler-*.jar 2>/dev/null | head -1)
  ASPROF_DIR="$ROOT/benchmarks/target/async-profiler"
  ARCH=$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')
  if [[ -z "$ASPROF_JAR" ]] || ! (mkdir -p "$ASPROF_DIR" && cd "$ASPROF_DIR" && "${JAVA_HOME:+$JAVA_HOME/bin/}jar" xf "$ASPROF_JAR" "linux-$ARCH/libasyncProfiler.so"); then
    echo "BENCH_ASPROF=1: no async-profiler library for linux-$ARCH in benchmarks/target/lib (build first)" >&2; exit 2
  fi
  ASPROF_LIB="$ASPROF_DIR/linux-$ARCH/libasyncProfiler.so"
fi

load1() { cut -d' ' -f1 /proc/loadavg; }

HOGS=()
hogs_start() {
  for ((i = 0; i < NPROC; i++)); do
    nice -n 19 bash -c 'while :; do :; done' &
    HOGS+=($!)
  done
  echo "== busy mode: $NPROC CPU hog(s) at nice 19, pids ${HOGS[*]}"
}
hogs_stop() {
  if ((${#HOGS[@]})); then
    kill "${HOGS[@]}" 2>/dev/null
    wait "${HOGS[@]}" 2>/dev/null
    HOGS=()
  fi
}
trap hogs_stop EXIT
trap 'hogs_stop; exit 130' INT TERM

# suite DIR: every selected benchmark JVM once (cold starts COLD_REPS times), ROUNDS times.
suite() {
  local OUT=$1 mode=$2 status=0
  mkdir -p "$OUT"
  jfr() {
    if [[ "${BENCH_JFR:-0}" == 1 ]]; then
      echo "-XX:StartFlightRecording=filename=$OUT/$1.jfr,settings=profile,dumponexit=true"
      [[ "$1" == ours.* ]] && echo "-Dbench.agentJfr=$OUT/agents-$1"
    fi
    if [[ "${BENCH_ASPROF:-0}" == 1 ]]; then
      local ev="${ASPROF_EVENT:-cpu}"
      echo "-agentpath:$ASPROF_LIB=start,event=$ev,interval=${ASPROF_INTERVAL:-1ms},file=$OUT/$1.$ev.${ASPROF_FORMAT:-html}"
      # One flame graph per agent (%p: its pid); no spaces in the path, the property is split on them.
      [[ "$1" == ours.* ]] && echo "-Dbench.agentJvmOptions=-agentpath:$ASPROF_LIB=start,event=$ev,interval=${ASPROF_INTERVAL:-1ms},file=$OUT/agent-$1-%p.$ev.${ASPROF_FORMAT:-html}"
    fi
    return 0
  }
  echo "== machine ($mode)"
  {
    echo "mode: $mode"
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nproc: $(nproc)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "memory: $(free -g | awk '/^Mem:/ {print $2 " GiB total, " $7 " GiB available"}')"
    echo "loadavg: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "java: $("$JAVA" -version 2>&1 | head -2 | tr '\n' ' ')"
    echo "client JVM options: ${JOPTS[*]} ${EXTRA[*]:-}"
    echo "scaling client JVM options: ${SOPTS[*]} ${EXTRA[*]:-}"
    echo "plain client JVMs: no options; BENCH_PROPS=$PLAIN_PROPS"
  } | tee "$OUT/machine.txt"

  if [[ " $ONLY " == *" cold "* ]]; then
    for n in 1 4; do
      for ((r = 1; r <= COLD_REPS; r++)); do
        echo "== [$mode] cold start, $n node(s), repetition $r/$COLD_REPS (fresh client JVM, load $(load1))"
        "$JAVA" "${JOPTS[@]}" "${EXTRA[@]}" -cp "$CP" dev.skyward.bench.SkywardBench cold "$n" "$OUT/cold.properties" \
          || status=1
      done
    done
  fi
  if [[ " $ONLY " == *" heal "* ]]; then
    echo "== [$mode] node loss -> replacement ready, $HEAL_ROUNDS kills (load $(load1))"
    "$JAVA" "${JOPTS[@]}" "${EXTRA[@]}" -cp "$CP" dev.skyward.bench.SkywardBench heal "$HEAL_ROUNDS" "$OUT/heal.properties" \
      || status=1
  fi
  for ((round = 1; round <= ROUNDS; round++)); do
    local tag="round $round/$ROUNDS"
    if [[ " $ONLY " == *" ours "* ]]; then
      echo "== [$mode] Skyward: round trip, throughput, payloads ($tag, load $(load1))"
      echo "ours round $round start load: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
      # shellcheck disable=SC2046
      "$JAVA" "${JOPTS[@]}" $(jfr "ours.$round") "${EXTRA[@]}" -cp "$CP" dev.skyward.bench.SkywardBench warm "$OUT/ours.$round.properties" \
        || status=1
    fi
    if [[ " $ONLY " == *" peer "* ]]; then
      echo "== [$mode] Hazelcast peer: round trip, throughput, payloads ($tag, load $(load1))"
      echo "peer round $round start load: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
      # shellcheck disable=SC2046
      "$JAVA" "${JOPTS[@]}" $(jfr "peer.$round") "${EXTRA[@]}" -cp "$CP" dev.skyward.bench.HazelcastBench "$OUT/peer.$round.properties" \
        || status=1
    fi
    if [[ " $ONLY " == *" plain "* ]]; then
      echo "== [$mode] Skyward, client JVM with no flags: round trip, throughput ($tag, load $(load1))"
      BENCH_PROPS="$PLAIN_PROPS" "$JAVA" -cp "$CP" dev.skyward.bench.SkywardBench warm "$OUT/plain-ours.$round.properties" \
        || status=1
      echo "== [$mode] Hazelcast, client JVM with no flags: round trip, throughput ($tag, load $(load1))"
      BENCH_PROPS="$PLAIN_PROPS" "$JAVA" -cp "$CP" dev.skyward.bench.HazelcastBench "$OUT/plain-peer.$round.properties" \
        || status=1
    fi
    if [[ " $ONLY " == *" jshell "* ]]; then
      echo "== [$mode] JShell: pool.map over 1,000 items ($tag, load $(load1))"
      BENCH_PROPS="${BENCH_OPTS:-}" "$JAVA" -cp "$CP" dev.skyward.bench.JShellMap "$OUT/jshell.$round.properties" || status=1
    fi
    if [[ " $ONLY " == *" scale "* ]]; then
      echo "== [$mode] Skyward: broadcast 1-8 nodes, map up to 1M items, 1 GiB result ($tag, load $(load1))"
      "$JAVA" "${SOPTS[@]}" "${EXTRA[@]}" -cp "$CP" dev.skyward.bench.SkywardBench scale "$OUT/scale-ours.$round.properties" \
        || status=1
      echo "== [$mode] Hazelcast peer: the same on a cluster growing 1-8 members ($tag, load $(load1))"
      "$JAVA" "${SOPTS[@]}" "${EXTRA[@]}" -cp "$CP" dev.skyward.bench.HazelcastBench scale "$OUT/scale-peer.$round.properties" \
        || status=1
    fi
  done
  echo "finished: $(date -u +%Y-%m-%dT%H:%M:%SZ), loadavg $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
  return $status
}

status=0
START=$(date +%s)
for mode in "${MODES[@]}"; do
  [[ "$mode" == busy ]] && hogs_start
  suite "$RESULTS/$mode" "$mode" || status=1
  [[ "$mode" == busy ]] && hogs_stop
done

echo
{
  echo "## Results, $(date -u +%Y-%m-%d) ($(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), run took $(( ($(date +%s) - START) / 60 )) min)"
  echo
} > "$RESULTS/table.md"
for mode in "${MODES[@]}"; do
  if [[ "$mode" == quiet ]]; then title="Quiet machine"; else title="Busy machine: $NPROC CPU hog(s) at nice 19"; fi
  title="$title (load at start $(grep '^loadavg' "$RESULTS/$mode/machine.txt" | cut -d' ' -f2-))"
  "$JAVA" -cp "$CP" dev.skyward.bench.Report "$RESULTS/$mode" "$title" > /dev/null || status=1
  cat "$RESULTS/$mode/table.md" >> "$RESULTS/table.md"
  echo >> "$RESULTS/table.md"
  if grep -qs '^error\.' "$RESULTS/$mode"/*.properties; then status=1; fi
done
cat "$RESULTS/table.md"
exit $status
