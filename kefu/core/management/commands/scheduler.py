"""`kefu scheduler`: run the periodic jobs of Kefu's one schedule (`beat_schedule` in kefu.config.celery).

Without Redis (the embedded default) each due job runs here, in this process, so a demo sweeps SLA
deadlines and polls mailboxes with no broker; `kefu serve` starts this command as a child for that.
With REDIS_URL it only queues due jobs for `kefu worker`, like Celery beat: run one per deployment.
Running two by mistake is harmless, only wasteful: every periodic job claims its work with
conditional updates or unique constraints, never by trusting that it runs alone.
"""

from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import FrameType

from celery.schedules import crontab, maybe_schedule
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

logger = logging.getLogger("kefu.scheduler")


@dataclass
class Job:
    name: str
    task_name: str
    schedule: object  # a celery.schedules.schedule or crontab
    args: tuple
    kwargs: dict
    last_run_at: datetime


def load_jobs(app, now: datetime) -> list[Job]:
    """The schedule's entries as jobs; interval jobs are due at once, calendar (crontab) ones at their time."""
    jobs = []
    for name, entry in sorted(app.conf.beat_schedule.items()):
        schedule = maybe_schedule(entry["schedule"], app=app)
        if isinstance(schedule, crontab):
            last = now
        else:
            last = now - schedule.run_every - timedelta(seconds=1)
        jobs.append(
            Job(
                name=name,
                task_name=entry["task"],
                schedule=schedule,
                args=tuple(entry.get("args", ())),
                kwargs=dict(entry.get("kwargs", {})),
                last_run_at=last,
            )
        )
    return jobs


def run_due_jobs(app, jobs: list[Job], *, queue: bool) -> float:
    """Run (or queue) every due job once; return the seconds until the next one is due."""
    wait = 60.0
    for job in jobs:
        is_due, next_in = job.schedule.is_due(job.last_run_at)
        if is_due:
            job.last_run_at = app.now()
            run_job(app, job, queue=queue)
            is_due, next_in = job.schedule.is_due(job.last_run_at)
        wait = min(wait, max(float(next_in), 0.5))
    return wait


def run_job(app, job: Job, *, queue: bool) -> None:
    close_old_connections()
    try:
        task = app.tasks[job.task_name]
        if queue:
            task.apply_async(job.args, job.kwargs)
        else:
            result = task.apply(job.args, job.kwargs)
            if result.failed():
                logger.error("periodic job %s failed: %r", job.name, result.result)
    except Exception:  # one failing job must not stop the schedule
        logger.exception("periodic job %s could not run", job.name)
    finally:
        close_old_connections()


class Command(BaseCommand):
    help = "Run the periodic jobs (SLA sweep, mailbox polling, retraining) on their schedule."
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run every job once now, then exit")

    def handle(self, *args, once: bool, **options) -> None:
        from kefu.config.celery import app

        app.loader.import_default_modules()  # registers every app's tasks (Celery's autodiscovery)
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)  # a line per run is noise; failures stay
        queue = bool(settings.REDIS_URL)
        jobs = load_jobs(app, app.now())
        mode = "queued for kefu worker" if queue else "run in this process"
        self.stdout.write(f"Scheduler: {len(jobs)} periodic job(s), {mode}: {', '.join(j.name for j in jobs)}")
        self.stdout.flush()
        if once:
            for job in jobs:
                run_job(app, job, queue=queue)
            return

        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        companions = start_companions(stop)
        while not stop.is_set():
            stop.wait(run_due_jobs(app, jobs, queue=queue))
        for thread in companions:
            thread.join(10)


def start_companions(stop: threading.Event) -> list[threading.Thread]:
    """Start the long-running companions (IMAP IDLE watchers …) named in kefu.config.celery; they end
    when `stop` is set. One that cannot start is logged and skipped: the schedule runs regardless."""
    from django.utils.module_loading import import_string

    from kefu.config.celery import SCHEDULER_COMPANIONS

    threads = []
    for path in SCHEDULER_COMPANIONS:
        try:
            threads.append(import_string(path)(stop))
        except Exception:
            logger.exception("scheduler companion %s could not start", path)
    return threads
