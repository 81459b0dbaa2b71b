"""Kefu's benchmark: load from separate processes over HTTP against `kefu serve` (the production layout),
side by side with django-helpdesk (the peer) and with the machine's ceilings, in one run.

    python scripts/bench.py [--quick] [--db sqlite|postgres|both] [--tickets N] [--duration S]
                            [--no-peer] [--no-ceilings] [--profile "SCENARIO"]

For each database it migrates scratch databases, seeds N tickets in Kefu (`kefu seed`, COPY on PostgreSQL)
and the same tickets in django-helpdesk (scripts/bench_peer.py), starts `kefu serve` (DEBUG off; granian
WSGI workers, uvicorn for websockets, Redis DB 14) and then the peer under the same granian flags, and
measures with a load generator in its own processes (keep-alive HTTP/1.1 over raw sockets):
  - ticket creation through the API at concurrency 1, 8 and 32,
  - the agent queue's first page, a filtered queue, a full-text search, a ticket page, the API list,
    the supervisor dashboard when Kefu has one,
  - ceilings (scripts/bench_ceilings.py): an empty Django view, a bare WSGI and a bare ASGI app under the
    same servers, and the database's raw rate for a ticket's writes (ticket + message, one transaction each).
Each scenario also reports the CPU time one request costs each part of the setup (read from /proc: the
server's processes, Kefu's job worker once the jobs the scenario queued are done, every PostgreSQL process),
with a Kefu ÷ peer ratio: on a shared box other tenants slow a run down but barely change what a request costs.
Setup runs in parallel before any measurement; measurements run one at a time.
Writes var/bench/<timestamp>.json and .md and prints the Markdown table.

Hooks: a module scripts/bench_<name>.py (not _peer/_ceilings) may define
    kefu_scenarios(ctx) -> {name: (method, path, headers, body, concurrency)}   # HTTP against Kefu
    measure(ctx) -> {name: {"rps": ..., "p50_ms": ..., ...}}                   # anything else
where ctx is a dict: db, port, base_url, token, session, ticket, env (Kefu's environment), duration, tickets,
quick, budget_seconds (what the hook may spend per database). Their rows join the table; a hook that fails is
reported, not fatal. With --quick only hooks that set `QUICK = True` (they keep to budget_seconds) run.
"""

from __future__ import annotations

