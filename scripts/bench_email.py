"""E-mail intake benchmark: messages ingested per second from a real IMAP mailbox of mixed real-world mail,
and the memory high-water mark while one 50 MB message is fetched and stored.

    python scripts/bench_email.py [--db sqlite|postgres|both] [--messages 5000] [--big-mb 50]

The mailbox is a private Dovecot (the test suite's, kefu/connectors/email/tests/servers.py) whose maildir
is filled directly with N variations of every file in ../shared/data/email_fixtures (new Message-IDs, a
quarter of them replies to an earlier one, so threading runs too). Each run works in a scratch database
(SQLite file or PostgreSQL `kefu_email_bench`) in its own process, then `poll()` fetches the whole mailbox:
FETCH, parse, filters, intake, attachments, commit, mark \\Seen — exactly what the worker does.
Notification mails are switched off on the mailbox (there is no SMTP server to send them to).

Also a hook of scripts/bench.py (`measure(ctx)`): there it ingests into the bench database, next to its
seeded tickets, and adds its rows to the table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "data" / "email_fixtures"
PG_URL = "postgres://postgres@127.0.0.1:5432/kefu_email_bench"
_MSGID = re.compile(rb"^message-id:.*(?:\r?\n[ \t].*)*\r?\n", re.I | re.M)


def corpus_files() -> list[Path]:
    skip = {"README.md", "LICENSE"}
    return sorted(
        p
        for p in CORPUS.rglob("*")
        if p.is_file() and p.name not in skip and p.suffix != ".json" and not p.name.startswith("LICENSE")
    )


def vary(raw: bytes, i: int, run: str) -> bytes:
    """A new mail from a fixture: its own Message-ID; every fourth one answers the mail three before it."""
    cut = raw.find(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.find(b"\n\n")
    head, body = (raw[:cut], raw[cut:]) if cut >= 0 else (raw, b"")
    head = _MSGID.sub(b"", head + b"\n").rstrip(b"\r\n")
    extra = f"Message-ID: <bench-{run}-{i}@kefu.bench>\r\n"
    if i % 4 == 3:
        extra += f"In-Reply-To: <bench-{run}-{i - 3}@kefu.bench>\r\nReferences: <bench-{run}-{i - 3}@kefu.bench>\r\n"
    return extra.encode() + head + body


def big_mail(size: int) -> bytes:
    """One message of about `size` bytes: a short text and one large base64 attachment."""
    import base64

    payload = os.urandom(int(size * 0.74))
    encoded = base64.encodebytes(payload)
    return (
        b"From: Big Sender <big@example.com>\r\nTo: support@kefu.bench\r\nSubject: 50 MB attachment\r\n"
        b"Message-ID: <big-" + uuid.uuid4().hex.encode() + b"@kefu.bench>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'
        b"See the attached disk image.\r\n--b1\r\nContent-Type: application/octet-stream\r\n"
        b'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="disk.img"\r\n\r\n'
        + encoded.replace(b"\n", b"\r\n")
        + b"--b1--\r\n"
    )


# --- the worker (runs in its own process with the database chosen by DATABASE_URL) ------------------


def _django(fresh_db: bool) -> str:
    """Set Django up; with `fresh_db`, in a scratch database. Returns the original database name."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.config.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    if fresh_db:
        from django.db import connection

        scratch = Path(tempfile.gettempdir()) / "kefu_email_bench.sqlite3"
        name = str(scratch) if connection.vendor == "sqlite" else "kefu_email_bench"
        connection.settings_dict["TEST"]["NAME"] = settings.DATABASES["default"]["TEST"]["NAME"] = name
        original = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        return original
    return settings.DATABASES["default"]["NAME"]


def _dovecot(root: Path):
    from kefu.connectors.email.tests.servers import Dovecot, free_port

    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)
    server = Dovecot(root=root, port=free_port())
    server.start()
    return server


