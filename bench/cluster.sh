#!/usr/bin/env bash
# A three-node avatar-service cluster on this machine, from target/avatar-service.jar:
#   node 1: every role (store, http, notify)   http://127.0.0.1:8081
#   node 2: http,notify                        http://127.0.0.1:8082
#   node 3: http,notify                        http://127.0.0.1:8083
# Hazelcast joins over TCP/IP on 127.0.0.1 (conf/hazelcast.xml), with a cluster name of this run.
# Logs, pids, the database and the shared avatar folder are under target/cluster/.
#
#   bench/cluster.sh           start, wait until every /ready answers 200, print the URLs, and
#                              stay in the foreground: Ctrl-C stops the three nodes
#   bench/cluster.sh start -d  the same, but return once the cluster is ready
#   bench/cluster.sh stop      stop the nodes started by a previous run (SIGTERM: each leaves the
#                              cluster cleanly)
#
# Environment: BASE_PORT (8081), JWT_SECRET (random by default; shared by the three nodes),
# CLUSTER_NAME (avatar-service-bench-<pid>), JAVA (java), JAVA_OPTS, READY_TIMEOUT (120 s).
set -euo pipefail

cd "$(dirname "$0")/.."
JAR=target/avatar-service.jar
DIR=target/cluster
BASE_PORT=${BASE_PORT:-8081}
JAVA=${JAVA:-java}
READY_TIMEOUT=${READY_TIMEOUT:-120}
ROLES=("all" "http,notify" "http,notify")

log() { printf '%s\n' "$*" >&2; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop() {
  local pidfile pid waited
  for node in 3 2 1; do                 # the store node last
    pidfile="$DIR/node-$node.pid"
    if alive "$pidfile"; then
      pid=$(cat "$pidfile")
      log "stopping node $node (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      waited=0
      while kill -0 "$pid" 2>/dev/null; do
        if [ "$waited" -ge 300 ]; then  # 30 s
          log "node $node did not stop within 30 s: killing it"
          kill -KILL "$pid" 2>/dev/null || true
          break
        fi
        sleep 0.1
        waited=$((waited + 1))
      done
    fi
    rm -f "$pidfile"
  done
}

wait_ready() {                          # node, port
  local node=$1 port=$2 deadline=$((SECONDS + READY_TIMEOUT))
  until curl -fsS -o /dev/null --max-time 3 "http://127.0.0.1:$port/ready" 2>/dev/null; do
    if ! alive "$DIR/node-$node.pid"; then
      log "node $node exited during start-up; the end of $DIR/node-$node.log:"
      tail -n 20 "$DIR/node-$node.log" >&2 || true
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "node $node is not ready after ${READY_TIMEOUT} s; see $DIR/node-$node.log"
      return 1
    fi
    sleep 0.5
  done
}

start_node() {                          # node
  local node=$1 port=$((BASE_PORT + $1 - 1))
  # shellcheck disable=SC2086
  env CLUSTER=true \
      CLUSTER_NAME="$CLUSTER_NAME" \
      JWT_SECRET="$JWT_SECRET" \
      ROLES="${ROLES[$((node - 1))]}" \
      HTTP_PORT="$port" \
      MANAGEMENT_PORT="$((port + 1000))" \
      DB_PATH="$DIR/avatar-service.db" \
      AVATARS_DIR="$DIR/avatars" \
      nohup "$JAVA" ${JAVA_OPTS:-} -jar "$JAR" >"$DIR/node-$node.log" 2>&1 &
  echo $! >"$DIR/node-$node.pid"
  log "node $node: pid $!, roles ${ROLES[$((node - 1))]}, log $DIR/node-$node.log"
}

command=${1:-start}
detach=false
[ "${2:-}" = "-d" ] && detach=true
case "$command" in
  stop) stop; exit 0 ;;
  start) ;;
  *) log "usage: bench/cluster.sh [start [-d] | stop]"; exit 2 ;;
esac

if [ ! -f "$JAR" ]; then
  log "$JAR is missing: build it with mvn -B package"
  exit 1
fi
for node in 1 2 3; do
  if alive "$DIR/node-$node.pid"; then
    log "a cluster is already running (node $node, pid $(cat "$DIR/node-$node.pid")): bench/cluster.sh stop"
    exit 1
  fi
done
mkdir -p "$DIR/avatars"
JWT_SECRET=${JWT_SECRET:-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')}
CLUSTER_NAME=${CLUSTER_NAME:-avatar-service-bench-$$}

trap 'stop; exit 130' INT TERM
log "starting cluster $CLUSTER_NAME"
start_node 1                            # the store first: the others reach it over the bus
wait_ready 1 "$BASE_PORT" || { stop; exit 1; }
start_node 2
start_node 3
wait_ready 2 $((BASE_PORT + 1)) || { stop; exit 1; }
wait_ready 3 $((BASE_PORT + 2)) || { stop; exit 1; }

echo "cluster $CLUSTER_NAME is ready:"
for node in 1 2 3; do
  echo "  node $node (${ROLES[$((node - 1))]}): http://127.0.0.1:$((BASE_PORT + node - 1))"
done
if $detach; then
  trap - INT TERM
  echo "stop it with: bench/cluster.sh stop"
  exit 0
fi
echo "Ctrl-C stops the cluster (or bench/cluster.sh stop from another terminal)"
# a node that exits (killed to watch the others carry on) leaves the rest running; this returns
# once every node is gone
while alive "$DIR/node-1.pid" || alive "$DIR/node-2.pid" || alive "$DIR/node-3.pid"; do
  sleep 1 &
  wait $! || true
done
stop