import argparse
import importlib
import json
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import traceback
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_ceilings  # noqa: E402
import bench_peer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
KEFU = str(VENV_BIN / "kefu")
PG_URL = "postgres://postgres@127.0.0.1:5432/{name}"
# Private names (--pg-db, KEFU_BENCH_REDIS_URL) let two benches share one PostgreSQL and one Redis.
KEFU_PG_DB = os.environ.get("KEFU_BENCH_PG_DB", "kefu_bench")
WORKERS = 2  # `kefu serve --workers` and the same for the peer and the ceilings
THREADS = 8  # `kefu serve --threads` default
CREATE_CONCURRENCY = [1, 8, 32]
READ_CONCURRENCY = 8
WARMUP = 0.3  # seconds of unrecorded requests before each measurement
REDIS_URL = os.environ.get("KEFU_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
PEER = "django-helpdesk"

SETUP_CODE = r"""
import json
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.urls import NoReverseMatch, reverse
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
dashboard = None
for name in ("analytics:dashboard", "workspace:dashboard", "workspace:supervisor", "reports:dashboard"):
    try:
        dashboard = reverse(name)
        break
    except NoReverseMatch:
        pass
print("BENCH" + json.dumps({"token": token.key, "session": s.session_key, "ticket": ticket_id,
                            "dashboard": dashboard}))
"""

KEFU_BODY = json.dumps(
    {
        "subject": "压测工单 {w}-{i}",
        "text": "订单三天未发货，请尽快处理。",
        "customer_email": "bench{w}-{m}@example.com",
        "customer_name": "压测客户",
    },
    ensure_ascii=False,
)


_T0 = time.monotonic()


def log(msg: str) -> None:
    print(f"{time.monotonic() - _T0:6.1f}s {msg}", flush=True)


def free_port() -> int:
    """A port whose next port is free too (`kefu serve` takes --port + 1 for websockets), picked below the
    kernel's ephemeral range: there, another process's outgoing connections (a chat bench holds thousands)
    may take port + 1 between this check and the server's start."""
    import random

    for _ in range(200):
        port = random.randrange(20_000, 32_000, 2)
        try:
            for candidate in (port, port + 1):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", candidate))
        except OSError:
            continue
        return port
    raise RuntimeError("no free pair of ports in 20000-32000")


def run(cmd: list[str], env: dict, **kw) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(cmd, env=env, check=True, text=True, capture_output=True, **kw)
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(
            f"{' '.join(cmd[:4])} failed:\n{exc.stdout[-2000:]}\n{exc.stderr[-4000:]}"
        ) from exc


def wait_for(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server for port {port} exited with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start")


# --- the load generator (runs in worker processes) -------------------------------------------------


def _read_response(sock: socket.socket, buf: bytearray) -> tuple[int, bool]:
    """Read one HTTP/1.1 response from `sock` (leftover bytes stay in buf); returns (status, keep-alive)."""
    while (end := buf.find(b"\r\n\r\n")) < 0:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("closed before the headers")
        buf += data
    head = bytes(buf[:end]).lower()
    del buf[: end + 4]
    status = int(head[9:12])
    keep = b"\r\nconnection: close" not in head
    at = head.find(b"\r\ncontent-length:")
    if at >= 0:
        stop = head.find(b"\r\n", at + 2)
        length = int(head[at + 17 : stop if stop > 0 else len(head)])
        while len(buf) < length:
            data = sock.recv(max(65536, length - len(buf)))
            if not data:
                raise ConnectionError("closed in the body")
            buf += data
        del buf[:length]
    elif b"\r\ntransfer-encoding: chunked" in head:
        while True:
            while (eol := buf.find(b"\r\n")) < 0:
                data = sock.recv(65536)
                if not data:
                    raise ConnectionError("closed in a chunk")
                buf += data
            size = int(bytes(buf[:eol]).split(b";")[0], 16)
            need = eol + 2 + size + 2
            while len(buf) < need:
                data = sock.recv(65536)
                if not data:
                    raise ConnectionError("closed in a chunk")
                buf += data
            del buf[:need]
            if size == 0:
                break
    else:
        while data := sock.recv(65536):
            pass
        keep = False
    return status, keep


def _worker(args: tuple) -> tuple[list[float], dict, float, int, float]:
    """One client connection: warm up for `warmup` s (unrecorded), then send requests for `duration` s.
    Returns the recorded latencies, the failures by kind, the recorded seconds, every request sent (warm-up
    included) and the CPU seconds this client process spent."""
    port, method, path, headers, body_template, duration, warmup, worker_id = args
    cpu_began = time.process_time()
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in headers.items()
    )

    def connect() -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", port), timeout=300)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    sock = connect()
    buf = bytearray()
    latencies: list[float] = []
    problems: dict[str, int] = {}
    began = time.monotonic()
    measuring = warmup <= 0
    deadline = began + (duration if measuring else warmup)
    i = 0
    while True:
        now = time.monotonic()
        if now >= deadline:
            if measuring:
                break
            measuring, began, latencies, problems = True, now, [], {}
            deadline = now + duration
        i += 1
        if body_template:
            body = (
                body_template.replace("{w}", str(worker_id))
                .replace("{i}", str(i))
                .replace("{m}", str(i % 50))
                .encode()
            )
            request = (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        else:
            request = (head + "\r\n").encode()
        start = time.perf_counter()
        try:
            sock.sendall(request)
            status, keep = _read_response(sock, buf)
            elapsed = time.perf_counter() - start
            if status < 400:
                latencies.append(elapsed)
            else:
                problems[str(status)] = problems.get(str(status), 0) + 1
            if not keep:
                sock.close()
                sock, buf = connect(), bytearray()
        except (OSError, ValueError) as exc:
            problems[type(exc).__name__] = problems.get(type(exc).__name__, 0) + 1
            sock.close()
            time.sleep(0.01)
            sock, buf = connect(), bytearray()
        if not measuring and i == 1 and time.perf_counter() - start > duration:
            # One request takes longer than the run: it already warmed the code, so count it.
            measuring, deadline = True, time.monotonic()
    sock.close()
    return latencies, problems, time.monotonic() - began, i, time.process_time() - cpu_began


_POOL: ProcessPoolExecutor | None = None


def pool() -> ProcessPoolExecutor:
    """One pool of client processes for the whole run (forkserver: cheap to start, no inherited threads)."""
    global _POOL
    if _POOL is None:
        _POOL = ProcessPoolExecutor(
            max_workers=max(CREATE_CONCURRENCY + [READ_CONCURRENCY, 8]),
            mp_context=multiprocessing.get_context("forkserver"),
        )
    return _POOL


def summarize(latencies: list[float], problems: dict, wall: float) -> dict:
    latencies = sorted(latencies)
    errors = sum(problems.values())
    if not latencies:
        return {
            "rps": 0.0,
            "p50_ms": None,
            "p95_ms": None,
            "p99_ms": None,
            "n": 0,
            "errors": errors,
            "error_kinds": problems,
        }

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 2)

    out = {
        "rps": round(len(latencies) / wall, 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2),
        "n": len(latencies),
        "errors": errors,
    }
    if problems:
        out["error_kinds"] = problems
    return out


def load(
    port: int,
    method: str,
    path: str,
    headers: dict,
    *,
    concurrency: int,
    duration: float,
    body: str = "",
    warmup: float = 0.0,
    meter: CpuMeter | None = None,
) -> dict:
    jobs = [(port, method, path, headers, body, duration, warmup, w) for w in range(concurrency)]
    before = meter.read() if meter else CpuReading()
    results = list(pool().map(_worker, jobs))
    if meter:
        meter.settle()
    problems: dict[str, int] = {}
    for _lat, p, _wall, _sent, _cpu in results:
        for k, v in p.items():
            problems[k] = problems.get(k, 0) + v
    wall = max(r[2] for r in results)
    out = summarize([x for r in results for x in r[0]], problems, wall)
    sent = sum(r[3] for r in results)
    if meter and sent:
        used = meter.read().since(before)
        out["cpu_ms"] = {name: round(1000 * seconds / sent, 2) for name, seconds in used.items()}
        out["cpu_ms"]["client"] = round(1000 * sum(r[4] for r in results) / sent, 2)
    return out


# --- CPU per request, by part ----------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _processes() -> list[tuple[int, int, str, float]]:
    """(pid, parent pid, name, CPU seconds used so far) of every process /proc shows."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(entry.path, "stat").read_text()
        except OSError:
            continue  # it ended meanwhile
        name_end = raw.rfind(")")
        rest = raw[name_end + 2 :].split()  # from field 3 (state): ppid is field 4, utime 14, stime 15
        found.append(
            (int(entry.name), int(rest[1]), raw[raw.find("(") + 1 : name_end], (int(rest[11]) + int(rest[12])) / _TICK)
        )
    return found


class CpuMeter:
    """CPU seconds used by the parts of a measured setup: each named process tree (a server with its
    workers, Kefu's job worker) and, when `database`, every PostgreSQL process of the machine (its server is
    shared: other tenants' queries count too). A process that ends during a scenario takes its CPU along.
    `settle` (when given) waits for work the scenario left behind (queued background jobs) before the
    second reading, so each request is charged with its whole cost."""

    def __init__(self, trees: dict[str, int], *, database: bool, settle=None) -> None:
        self.trees = trees
        self.database = database
        self._settle = settle

    def settle(self) -> None:
        if self._settle:
            self._settle()

    def read(self) -> CpuReading:
        processes = _processes()
        children: dict[int, list[int]] = {}
        for pid, parent, _name, _cpu in processes:
            children.setdefault(parent, []).append(pid)
        owner: dict[int, str] = {}
        for name, root in self.trees.items():
            stack = [root]
            while stack:
                pid = stack.pop()
                owner[pid] = name
                stack.extend(children.get(pid, ()))
        reading = CpuReading(dict.fromkeys([*self.trees, *(["database"] if self.database else [])], 0))
        for pid, _parent, name, cpu in processes:
            part = owner.get(pid) or ("database" if self.database and name == "postgres" else None)
            if part:
                reading.by_process[pid] = (part, cpu)
        return reading


class CpuReading:
    """CPU seconds used so far, per process, each with the part it belongs to."""

    def __init__(self, parts: dict[str, int] | None = None) -> None:
        self.parts = parts or {}
        self.by_process: dict[int, tuple[str, float]] = {}

    def since(self, before: CpuReading) -> dict[str, float]:
        """CPU seconds each part used since `before`: a process started meanwhile counts in full, one that
        ended meanwhile (a PostgreSQL connection closed) is left out rather than counted as negative."""
        used = {part: 0.0 for part in self.parts}
        for pid, (part, cpu) in self.by_process.items():
            earlier = before.by_process.get(pid)
            used[part] += cpu - (earlier[1] if earlier and earlier[0] == part else 0.0)
        return used


def wait_for_jobs(limit: float = 60.0) -> None:
    """Until Kefu's background jobs queued by a scenario are done (none queued, none in flight)."""
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL)
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            queued = client.llen("celery") + client.llen("kefu:listener-jobs")
            if not queued and not client.zcard("kefu:listener-jobs:in-flight"):
                return
            time.sleep(0.05)
        log(f"  background jobs still queued after {limit:.0f} s: their CPU is only partly counted")
    except Exception as exc:  # noqa: BLE001
        log(f"  (could not read the job queue at {REDIS_URL}: {exc})")


def measure_all(
    port: int, scenarios: dict, duration: float, label: str, meter: CpuMeter | None = None
) -> dict:
    results = {}
    for name, (method, path, headers, body, conc) in scenarios.items():
        r = load(
            port, method, path, headers, concurrency=conc, duration=duration, body=body, warmup=WARMUP, meter=meter
        )
        results[name] = {"concurrency": conc, **r}
        cpu = r.get("cpu_ms")
        log(
            f"  [{label}] {name}: {r['rps']} req/s, p50 {r['p50_ms']} p95 {r['p95_ms']} p99 {r['p99_ms']} ms"
            + (f", CPU ms/request {', '.join(f'{k} {v}' for k, v in cpu.items())}" if cpu else "")
            + (f", {r['errors']} errors {r.get('error_kinds')}" if r["errors"] else "")
        )
    return results


# --- servers ---------------------------------------------------------------------------------------


class Server:
    """A server process group started in its own session, stopped with the whole group."""

    def __init__(
        self, argv: list[str], env: dict, port: int, logfile: Path, cwd: Path | None = None, warm: str = "/"
    ):
        self.port = port
        self.logfile = logfile
        self._log = open(logfile, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            argv, env=env, stdout=self._log, stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True
        )
        wait_for(port, self.proc)
        # Workers import the application lazily: a few requests in parallel so every worker has loaded it.
        with ThreadPoolExecutor(max_workers=2 * WORKERS) as threads:
            list(threads.map(lambda _: self._get(warm), range(4 * WORKERS)))

    def _get(self, path: str) -> None:
        import http.client

        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            conn.request("GET", path, headers={"Host": "127.0.0.1", "Connection": "close"})
            conn.getresponse().read()
            conn.close()
        except (OSError, http.client.HTTPException):
            pass

    def stop(self) -> list[str]:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=8)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self._log.close()
        return [
            line
            for line in self.logfile.read_text(errors="replace").splitlines()
            if "Traceback" in line or " 500 " in line or "ERROR" in line
        ]

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        errors = self.stop()
        if errors:
            log(f"  server log {self.logfile.name} has {len(errors)} error lines, e.g. {errors[:3]}")


