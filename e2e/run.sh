#!/usr/bin/env bash
# Browser tests: starts the debug binary on a fresh demo database and runs the flows in
# Debian's chromium (installed with apt-get when missing; no browser downloads).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian's chromium"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi
fi
stamp=node_modules/.lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi
bin=${ANJIAN_BIN:-../target/debug/anjian}
tmp=$(mktemp -d)
port=${E2E_PORT:-18765}
DATABASE_URL="sqlite://$tmp/e2e.db" "$bin" serve --demo --bind "127.0.0.1:$port" >"$tmp/server.log" 2>&1 &
server=$!
# wait for the server to stop before removing its folder: on SIGTERM it signs a last audit checkpoint there
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  if ! kill -0 $server 2>/dev/null; then cat "$tmp/server.log"; exit 1; fi
  sleep 0.5
done
BASE_URL="http://127.0.0.1:$port" npm test
