#!/usr/bin/env bash
# Installs the web UI's npm packages (when the lock file changed) and builds web/dist,
# which the server embeds.
set -euo pipefail
cd "$(dirname "$0")/../web"
if ! command -v npm >/dev/null; then
  echo "需要 Node.js 和 npm（Debian: apt-get install nodejs npm）" >&2
  exit 1
fi
stamp=node_modules/.lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi
npm run build
