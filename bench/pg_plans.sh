#!/usr/bin/env bash
# PostgreSQL plan check (issue 10): the ledger's capped count and first page as the server sends
# them (prepared statements with parameters), executed 12 times on one session under each
# plan_cache_mode. PostgreSQL plans the first five executions for their values and may then switch
# to a generic plan; the times of executions 1–5 and 6–12 show whether that switch hurts, and
# EXPLAIN after them shows which plan is in use ($1 in the plan: generic).
# Usage: bench/pg_plans.sh DATABASE_URL   (a database filled by `anjian bench-data`)
set -euo pipefail
url=${1:?usage: bench/pg_plans.sh postgres://…/db}
root=$(psql "$url" -Atc "SELECT path FROM jurisdiction WHERE parent_id IS NULL ORDER BY id LIMIT 1")
street=$(psql "$url" -Atc "SELECT path FROM jurisdiction WHERE parent_id IS NOT NULL ORDER BY id LIMIT 1")
upper() { printf '%s0' "${1%/}"; }

run() { # mode name sql params -> "name mode: 1–5 avg ms, 6–12 avg ms, plan generic|custom"
  local mode=$1 name=$2 sql=$3 params=$4 out
  out=$(psql "$url" -X -q <<SQL
SET plan_cache_mode = $mode;
PREPARE q AS $sql;
\\timing on
$(for _ in $(seq 1 12); do echo "EXECUTE q($params);"; done)
\\timing off
EXPLAIN EXECUTE q($params);
SQL
)
  python3 - "$name" "$mode" "$out" <<'PY'
import re, sys
name, mode, out = sys.argv[1], sys.argv[2], sys.argv[3]
t = [float(x) for x in re.findall(r"Time: ([0-9.]+) ms", out)]
plan = "generic" if re.search(r"\$[0-9]", out.split("Time:")[-1]) else "custom"
print(f"{name:<28} {mode:<18} executions 1-5: {sum(t[:5])/5:7.2f} ms   6-12: {sum(t[5:12])/7:7.2f} ms   plan after 12: {plan}")
PY
}

count="SELECT COUNT(*) AS n FROM (SELECT 1 FROM hazard h WHERE 1=1 AND h.scope_path >= \$1 AND h.scope_path < \$2 AND h.state = \$3 LIMIT \$4) t"
page="SELECT h.id FROM hazard h WHERE 1=1 AND SUBSTR(h.scope_path, 1, CAST(\$1 AS INTEGER)) = \$2 AND h.state = \$3 ORDER BY h.id DESC LIMIT \$4"
for mode in auto force_custom_plan; do
  run "$mode" "count, district, rectifying" "$count" "'$root', '$(upper "$root")', 'rectifying', 2001"
  run "$mode" "count, street, closed" "$count" "'$street', '$(upper "$street")', 'closed', 2001"
  run "$mode" "page, district, rectifying" "$page" "${#root}, '$root', 'rectifying', 21"
  run "$mode" "page, street, closed" "$page" "${#street}, '$street', 'closed', 21"
done
