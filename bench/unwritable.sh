#!/usr/bin/env bash
# A database and avatar folder that cannot be written, for real: the database and the avatar folder
# are on two small tmpfs, which are filled up (disk full); then the avatar folder's is remounted
# read-only (Linux refuses that for the database's while SQLite has the file open for writing, as
# a running node always does). Each time, writes must be answered 503 with Retry-After, reads,
# /health and /ready must go on, and once the cause is gone (filler deleted, remounted read-write)
# writes must work again without a restart. Needs root with CAP_SYS_ADMIN (it mounts file
# systems); skipped otherwise. The tests (UnwritableStoreApiTest) cover the locked database and the
# broken avatar folder without mounting anything.
#
#   bench/unwritable.sh      PORT (18495) moves it; needs target/avatar-service.jar, curl, jq
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18495}
JAR=$(pwd)/target/avatar-service.jar
[ -f "$JAR" ] || mvn -B -q package -DskipTests
WORK=$(mktemp -d -t avatar-unwritable.XXXXXX)
FS="$WORK/db"
AV="$WORK/avatars"
mkdir -p "$FS" "$AV"
if ! mount -t tmpfs -o size=8m tmpfs "$FS" 2>/dev/null || ! mount -t tmpfs -o size=4m tmpfs "$AV"; then
  umount "$FS" 2>/dev/null || true
  echo "SKIPPED: cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)"
  rm -rf "$WORK"
  exit 0
fi
NODE=""
cleanup() {
  if [ -n "$NODE" ] && kill -0 "$NODE" 2>/dev/null; then kill "$NODE"; wait "$NODE" || true; fi
  mount -o remount,rw "$AV" 2>/dev/null || true
  umount "$AV" "$FS" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

( cd "$WORK" && exec env HTTP_HOST=127.0.0.1 HTTP_PORT="$PORT" MANAGEMENT_PORT=0 DB_PATH="$FS/avatar-service.db" \
    AVATARS_DIR="$AV" DB_BUSY_TIMEOUT_MS=500 ACCESS_LOG_LEVEL=WARN java -jar "$JAR" ) > "$WORK/node.log" 2>&1 &
NODE=$!
for _ in $(seq 1 120); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/ready" && break
  sleep 0.5
done

BASE="http://127.0.0.1:$PORT"
failures=0
n=0
PNG=$(mktemp "$WORK/avatar.XXXX.png")
# a 1x1 PNG
printf '\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82' > "$PNG"

# prints "status retry-after" of a request
call() {
  local out
  out=$(curl -s -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' "$@")
  printf '%s %s' "$out" "$(grep -i '^retry-after:' "$WORK/headers" | tr -d '\r' | awk '{print $2}')"
}
expect() {                              # what, expected "status[ retry]", actual
  if [ "$3" = "$2" ] || [ "${3% }" = "$2" ]; then
    printf '  ok    %-42s %s\n' "$1" "$3"
  else
    printf '  FAIL  %-42s %s (expected %s)\n' "$1" "$3" "$2"
    failures=$((failures + 1))
  fi
}
register() { n=$((n + 1)); call "$BASE/api/register" -H 'Content-Type: application/json' \
  -d "{\"identifier\":\"unwritable-$1-$n\",\"password\":\"unwritable check passphrase\"}"; }
upload() { call "$BASE/api/user/avatar" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: image/png' --data-binary "@$PNG"; }
reads() {
  expect "GET /api/user" "200" "$(call "$BASE/api/user" -H "Authorization: Bearer $TOKEN")"
  expect "GET the avatar file" "200" "$(call "$AVATAR")"
  expect "GET /health" "200" "$(call "$BASE/health")"
  expect "GET /ready" "200" "$(call "$BASE/ready")"
}

register alice > /dev/null
TOKEN=$(jq -r .data.accessToken "$WORK/body")
upload > /dev/null
AVATAR=$(jq -r .data.avatarUrl "$WORK/body" | sed "s|^http://localhost:$PORT|$BASE|")

echo "disk full (both tmpfs filled up):"
dd if=/dev/zero of="$FS/filler" bs=64k 2>/dev/null || true
dd if=/dev/zero of="$AV/filler" bs=64k 2>/dev/null || true
expect "POST /api/register" "503 5" "$(register full)"
expect "POST /api/user/avatar" "503 5" "$(upload)"
reads
rm -f "$FS/filler" "$AV/filler"
echo "space freed:"
expect "POST /api/register" "201" "$(register freed)"
expect "POST /api/user/avatar" "200" "$(upload)"
AVATAR=$(jq -r .data.avatarUrl "$WORK/body" | sed "s|^http://localhost:$PORT|$BASE|")

echo "avatar folder's file system remounted read-only:"
mount -o remount,ro "$AV"
expect "POST /api/user/avatar" "503 5" "$(upload)"
expect "POST /api/register" "201" "$(register readonly)"
reads
mount -o remount,rw "$AV"
echo "remounted read-write:"
expect "POST /api/register" "201" "$(register writable)"
expect "POST /api/user/avatar" "200" "$(upload)"

echo "what the node logged:"
grep -E "WARN|ERROR" "$WORK/node.log" | cut -c1-200 | sed 's/^/  /' || true
if [ "$failures" -eq 0 ]; then echo "unwritable storage: OK"; else echo "unwritable storage: $failures FAILED"; exit 1; fi
