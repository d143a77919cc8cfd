#!/usr/bin/env bash
# How long the cluster takes to remove a member that dies (docs/CLUSTER.md "Failure detection").
# Starts two nodes from target/avatar-service.jar (node 1 every role, node 2 http,notify), waits until
# both answer /ready, sends node 1 a signal and measures, from the other node's log, how long until
# Hazelcast suspects it (the member is removed in the same step). Repeats RUNS times.
#
#   bench/detection.sh [KILL|STOP] [RUNS]     KILL: kill -9 (connections refused); STOP: kill -STOP
#                                              (a frozen member: only its silence gives it away)
#
# Environment: HAZELCAST_CONFIG (conf/hazelcast.xml), BASE_PORT (8191), JAVA (java), JAVA_OPTS.
# Logs and the database are under target/detection/.
set -euo pipefail

cd "$(dirname "$0")/.."
SIGNAL=${1:-KILL}
RUNS=${2:-3}
JAR=target/avatar-service.jar
DIR=target/detection
BASE_PORT=${BASE_PORT:-8191}
JAVA=${JAVA:-java}
CONFIG=${HAZELCAST_CONFIG:-conf/hazelcast.xml}
[ -f "$JAR" ] || { echo "no $JAR: run 'mvn -B -o package -DskipTests' first" >&2; exit 1; }

millis() { date -d "$1" +%s%3N; }

cleanup() {
  for n in 1 2; do
    [ -f "$DIR/node-$n.pid" ] && kill -9 "$(cat "$DIR/node-$n.pid")" 2>/dev/null || true
  done
}
trap cleanup EXIT

for run in $(seq 1 "$RUNS"); do
  rm -rf "$DIR" && mkdir -p "$DIR/avatars"
  for n in 1 2; do
    # in a subshell, so that this shell does not report the killed job
    # shellcheck disable=SC2086
    ( env CLUSTER=true CLUSTER_NAME="avatar-service-detection-$$-$run" HAZELCAST_CONFIG="$CONFIG" \
        JWT_SECRET="detection-detection-detection-detection-0123" \
        ROLES="$([ "$n" = 1 ] && echo all || echo http,notify)" HTTP_PORT=$((BASE_PORT + n - 1)) MANAGEMENT_PORT=0 \
        DB_PATH="$DIR/avatar-service.db" AVATARS_DIR="$DIR/avatars" LOG_FORMAT=text \
        "$JAVA" ${JAVA_OPTS:-} -jar "$JAR" > "$DIR/node-$n.log" 2>&1 &
      echo $! > "$DIR/node-$n.pid" )
    until curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$((BASE_PORT + n - 1))/ready" 2>/dev/null; do
      kill -0 "$(cat "$DIR/node-$n.pid")" 2>/dev/null || { echo "node $n exited; see $DIR/node-$n.log" >&2; exit 1; }
      sleep 0.2
    done
  done
  sent=$(date +%H:%M:%S.%3N)
  kill -"$SIGNAL" "$(cat "$DIR/node-1.pid")"
  # the node's log lines start with the time of day, in this machine's clock, like $sent
  for _ in $(seq 1 3000); do
    grep -q "suspected to be dead" "$DIR/node-2.log" && break
    sleep 0.02
  done
  line=$(grep -m1 "suspected to be dead" "$DIR/node-2.log" || true)
  if [ -z "$line" ]; then
    echo "run $run ($SIGNAL): not suspected within 60 s" >&2
  else
    echo "run $run ($SIGNAL): removed after $(( $(millis "${line%% *}") - $(millis "$sent") )) ms"
  fi
  kill -9 "$(cat "$DIR/node-1.pid")" 2>/dev/null || true
  pid=$(cat "$DIR/node-2.pid")
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$DIR"/node-*.pid
done
