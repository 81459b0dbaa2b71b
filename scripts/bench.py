"""Kefu's benchmark: load from a separate process over HTTP against `kefu serve` (the production layout).

    python scripts/bench.py [--quick] [--db sqlite|postgres|both] [--tickets N]

For each database it migrates a scratch database, seeds N tickets (`kefu seed`), starts `kefu serve`
(DEBUG off), and measures with a load generator in its own processes:
  - ticket creation through the API at concurrency 1 and 8 (POST /api/v1/tickets/ with a token),
  - the agent queue's first page, a filtered queue, a full-text search, and a ticket page (session cookie),
  - an empty Django view served the same way (the ceiling: /accounts/ping/ if present, else /admin/login/).
Writes var/bench/<timestamp>.json and .md and prints the Markdown table.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEFU = str(ROOT / ".venv" / "bin" / "kefu")
PG_URL = "postgres://postgres@127.0.0.1:5432/{name}"

SETUP_CODE = r"""
import json
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from rest_framework.authtoken.models import Token
from kefu.accounts.models import User
from kefu.accounts import roles
from django.contrib.auth.models import Group
from kefu.tickets.models import Ticket
user, _ = User.objects.get_or_create(username="bench", defaults={"is_staff": True, "display_name": "Bench"})
user.groups.add(Group.objects.get(name=roles.SUPERVISOR))
token, _ = Token.objects.get_or_create(user=user)
s = SessionStore()
s[SESSION_KEY] = str(user.pk)
s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
s[HASH_SESSION_KEY] = user.get_session_auth_hash()
s.create()
ticket_id = Ticket.objects.order_by("-id").values_list("id", flat=True).first()
print("BENCH" + json.dumps({"token": token.key, "session": s.session_key, "ticket": ticket_id}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd: list[str], env: dict, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, check=True, text=True, capture_output=True, **kw)


def wait_for(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not start")


# --- the load generator (runs in worker processes) -------------------------------------------------


def _worker(args: tuple) -> list[float]:
    import http.client

    port, method, path, headers, body_fn_name, duration, worker_id = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies: list[float] = []
    errors = 0
    statuses: dict[str, int] = {}
    deadline = time.monotonic() + duration
    i = 0
    while time.monotonic() < deadline:
        i += 1
        body = None
        if body_fn_name == "ticket":
            body = json.dumps(
                {"subject": f"压测工单 {worker_id}-{i}", "text": "订单三天未发货，请尽快处理。",
                 "customer_email": f"bench{worker_id}-{i % 50}@example.com", "customer_name": "压测客户"}
            )
        start = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            ok = resp.status < 400
            if not ok:
                statuses[str(resp.status)] = statuses.get(str(resp.status), 0) + 1
        except (OSError, http.client.HTTPException) as exc:
            ok = False
            statuses[type(exc).__name__] = statuses.get(type(exc).__name__, 0) + 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        elapsed = time.perf_counter() - start
        if ok:
            latencies.append(elapsed)
        else:
            errors += 1
    conn.close()
    if statuses:
        print(f"  worker {worker_id}: errors {statuses}", flush=True)
    return latencies + [-errors]


def load(port: int, method: str, path: str, headers: dict, *, concurrency: int, duration: float, body: str = "") -> dict:
    with ProcessPoolExecutor(max_workers=concurrency) as pool:
        jobs = [(port, method, path, headers, body, duration, w) for w in range(concurrency)]
        results = list(pool.map(_worker, jobs))
    latencies = sorted(x for r in results for x in r if x >= 0)
    errors = -sum(x for r in results for x in r if x < 0)
    if not latencies:
        return {"rps": 0.0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "n": 0, "errors": errors}

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 2)

    return {
        "rps": round(len(latencies) / duration, 1),
        "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2), "n": len(latencies), "errors": errors,
    }


# --- one database ----------------------------------------------------------------------------------


def bench_database(db: str, tickets: int, duration: float, workdir: Path) -> dict:
    env = {**os.environ, "DEBUG": "false", "KEFU_VAR_DIR": str(workdir / db)}
    # With Redis, `kefu serve` uses the production layout: granian WSGI workers for HTTP (+ uvicorn for sockets).
    env["REDIS_URL"] = os.environ.get("KEFU_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    if db == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{workdir / db / 'bench.sqlite3'}"
    else:
        name = "kefu_bench"
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        env["DATABASE_URL"] = PG_URL.format(name=name)
    print(f"[{db}] migrate + seed {tickets} tickets", flush=True)
    run([KEFU, "migrate", "-v", "0"], env)
    t0 = time.monotonic()
    run([KEFU, "seed", "--tickets", str(tickets)], env)
    seed_seconds = round(time.monotonic() - t0, 1)
    out = run([KEFU, "shell", "-c", SETUP_CODE], env).stdout
    info = json.loads(out.split("BENCH", 1)[1].strip().splitlines()[0])
    port = free_port()
    server_log = open(workdir / db / "serve.log", "w")  # noqa: SIM115 - closed with the server below
    server = subprocess.Popen([KEFU, "serve", "--port", str(port), "--workers", "2"], env=env,
                              stdout=server_log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(port)
        time.sleep(1.0)
        token = {"Authorization": f"Token {info['token']}", "Content-Type": "application/json",
                 "Host": "127.0.0.1"}
        cookie = {"Cookie": f"sessionid={info['session']}", "Host": "127.0.0.1"}
        scenarios = {
            "ceiling: empty view (login page)": ("GET", "/accounts/login/", {"Host": "127.0.0.1"}, "", 4),
            "API create ticket, c=1": ("POST", "/api/v1/tickets/", token, "ticket", 1),
            "API create ticket, c=8": ("POST", "/api/v1/tickets/", token, "ticket", 8),
            "queue first page": ("GET", "/agent/?view=all", cookie, "", 4),
            "queue filtered (status=open)": ("GET", "/agent/?view=all&status=open", cookie, "", 4),
            "queue full-text search": ("GET", "/agent/?view=all&q=%E9%80%80%E6%AC%BE", cookie, "", 4),
            "ticket page": ("GET", f"/agent/tickets/{info['ticket']}/", cookie, "", 4),
            "API ticket list": ("GET", "/api/v1/tickets/", token, "", 4),
        }
        results = {}
        for name, (method, path, headers, body, conc) in scenarios.items():
            load(port, method, path, headers, concurrency=1, duration=1.0, body=body)  # warm up
            results[name] = {"concurrency": conc, **load(port, method, path, headers, concurrency=conc,
                                                          duration=duration, body=body)}
            print(f"[{db}] {name}: {results[name]}", flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        server_log.close()
        errors = [line for line in (workdir / db / "serve.log").read_text().splitlines() if "Traceback" in line
                  or " 500 " in line or "ERROR" in line]
        if errors:
            print(f"[{db}] server log has {len(errors)} error lines, e.g. {errors[:3]}", flush=True)
    if db == "postgres":
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "kefu_bench"], check=False)
    return {"tickets": tickets, "seed_seconds": seed_seconds, "scenarios": results}


def markdown(report: dict) -> str:
    lines = [f"# Kefu bench {report['started']}", "",
             "| database | tickets | scenario | conc. | req/s | p50 ms | p95 ms | p99 ms | errors |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|"]
    for db, res in report["databases"].items():
        for name, r in res["scenarios"].items():
            lines.append(f"| {db} | {res['tickets']:,} | {name} | {r['concurrency']} | {r['rps']} | {r['p50_ms']} | "
                         f"{r['p95_ms']} | {r['p99_ms']} | {r['errors']} |")
        lines.append(f"| {db} | {res['tickets']:,} | seeding time (s) | | {res['seed_seconds']} | | | | |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10,000 tickets, 3 s per scenario")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--tickets", type=int, default=None)
    parser.add_argument("--duration", type=float, default=None)
    args = parser.parse_args()
    tickets = args.tickets or (10_000 if args.quick else 100_000)
    duration = args.duration or (3.0 if args.quick else 10.0)
    if tickets < 1 or duration <= 0:
        parser.error("--tickets and --duration must be positive")
    started = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    workdir = ROOT / "var" / "bench" / f"run-{started}"
    workdir.mkdir(parents=True, exist_ok=True)
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    report = {"started": started, "databases": {}}
    for db in dbs:
        (workdir / db).mkdir(exist_ok=True)
        report["databases"][db] = bench_database(db, tickets, duration, workdir)
    out = ROOT / "var" / "bench" / started
    out.with_suffix(".json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    table = markdown(report)
    out.with_suffix(".md").write_text(table)
    if not os.environ.get("KEFU_BENCH_KEEP"):
        shutil.rmtree(workdir, ignore_errors=True)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
