#!/usr/bin/env python3
"""Durability drill: writers with their own Idempotency-Keys against `anjian serve --demo` on
127.0.0.1, the server killed with SIGKILL mid-write, restarted, and then:

  * every acknowledged hazard (201) is there after the restart (lost must be 0);
  * resending an acknowledged key answers the same hazard;
  * resending a key that was in flight at the kill settles (201) instead of answering 409
    for ever — counted as "stuck" and reported; with --strict a stuck key fails the run;
  * answers other than 201 while writing are counted: a 5xx is reported (with --strict it
    fails the run), any other answer fails it;
  * `anjian check`, run over and over while the writers write, never fails (no false alarm);
  * `anjian check` passes after each restart (server running), and after the last round the
    server is stopped cleanly (SIGTERM, which signs a checkpoint) and
    `anjian check` passes against the signed checkpoints.

  scripts/reliability/durability.py [--rounds N] [--writers N] [--seconds S] [--strict] [--keep]

Bounded: every request has a timeout, every round runs for --seconds, the run for --rounds.
"""
import argparse
import datetime
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import common  # noqa: E402

PASSWORD = None  # read from the server's banner


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def call(base, method, path, token=None, body=None, key=None, timeout=10):
    """One HTTP request; returns (status, parsed body) or (None, error text) on a transport error."""
    req = urllib.request.Request(base + path, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if key:
        req.add_header("Idempotency-Key", key)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, data=data, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, raw.decode(errors="replace")
    except (OSError, urllib.error.URLError) as e:
        return None, str(e)


class Server:
    def __init__(self, work, port, env):
        self.work, self.port, self.env = work, port, env
        self.proc = None
        self.base = f"http://127.0.0.1:{port}"

    def start(self, timeout=600):
        log = open(os.path.join(self.work, "server.log"), "a")
        self.proc = subprocess.Popen([common.binary(), "serve", "--demo", "--bind", f"127.0.0.1:{self.port}"],
                                     env=self.env, cwd=self.work, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"server exited with {self.proc.returncode}; see {self.work}/server.log")
            status, _ = call(self.base, "GET", "/healthz", timeout=2)
            if status == 200:
                return
            time.sleep(0.2)
        self.kill()
        sys.exit("server did not answer /healthz in time")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.proc.returncode if self.proc else None


def hazard(enterprise, text, deadline):
    return {"enterprise_id": enterprise, "description": text, "grade": "一般", "source": "企业自查",
            "deadline": deadline, "location": "二号仓库"}


def writer(base, token, enterprise, deadline, wid, rnd, stop, acked, inflight, errors, lock):
    i = 0
    while not stop.is_set():
        key = f"dur-r{rnd}-w{wid}-{i}"
        body = hazard(enterprise, f"耐久性演练 第{rnd}轮 写入者{wid} 第{i}条", deadline)
        with lock:
            inflight[key] = body
        status, out = call(base, "POST", "/api/v1/hazards", token, body, key=key)
        with lock:
            if status == 201:
                acked[key] = (body, out["id"])
                del inflight[key]
            elif status is None:
                pass  # the server is gone: the key stays in flight
            else:
                del inflight[key]
                errors.append((status, out))
        if status is None:
            return
        i += 1


def settle(base, token, inflight, wait):
    """Resends every in-flight key until it settles or `wait` seconds have passed; returns
    (settled, stuck: still 409, other answers)."""
    pending = dict(inflight)
    settled, other = 0, []
    deadline = time.time() + wait
    while pending:
        for key, body in list(pending.items()):
            status, out = call(base, "POST", "/api/v1/hazards", token, body, key=key)
            if status == 409:
                continue
            del pending[key]
            # 201: run again after the lease (nothing had committed); 200 with the entity and id:
            # it had committed but the answer was lost with the server — the hazard must be there.
            lost_answer = status == 200 and out.get("entity") == "hazard" and isinstance(out.get("id"), int)
            if status == 201 or (lost_answer and call(base, "GET", f"/api/v1/hazards/{out['id']}", token)[0] == 200):
                settled += 1
            else:
                other.append((status, out))
        if not pending or time.time() >= deadline:
            break
        time.sleep(0.25)
    return settled, len(pending), other


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=1, help="kill -9 / restart rounds")
    ap.add_argument("--writers", type=int, default=4, help="concurrent writers")
    ap.add_argument("--seconds", type=float, default=3, help="writing time before the kill, per round")
    ap.add_argument("--enterprises", type=int, default=40, help="size of the demo district")
    ap.add_argument("--settle", type=float, default=65,
                    help="seconds an in-flight key may answer 409 after restart (the key's lease is 60 s)")
    ap.add_argument("--strict", action="store_true",
                    help="fail on stuck keys (409 for longer than --settle) and on 5xx answers while writing")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="anjian-durability-")
    t0 = time.time()
    env = common.env_for(work, ANJIAN_AUDIT_CHECKPOINT_RECORDS="25", ANJIAN_AUDIT_CHECKPOINT_SECONDS="1",
                         ANJIAN_LOG_LEVEL="warn")
    server = Server(work, free_port(), env)
    totals = {"acked": 0, "lost": 0, "inflight": 0, "settled": 0, "stuck": 0, "replay_mismatch": 0, "errors": 0,
              "server_errors": 0, "check_failures": 0,
              "live_checks": 0, "false_alarms": 0}
    try:
        code, out = common.run(["demo", "--enterprises", str(a.enterprises)], env, work)
        if code != 0:
            sys.exit(f"demo failed: {out}")
        password = None
        for line in out.splitlines():
            if "密码均为" in line:
                password = line.split("密码均为")[1].split("，")[0].strip()
        server.start()
        deadline = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
        all_acked = {}
        for rnd in range(a.rounds):
            status, login = call(server.base, "POST", "/api/v1/auth/login", body={"username": "enterprise", "password": password})
            if status != 200:
                sys.exit(f"login failed: {status} {login}")
            token = login["token"]
            _, me = call(server.base, "GET", "/api/v1/auth/me", token)
            enterprise = me["org_id"] if "org_id" in me else me["user"]["org_id"]
            stop, lock = threading.Event(), threading.Lock()
            acked, inflight, errors = {}, {}, []
            threads = [threading.Thread(target=writer, args=(server.base, token, enterprise, deadline, w, rnd, stop,
                                                            acked, inflight, errors, lock)) for w in range(a.writers)]
            for t in threads:
                t.start()
            # `anjian check` over and over while the writers run: it must never cry wolf.
            live_checks = []
            checker_stop = threading.Event()

            def checker():
                while not checker_stop.is_set():
                    live_checks.append(common.run(["check"], env, work, timeout=120))

            ct = threading.Thread(target=checker)
            ct.start()
            time.sleep(a.seconds)
            server.kill()
            stop.set()
            checker_stop.set()
            for t in threads:
                t.join(timeout=30)
            ct.join(timeout=130)
            false_alarms = [out for code, out in live_checks if code != 0]
            totals["live_checks"] += len(live_checks)
            totals["false_alarms"] += len(false_alarms)
            for out in false_alarms[:3]:
                print(f"    anjian check under writers FAILED: {out}")
            server.start()
            all_acked.update(acked)
            # Every acknowledged hazard of every round so far is there.
            lost = [k for k, (_, hid) in all_acked.items() if call(server.base, "GET", f"/api/v1/hazards/{hid}", token)[0] != 200]
            # An acknowledged key answers the same hazard again.
            mismatch = 0
            for k in list(acked)[:20]:
                body, hid = acked[k]
                status, out = call(server.base, "POST", "/api/v1/hazards", token, body, key=k)
                if status != 201 or out.get("id") != hid:
                    mismatch += 1
            settled, stuck, unsettled = settle(server.base, token, inflight, a.settle)
            errors.extend(unsettled)
            # The log as the kill left it (plus the restart's checkpoint) verifies, the server running.
            code, out = common.run(["check"], env, work)
            if code != 0 or "检查点" not in out:
                totals["check_failures"] += 1
                print(f"    anjian check after the restart FAILED: {out}")
            server_errors = [e for e in errors if e[0] >= 500]
            others = [e for e in errors if e[0] < 500]
            print(f"  round {rnd + 1}: {len(acked)} acknowledged, {len(lost)} lost, {len(inflight)} in flight at the kill "
                  f"({settled} settled, {stuck} stuck on 409), {mismatch} replay mismatches, "
                  f"{len(server_errors)} 5xx and {len(others)} other answers while writing")
            for e in (others + server_errors)[:3]:
                print(f"    answer: {e}")
            for key, val in (("acked", len(acked)), ("inflight", len(inflight)), ("settled", settled),
                             ("stuck", stuck), ("replay_mismatch", mismatch), ("errors", len(others)),
                             ("server_errors", len(server_errors))):
                totals[key] += val
            totals["lost"] = len(lost)
        rc = server.stop()
        code, out = common.run(["check"], env, work)
        sealed = code == 0 and "检查点" in out
        with open(env["ANJIAN_AUDIT_CHECKPOINT_FILE"]) as f:
            checkpoints = sum(1 for line in f if line.strip())
        print(f"  clean stop exit {rc}; anjian check exit {code}: {out.splitlines()[-1] if out else ''}")
        print(f"durability: {a.rounds} rounds × {a.writers} writers × {a.seconds:g} s: {totals['acked']} acknowledged, "
              f"lost {totals['lost']}, {totals['inflight']} in flight at kills ({totals['settled']} settled, "
              f"stuck {totals['stuck']}), replay mismatches {totals['replay_mismatch']}, 5xx {totals['server_errors']}, "
              f"other answers {totals['errors']}, "
              f"{checkpoints} checkpoints, check under writers {totals['live_checks']} runs / {totals['false_alarms']} false alarms, "
              f"check after restarts failed {totals['check_failures']}, final check "
              f"{'passed' if sealed else 'FAILED'}, {time.time() - t0:.1f} s")
        failed = (totals["lost"] > 0 or totals["replay_mismatch"] > 0 or totals["errors"] > 0 or not sealed
                  or totals["check_failures"] > 0 or totals["false_alarms"] > 0)
        if (totals["stuck"] or totals["server_errors"]) and a.strict:
            print("durability: stuck keys and 5xx answers fail the run (--strict)")
            failed = True
        return 1 if failed else 0
    finally:
        server.kill()
        if a.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
