#!/usr/bin/env bash
# Start a throwaway PostgreSQL 15 for the test suite on 127.0.0.1:55432 (loopback only, trust auth,
# fsync off: test data is disposable). Idempotent: a running server is left as it is.
# Installs Debian's postgresql-15 when the binaries are missing (needs root).
# The last line printed is the variable the tests read.
set -euo pipefail

PGBIN=/usr/lib/postgresql/15/bin
PGROOT="${TMPDIR:-/tmp}/rhythm-pg"
PGPORT=55432
URL="postgres://postgres@127.0.0.1:${PGPORT}/postgres"

if [ ! -x "$PGBIN/postgres" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "pg-start: $PGBIN is missing and installing postgresql-15 needs root" >&2
    exit 1
  fi
  echo "pg-start: installing postgresql-15" >&2
  apt-get update -q >&2
  # The package's own cluster (port 5432) may start or not; ours is separate, so it does not matter.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql-15 >&2
fi

# Run server commands as the postgres user when root (PostgreSQL refuses to run as root).
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT" -t 1; then
  echo "pg-start: already running on 127.0.0.1:$PGPORT" >&2
  echo "RHYTHM_TEST_DATABASE_URL=$URL"
  exit 0
fi

mkdir -p "$PGROOT"
if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$PGROOT"; fi

if [ ! -f "$PGROOT/data/PG_VERSION" ]; then
  rm -rf "$PGROOT/data"
  as_owner "$PGBIN/initdb" -D "$PGROOT/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >&2
fi

as_owner "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" -w -t 30 \
  -o "-p $PGPORT -k $PGROOT -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >&2
"$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT" -t 10
echo "pg-start: running on 127.0.0.1:$PGPORT (data in $PGROOT/data, log in $PGROOT/server.log)" >&2
echo "RHYTHM_TEST_DATABASE_URL=$URL"
