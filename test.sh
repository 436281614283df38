#!/usr/bin/env bash
# Runs every test: web lint and build, Rust unit and integration tests on SQLite (and on
# PostgreSQL when ANJIAN_TEST_DATABASE_URL is set, e.g. postgres://postgres@127.0.0.1:5432/test),
# then the browser tests in Debian's chromium (installed if missing), then short tampering and
# durability drills and a short schemathesis run (pinned, installed from PyPI) against the debug
# binary on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")"
export CARGO_TERM_COLOR=never

echo "== web: build and lint"
scripts/build-web.sh
(cd web && npm run lint)

echo "== rust: format"
cargo fmt --all -- --check

runner=(cargo test --locked)
if cargo nextest --version >/dev/null 2>&1; then
  runner=(cargo nextest run --locked --no-fail-fast)
fi

echo "== rust: tests on SQLite"
env -u ANJIAN_TEST_DATABASE_URL "${runner[@]}" --workspace

if [ -n "${ANJIAN_TEST_DATABASE_URL:-}" ]; then
  echo "== rust: integration tests on PostgreSQL ($ANJIAN_TEST_DATABASE_URL)"
  scripts/drop-test-databases.sh
  "${runner[@]}" -p anjian-server
  scripts/drop-test-databases.sh
fi

echo "== browser tests"
cargo build --locked -p anjian
e2e/run.sh

echo "== reliability drills (short; docs/RELIABILITY.md has the long ones)"
scripts/reliability/short.sh

echo "== schemathesis (short: admin and enterprise; docs/RELIABILITY.md)"
scripts/reliability/schemathesis.sh
