#!/usr/bin/env bash
# The short reliability drills for test.sh (a few seconds each, loopback only).
set -euo pipefail
cd "$(dirname "$0")"
./tamper.sh --rounds 1 --enterprises 20
./durability.sh --rounds 1 --writers 4 --seconds 3 --enterprises 20 --strict
