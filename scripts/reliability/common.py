"""Shared helpers of the reliability drivers (Python 3 standard library only).

Everything here talks to 127.0.0.1 only and every wait is bounded.
"""
import os
import shutil
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def binary():
    """The anjian binary: $ANJIAN_BIN, else the debug (or release) build in the target folder."""
    if os.environ.get("ANJIAN_BIN"):
        return os.environ["ANJIAN_BIN"]
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    for profile in ("debug", "release"):
        p = os.path.join(target, profile, "anjian")
        if os.path.exists(p):
            return p
    sys.exit("找不到 anjian 可执行文件：先运行 cargo build -p anjian，或设置 ANJIAN_BIN")


def env_for(workdir, db="a.db", **extra):
    """Environment of a run on the SQLite file `workdir/db` with its key and checkpoints beside it."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("ANJIAN_") and k != "DATABASE_URL"}
    e["DATABASE_URL"] = "sqlite://" + os.path.join(workdir, db)
    e["ANJIAN_AUDIT_KEY_FILE"] = os.path.join(workdir, "audit.key")
    e["ANJIAN_AUDIT_CHECKPOINT_FILE"] = os.path.join(workdir, db + ".checkpoints.jsonl")
    e["ANJIAN_LOG_LEVEL"] = "warn"
    e.update(extra)
    return e


def run(args, env, cwd, timeout=600):
    """Runs the binary; returns (exit code, stdout + stderr)."""
    p = subprocess.run([binary()] + args, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    return p.returncode, (p.stdout + p.stderr).strip()


def settle_wal(workdir, db="a.db"):
    """Folds the SQLite write-ahead log into the database file, so that copying the file copies
    everything (no process may have the database open)."""
    import sqlite3
    c = sqlite3.connect(os.path.join(workdir, db))
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()


def copy_install(src, dst, db="a.db"):
    """Copies a closed database (with its write-ahead log, if any), its checkpoint file and key."""
    os.makedirs(dst, exist_ok=True)
    for name in (db, db + "-wal", db + ".checkpoints.jsonl", "audit.key"):
        if os.path.exists(os.path.join(src, name)):
            shutil.copy2(os.path.join(src, name), os.path.join(dst, name))
