#!/usr/bin/env bash
# Scale benchmark of the risk one-map and the risk statistics (issue 4): fills a fresh database with
# the demo district at ENTERPRISES enterprises (`anjian demo`), then on each engine measures, as the
# district committee, RUNS runs each:
#   (a) GET /api/v1/map/layers/enterprises (every point) against the baseline of the same run: the
#       level query of `store::risk::enterprise_levels` over the same rows, run by the engine's own
#       client (sqlite3 / psql). The ratio is the figure to watch (shared, noisy machines);
#   (b) the same layer filtered to 重大 and boxed to one street-sized bbox;
#   (c) GET /api/v1/risk/stats for the whole district, by jurisdiction and by sector;
#   (d) the server's peak resident memory.
# Usage: bench/map.sh [sqlite|postgres|both]   (ENTERPRISES, RUNS override)
set -euo pipefail
cd "$(dirname "$0")/.."
ENTERPRISES=${ENTERPRISES:-100000}
RUNS=${RUNS:-5}
PG=${PG_URL:-postgres://postgres@127.0.0.1:5432}
engines=${1:-both}
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
cargo build --release --locked -p anjian
bin=$PWD/target/release/anjian
out=$PWD/bench/results
mkdir -p "$out"
port=18998

# Mirrors store::risk::enterprise_levels for a scope that sees the whole district.
LEVEL_SQL="SELECT e.id, e.name, e.scope_path, e.longitude, e.latitude, e.sectors, e.key_enterprise,
 (SELECT o.level FROM enterprise_risk_override o WHERE o.enterprise_id = e.id) AS override_level,
 (SELECT MAX(CASE r.level WHEN '重大' THEN 4 WHEN '较大' THEN 3 WHEN '一般' THEN 2 ELSE 1 END) FROM risk_point r WHERE r.enterprise_id = e.id) AS point_rank,
 (SELECT COUNT(*) FROM hazard h WHERE h.enterprise_id = e.id AND h.risk_point_id IS NOT NULL AND h.grade = '重大' AND h.state IN ('reported', 'rectifying', 'pending_verification')) AS linked_major
 FROM enterprise e WHERE e.longitude IS NOT NULL ORDER BY e.id"

seconds() { python3 -c 'import sys,time;t=time.time();import subprocess;subprocess.run(sys.argv[1:],check=True,stdout=subprocess.DEVNULL);print(f"{time.time()-t:.3f}")' "$@"; }

run_engine() {
  local engine=$1 url work baseline
  work=$(mktemp -d)
  if [ "$engine" = sqlite ]; then
    url="sqlite://$work/bench.db"
    baseline=(sqlite3 "$work/bench.db" "$LEVEL_SQL")
  else
    psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS anjian_bench" >/dev/null
    psql "$PG/postgres" -qc "CREATE DATABASE anjian_bench" >/dev/null
    url="$PG/anjian_bench"
    baseline=(psql "$url" -qAtc "$LEVEL_SQL")
  fi
  local log="$out/map-$engine.txt"
  : >"$log"
  echo "engine $engine, $ENTERPRISES enterprises, $(date -u +%FT%TZ), $(nproc) cores" | tee -a "$log"
  DATABASE_URL=$url "$bin" demo --enterprises "$ENTERPRISES" --hazards $((ENTERPRISES / 5)) | grep -E '家企业' | tee -a "$log"
  [ "$engine" = postgres ] && psql "$url" -qc "ANALYZE" >/dev/null

  DATABASE_URL=$url ANJIAN_LOG_LEVEL=warn "$bin" serve --demo --bind 127.0.0.1:$port >"$work/server.log" 2>&1 &
  local pid=$!
  trap "kill $pid 2>/dev/null || true" RETURN
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  local token
  token=$(curl -s -X POST "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
      -d '{"username":"committee","password":"Demo@2026!"}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
  get() { curl -s -o /dev/null -H 'Accept-Encoding: gzip' -H "Authorization: Bearer $token" -w '%{time_total} %{size_download}\n' "http://127.0.0.1:$port$1"; }

  echo "== (a) enterprise layer, every point: seconds, gzip bytes / baseline query seconds" | tee -a "$log"
  for _ in $(seq 1 "$RUNS"); do
    echo "layer $(get /api/v1/map/layers/enterprises) baseline $(seconds "${baseline[@]}")" | tee -a "$log"
  done
  echo "features $(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/map/layers/enterprises" | python3 -c 'import json,sys;print(len(json.load(sys.stdin)["features"]))')" | tee -a "$log"
  echo "== (b) 重大 only; one street-sized bbox" | tee -a "$log"
  for _ in $(seq 1 "$RUNS"); do
    echo "red $(get '/api/v1/map/layers/enterprises?level=%E9%87%8D%E5%A4%A7') bbox $(get '/api/v1/map/layers/enterprises?bbox=119.90,31.85,119.98,31.92')" | tee -a "$log"
  done
  echo "== (c) risk statistics: by jurisdiction, by sector" | tee -a "$log"
  for _ in $(seq 1 "$RUNS"); do
    echo "stats $(get /api/v1/risk/stats) sector $(get '/api/v1/risk/stats?group_by=sector')" | tee -a "$log"
  done
  echo "== (d) server memory" | tee -a "$log"
  grep -E 'VmHWM|VmRSS' /proc/$pid/status | tee -a "$log"
  kill $pid; wait $pid 2>/dev/null || true
  rm -rf "$work"
}

case $engines in
  sqlite|postgres) run_engine "$engines" ;;
  both) run_engine sqlite; run_engine postgres ;;
esac
