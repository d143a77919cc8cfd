#!/usr/bin/env bash
# A throw-away PostgreSQL for the benchmarks and the durability check, from Debian's `postgresql`
# package (apt-get install -y postgresql): its own data folder, port and socket folder, nothing of the
# system's cluster touched. PostgreSQL refuses to run as root, so as root it runs as `postgres`.
#
#   bench/postgres.sh start DIR PORT    initdb (once) and start; prints the JDBC URL on the last line
#   bench/postgres.sh stop DIR          fast shutdown
#   bench/postgres.sh url DIR PORT      the JDBC URL of a started one
#
# The database is `avatar`, owned by the role `avatar` with password `avatar` (benchmarks only).
# fsync stays on: the durability check kills nodes, not PostgreSQL, but its numbers must be honest.
set -euo pipefail

command=${1:-}
dir=${2:-}
port=${3:-55432}
if [ -z "$command" ] || [ -z "$dir" ]; then
  sed -n '2,10p' "$0" >&2
  exit 2
fi

bin=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ]; then
  echo "PostgreSQL is not installed (apt-get install -y postgresql)" >&2
  exit 1
fi
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
data="$dir/data"

case "$command" in
  start)
    if [ "$(id -u)" = 0 ]; then
      chown postgres: "$dir"
    fi
    if [ ! -f "$data/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 > "$dir/initdb.log"
    fi
    as_owner "$bin/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start > /dev/null
    if ! as_owner "$bin/psql" -h "$dir" -p "$port" -U postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'avatar'" \
        | grep -q 1; then
      as_owner "$bin/psql" -q -h "$dir" -p "$port" -U postgres -c "CREATE ROLE avatar LOGIN PASSWORD 'avatar'"
      as_owner "$bin/psql" -q -h "$dir" -p "$port" -U postgres -c "CREATE DATABASE avatar OWNER avatar"
    fi
    echo "jdbc:postgresql://127.0.0.1:$port/avatar"
    ;;
  stop)
    if [ -f "$data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop > /dev/null
    fi
    ;;
  url)
    echo "jdbc:postgresql://127.0.0.1:$port/avatar"
    ;;
  *)
    echo "unknown command $command (start, stop, url)" >&2
    exit 2
    ;;
esac
