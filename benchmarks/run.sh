#!/usr/bin/env bash
# Runs every Skyward benchmark and its Hazelcast peer, then prints the Markdown table.
#
#   benchmarks/run.sh                      # full run (about 3-5 minutes)
#   BENCH_OPTS=-Dbench.quick=true benchmarks/run.sh   # smoke run with small sizes
#   ONLY="peer" benchmarks/run.sh          # any of: cold heal ours peer (space-separated)
#   HEAL_ROUNDS=5                          # node kills -> replacement ready, on one 2-node pool (default 5)
#   SKIP_BUILD=1 benchmarks/run.sh         # reuse the last build
#   ROUNDS=3 benchmarks/run.sh             # alternate ours/peer 3 times; the table shows per-row medians
#   COLD_REPS=5                            # cold starts per node count, each in a fresh JVM (default 5)
#   BENCH_JFR=1 benchmarks/run.sh          # also record a JFR file per benchmark client JVM
#
# Results (raw key=value files, member logs, table.md) land in benchmarks/target/bench-results/.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  if [[ -x ./mvnw ]]; then MVN=./mvnw; else MVN=mvn; fi
  echo "== building benchmarks and the modules they need ($MVN package -DskipTests)"
  "$MVN" -q -B -pl benchmarks -am package -DskipTests || { echo "build failed" >&2; exit 1; }
fi

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
OUT="$ROOT/benchmarks/target/bench-results"
rm -rf "$OUT"
mkdir -p "$OUT"
CP="$ROOT/benchmarks/target/benchmarks.jar:$ROOT/benchmarks/target/lib/*"
COLD_REPS="${COLD_REPS:-5}"
ONLY="${ONLY:-cold heal ours peer}"
HEAL_ROUNDS="${HEAL_ROUNDS:-5}"
ROUNDS="${ROUNDS:-1}"

# Every benchmark client JVM (ours and the peer's) runs with these; the agents and the Hazelcast
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
# shellcheck disable=SC2206
EXTRA=(${BENCH_OPTS:-})

jfr() {
  if [[ "${BENCH_JFR:-0}" == 1 ]]; then
    echo "-XX:StartFlightRecording=filename=$OUT/$1.jfr,settings=profile,dumponexit=true"
  fi
}

echo "== machine"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "memory: $(free -g | awk '/^Mem:/ {print $2 " GiB total, " $7 " GiB available"}')"
  echo "loadavg: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java: $("$JAVA" -version 2>&1 | head -2 | tr '\n' ' ')"
  echo "client JVM options: ${JOPTS[*]} ${EXTRA[*]:-}"
} | tee "$OUT/machine.txt"

status=0
if [[ " $ONLY " == *" cold "* ]]; then
  for n in 1 4; do
    for ((r = 1; r <= COLD_REPS; r++)); do
      echo "== cold start, $n node(s), repetition $r/$COLD_REPS (fresh client JVM)"
      "$JAVA" "${JOPTS[@]}" "${EXTRA[@]}" -cp "$CP" dev.skyward.bench.SkywardBench cold "$n" "$OUT/cold.properties" \
        || status=1
    done
  done
fi
if [[ " $ONLY " == *" heal "* ]]; then
  echo "== node loss -> replacement ready, $HEAL_ROUNDS kills (load $(cut -d' ' -f1 /proc/loadavg))"
  echo "heal start load: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
  "$JAVA" "${JOPTS[@]}" "${EXTRA[@]}" -cp "$CP" dev.skyward.bench.SkywardBench heal "$HEAL_ROUNDS" "$OUT/heal.properties" \
    || status=1
fi
for ((round = 1; round <= ROUNDS; round++)); do
  if [[ " $ONLY " == *" ours "* ]]; then
    echo "== Skyward: round trip, throughput, payloads (round $round/$ROUNDS, load $(cut -d' ' -f1 /proc/loadavg))"
    echo "ours round $round start load: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
    # shellcheck disable=SC2046
    "$JAVA" "${JOPTS[@]}" $(jfr "ours.$round") "${EXTRA[@]}" -cp "$CP" dev.skyward.bench.SkywardBench warm "$OUT/ours.$round.properties" \
      || status=1
  fi
  if [[ " $ONLY " == *" peer "* ]]; then
    echo "== Hazelcast peer: round trip, throughput, payloads (round $round/$ROUNDS, load $(cut -d' ' -f1 /proc/loadavg))"
    echo "peer round $round start load: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
    # shellcheck disable=SC2046
    "$JAVA" "${JOPTS[@]}" $(jfr "peer.$round") "${EXTRA[@]}" -cp "$CP" dev.skyward.bench.HazelcastBench "$OUT/peer.$round.properties" \
      || status=1
  fi
done

echo
echo "== results ($(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'))"
echo
"$JAVA" -cp "$CP" dev.skyward.bench.Report "$OUT" || status=1
if grep -qs '^error\.' "$OUT"/*.properties; then
  echo
  echo "errors:"
  grep -hs '^error\.' "$OUT"/*.properties
  status=1
fi
exit $status
