#!/usr/bin/env bash
# Graceful shutdown of the real jar: with a WebSocket open and an avatar upload still sending its
# body (bench/ShutdownCheck.java), the node gets SIGTERM. It must answer the upload (200), close the
# socket with 1001, refuse new connections meanwhile, and exit with 0.
#
#   bench/shutdown.sh        PORT (18490) moves it; needs target/avatar-service.jar (built if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18490}
JAR=target/avatar-service.jar
[ -f "$JAR" ] || mvn -B -q package -DskipTests
WORK=$(mktemp -d -t avatar-shutdown.XXXXXX)
NODE=""
trap 'if [ -n "$NODE" ] && kill -0 "$NODE" 2>/dev/null; then kill -9 "$NODE"; fi; rm -rf "$WORK"' EXIT

( cd "$WORK" && exec env HTTP_HOST=127.0.0.1 HTTP_PORT="$PORT" MANAGEMENT_PORT=0 DB_PATH="$WORK/avatar-service.db" \
    AVATARS_DIR="$WORK/avatars" ACCESS_LOG_LEVEL=WARN java -jar "$OLDPWD/$JAR" ) > "$WORK/node.log" 2>&1 &
NODE=$!
for _ in $(seq 1 120); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/ready" && break
  sleep 0.5
done

client=0
java -cp "$JAR" bench/ShutdownCheck.java "$PORT" "$NODE" || client=$?
status=0
wait "$NODE" || status=$?
NODE=""
echo "node exit code: $status"
echo "node log, from SIGTERM on:"
sed -n '/Shutting down/,$p' "$WORK/node.log"
if [ "$client" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "graceful shutdown: OK"
else
  echo "graceful shutdown: FAILED"
  exit 1
fi
