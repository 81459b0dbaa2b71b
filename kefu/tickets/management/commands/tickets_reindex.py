"""`kefu tickets_reindex`: (re)build the ticket search index, e.g. after an upgrade, a bulk seed or a dictionary change."""

import time

from django.core.management.base import BaseCommand, CommandParser

from kefu.tickets.search import index_tickets


class Command(BaseCommand):
    help = "Index every ticket's subject and messages for full-text search (SQLite FTS5 or PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=1000, help="tickets per transaction")
        parser.add_argument(
            "--after", type=int, default=0, help="start after this ticket id (to resume an interrupted run)"
        )

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        batch = max(1, options["batch"])

        def progress(done: int, last: int) -> None:
            if done % (batch * 20) == 0:
                self.stdout.write(f"{done:,} tickets indexed (last id {last})")

        count = index_tickets(batch=batch, start_after=max(0, options["after"]), progress=progress)
        self.stdout.write(f"indexed {count:,} tickets in {time.monotonic() - started:.1f} s")
