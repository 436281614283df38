#!/usr/bin/env bash
# Durability drill (kill -9 under writers, restart, every acknowledged write present, check
# passes); see durability.py and docs/RELIABILITY.md.
exec python3 "$(dirname "$0")/durability.py" "$@"