def _fill_maildir(server, mails: list[bytes]) -> None:
    """Write the mails straight into the user's maildir (much faster than 5,000 APPENDs)."""
    base = server.root / "mail" / server.user
    for sub in ("cur", "new", "tmp"):
        (base / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(base / sub, 0o777)
    os.chmod(base, 0o777)
    stamp = int(time.time())
    for i, raw in enumerate(mails):
        path = base / "new" / f"{stamp}.M{i}P{os.getpid()}.bench"
        path.write_bytes(raw)
        os.chmod(path, 0o666)


def _mailbox(server):
    from kefu.connectors.email.models import Mailbox

    return Mailbox.objects.create(
        name=f"bench-{uuid.uuid4().hex[:8]}",
        host="127.0.0.1",
        port=server.port,
        use_tls=False,
        username=server.user,
        password=server.password,
        from_address=f"support-{uuid.uuid4().hex[:6]}@kefu.bench",
        notifications_enabled=False,
    )


def worker_throughput(messages: int) -> dict:
    from kefu.connectors.email import fetch
    from kefu.tickets.models import Ticket

    files = [p.read_bytes() for p in corpus_files()]
    run = uuid.uuid4().hex[:8]
    mails = [vary(files[i % len(files)], i, run) for i in range(messages)]
    root = Path(tempfile.mkdtemp(prefix="kefu-bench-dovecot-"))
    server = _dovecot(root)
    try:
        _fill_maildir(server, mails)
        mailbox = _mailbox(server)
        timings: list[float] = []
        real = fetch.ingest_raw

        def timed(**kwargs):
            t = time.perf_counter()
            try:
                return real(**kwargs)
            finally:
                timings.append(time.perf_counter() - t)

        fetch.ingest_raw = timed
        tickets_before = Ticket.objects.count()
        started = time.perf_counter()
        report = fetch.poll(mailbox, limit=messages)
        wall = time.perf_counter() - started
        fetch.ingest_raw = real
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    timings.sort()
    return {
        "messages": report.fetched,
        "stored": report.stored,
        "duplicates": report.duplicates,
        "quarantined": report.quarantined,
        "new_tickets": Ticket.objects.count() - tickets_before,
        "wall_s": round(wall, 2),
        "rps": round(report.fetched / wall, 1),
        "pipeline_rps": round(len(timings) / sum(timings), 1),
        "p50_ms": round(statistics.median(timings) * 1000, 2),
        "p95_ms": round(timings[int(len(timings) * 0.95)] * 1000, 2),
        "p99_ms": round(timings[int(len(timings) * 0.99)] * 1000, 2),
        "corpus_files": len(files),
    }


def worker_big(megabytes: int) -> dict:
    from kefu.connectors.email import fetch
    from kefu.connectors.email.parse import parse
    from kefu.tickets.models import Attachment

    raw = big_mail(megabytes * 1_000_000)
    size = len(raw)
    root = Path(tempfile.mkdtemp(prefix="kefu-bench-dovecot-"))
    server = _dovecot(root)
    try:
        _fill_maildir(server, [raw])
        del raw
        mailbox = _mailbox(server)
        parse(b"From: a@b.c\r\nSubject: warm\r\n\r\nwarm up the imports\r\n")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        report = fetch.poll(mailbox, limit=1)
        wall = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    stored = Attachment.objects.filter(filename="disk.img").order_by("-id").first()
    return {
        "message_mb": round(size / 1_000_000, 1),
        "stored": report.stored,
        "attachment_mb": round(stored.size / 1_000_000, 1) if stored else 0,
        "wall_s": round(wall, 2),
        "rss_before_mb": round(before),
        "peak_rss_mb": round(peak),
        "peak_over_baseline_mb": round(peak - before),
    }


# --- the driver ---------------------------------------------------------------------------------------


def run_worker(env: dict, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if out.returncode != 0:
        raise RuntimeError(f"bench worker failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _env(database_url: str) -> dict:
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url
    env["ATTACHMENT_MAX_BYTES"] = str(64 * 1024 * 1024)  # the 50 MB mail's attachment is stored, not refused
    env.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    env.pop("REDIS_URL", None)
    return env


def measure(ctx: dict) -> dict:
    """Hook of scripts/bench.py: ingest into the bench database (with its seeded tickets)."""
    messages = 1000 if ctx.get("tickets", 0) and ctx["tickets"] < 100_000 else 5000
    env = dict(ctx["env"])
    env["ATTACHMENT_MAX_BYTES"] = str(64 * 1024 * 1024)
    r = run_worker(env, "--kind", "throughput", "--messages", str(messages))
    b = run_worker(env, "--kind", "big", "--big-mb", "50")
    return {
        f"e-mail intake over IMAP ({messages} mixed mails), msg/s": {
            "rps": r["rps"],
            "p50_ms": r["p50_ms"],
            "p95_ms": r["p95_ms"],
            "p99_ms": r["p99_ms"],
            "concurrency": 1,
        },
        f"e-mail 50 MB message: peak RSS {b['peak_rss_mb']} MB (+{b['peak_over_baseline_mb']} MB)": {
            "rps": round(1 / b["wall_s"], 2) if b["wall_s"] else 0,
            "p50_ms": round(b["wall_s"] * 1000),
            "p95_ms": "",
            "p99_ms": "",
            "concurrency": 1,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--big-mb", type=int, default=50)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--kind", choices=["throughput", "big"], help=argparse.SUPPRESS)
    parser.add_argument("--fresh-db", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        original = _django(fresh_db=args.fresh_db)
        try:
            result = (
                worker_throughput(args.messages) if args.kind == "throughput" else worker_big(args.big_mb)
            )
        finally:
            if args.fresh_db:
                from django.db import connection

                connection.creation.destroy_test_db(original, verbosity=0)
        print(json.dumps(result))
        return
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = {}
    for db in dbs:
        url = f"sqlite:///{tempfile.gettempdir()}/kefu_email_bench_main.sqlite3" if db == "sqlite" else PG_URL
        env = _env(url)
        print(f"[{db}] ingesting {args.messages} mails over IMAP …", file=sys.stderr)
        results[f"{db} throughput"] = run_worker(
            env, "--fresh-db", "--kind", "throughput", "--messages", str(args.messages)
        )
        print(f"[{db}] {results[f'{db} throughput']}", file=sys.stderr)
        results[f"{db} big"] = run_worker(env, "--fresh-db", "--kind", "big", "--big-mb", str(args.big_mb))
        print(f"[{db}] {results[f'{db} big']}", file=sys.stderr)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