def granian_argv(python: str, target: str, port: int) -> list[str]:
    """Exactly the WSGI command `kefu serve` runs, with another interpreter and application."""
    from kefu.core.management.commands._serving import wsgi_child

    argv = wsgi_child("127.0.0.1", port, WORKERS, THREADS, access_log=False).argv
    return [python, *argv[1:-1], target]


# --- preparing the databases (in parallel, before any measurement) ---------------------------------


def kefu_env(db: str, workdir: Path) -> dict:
    env = {**os.environ, "DEBUG": "false", "KEFU_VAR_DIR": str(workdir / db), "REDIS_URL": REDIS_URL}
    if db == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{workdir / db / 'bench.sqlite3'}"
    else:
        env["DATABASE_URL"] = PG_URL.format(name=KEFU_PG_DB)
    return env


def recreate_pg(name: str) -> None:
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", name], check=True
    )
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)


def seeded_tickets(name: str) -> int:
    """Tickets already in the PostgreSQL database `name` (0 when it or its table is missing)."""
    out = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            name,
            "-Atc",
            "SELECT count(*) FROM tickets_ticket",
        ],
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip().isdigit() else 0


def prepare_kefu(db: str, tickets: int, workdir: Path, reuse: bool = False) -> dict:
    env = kefu_env(db, workdir)
    if db == "postgres" and reuse and (have := seeded_tickets(KEFU_PG_DB)) >= tickets:
        # --reuse-db: paired before/after runs on the same seeded rows; only new migrations are applied.
        t0 = time.monotonic()
        run([KEFU, "migrate", "-v", "0"], env)
        out = run([KEFU, "shell", "-c", SETUP_CODE], env).stdout
        info = json.loads(out.split("BENCH", 1)[1].strip().splitlines()[0])
        log(
            f"[{db}] Kefu: reusing {KEFU_PG_DB} ({have:,} tickets), migrated in {time.monotonic() - t0:.1f} s"
        )
        return {"env": env, "info": info, "migrate_seconds": None, "seed_seconds": None}
    if db == "postgres":
        recreate_pg(KEFU_PG_DB)
    t0 = time.monotonic()
    run([KEFU, "migrate", "-v", "0"], env)
    t1 = time.monotonic()
    run([KEFU, "seed", "--tickets", str(tickets), "--random-seed", "7"], env)
    t2 = time.monotonic()
    log(f"[{db}] Kefu: migrated in {t1 - t0:.1f} s, seeded {tickets:,} tickets in {t2 - t1:.1f} s; indexing…")
    # Seeded rows bypass the services: index them for the full-text search scenario (not timed as seeding).
    run([KEFU, "tickets_reindex", "--batch", "5000"], env)
    out = run([KEFU, "shell", "-c", SETUP_CODE], env).stdout
    info = json.loads(out.split("BENCH", 1)[1].strip().splitlines()[0])
    log(f"[{db}] Kefu: search index built in {time.monotonic() - t2:.1f} s")
    return {"env": env, "info": info, "migrate_seconds": round(t1 - t0, 1), "seed_seconds": round(t2 - t1, 1)}


