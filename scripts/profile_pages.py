"""CPU per request of the staff pages, measured in-process (issue 7): no server, no load generator, no network.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_pages python scripts/profile_pages.py
    python scripts/profile_pages.py --runs 200 --pages "ticket page" --profile "ticket page" --top 40
    python scripts/profile_pages.py --language en     # the same pages for a user who reads English

Each page is requested through the WSGI application of `kefu serve`'s workers (kefu.config.wsgi: every
middleware and context processor, DEBUG off, the same warm-up and garbage-collector settings) as a supervisor
signed in by a session cookie, against whatever database DATABASE_URL names (seed it with
`kefu seed --tickets N`). It reports per page the CPU time of the request (`time.process_time`: this
process only, so other tenants of a busy box barely move it), the wall time, the statements run and the
response's size. `--profile PAGE` also prints cProfile's top frames.

For paired before/after figures, run the same command against the old code (e.g. a `git archive` copy with
its catalogs compiled, this script copied into its scripts/) right before or after, on the same database.
"""

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("queue first page", "queue filtered", "queue search", "ticket page", "dashboard")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=100, help="measured requests per page (default 100)")
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured requests per page first")
    parser.add_argument(
        "--pages", default="", help="only pages whose name contains one of these ('|' between)"
    )
    parser.add_argument("--language", default="zh-hans", help="the signed-in user's language (zh-hans, en)")
    parser.add_argument(
        "--user", default="profile-pages", help="the supervisor to sign in as (made if missing)"
    )
    parser.add_argument(
        "--profile", default="", help="also run this page under cProfile and print its top frames"
    )
    parser.add_argument("--top", type=int, default=30, help="frames to print per cProfile listing")
    parser.add_argument("--sort", default="tottime", help="cProfile order: tottime (default) or cumulative")
    parser.add_argument(
        "--repeat", type=int, default=1, help="measure every page this many times, interleaved"
    )
    parser.add_argument(
        "--callers", default="", help="with --profile: also who calls the functions matching this"
    )
    parser.add_argument(
        "--save", default="", help="write each page's HTML here (CSRF tokens and nonces blanked) to diff"
    )
    parser.add_argument(
        "--at", default="2026-12-01T12:00:00+00:00", help="with --save: the time the pages show"
    )
    parser.add_argument(
        "--sql", action="store_true", help="print each page's statements and where Kefu runs them"
    )
    return parser.parse_args()


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))  # this checkout's kefu before any installed one
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.config.settings")
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()


