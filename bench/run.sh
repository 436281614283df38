#!/usr/bin/env bash
# Scale benchmark of the hazard ledger (issue 3): generates ENTERPRISES enterprises and
# HAZARDS hazards, then on each engine measures
#   (a) hazard creation through the HTTP API (wrk, loopback) against the raw insert rate of the
#       same rows, alternately, ROUNDS times (the median ratio is the figure);
#   (b) p50/p99 of a filtered first page, a deep keyset page and a street-filtered page of the
#       ledger (each run thousands of times over the pool's connections, so a plan switch shows);
#   (p) on PostgreSQL, bench/pg_plans.sh: repeated prepared lists under both plan cache modes;
#   (b4) the ledger's tab counts (GET /api/v1/hazards/counts) for the district and for a street;
#   (c) the statistics endpoint for the whole district;
#   (d) the server's peak resident memory (anonymous and file-backed apart);
#   (e) an Excel export of the last half year (about HAZARDS/2 rows): seconds, rows, and the
#       peak memory after it.
# Usage: bench/run.sh [sqlite|postgres|both]   (ENTERPRISES, HAZARDS, DURATION, ROUNDS override sizes;
#        ONLY_INGEST=1 stops after (a), for trying a change to the writer on small data)
set -euo pipefail
cd "$(dirname "$0")/.."
ENTERPRISES=${ENTERPRISES:-100000}
HAZARDS=${HAZARDS:-2000000}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
PG=${PG_URL:-postgres://postgres@127.0.0.1:5432}
engines=${1:-both}
command -v wrk >/dev/null && command -v unzip >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk unzip >/dev/null; }
cargo build --release --locked -p anjian
bin=$PWD/target/release/anjian
out=$PWD/bench/results
mkdir -p "$out"
port=18999