def prepare_peer(db: str, workdir: Path, venv: Future, kefu: Future) -> dict:
    venv.result()
    database = (
        f"sqlite:{workdir / db / 'peer.sqlite3'}" if db == "sqlite" else f"postgres:{bench_peer.PEER_DB_NAME}"
    )
    if db == "postgres":
        recreate_pg(bench_peer.PEER_DB_NAME)
    env = bench_peer.peer_env(os.environ, database, workdir / db)
    t0 = time.monotonic()
    bench_peer.migrate(env)
    t1 = time.monotonic()
    k = kefu.result()
    source = f"sqlite:{workdir / db / 'bench.sqlite3'}" if db == "sqlite" else f"postgres:{KEFU_PG_DB}"
    info = bench_peer.seed_and_setup(env, source)
    t2 = time.monotonic()
    log(
        f"[{db}] {PEER}: migrated in {t1 - t0:.1f} s, copied {info['copied']:,} tickets "
        f"({info['followups']:,} follow-ups) in {t2 - t1:.1f} s"
    )
    del k
    return {"env": env, "info": info, "migrate_seconds": round(t1 - t0, 1), "seed_seconds": round(t2 - t1, 1)}


# --- measuring -------------------------------------------------------------------------------------


def kefu_scenarios(info: dict) -> dict:
    token = {"Authorization": f"Token {info['token']}", "Content-Type": "application/json"}
    cookie = {"Cookie": f"sessionid={info['session']}"}
    out = {
        f"API create ticket, c={c}": ("POST", "/api/v1/tickets/", token, KEFU_BODY, c)
        for c in CREATE_CONCURRENCY
    }
    out.update(
        {
            "queue first page": ("GET", "/agent/?view=all", cookie, "", READ_CONCURRENCY),
            "queue filtered (status=open)": (
                "GET",
                "/agent/?view=all&status=open",
                cookie,
                "",
                READ_CONCURRENCY,
            ),
            "queue full-text search": (
                "GET",
                "/agent/?view=all&q=%E9%80%80%E6%AC%BE",
                cookie,
                "",
                READ_CONCURRENCY,
            ),
            "ticket page": ("GET", f"/agent/tickets/{info['ticket']}/", cookie, "", READ_CONCURRENCY),
            # One user at a time: the page's own latency, without waiting behind 7 others for 2 cores.
            "queue first page, c=1": ("GET", "/agent/?view=all", cookie, "", 1),
            "ticket page, c=1": ("GET", f"/agent/tickets/{info['ticket']}/", cookie, "", 1),
            "API ticket list": ("GET", "/api/v1/tickets/", token, "", READ_CONCURRENCY),
        }
    )
    if info.get("dashboard"):
        out["supervisor dashboard"] = ("GET", info["dashboard"], cookie, "", READ_CONCURRENCY)
    # Every read page alone too: issue 7's latency goal is about one user's wait, not the queueing of eight.
    for name in ("queue filtered (status=open)", "queue full-text search", "supervisor dashboard"):
        if name in out:
            method, path, headers, body, _conc = out[name]
            out[f"{name}, c=1"] = (method, path, headers, body, 1)
    return out


def hook_modules() -> list:
    mods = []
    for path in sorted(Path(__file__).resolve().parent.glob("bench_*.py")):
        if path.stem in ("bench_peer", "bench_ceilings"):
            continue
        try:
            mod = importlib.import_module(path.stem)
            if hasattr(mod, "measure") or hasattr(mod, "kefu_scenarios"):
                mods.append(mod)
        except Exception:  # noqa: BLE001 - a broken hook must not stop the bench
            log(f"  hook {path.name} failed to import:\n{traceback.format_exc(limit=3)}")
    return mods