def signed_in_user(username: str, language: str):
    """A supervisor (made once, with the bench's role) and a session cookie for them."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore

    from kefu.accounts import roles
    from kefu.accounts.models import User

    user, _made = User.objects.get_or_create(
        username=username, defaults={"is_staff": True, "display_name": "Profile"}
    )
    user.groups.add(Group.objects.get(name=roles.SUPERVISOR))
    User.objects.filter(pk=user.pk).update(language=language)
    user.refresh_from_db()
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return user, session.session_key


def page_paths() -> dict[str, str]:
    from django.urls import reverse

    from kefu.tickets.models import Ticket

    # The newest ticket, as the bench's ticket page scenario.
    ticket_id = Ticket.objects.order_by("-id").values_list("id", flat=True).first()
    return {
        "queue first page": "/agent/?view=all",
        "queue filtered": "/agent/?view=all&status=open",
        "queue search": "/agent/?view=all&q=%E9%80%80%E6%AC%BE",
        "ticket page": f"/agent/tickets/{ticket_id}/",
        "dashboard": reverse("analytics:dashboard"),
    }


class Requester:
    """GET requests through the WSGI handler, as a WSGI server would send them."""

    def __init__(self, session_key: str):
        # The WSGI workers' own application: warmed up, start-up objects frozen out of the collector.
        from kefu.config.wsgi import application

        self.handler = application
        self.cookie = f"sessionid={session_key}"
        self.statements = 0

    def environ(self, path: str) -> dict:
        import io

        parts = urlsplit(path)
        return {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": parts.path,
            "QUERY_STRING": parts.query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1:8000",
            "HTTP_COOKIE": self.cookie,
            "HTTP_ACCEPT": "text/html",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }

    def get(self, path: str) -> tuple[str, int]:
        status, _body = self.get_body(path)
        return status, len(_body)

    def get_body(self, path: str) -> tuple[str, bytes]:
        status = []
        result = self.handler(self.environ(path), lambda s, headers, exc_info=None: status.append(s))
        try:
            body = b"".join(result)
        finally:
            result.close()  # request_finished, as a server does
        return status[0], body


# What differs between two requests of the same page: CSRF tokens (masked anew each time), CSP nonces, the
# clock's "now" (relative times may also tick over a minute between two runs).
_VOLATILE = [
    (re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+'), rb"\1-"),
    (re.compile(rb'("X-CSRFToken": ")[^"]+'), rb"\1-"),
    (re.compile(rb'(data-sla-now-ms=")[0-9]+'), rb"\1-"),
    (re.compile(rb'( nonce=")[^"]+'), rb"\1-"),
]


def save_pages(requester: Requester, paths: dict[str, str], names: list[str], folder: str, at: str) -> None:
    """Each page as the browser gets it, at the moment `at` (ISO; all of Kefu asks django.utils.timezone)."""
    from datetime import datetime
    from unittest import mock

    moment = datetime.fromisoformat(at)
    Path(folder).mkdir(parents=True, exist_ok=True)
    for name in names:
        with mock.patch("django.utils.timezone.now", return_value=moment):
            _status, body = requester.get_body(paths[name])
        for pattern, replacement in _VOLATILE:
            body = pattern.sub(replacement, body)
        (Path(folder) / f"{name.replace(' ', '-')}.html").write_bytes(body)
    print(f"pages written to {folder}")


def count_statements(execute, sql, params, many, context, counter=[0]):  # noqa: B006 - a shared counter
    counter[0] += 1
    return execute(sql, params, many, context)


def show_statements(requester: Requester, path: str) -> None:
    """Each statement of one request, with the innermost Kefu frame (outside this script) that ran it."""
    import traceback

    from django.db import connection

    def wrapper(execute, sql, params, many, context):
        frames = [
            f
            for f in traceback.extract_stack()
            if "/kefu/" in f.filename and "profile_pages" not in f.filename
        ]
        where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno} {frames[-1].name}" if frames else "?"
        print(f"  {where:50} {sql[:110]}")
        return execute(sql, params, many, context)

    print(f"\nStatements of {path}:")
    with connection.execute_wrapper(wrapper):
        requester.get(path)


def measure(requester: Requester, path: str, runs: int, warmup: int) -> dict:
    from django.db import connection

    for _ in range(warmup):
        status, _size = requester.get(path)
        if not status.startswith("200"):
            raise SystemExit(f"{path}: {status}")
    cpu, wall = [], []
    counter = count_statements.__defaults__[0]
    counter[0] = 0
    with connection.execute_wrapper(count_statements):
        for _ in range(runs):
            c0, w0 = time.process_time(), time.perf_counter()
            _status, size = requester.get(path)
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
    return {
        "cpu_median": statistics.median(cpu),
        "cpu_mean": statistics.fmean(cpu),
        "cpu_p90": statistics.quantiles(cpu, n=10)[-1] if runs >= 10 else max(cpu),
        "wall_median": statistics.median(wall),
        "statements": counter[0] / runs,
        "bytes": size,
    }


def profile(requester: Requester, path: str, runs: int, top: int, sort: str, callers: str = "") -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        requester.get(path)
    profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs().sort_stats(sort)
    print(f"\ncProfile of {runs} requests of {path}, by {sort}:")
    stats.print_stats(top)
    if callers:
        stats.print_callers(callers)


def main() -> None:
    args = parse_args()
    setup_django()
    from django.db import connection

    user, session_key = signed_in_user(args.user, args.language)
    paths = page_paths()
    wanted = [name for name in PAGES if not args.pages or any(p in name for p in args.pages.split("|"))]
    requester = Requester(session_key)
    load = os.getloadavg()
    print(
        f"{connection.vendor} {connection.settings_dict['NAME']}, user {user.username} ({args.language}), "
        f"{args.runs} runs after {args.warmup} warm-up, load average {load[0]:.2f} {load[1]:.2f}"
    )
    print("| page | CPU ms median | mean | p90 | wall ms median | statements | bytes |")
    print("|---|---|---|---|---|---|---|")
    for _round in range(args.repeat):
        for name in wanted:
            r = measure(requester, paths[name], args.runs, args.warmup)
            print(
                f"| {name} | {r['cpu_median']:.2f} | {r['cpu_mean']:.2f} | {r['cpu_p90']:.2f} | "
                f"{r['wall_median']:.2f} | {r['statements']:.0f} | {r['bytes']:,} |",
                flush=True,
            )
    if args.save:
        save_pages(requester, paths, wanted, args.save, args.at)
    if args.sql:
        for name in wanted:
            show_statements(requester, paths[name])
    if args.profile:
        profile(requester, paths[args.profile], args.runs, args.top, args.sort, args.callers)


if __name__ == "__main__":
    main()
