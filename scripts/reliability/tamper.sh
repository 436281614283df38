#!/usr/bin/env bash
# Tampering drill on a copy of a demo SQLite database; see tamper.py and docs/RELIABILITY.md.
exec python3 "$(dirname "$0")/tamper.py" "$@"
