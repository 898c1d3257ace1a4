#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite: the browser tests need Debian's chromium, the PostgreSQL
# tests a PostgreSQL + PostGIS server (apt-get install chromium postgresql postgis). Unless SITES_TEST_PG_URL
# names a server, a throwaway cluster is started here (scripts/pg-dev.sh) and stopped afterwards; without the
# server packages those tests are skipped (and fail under CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements-dev.lock
started=""
if [ -z "${SITES_TEST_PG_URL:-}" ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  SITES_TEST_PG_URL=$(bash scripts/pg-dev.sh)
  export SITES_TEST_PG_URL
  started=1
fi
status=0
.venv/bin/python -m pytest "$@" || status=$?
if [ -n "$started" ]; then bash scripts/pg-dev.sh stop || true; fi
exit "$status"
