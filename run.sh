#!/usr/bin/env bash
# Runs the platform: builds the web bundle and the release binary, then serves on
# http://127.0.0.1:8080 with an embedded SQLite database under ./data.
#   ./run.sh --demo        first start fills the demo district and prints the demo accounts
#   ./run.sh               serve the existing database
# Extra arguments go to `anjian serve` (e.g. --bind 0.0.0.0:8080).
set -euo pipefail
cd "$(dirname "$0")"
scripts/build-web.sh
cargo build --release --locked -p anjian
exec target/release/anjian serve "$@"
