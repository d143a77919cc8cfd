#!/usr/bin/env bash
# Durability check: registrations, logins, refreshes and avatar uploads against the real jar on a
# file database (or PostgreSQL), killed with kill -9 at a random moment of each round and restarted;
# then every acknowledged operation is checked (bench/Durability.java), and the stored avatars against
# the rows naming them (every size); on SQLite with its integrity check, on PostgreSQL with amcheck
# (pg_amcheck: every table and B-tree index). See bench/README-durability.md.
#
#   bench/durability.sh                 5 rounds, 8 concurrent clients, port 18480, SQLite
#   DB=postgresql bench/durability.sh   the same on a throw-away PostgreSQL (bench/postgres.sh), which
#                                       is kept running while the node is killed
#
# Environment: ROUNDS (5), WORKERS (8), PORT (18480; PostgreSQL listens on PORT + 1), DB (sqlite or
# postgresql), KEEP=1 keeps the work folder (database, avatars, node logs) instead of deleting it. Needs target/avatar-service.jar (built if missing).
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
chmod o+x "$WORK" # PostgreSQL runs as postgres, in a folder of its own under it
DB=${DB:-sqlite}
cleanup() {
  if [ "$DB" = postgresql ]; then
    bench/postgres.sh stop "$WORK/postgres" || true
  fi
  if [ "${KEEP:-0}" = 1 ]; then
    echo "work folder kept: $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

case "$DB" in
  sqlite) ;;
  postgresql)
    DB_URL=$(bench/postgres.sh start "$WORK/postgres" $((PORT + 1)) | tail -1)
    export DB_URL DB_USER=avatar DB_PASSWORD=avatar
    ;;
  *) echo "DB must be sqlite or postgresql" >&2; exit 2 ;;
esac
echo "durability check on $DB: $ROUNDS rounds, $WORKERS clients, data in $WORK"
status=0
java -cp "$JAR" bench/Durability.java "$JAR" "$WORK" "$ROUNDS" "$PORT" "$WORKERS" || status=$?
if [ "$DB" = postgresql ]; then
  # PostgreSQL's own check of what the killed nodes left (the nodes are stopped by now)
  bench/postgres.sh amcheck "$WORK/postgres" $((PORT + 1)) avatar || status=1
fi
exit "$status"
