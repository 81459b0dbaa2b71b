"""`kefu worker`: run the Celery worker that executes Kefu's background jobs from the Redis queue."""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

NO_REDIS = "jobs run in-process without Redis; set REDIS_URL to run a separate worker"


class Command(BaseCommand):
    help = "Run the Celery worker for background jobs (needs REDIS_URL)."
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--pool",
            default="solo",
            choices=["solo", "prefork", "threads"],
            help="Celery pool (default solo)",
        )
        parser.add_argument(
            "--concurrency", type=int, default=1, help="parallel jobs (prefork/threads pools)"
        )
        parser.add_argument("--queues", default="", help="comma-separated queues to consume (default: all)")
        parser.add_argument("--loglevel", default="info", help="Celery log level (default info)")

    def handle(self, *args, pool: str, concurrency: int, queues: str, loglevel: str, **options) -> None:
        if not settings.REDIS_URL:
            raise CommandError(NO_REDIS, returncode=2)
        if concurrency < 1:
            raise CommandError(f"--concurrency must be at least 1, not {concurrency}")
        argv = celery_argv(pool=pool, concurrency=concurrency, queues=queues, loglevel=loglevel)
        self.stdout.write(f"Starting: {' '.join(argv[1:])}")
        sys.stdout.flush()
        os.execv(sys.executable, argv)  # become the worker: signals and exit code are Celery's own


def celery_argv(*, pool: str, concurrency: int, queues: str, loglevel: str) -> list[str]:
    argv = [sys.executable, "-m", "celery", "-A", "kefu.config.celery", "worker"]
    argv += [f"--pool={pool}", f"--concurrency={concurrency}", f"--loglevel={loglevel}"]
    if queues:
        argv.append(f"--queues={queues}")
    return argv
