#!/usr/bin/env bash
# Durability check: registrations, logins, refreshes and avatar uploads against the real jar on a
# file database, killed with kill -9 at a random moment of each round and restarted; then every
# acknowledged operation is checked (bench/Durability.java), with PRAGMA integrity_check and a look
# for orphan files in avatars/. See bench/README-durability.md.
#
#   bench/durability.sh            5 rounds, 8 concurrent clients, port 18480
#
# Environment: ROUNDS (5), WORKERS (8), PORT (18480), KEEP=1 keeps the work folder (database,
# avatars, node logs) instead of deleting it. Needs target/avatar-service.jar (built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
WORKERS=${WORKERS:-8}
PORT=${PORT:-18480}
JAR=target/avatar-service.jar

if [ ! -f "$JAR" ]; then
  mvn -B -q package -DskipTests
fi
WORK=$(mktemp -d -t avatar-durability.XXXXXX)
cleanup() {
  if [ "${KEEP:-0}" = 1 ]; then
    echo "work folder kept: $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

echo "durability check: $ROUNDS rounds, $WORKERS clients, database and avatars in $WORK"
java -cp "$JAR" bench/Durability.java "$JAR" "$WORK" "$ROUNDS" "$PORT" "$WORKERS"
