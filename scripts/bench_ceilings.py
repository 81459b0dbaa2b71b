"""Ceilings for `scripts/bench.py`: what this machine does with nothing of Kefu in the way.

- an empty Django view (a tiny generated project, Django's default middleware, no database query),
  served by granian WSGI with the flags `kefu serve` uses;
- a bare WSGI app under the same granian flags, and a bare ASGI app under uvicorn (one process, as
  `kefu serve` runs its ASGI child);
- the database's raw rate for the writes a ticket creation makes: one transaction per ticket inserting a
  ticket row and a message row into Kefu's own tables (with their indexes), straight through sqlite3 /
  psycopg, from worker processes like the HTTP load.
"""

from __future__ import annotations

import time
from pathlib import Path

BARE_WSGI = """
BODY = b'{"ok": true}'
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def app(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
"""

BARE_ASGI = """
BODY = b'{"ok": true}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
"""

EMPTY_SETTINGS = """
SECRET_KEY = "bench-ceiling-not-a-secret-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
                  "django.contrib.messages"]
# Django's default middleware (what `startproject` writes).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "emptyproj.urls"
DATABASES = {}
USE_TZ = True
"""

EMPTY_URLS = """
from django.http import JsonResponse
from django.urls import path


def empty(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("", empty)]
"""

EMPTY_WSGI = """
import os
from django.core.wsgi import get_wsgi_application
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emptyproj.settings")
application = get_wsgi_application()
"""


def write_apps(directory: Path) -> Path:
    """Write the three ceiling apps under `directory` (put it on PYTHONPATH); returns it."""
    (directory / "emptyproj").mkdir(parents=True, exist_ok=True)
    (directory / "bench_bare_wsgi.py").write_text(BARE_WSGI.lstrip())
    (directory / "bench_bare_asgi.py").write_text(BARE_ASGI.lstrip())
    (directory / "emptyproj" / "__init__.py").write_text("")
    (directory / "emptyproj" / "settings.py").write_text(EMPTY_SETTINGS.lstrip())
    (directory / "emptyproj" / "urls.py").write_text(EMPTY_URLS.lstrip())
    (directory / "emptyproj" / "wsgi.py").write_text(EMPTY_WSGI.lstrip())
    return directory


# --- raw database writes (run in worker processes) --------------------------------------------------


def _connect(database: str):
    if database.startswith("sqlite:"):
        import sqlite3

        # Kefu's pragmas and IMMEDIATE transactions, autocommit off: one explicit transaction per ticket.
        conn = sqlite3.connect(database[len("sqlite:") :], isolation_level=None, timeout=10)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=10000")
        return conn, "?", "BEGIN IMMEDIATE"
    import psycopg

    conn = psycopg.connect(
        f"host=127.0.0.1 user=postgres dbname={database[len('postgres:') :]}", autocommit=True
    )
    return conn, "%s", "BEGIN"


def _template(conn, table: str) -> tuple[list[str], list]:
    """Column names (without id) and the values of the newest row: a realistic row to insert again."""
    cur = conn.cursor()
    cur.execute(f"SELECT * FROM {table} ORDER BY id DESC LIMIT 1")  # noqa: S608 - fixed table names
    row = cur.fetchone()
    names = [d[0] for d in cur.description]
    keep = [i for i, n in enumerate(names) if n != "id"]
    return [names[i] for i in keep], [row[i] for i in keep]


def raw_write_worker(args: tuple) -> list[float]:
    """Insert ticket + message, one transaction each, for `duration` seconds; returns latencies (+ -errors)."""
    database, duration, worker_id = args
    conn, mark, begin = _connect(database)
    postgres = mark == "%s"
    if postgres:
        from psycopg.types.json import Jsonb
    t_cols, t_vals = _template(conn, "tickets_ticket")
    m_cols, m_vals = _template(conn, "tickets_message")
    if postgres:
        t_vals = [Jsonb(v) if isinstance(v, dict | list) else v for v in t_vals]
        m_vals = [Jsonb(v) if isinstance(v, dict | list) else v for v in m_vals]
    t_sql = f"INSERT INTO tickets_ticket ({', '.join(t_cols)}) VALUES ({', '.join([mark] * len(t_cols))})" + (
        " RETURNING id" if postgres else ""
    )
    m_sql = f"INSERT INTO tickets_message ({', '.join(m_cols)}) VALUES ({', '.join([mark] * len(m_cols))})"
    subject_at, ticket_at = t_cols.index("subject"), m_cols.index("ticket_id")
    for cols, vals in ((t_cols, t_vals), (m_cols, m_vals)):
        if "external_id" in cols:  # unique when set: insert the row again without it
            vals[cols.index("external_id")] = ""
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + duration
    i = 0
    cur = conn.cursor()
    while time.monotonic() < deadline:
        i += 1
        t_vals[subject_at] = f"压测工单 raw {worker_id}-{i}"
        start = time.perf_counter()
        try:
            cur.execute(begin)
            cur.execute(t_sql, t_vals)
            ticket_id = cur.fetchone()[0] if postgres else cur.lastrowid
            m_vals[ticket_at] = ticket_id
            cur.execute(m_sql, m_vals)
            cur.execute("COMMIT")
            latencies.append(time.perf_counter() - start)
        except Exception:  # noqa: BLE001 - count it, roll back, go on
            errors += 1
            try:
                cur.execute("ROLLBACK")
            except Exception:  # noqa: BLE001, S110
                pass
    conn.close()
    return latencies + [-errors]
