"""`kefu seed --tickets N`: generate many tickets fast, for benchmarks (COPY on PostgreSQL)."""

import argparse

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from kefu.core.demo.bulk import seed


def positive_int(raw: str) -> int:
    """An argparse type: a whole number of at least 1 (argparse turns the error into a clear message)."""
    return _whole(raw, minimum=1)


def non_negative_int(raw: str) -> int:
    return _whole(raw, minimum=0)


def _whole(raw: str, *, minimum: int) -> int:
    try:
        value = int(str(raw).replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number")
    if value < minimum:
        raise argparse.ArgumentTypeError(f"{value} is too small: the minimum is {minimum}")
    return value


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # data only: needs the database, not the URL map or templates
    help = "Bulk-create tickets (2–4 messages each) and customers for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=positive_int, required=True, help="how many tickets to create")
        parser.add_argument(
            "--customers",
            type=non_negative_int,
            default=None,
            help="new customers to create (default: one per ten tickets; 0 reuses existing customers)",
        )
        parser.add_argument("--batch", type=positive_int, default=10_000, help="tickets per transaction")
        parser.add_argument(
            "--days", type=positive_int, default=365, help="spread tickets over this many days"
        )
        parser.add_argument("--random-seed", type=int, default=None, help="make the data reproducible")

    def handle(self, *args, **options) -> None:
        tickets, customers, batch, days = (options.get(k) for k in ("tickets", "customers", "batch", "days"))
        _check("--tickets", tickets, 1)
        _check("--batch", batch, 1)
        _check("--days", days, 1)
        if customers is not None:
            _check("--customers", customers, 0)
        engine = "COPY" if connection.vendor == "postgresql" else "bulk_create"
        self.stdout.write(
            f"Seeding {tickets:,} tickets on {connection.vendor} ({engine}, {batch:,} per batch)…"
        )
        try:
            result = seed(
                tickets=tickets,
                customers=customers,
                batch=batch,
                days=days,
                rng_seed=options.get("random_seed"),
                progress=self.stdout.write,
            )
        except ValueError as exc:
            raise CommandError(str(exc))
        # Fresh statistics, so the planner picks the queue's partial indexes for the new rows at once. On
        # PostgreSQL also the visibility map a database in use has from autovacuum: without it no index-only
        # scan skips the table (at 1,000,000 tickets the supervisor dashboard was then several times slower).
        # VACUUM cannot run inside a transaction (a caller's atomic block, a test): then statistics only.
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)" if vacuum else "ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {result.tickets:,} tickets, {result.messages:,} messages, {result.tag_links:,} ticket tags and "
                f"{result.customers:,} customers in {result.seconds:.1f} s "
                f"({result.tickets / result.seconds:,.0f} tickets/s, {result.rows / result.seconds:,.0f} rows/s)."
            )
        )
        self.stdout.write("Seeded tickets bypass the services: run `kefu tickets_reindex` to make them searchable.")
        if result.new_logins:
            self.stdout.write(
                self.style.WARNING(
                    f"Created the demo staff ({', '.join(result.new_logins)}) with the public demo password: "
                    "never seed a database that real people use."
                )
            )


def _check(name: str, value, minimum: int) -> None:
    """call_command(…, tickets=-1) skips argparse's type check: validate here too."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise CommandError(f"{name} must be a whole number, not {value!r}")
    if value < minimum:
        raise CommandError(f"{name} must be at least {minimum}, not {value}")