def bench_kefu(
    db: str, prep: dict, duration: float, tickets: int, workdir: Path, profile: str | None, opts: dict
) -> dict:
    port = free_port()
    argv = [KEFU, "serve", "--port", str(port), "--workers", str(WORKERS), "--threads", str(THREADS)]
    scenarios = kefu_scenarios(prep["info"])
    ctx = {
        "db": db,
        "port": port,
        "base_url": f"http://127.0.0.1:{port}",
        "env": prep["env"],
        "duration": duration,
        "tickets": tickets,
        "quick": opts["quick"],
        # What a hook may spend per database: keep `make bench-quick` under 5 minutes in all.
        "budget_seconds": 15 if opts["quick"] else 120,
        **prep["info"],
    }
    hooks = [] if opts["no_hooks"] else hook_modules()
    if opts["quick"] and not opts["hooks"]:
        # `make bench-quick` must stay under 5 minutes: only hooks that promise to keep to the budget run.
        for mod in [m for m in hooks if not getattr(m, "QUICK", False)]:
            hooks.remove(mod)
            opts["skipped_hooks"].add(mod.__name__)
    for mod in hooks:
        if hasattr(mod, "kefu_scenarios"):
            try:
                scenarios.update(mod.kefu_scenarios(ctx))
            except Exception:  # noqa: BLE001
                log(f"  hook {mod.__name__}.kefu_scenarios failed:\n{traceback.format_exc(limit=3)}")
    if opts.get("only"):
        scenarios = {name: v for name, v in scenarios.items() if any(part in name for part in opts["only"])}
    results: dict = {}
    # Background jobs (routing, SLA clocks, notifications) go to Redis: a `kefu worker` on the same
    # machine does them, so the machine does all of Kefu's work while the requests are measured.
    worker_log = open(workdir / db / "kefu-worker.log", "w")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(
        [KEFU, "worker", "--loglevel", "warning"],
        env=prep["env"],
        stdout=worker_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        with Server(
            argv, prep["env"], port, workdir / db / "kefu-serve.log", warm="/accounts/login/"
        ) as server:
            meter = CpuMeter(
                {"server": server.proc.pid, "jobs": worker.pid}, database=db == "postgres", settle=wait_for_jobs
            )
            results.update(
                _measure_kefu(server, scenarios, hooks, ctx, profile, duration, workdir, db, opts, meter)
            )
        log(f"  [{db} Kefu] background jobs still queued when the load stopped: {pending_jobs()}")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
        worker_log.close()
    return results


def pending_jobs() -> int | None:
    """Jobs waiting in the Celery queue (Redis list `celery`) and in Kefu's queue of background listener jobs
    (kefu.core.job_queue), or None when Redis cannot be read."""
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        return int(client.llen("celery")) + int(client.llen("kefu:listener-jobs"))
    except Exception:  # noqa: BLE001
        return None


def _measure_kefu(server, scenarios, hooks, ctx, profile, duration, workdir, db, opts, meter) -> dict:
    results: dict = {}
    if profile:
        results.update(profile_scenario(server, scenarios, profile, duration, workdir, db))
    results.update(measure_all(server.port, scenarios, duration, f"{db} Kefu", meter))
    for mod in hooks:
        if not hasattr(mod, "measure"):
            continue
        started = time.monotonic()
        try:
            for name, r in mod.measure(ctx).items():
                results[name] = {"concurrency": r.get("concurrency", ""), "errors": 0, **r}
                log(f"  [{db} hook {mod.__name__}] {name}: {r.get('rps')} /s, p50 {r.get('p50_ms')} ms")
        except Exception:  # noqa: BLE001
            log(f"  hook {mod.__name__}.measure failed:\n{traceback.format_exc(limit=3)}")
        opts["hook_seconds"][mod.__name__] = opts["hook_seconds"].get(mod.__name__, 0) + round(
            time.monotonic() - started, 1
        )
    return results


def profile_scenario(
    server: Server, scenarios: dict, name: str, duration: float, workdir: Path, db: str
) -> dict:
    """Run one scenario under py-spy (all granian workers), write a flame graph and the top frames."""
    pyspy = shutil.which("py-spy", path=str(VENV_BIN)) or shutil.which("py-spy")
    if not pyspy or name not in scenarios:
        log(f"  profile skipped: {'py-spy not installed' if not pyspy else f'no scenario {name!r}'}")
        return {}
    method, path, headers, body, conc = scenarios[name]
    out = ROOT / "var" / "bench" / f"profile-{db}-{name.replace(' ', '_').replace(',', '').replace('=', '')}"
    load(server.port, method, path, headers, concurrency=min(conc, 4), duration=1.0, body=body)  # warm up
    spy = subprocess.Popen(
        [
            pyspy,
            "record",
            "--pid",
            str(server.proc.pid),
            "--subprocesses",
            "--rate",
            "250",
            "--duration",
            str(int(duration * 2) + 2),
            "--format",
            "raw",
            "--output",
            str(out) + ".txt",
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    time.sleep(1.0)
    r = load(server.port, method, path, headers, concurrency=conc, duration=duration * 2, body=body)
    spy.wait()
    top = profile_summary(Path(str(out) + ".txt"))
    Path(str(out) + ".md").write_text(
        f"# py-spy: {name} on {db} ({r['rps']} req/s while sampled)\n\n" + top + "\n"
    )
    log(f"  profiled {name!r} ({r['rps']} req/s under py-spy): {out}.txt (collapsed stacks), {out}.md\n{top}")
    return {}


def profile_summary(path: Path, limit: int = 25) -> str:
    """The Kefu and template frames with the largest share of the request workers' samples (inclusive)."""
    import re
    from collections import Counter

    inclusive: Counter = Counter()
    total = 0
    if not path.exists():
        return "(no samples)"
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if "granian" not in stack or not count.isdigit():
            continue  # only the WSGI workers, not the supervisor or the websocket process
        total += int(count)
        seen = set()
        for frame in stack.split(";"):
            frame = re.sub(r"\(/[^)]*?/(kefu|django|rest_framework)/", r"(\1/", frame)
            if ("kefu/" in frame or "template" in frame or "sql" in frame) and frame not in seen:
                seen.add(frame)
                inclusive[frame] += int(count)
    if not total:
        return "(no samples)"
    rows = [f"| {100 * n / total:.1f}% | `{frame}` |" for frame, n in inclusive.most_common(limit)]
    return "\n".join([f"{total} samples in the WSGI workers", "", "| share | frame |", "|---:|---|", *rows])


def bench_peer_db(db: str, prep: dict, duration: float, tickets: int, workdir: Path) -> dict:
    port = free_port()
    argv = granian_argv(str(bench_peer.peer_python()), "peerproj.wsgi:application", port)
    scenarios = bench_peer.scenarios(
        prep["info"], {"create": CREATE_CONCURRENCY, "read": READ_CONCURRENCY}, tickets
    )
    with Server(
        argv, prep["env"], port, workdir / db / "peer-serve.log", cwd=bench_peer.PROJECT, warm="/login/"
    ) as server:
        meter = CpuMeter({"server": server.proc.pid}, database=db == "postgres")
        return measure_all(port, scenarios, duration, f"{db} {PEER}", meter)


def bench_http_ceilings(duration: float, workdir: Path) -> dict:
    apps = bench_ceilings.write_apps(workdir / "ceilings")
    env = {**os.environ, "PYTHONPATH": str(apps), "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    python = str(VENV_BIN / "python")
    layouts = {
        "empty Django view (granian WSGI)": granian_argv(python, "emptyproj.wsgi:application", 0),
        "bare WSGI app (granian WSGI)": granian_argv(python, "bench_bare_wsgi:app", 0),
        "bare ASGI app (uvicorn, 1 process)": [
            python,
            "-m",
            "uvicorn",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-access-log",
            "--lifespan",
            "off",
            "bench_bare_asgi:app",
        ],
    }
    results = {}
    for name, argv in layouts.items():
        port = free_port()
        argv = [str(port) if (a == "0" and argv[i - 1] == "--port") else a for i, a in enumerate(argv)]
        with Server(argv, env, port, workdir / f"ceiling-{len(results)}.log", cwd=apps):
            results.update(
                measure_all(port, {name: ("GET", "/", {}, "", READ_CONCURRENCY)}, duration, "ceiling")
            )
    return results


def bench_raw_writes(db: str, duration: float, workdir: Path) -> dict:
    database = f"sqlite:{workdir / db / 'bench.sqlite3'}" if db == "sqlite" else f"postgres:{KEFU_PG_DB}"
    results = {}
    for conc in (1, 8):
        out = list(
            pool().map(bench_ceilings.raw_write_worker, [(database, duration, w) for w in range(conc)])
        )
        latencies = [x for r in out for x in r if x >= 0]
        errors = -sum(x for r in out for x in r if x < 0)
        r = {"concurrency": conc, **summarize(latencies, {"db error": errors} if errors else {}, duration)}
        name = f"raw DB write (ticket + message, 1 tx each), c={conc}"
        results[name] = r
        log(f"  [{db} ceiling] {name}: {r['rps']} writes/s, p50 {r['p50_ms']} p95 {r['p95_ms']} ms")
    return results


def flush_redis() -> None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
    except Exception as exc:  # noqa: BLE001 - Redis is optional for the bench itself
        log(f"(could not flush {REDIS_URL}: {exc})")


# --- the report ------------------------------------------------------------------------------------


def _lat(r: dict | None) -> str:
    if not r or r.get("p50_ms") is None:
        return "–"
    return f"{r['p50_ms']} / {r['p95_ms']} / {r['p99_ms']}"


def _rps(r: dict | None) -> str:
    if not r:
        return "–"
    errs = f" ({r['errors']} err)" if r.get("errors") else ""
    return f"{r['rps']:,}{errs}"


def _ratio(k: dict | None, p: dict | None) -> str:
    if not k or not p or not p.get("rps"):
        return "–"
    text = f"**{k['rps'] / p['rps']:.1f}×**" if k.get("rps") else "0×"
    if k.get("p95_ms") and p.get("p95_ms"):
        text += f" (p95 {k['p95_ms'] / p['p95_ms']:.2f}×)"
    return text


CEILING_PAIRS = [  # (ceiling, Kefu scenario it bounds)
    ("empty Django view (granian WSGI)", "API create ticket, c=8"),
    ("empty Django view (granian WSGI)", "queue first page"),
    ("empty Django view (granian WSGI)", "ticket page"),
    ("bare WSGI app (granian WSGI)", "queue first page"),
    ("bare ASGI app (uvicorn, 1 process)", None),
    ("raw DB write (ticket + message, 1 tx each), c=1", "API create ticket, c=1"),
    ("raw DB write (ticket + message, 1 tx each), c=8", "API create ticket, c=8"),
]


def markdown(report: dict) -> str:
    lines = [
        f"# Kefu bench {report['started']}",
        "",
        f"{report['tickets']:,} tickets, {report['duration']} s per scenario, {WORKERS} granian WSGI workers × "
        f"{THREADS} threads for every server; load from separate processes over keep-alive HTTP/1.1.",
        f"Peer: {PEER} {report.get('peer_versions', {}).get('django-helpdesk', '?')} "
        f"(Django {report.get('peer_versions', {}).get('django', '?')}, "
        f"Python {report.get('peer_versions', {}).get('python', '?')}). "
        f"Kefu ÷ {PEER}: throughput ratio (>1: Kefu faster); in brackets Kefu's p95 ÷ the peer's (<1: Kefu faster).",
        "",
        f"| database | scenario | conc. | Kefu req/s | Kefu p50 / p95 / p99 ms | {PEER} req/s | "
        f"{PEER} p50 / p95 / p99 ms | Kefu ÷ {PEER} |",
        "|---|---|---:|---:|---|---:|---|---|",
    ]
    for db, res in report["databases"].items():
        kefu, peer = res.get("kefu", {}), res.get("peer", {})
        for name in list(kefu) + [n for n in peer if n not in kefu]:
            k, p = kefu.get(name), peer.get(name)
            conc = (k or p or {}).get("concurrency", "")
            if k and p and k.get("concurrency") != p.get("concurrency"):
                conc = f"{k['concurrency']} / {p['concurrency']}"
            lines.append(
                f"| {db} | {name} | {conc} | {_rps(k)} | {_lat(k)} | {_rps(p)} | {_lat(p)} | {_ratio(k, p)} |"
            )
        lines.append(
            f"| {db} | seeding {report['tickets']:,} tickets (s) | | {res.get('kefu_seed_seconds', '–')} | | "
            f"{res.get('peer_seed_seconds', '–')} | | |"
        )
    lines += cpu_lines(report)
    ceilings = report.get("ceilings", {})
    if ceilings:
        lines += [
            "",
            "## Ceilings: how close Kefu gets",
            "",
            "| database | ceiling | conc. | ceiling req/s | p50 / p95 / p99 ms | Kefu scenario | Kefu req/s | "
            "Kefu ÷ ceiling |",
            "|---|---|---:|---:|---|---|---:|---:|",
        ]
        for db, res in report["databases"].items():
            kefu = res.get("kefu", {})
            for ceiling, scenario in CEILING_PAIRS:
                c = ceilings.get(ceiling) or res.get("ceilings", {}).get(ceiling)
                if not c:
                    continue
                k = kefu.get(scenario) if scenario else None
                share = f"{100 * k['rps'] / c['rps']:.1f}%" if k and c.get("rps") else "–"
                where = db if ceiling in res.get("ceilings", {}) else f"({db})"
                lines.append(
                    f"| {where} | {ceiling} | {c['concurrency']} | {_rps(c)} | {_lat(c)} | {scenario or '–'} | "
                    f"{_rps(k) if k else '–'} | {share} |"
                )
    goals = goal_lines(report)
    if goals:
        lines += ["", "## Goals (issue 7)", "", *goals]
    if report.get("notes"):
        lines += ["", "## Notes", "", *[f"- {n}" for n in report["notes"]]]
    return "\n".join(lines) + "\n"


def _cpu_total(r: dict | None) -> float | None:
    """The machine's CPU for one request, apart from the load generator's (ms)."""
    cpu = (r or {}).get("cpu_ms")
    return round(sum(v for k, v in cpu.items() if k != "client"), 2) if cpu else None


def cpu_lines(report: dict) -> list[str]:
    """CPU per request by part: steadier than req/s on a shared box (other tenants slow a run down but
    barely change what one request costs), and it says what bounds the throughput."""
    rows = []
    for db, res in report["databases"].items():
        kefu, peer = res.get("kefu", {}), res.get("peer", {})
        for name, k in kefu.items():
            if not k.get("cpu_ms"):
                continue
            kc, p = k["cpu_ms"], peer.get(name)
            pc = (p or {}).get("cpu_ms") or {}
            k_total, p_total = _cpu_total(k), _cpu_total(p)
            ratio = f"**{p_total / k_total:.1f}×**" if k_total and p_total else "–"
            rows.append(
                f"| {db} | {name} | {kc.get('server', '–')} | {kc.get('jobs', '–')} | {kc.get('database', '–')} | "
                f"**{k_total}** | {pc.get('server', '–')} | {pc.get('database', '–')} | "
                f"{p_total if p_total is not None else '–'} | {ratio} |"
            )
    if not rows:
        return []
    return [
        "",
        "## CPU per request (ms)",
        "",
        "CPU time of each part's processes during the scenario (warm-up included) ÷ every request sent, after the "
        "background jobs it queued are done. Server: the WSGI workers (with SQLite, the database's work too); jobs: "
        "Kefu's worker; database: all PostgreSQL processes of the machine. The load generator's own CPU is left "
        f"out. Kefu ÷ {PEER}: how many times less CPU a request costs in Kefu.",
        "",
        f"| database | scenario | Kefu server | Kefu jobs | Kefu database | Kefu total | {PEER} server | "
        f"{PEER} database | {PEER} total | Kefu ÷ {PEER} |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
        *rows,
    ]


def goal_lines(report: dict) -> list[str]:
    out = []
    empty = report.get("ceilings", {}).get("empty Django view (granian WSGI)")
    for db, res in report["databases"].items():
        kefu, peer = res.get("kefu", {}), res.get("peer", {})
        for c in CREATE_CONCURRENCY:
            k, p = kefu.get(f"API create ticket, c={c}"), peer.get(f"API create ticket, c={c}")
            if k and p and p.get("rps"):
                verdict = "met" if k["rps"] >= 10 * p["rps"] else "NOT met"
                out.append(
                    f"- {db}: create c={c}: Kefu {k['rps']:,} vs {PEER} {p['rps']:,} req/s = "
                    f"{k['rps'] / p['rps']:.1f}× (goal ≥ 10×: {verdict})"
                )
        k = kefu.get("API create ticket, c=8")
        if k and empty and empty.get("rps"):
            share = k["rps"] / empty["rps"]
            out.append(
                f"- {db}: create c=8 is {100 * share:.1f}% of the empty Django view "
                f"(goal ≥ 33%: {'met' if share >= 1 / 3 else 'NOT met'})"
            )
        for name in ("queue first page", "queue first page, c=1", "ticket page", "ticket page, c=1"):
            k = kefu.get(name)
            if k and k.get("p95_ms") is not None:
                out.append(
                    f"- {db}: {name} p95 {k['p95_ms']} ms at {report['tickets']:,} tickets, c={k['concurrency']} "
                    f"(goal ≤ 50 ms at 1,000,000 on PostgreSQL: {'within' if k['p95_ms'] <= 50 else 'over'} "
                    f"at this size)"
                )
    return out


def main() -> int:
    global KEFU_PG_DB
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="10,000 tickets, 1.5 s per scenario")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--tickets", type=int, default=None)
    parser.add_argument("--duration", type=float, default=None)
    parser.add_argument("--no-peer", action="store_true", help=f"skip {PEER}")
    parser.add_argument("--no-ceilings", action="store_true", help="skip the ceilings")
    parser.add_argument("--profile", metavar="SCENARIO", help="also run this Kefu scenario under py-spy")
    parser.add_argument("--no-hooks", action="store_true", help="skip the scripts/bench_<name>.py hooks")
    parser.add_argument(
        "--hooks", action="store_true", help="with --quick, run every hook (not only QUICK = True)"
    )
    parser.add_argument(
        "--only",
        metavar="TEXT",
        help="measure only Kefu's scenarios whose name contains TEXT ('|' between several)",
    )
    parser.add_argument(
        "--pg-db", default=KEFU_PG_DB, help="Kefu's PostgreSQL database (default %(default)s)"
    )
    parser.add_argument("--keep-db", action="store_true", help="keep Kefu's PostgreSQL database afterwards")
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help="measure an already seeded --pg-db (no re-seeding) and keep it",
    )
    args = parser.parse_args()
    KEFU_PG_DB = args.pg_db
    tickets = args.tickets or (10_000 if args.quick else 100_000)
    duration = args.duration or (1.5 if args.quick else 10.0)
    if tickets < 1 or duration <= 0:
        parser.error("--tickets and --duration must be positive")
    t_start = time.monotonic()
    started = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    workdir = ROOT / "var" / "bench" / f"run-{started}"
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for db in dbs:
        (workdir / db).mkdir(parents=True, exist_ok=True)
    report: dict = {
        "started": started,
        "tickets": tickets,
        "duration": duration,
        "workers": WORKERS,
        "threads": THREADS,
        "databases": {db: {} for db in dbs},
        "notes": [],
    }
    flush_redis()
    opts = {
        "quick": args.quick,
        "no_hooks": args.no_hooks,
        "hooks": args.hooks,
        "hook_seconds": {},
        "skipped_hooks": set(),
        "only": [part.strip() for part in args.only.split("|")] if args.only else None,
    }

    log(f"Preparing {', '.join(dbs)} with {tickets:,} tickets (in parallel)…")
    with ThreadPoolExecutor(max_workers=4) as pool:
        venv = pool.submit(bench_peer.ensure_venv, log) if not args.no_peer else None
        if venv:
            bench_peer.write_project()
        kefu_prep = {db: pool.submit(prepare_kefu, db, tickets, workdir, args.reuse_db) for db in dbs}
        peer_prep = (
            {db: pool.submit(prepare_peer, db, workdir, venv, kefu_prep[db]) for db in dbs} if venv else {}
        )
        kefu_ready = {db: f.result() for db, f in kefu_prep.items()}
        peer_ready = {db: f.result() for db, f in peer_prep.items()}
    if venv:
        report["peer_versions"] = venv.result()
        report["notes"] += bench_peer.NOTES
    report["setup_seconds"] = round(time.monotonic() - t_start, 1)
    log(f"Setup took {report['setup_seconds']} s; measuring…")

    if not args.no_ceilings:
        report["ceilings"] = bench_http_ceilings(duration, workdir)
    for db in dbs:
        res = report["databases"][db]
        res["kefu_seed_seconds"] = kefu_ready[db]["seed_seconds"]
        res["kefu"] = bench_kefu(db, kefu_ready[db], duration, tickets, workdir, args.profile, opts)
        if not kefu_ready[db]["info"].get("dashboard"):
            note = "Kefu has no supervisor dashboard yet (no URL in kefu/workspace): that row is the peer's alone."
            if note not in report["notes"]:
                report["notes"].append(note)
        if not args.no_ceilings:
            res["ceilings"] = bench_raw_writes(db, duration, workdir)
        if db in peer_ready:
            res["peer_seed_seconds"] = peer_ready[db]["seed_seconds"]
            res["peer"] = bench_peer_db(db, peer_ready[db], duration, tickets, workdir)
    report["notes"].append(
        "The bare-app ceilings are bounded by the Python load generator sharing the 2 cores: "
        "read them as the most this client can measure here, not as the servers' limit."
    )
    for db in dbs:
        if db == "postgres":
            # Drop only what this run made: the peer's database when the peer ran, Kefu's unless kept.
            keep_kefu = args.keep_db or args.reuse_db
            ours = ([] if keep_kefu else [KEFU_PG_DB]) + (
                [bench_peer.PEER_DB_NAME] if db in peer_ready else []
            )
            for name in ours:
                subprocess.run(
                    ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", name],
                    check=False,
                    capture_output=True,
                )
    flush_redis()
    if _POOL is not None:
        _POOL.shutdown()
    report["total_seconds"] = round(time.monotonic() - t_start, 1)
    for name, seconds in opts["hook_seconds"].items():
        report["notes"].append(f"Hook {name} took {seconds} s of the run.")
    for name in sorted(opts["skipped_hooks"]):
        report["notes"].append(
            f"Hook {name} skipped in --quick (it does not set QUICK = True); `make bench` runs it."
        )
    report["notes"].append(f"Whole run: {report['total_seconds']} s (setup {report['setup_seconds']} s).")
    out = ROOT / "var" / "bench" / started
    out.with_suffix(".json").write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    table = markdown(report)
    out.with_suffix(".md").write_text(table)
    if not os.environ.get("KEFU_BENCH_KEEP"):
        shutil.rmtree(workdir, ignore_errors=True)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
