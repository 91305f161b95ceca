#!/usr/bin/env bash
# Stop the throwaway PostgreSQL that scripts/pg-start.sh started. Quiet no-op when it is not running.
set -euo pipefail

PGBIN=/usr/lib/postgresql/15/bin
PGROOT="${TMPDIR:-/tmp}/rhythm-pg"

if [ ! -f "$PGROOT/data/postmaster.pid" ]; then
  echo "pg-stop: not running" >&2
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGROOT/data" -m fast -w -t 30 stop >&2
else
  "$PGBIN/pg_ctl" -D "$PGROOT/data" -m fast -w -t 30 stop >&2
fi
