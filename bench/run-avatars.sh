#!/usr/bin/env bash
# Avatar throughput: the raw AvatarImageProcessor rate, then uploads/s through a real server,
# both with the same number of image threads. See bench/README-avatars.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
THREADS="${THREADS:-$(nproc)}"
CONCURRENCY="${CONCURRENCY:-4}"
SECONDS_MEASURED="${SECONDS_MEASURED:-20}"
PORT="${PORT:-18181}"

mvn -B -q compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt
CP="target/classes:$(cat target/bench-classpath.txt)"
rm -rf target/bench-classes && mkdir -p target/bench-classes
javac -d target/bench-classes -cp "$CP" bench/*.java
CP="target/bench-classes:$CP"

java -cp "$CP" ProcessorBench "$THREADS" "$SECONDS_MEASURED" 5

WORK="$(mktemp -d)"
SERVER=""
trap 'if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi; rm -rf "$WORK"' EXIT
( cd "$WORK" && exec env HTTP_HOST=127.0.0.1 HTTP_PORT="$PORT" DB_PATH="$WORK/bench.db" AVATARS_DIR="$WORK/avatars" \
    IMAGE_THREADS="$THREADS" AVATAR_UPLOADS_PER_MINUTE=1000000 AUTH_REQUESTS_PER_MINUTE=1000000 \
    JWT_SECRET=bench-secret-bench-secret-bench-secret-0123 LOG_LEVEL=WARN \
    java -cp "$ROOT/target/classes:$(cat "$ROOT/target/bench-classpath.txt")" dev.avatarservice.Main ) > "$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 60); do
  curl -fs "http://127.0.0.1:$PORT/health" > /dev/null && break
  sleep 0.5
done
java -cp "$CP" UploadBench "http://127.0.0.1:$PORT" "$CONCURRENCY" "$SECONDS_MEASURED" 5 8