run_engine() {
  local engine=$1 url work
  work=$(mktemp -d)
  if [ "$engine" = sqlite ]; then
    url="sqlite://$work/bench.db"
  else
    psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS anjian_bench" >/dev/null
    psql "$PG/postgres" -qc "CREATE DATABASE anjian_bench" >/dev/null
    url="$PG/anjian_bench"
  fi
  # Dead rows of the last step vacuumed before the next is measured (PostgreSQL).
  settle() { [ "$engine" = postgres ] && psql -q "$url" -c "VACUUM ANALYZE" 2>/dev/null; true; }
  local log="$out/$engine.txt"
  : >"$log"
  echo "engine $engine, $ENTERPRISES enterprises, $HAZARDS hazards, $(date -u +%FT%TZ), $(nproc) cores" | tee -a "$log"
  DATABASE_URL=$url "$bin" bench-data --enterprises "$ENTERPRISES" --hazards "$HAZARDS" | tee -a "$log"

  if [ "$engine" = postgres ]; then
    echo "== (p) plans of repeated prepared lists (bench/pg_plans.sh)" | tee -a "$log"
    bench/pg_plans.sh "$url" | tee -a "$log"
  fi

  DATABASE_URL=$url ANJIAN_LOG_LEVEL=warn ANJIAN_MAX_EXPORT_ROWS=$HAZARDS "$bin" serve --demo --bind 127.0.0.1:$port >"$work/server.log" 2>&1 &
  local pid=$!
  trap "kill $pid 2>/dev/null || true" RETURN
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  token() { curl -s -X POST "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
      -d "{\"username\":\"$1\",\"password\":\"Demo@2026!\"}" | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])'; }
  local committee admin ents
  admin=$(token admin); committee=$(token committee)
  ents=$(curl -s -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/api/v1/enterprises?page_size=200" |
    python3 -c 'import json,sys;print(",".join(str(e["id"]) for e in json.load(sys.stdin)["items"]))')

  # The raw limit and the API alternate, ROUNDS times: on a shared machine the speed drifts
  # within minutes, so each API figure is set against the raw figure measured just before it.
  echo "== (a) API ingest: POST /api/v1/hazards, 16 connections, over 200 enterprises, against bench-raw-insert, $ROUNDS rounds" | tee -a "$log"
  # (a 3-second warm-up first, not counted: the server's first reminder run, its prepared statements)
  TOKEN=$admin ENTERPRISES=$ents wrk -t2 -c16 -d3s -s bench/post_hazard.lua "http://127.0.0.1:$port/api/v1/hazards" >/dev/null
  settle
  local ratios=()
  for round in $(seq 1 "$ROUNDS"); do
    local raw api
    raw=$(DATABASE_URL=$url "$bin" bench-raw-insert --seconds "$DURATION" --concurrency 16 2>/dev/null | tee -a "$log" | grep -o '[0-9.]*$')
    settle
    api=$(TOKEN=$admin ENTERPRISES=$ents wrk -t2 -c16 -d"${DURATION}s" -s bench/post_hazard.lua "http://127.0.0.1:$port/api/v1/hazards" | tee -a "$log" | awk '/Requests\/sec/ {print $2}')
    settle
    ratios+=("$(python3 -c "print(round(100 * $api / $raw, 1))")")
    echo "round $round: raw $raw rows/s, API $api reports/s, ratio ${ratios[-1]} %" | tee -a "$log"
  done
  echo "ingest ratio median $(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') %" | tee -a "$log"
  if [ "${ONLY_INGEST:-}" = 1 ]; then kill $pid; wait $pid 2>/dev/null || true; rm -rf "$work"; return; fi

  echo "== (b1) filtered first page: state=rectifying" | tee -a "$log"
  TOKEN=$committee wrk -t2 -c8 -d"${DURATION}s" --latency -s bench/auth.lua \
    "http://127.0.0.1:$port/api/v1/hazards?state=rectifying&page_size=20" | tee -a "$log"
  local deep
  deep=$(python3 -c 'import base64;print(base64.urlsafe_b64encode(b"id:2000").decode().rstrip("="))')
  echo "== (b2) deep keyset page: cursor before id 2000" | tee -a "$log"
  TOKEN=$committee wrk -t2 -c8 -d"${DURATION}s" --latency -s bench/auth.lua \
    "http://127.0.0.1:$port/api/v1/hazards?page_size=20&cursor=$deep" | tee -a "$log"

  local street
  street=$(curl -s -H "Authorization: Bearer $committee" "http://127.0.0.1:$port/api/v1/jurisdictions?page_size=200" |
    python3 -c 'import json,sys;print(next(j["id"] for j in json.load(sys.stdin)["items"] if j.get("parent_id")))')
  echo "== (b3) street and grade filter: jurisdiction_id=$street&grade=一般, many runs per pooled connection" | tee -a "$log"
  TOKEN=$committee wrk -t2 -c8 -d"${DURATION}s" --latency -s bench/auth.lua \
    "http://127.0.0.1:$port/api/v1/hazards?jurisdiction_id=$street&grade=%E4%B8%80%E8%88%AC&page_size=20" | tee -a "$log"

  echo "== (b4) tab counts: district (committee), then jurisdiction_id=$street" | tee -a "$log"
  TOKEN=$committee wrk -t2 -c8 -d"${DURATION}s" --latency -s bench/auth.lua \
    "http://127.0.0.1:$port/api/v1/hazards/counts" | tee -a "$log"
  TOKEN=$committee wrk -t2 -c8 -d"${DURATION}s" --latency -s bench/auth.lua \
    "http://127.0.0.1:$port/api/v1/hazards/counts?jurisdiction_id=$street" | tee -a "$log"

  echo "== (c) district statistics (committee), 5 runs, seconds" | tee -a "$log"
  for _ in 1 2 3 4 5; do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $committee" \
      "http://127.0.0.1:$port/api/v1/hazards/stats" | tee -a "$log"
  done
  echo "== (d) server memory" | tee -a "$log"
  grep -E 'VmHWM|VmRSS|RssAnon|RssFile' /proc/$pid/status | tee -a "$log"

  local from
  from=$(date -u -d '-182 days' +%F)
  echo "== (e) export of hazards found from $from (committee)" | tee -a "$log"
  local status
  status=$(curl -s -o "$work/export.xlsx" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $committee" \
    "http://127.0.0.1:$port/api/v1/hazards/export.xlsx?from=$from")
  echo "status ${status% *}, seconds ${status#* }" | tee -a "$log"
  # (an error answers problem+json: show it)
  [ "${status% *}" = 200 ] || { cat "$work/export.xlsx"; echo; } | tee -a "$log"
  # (every sheet: past Excel's 1,048,576 rows the list goes on in a second sheet, each with its header)
  local sheets
  sheets=$(unzip -l "$work/export.xlsx" 2>/dev/null | grep -c 'xl/worksheets/sheet')
  echo "rows $(($(unzip -p "$work/export.xlsx" 'xl/worksheets/sheet*.xml' 2>/dev/null | grep -o '<row ' | wc -l) - sheets)), sheets $sheets, bytes $(stat -c %s "$work/export.xlsx")" | tee -a "$log"
  grep -E 'VmHWM|VmRSS|RssAnon|RssFile' /proc/$pid/status | tee -a "$log"
  kill $pid; wait $pid 2>/dev/null || true
  [ "$engine" = sqlite ] && echo "database_bytes $(du -cb "$work"/bench.db* | tail -1 | cut -f1)" | tee -a "$log"
  rm -rf "$work"
}

case $engines in
  sqlite|postgres) run_engine "$engines" ;;
  both) run_engine sqlite; run_engine postgres ;;
esac
