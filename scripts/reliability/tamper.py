#!/usr/bin/env python3
"""Tampering drill: each way of changing a demo database's audit log behind the program's back
must make `anjian check` exit non-zero with the reason.

On a copy of a demo SQLite database (with its key and checkpoint file) it, per round:
  edits a record in the middle, deletes one, cuts off the tail and rewrites the head, edits one
  and recomputes every hash after it (as someone who knows the keyless chain rule would), swaps
  the key file for another, and edits a checkpoint; an untouched copy must pass.

  scripts/reliability/tamper.py [--rounds N] [--enterprises N] [--seed N] [--keep]
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import common  # noqa: E402

DB = "a.db"


def chain_hash(prev, row):
    """The chain rule of crates/domain/src/audit.rs: SHA-256(prev ‖ "\\n" ‖ canonical JSON)."""
    content = [row["id"], row["at"], row["actor_id"], row["actor_name"], row["action"], row["entity"],
               row["entity_id"], row["scope_path"], row["summary"], row["before_json"], row["after_json"]]
    canonical = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev + "\n" + canonical).encode()).hexdigest()


def connect(work):
    c = sqlite3.connect(os.path.join(work, DB))
    c.row_factory = sqlite3.Row
    return c


def head(c):
    return c.execute("SELECT seq FROM audit_head WHERE id = 1").fetchone()[0]


def edit_middle(work, rng):
    with connect(work) as c:
        n = rng.randint(2, head(c) - 1)
        c.execute("UPDATE audit_log SET summary = summary || '（改）' WHERE id = ?", (n,))
    return n, ["断裂", f"第 {n} 条"]


def delete_middle(work, rng):
    with connect(work) as c:
        n = rng.randint(2, head(c) - 1)
        c.execute("DELETE FROM audit_log WHERE id = ?", (n,))
    return n, ["断裂", f"第 {n + 1} 条"]


def truncate_tail(work, rng):
    with connect(work) as c:
        h = head(c)
        keep = h - rng.randint(1, min(50, h - 1))
        c.execute("DELETE FROM audit_log WHERE id > ?", (keep,))
        last = c.execute("SELECT hash FROM audit_log WHERE id = ?", (keep,)).fetchone()[0]
        c.execute("UPDATE audit_head SET seq = ?, last_hash = ? WHERE id = 1", (keep, last))
    return keep, ["截断"]


def rehash_all(work, rng):
    with connect(work) as c:
        n = rng.randint(2, head(c) - 1)
        c.execute("UPDATE audit_log SET actor_name = '他人' WHERE id = ?", (n,))
        prev = c.execute("SELECT hash FROM audit_log WHERE id = ?", (n - 1,)).fetchone()[0]
        rows = c.execute("SELECT * FROM audit_log WHERE id >= ? ORDER BY id", (n,)).fetchall()
        last = n - 1
        for r in rows:
            h = chain_hash(prev, r)
            c.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, h, r["id"]))
            prev, last = h, r["id"]
        c.execute("UPDATE audit_head SET seq = ?, last_hash = ? WHERE id = 1", (last, prev))
    return n, ["重新计算了哈希"]


def other_key(work, rng):
    os.remove(os.path.join(work, "audit.key"))
    with open(os.path.join(work, "audit.key"), "w") as f:
        f.write("%064x\n" % rng.getrandbits(256))
    return None, ["不是用当前密钥签署"]


def edit_checkpoint(work, rng):
    path = os.path.join(work, DB + ".checkpoints.jsonl")
    lines = open(path).read().splitlines()
    i = rng.randrange(len(lines))
    cp = json.loads(lines[i])
    cp["seq"] -= 1
    lines[i] = json.dumps(cp, separators=(",", ":"))
    open(path, "w").write("\n".join(lines) + "\n")
    return i + 1, ["签名无效"]


TAMPERS = [("edit a middle record", edit_middle), ("delete a middle record", delete_middle),
           ("cut the tail, rewrite the head", truncate_tail), ("edit, re-hash everything after", rehash_all),
           ("another key file", other_key), ("edit a checkpoint", edit_checkpoint)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=1, help="rounds of every tampering (random positions)")
    ap.add_argument("--enterprises", type=int, default=30, help="size of the demo district")
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    base = tempfile.mkdtemp(prefix="anjian-tamper-")
    t0 = time.time()
    try:
        src = os.path.join(base, "src")
        os.makedirs(src)
        code, out = common.run(["demo", "--enterprises", str(a.enterprises)], common.env_for(src), src)
        if code != 0:
            sys.exit(f"demo failed: {out}")
        common.settle_wal(src)
        with connect(src) as c:
            records = head(c)
        print(f"tamper: demo of {a.enterprises} enterprises, {records} audit records, seed {a.seed}")
        detected = missed = false_alarms = 0
        for r in range(a.rounds):
            work = os.path.join(base, f"r{r}-clean")
            common.copy_install(src, work)
            code, out = common.run(["check"], common.env_for(work), work)
            if code != 0:
                false_alarms += 1
                print(f"  FALSE ALARM on an untouched copy: {out}")
            for name, tamper in TAMPERS:
                work = os.path.join(base, f"r{r}-{tamper.__name__}")
                common.copy_install(src, work)
                at, expect = tamper(work, rng)
                code, out = common.run(["check"], common.env_for(work), work)
                ok = code != 0 and all(e in out for e in expect)
                detected += ok
                missed += not ok
                where = f" at {at}" if at is not None else ""
                print(f"  {'detected' if ok else 'MISSED  '} {name}{where}: exit {code}: {out.splitlines()[-1] if out else ''}")
                shutil.rmtree(work, ignore_errors=True)
        total = a.rounds * len(TAMPERS)
        print(f"tamper: {a.rounds} rounds, {detected}/{total} detected, {missed} missed, "
              f"{false_alarms} false alarms, {time.time() - t0:.1f} s")
        return 0 if missed == 0 and false_alarms == 0 else 1
    finally:
        if a.keep:
            print(f"work folder kept: {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
