#!/usr/bin/env bash
# The benchmark in one command: builds the jar and the bench classes, then runs the scenarios of
# BENCHMARKS.md against nodes started from the jar on fresh data, each measured together with its
# physical limit in the same run, and prints one table (also written to target/bench/results.md).
#
#   bench/run.sh                      every scenario (about 20 minutes on 2 cores)
#   bench/run.sh login user           only these: login login-pg user user-pg refresh refresh-pg upload
#                                     upload-pg image realtime cluster cluster-pg startup
#   bench/run.sh build                only build the jar and the bench classes
#   bench/run.sh events               the cost of a published event with 1, 2 and 3 nodes (docs/SCALING.md;
#                                     run only when named; 5 to 12 minutes on a shared 2-core machine)
#   bench/run.sh pictures [FILE [DIR]]  draw the pictures again from saved results (FILE: a results.json,
#                                     target/bench/results.json by default; DIR: the file's folder)
#
# Every run writes target/bench/results.md (the table), target/bench/results.json (the table's rows
# and the numbers behind the pictures) and the pictures, target/bench/*.png.
#
# The -pg scenarios run the same against nodes on PostgreSQL (cluster-pg: three nodes with every role
# on one PostgreSQL, against one node): one throw-away PostgreSQL per run (bench/postgres.sh, Debian's
# `postgresql` package: apt-get install -y postgresql), on the nodes' cores, a fresh database for each
# scenario, its data under target/bench/run/postgres/; skipped, with a row saying so, where it is missing.
#
# Environment: SERVER_CPUS (0) and LOAD_CPUS (1), the taskset core lists of the nodes (and of the
# raw harness) and of the load generators; ROUNDS (3) and ROUND_SECONDS (8), the alternating rounds,
# after WARMUP_SECONDS (15) of load on each path; SKIP_BUILD=1 reuses the last build; NODE_JAVA_OPTS
# adds JVM options to the nodes (profiling; none by default: nodes run as an operator starts them);
# BENCH_OPTS adds JVM options to the load generator (e.g. -Dbench.realtime.sockets=2000).
# Needs Java 17, Maven, taskset (util-linux) and wrk (apt-get install -y wrk); the image scenario also
# vipsthumbnail (apt-get install -y libvips-tools), and says it is skipped where it is missing.
# Exit status: 0 every target met, 3 a target missed, 1 a scenario could not be measured.
# Logs and data of every node: target/bench/run/<scenario>/.
set -euo pipefail
cd "$(dirname "$0")/.."

SERVER_CPUS=${SERVER_CPUS:-0}
LOAD_CPUS=${LOAD_CPUS:-1}
ROUNDS=${ROUNDS:-3}
ROUND_SECONDS=${ROUND_SECONDS:-8}
WARMUP_SECONDS=${WARMUP_SECONDS:-15}
OUT=target/bench

# the pictures of saved results need the bench classes only, not a new build
if [ "${1:-}" = pictures ]; then
  if [ ! -f "$OUT/classpath.txt" ] || [ ! -f target/test-classes/dev/avatarservice/bench/BenchCharts.class ]; then
    echo "nothing built yet: run bench/run.sh build once" >&2
    exit 1
  fi
  shift
  exec java -cp "$(pwd)/target/test-classes:$(pwd)/target/classes:$(cat "$OUT/classpath.txt")" \
    dev.avatarservice.bench.BenchCharts "$@"
fi

for tool in java mvn taskset wrk; do
  if ! command -v "$tool" > /dev/null; then
    echo "bench/run.sh needs $tool on the PATH (wrk: apt-get install -y wrk)" >&2
    exit 1
  fi
done

if [ "${SKIP_BUILD:-}" != 1 ]; then
  echo "building the jar and the bench classes ..."
  # the bench classes (bench/src) are compiled with the tests, into target/test-classes (pom.xml)
  mvn -B -q package -DskipTests
  mkdir -p "$OUT"
  mvn -B -q dependency:build-classpath -Dmdep.outputFile="$OUT/classpath.txt" -Dmdep.includeScope=test
elif [ ! -f "$OUT/classpath.txt" ] || [ ! -f target/test-classes/dev/avatarservice/bench/Bench.class ]; then
  echo "nothing built yet: run bench/run.sh without SKIP_BUILD=1 once" >&2
  exit 1
fi
CP="$(pwd)/target/test-classes:$(pwd)/target/classes:$(cat "$OUT/classpath.txt")"
if [ "${1:-}" = build ]; then
  echo "built: target/avatar-service.jar, and the bench classes in target/test-classes (class path: $OUT/classpath.txt)"
  exit 0
fi

# 10,000 sockets need as many descriptors on each side
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 12000 ]; then
  echo "the realtime scenario needs 12000 open files per process; ulimit -n allows $(ulimit -n)" >&2
  exit 1
fi

LOG="$OUT/run-$(date +%Y%m%d-%H%M%S).log"
echo "load generator on cores $LOAD_CPUS, nodes on cores $SERVER_CPUS; the full log goes to $LOG"
# shellcheck disable=SC2086
taskset -c "$LOAD_CPUS" java -Xmx2g ${BENCH_OPTS:-} -Dclk.tck="$(getconf CLK_TCK)" \
  -Dbench.jar="$(pwd)/target/avatar-service.jar" -Dbench.cp="$CP" -Dbench.out="$(pwd)/$OUT" \
  -Dbench.serverCpus="$SERVER_CPUS" -Dbench.loadCpus="$LOAD_CPUS" \
  -Dbench.rounds="$ROUNDS" -Dbench.seconds="$ROUND_SECONDS" -Dbench.warmup="$WARMUP_SECONDS" -Dbench.nodeJvmOptions="${NODE_JAVA_OPTS:-}" \
  -cp "$CP" dev.avatarservice.bench.Bench "$@" 2>&1 | tee "$LOG"
