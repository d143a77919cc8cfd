#!/usr/bin/env bash
# A throw-away PostgreSQL for the benchmarks and the durability check, from Debian's `postgresql`
# package (apt-get install -y postgresql): its own data folder, port and socket folder, nothing of the
# system's cluster touched. PostgreSQL refuses to run as root, so as root it runs as `postgres`.
#
#   bench/postgres.sh start DIR PORT    initdb (once) and start; prints the JDBC URL on the last line
#   bench/postgres.sh stop DIR          fast shutdown
#   bench/postgres.sh url DIR PORT      the JDBC URL of a started one
#   bench/postgres.sh database DIR PORT NAME
#                                       a fresh, empty database NAME owned by `avatar` (an older one of
#                                       that name dropped); prints its JDBC URL
#   bench/postgres.sh amcheck DIR PORT [NAME]
#                                       PostgreSQL's own consistency check of database NAME (avatar):
#                                       pg_amcheck on every table and B-tree index, heap against index
#
# The database is `avatar`, owned by the role `avatar` with password `avatar` (benchmarks only).
# fsync stays on: the durability check kills nodes, not PostgreSQL, but its numbers must be honest.
set -euo pipefail

command=${1:-}
dir=${2:-}
port=${3:-55432}
if [ -z "$command" ] || [ -z "$dir" ]; then
  sed -n '2,17p' "$0" >&2
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
      if ! runuser -u postgres -- test -x "$dir"; then
        echo "the postgres user cannot reach $dir: a folder above it is closed to others (chmod o+x)" >&2
        exit 1
      fi
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
  database)
    name=${4:-}
    if ! [[ "$name" =~ ^[a-z][a-z0-9_]{0,62}$ ]]; then
      echo "a database name is lower-case letters, digits and _" >&2
      exit 2
    fi
    as_owner "$bin/psql" -q -h "$dir" -p "$port" -U postgres -c "SET client_min_messages = warning" \
      -c "DROP DATABASE IF EXISTS $name WITH (FORCE)"
    as_owner "$bin/psql" -q -h "$dir" -p "$port" -U postgres -c "CREATE DATABASE $name OWNER avatar"
    echo "jdbc:postgresql://127.0.0.1:$port/$name"
    ;;
  amcheck)
    # amcheck is in Debian's postgresql package (contrib); pg_amcheck installs the extension (superuser)
    # (exit status 2 and the corruption listed when it finds any)
    as_owner "$bin/pg_amcheck" -h "$dir" -p "$port" -U postgres --install-missing --heapallindexed --parent-check \
      "${4:-avatar}" 2>&1
    echo "pg_amcheck of ${4:-avatar} (every table and B-tree index, heap against index): ok"
    ;;
  *)
    echo "unknown command $command (start, stop, url, database, amcheck)" >&2
    exit 2
    ;;
esac
