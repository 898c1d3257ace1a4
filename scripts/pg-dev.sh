#!/usr/bin/env bash
# A throwaway PostgreSQL + PostGIS cluster for development and tests (never for real data: no passwords, fsync off).
#
#   scripts/pg-dev.sh            start (initdb on first use) and print the libpq URL of the database sites_test
#   scripts/pg-dev.sh stop       stop the cluster
#   scripts/pg-dev.sh destroy    stop it and delete its folder
#
# Needs the Debian packages postgresql and postgis (apt-get install postgresql postgis). The cluster lives in
# $PG_DEV_DIR (default /tmp/sites-pg), listens on a Unix socket in $PG_DEV_DIR/sock and on 127.0.0.1:$PG_DEV_PORT
# (default 55432); Unix-socket connections are trusted, TCP ones need a password (scram-sha-256). Run as root, it runs the server as the OS user postgres (initdb
# refuses root). Databases: sites_test (postgis + citext) and sites_template (the template the tests copy, one
# fresh database per test). The URL printed is what SITES_DB and SITES_TEST_PG_URL take.
set -euo pipefail
DIR=${PG_DEV_DIR:-/tmp/sites-pg}
PORT=${PG_DEV_PORT:-55432}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "pg-dev: PostgreSQL server binaries not found (apt-get install postgresql postgis)" >&2
  exit 1
fi
if [ "$(id -u)" = 0 ]; then
  RUN_AS=postgres
  as_user() { runuser -u "$RUN_AS" -- "$@"; }
else
  RUN_AS=$(id -un)
  as_user() { "$@"; }
fi
SOCK="$DIR/sock"
psql_() { as_user "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U "$RUN_AS" "$@"; }

case "${1:-start}" in
  stop)
    [ -f "$DIR/data/postmaster.pid" ] && as_user "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null
    exit 0 ;;
  destroy)
    [ -f "$DIR/data/postmaster.pid" ] && as_user "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null
    rm -rf "$DIR"
    exit 0 ;;
  start) ;;
  *) echo "usage: $0 [start|stop|destroy]" >&2; exit 2 ;;
esac

mkdir -p "$SOCK"
[ "$RUN_AS" != "$(id -un)" ] && chown -R "$RUN_AS" "$DIR"
if [ ! -f "$DIR/data/PG_VERSION" ]; then
  as_user "$BIN/initdb" -D "$DIR/data" -U "$RUN_AS" --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log"
fi
if ! as_user "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
  as_user "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
    -o "-k $SOCK -p $PORT -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
        -c full_page_writes=off -c max_connections=200" start >/dev/null
fi
for db in sites_template sites_test; do
  if [ -z "$(psql_ -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
    psql_ -d postgres -c "CREATE DATABASE $db"
    psql_ -d "$db" -c "CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS citext"
  fi
done
psql_ -d postgres -c "ALTER DATABASE sites_template IS_TEMPLATE true"
echo "postgresql://$RUN_AS@/sites_test?host=$SOCK&port=$PORT"
