#!/usr/bin/env bash
# Drops the throw-away databases (anjian_t_*) that integration tests create on PostgreSQL.
set -euo pipefail
url="${ANJIAN_TEST_DATABASE_URL:?}"
command -v psql >/dev/null || exit 0
for db in $(psql "$url" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'anjian\_t\_%'"); do
  psql "$url" -qc "DROP DATABASE IF EXISTS $db" >/dev/null
done
