"""SLA sweep cost with N open tickets on PostgreSQL: only due rows are read, so it should not grow with N.

    .venv/bin/python scripts/bench_sla.py --tickets 100000 [--due 500] [--database-url postgres://...]

Seeds N tickets (`kefu seed`), gives every open one a clock row with its next deadline spread over the
next 30 days, makes `--due` of them due now, then times one sweep (warn/breach/escalate those) and an
empty sweep (nothing due). In-process timing: the sweep is a background job, not an HTTP request.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=500)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/kefu_bench_sla")
    args = parser.parse_args()

    env = {**os.environ, "DATABASE_URL": args.database_url, "REDIS_URL": "", "DEBUG": "false"}
    kefu = str(ROOT / ".venv" / "bin" / "kefu")
    dbname = args.database_url.rsplit("/", 1)[1]
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", dbname], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", dbname], check=True)
    subprocess.run([kefu, "migrate", "-v", "0"], env=env, check=True)
    started = time.perf_counter()
    subprocess.run([kefu, "seed", "--tickets", str(args.tickets)], env=env, check=True)
    print(f"seeded {args.tickets:,} tickets in {time.perf_counter() - started:.1f} s")

    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.utils import timezone

    from kefu.sla.models import TicketSla
    from kefu.sla.services import ensure_default_policies, sweep_sla
    from kefu.tickets.models import Ticket


    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
    # The seed spreads tickets over every status; the question is about open tickets, so open them all.
    Ticket.objects.exclude(status="open").update(status="open", solved_at=None, closed_at=None)
    policy = ensure_default_policies()[-1]
    now = timezone.now()
    rng = random.Random(7)
    open_ids = list(Ticket.objects.open().values_list("pk", flat=True))
    rows = []
    for index, pk in enumerate(open_ids):
        due = (
            now - timedelta(minutes=1)
            if index < args.due
            else now + timedelta(minutes=rng.randint(5, 43_200))
        )
        rows.append(
            TicketSla(
                ticket_id=pk,
                policy=policy,
                first_response_warn_at=due,
                first_response_due=due + timedelta(hours=1),
                next_deadline=due,
            )
        )
    TicketSla.objects.bulk_create(rows, batch_size=5000)
    print(f"{len(open_ids):,} open tickets with SLA clocks, {min(args.due, len(open_ids))} due now")

    started = time.perf_counter()
    claimed = 0
    while handled := sweep_sla(now=now):
        claimed += handled
    busy = time.perf_counter() - started
    started = time.perf_counter()
    sweep_sla(now=now)
    idle = time.perf_counter() - started
    print(
        f"sweep with {claimed} due of {len(open_ids):,} open: {busy * 1000:.0f} ms "
        f"({busy / max(claimed, 1) * 1000:.1f} ms per due ticket); empty sweep: {idle * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
