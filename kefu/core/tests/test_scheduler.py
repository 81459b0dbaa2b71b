"""`kefu scheduler` runs the periodic jobs of the one beat schedule, in-process without Redis."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from celery import Celery
from celery.schedules import crontab
from django.core.management import call_command

from kefu.core.management.commands.scheduler import load_jobs, run_due_jobs
from kefu.sla.models import SlaEvent
from kefu.sla.services import apply_policy
from kefu.sla.tests.factories import SlaPolicyFactory
from kefu.tests.factories import TicketFactory


def celery_app(schedule: dict) -> Celery:
    """A throwaway Celery app with the given beat schedule and tasks that count their runs.

    Task names are made unique per app (Celery keeps one registry of names per process).
    """
    app = Celery("scheduler-test", set_as_current=False)
    suffix = uuid.uuid4().hex
    app.conf.beat_schedule = {
        name: {**entry, "task": f"{entry['task']}.{suffix}"} for name, entry in schedule.items()
    }
    app.runs = {"job": 0, "nightly": 0}

    @app.task(name=f"kefu.job.{suffix}")
    def job():
        app.runs["job"] += 1

    @app.task(name=f"kefu.nightly.{suffix}")
    def nightly():
        app.runs["nightly"] += 1

    @app.task(name=f"kefu.broken.{suffix}")
    def broken():
        raise RuntimeError("boom")

    return app


pytestmark = pytest.mark.django_db  # the scheduler closes stale database connections around each job


def test_interval_jobs_run_at_start_then_once_per_interval():
    # given a 30 s job: it is due as soon as the scheduler starts
    app = celery_app({"job": {"task": "kefu.job", "schedule": 30.0}})
    jobs = load_jobs(app, app.now())
    wait = run_due_jobs(app, jobs, queue=False)
    assert app.runs["job"] == 1
    assert 25 <= wait <= 30
    # when the scheduler looks again at once, it is not due again
    run_due_jobs(app, jobs, queue=False)
    assert app.runs["job"] == 1


def test_calendar_jobs_wait_for_their_time():
    now = datetime.now(UTC)
    other_hour = (now.hour + 12) % 24
    app = celery_app({"nightly": {"task": "kefu.nightly", "schedule": crontab(hour=other_hour, minute=0)}})

    run_due_jobs(app, load_jobs(app, app.now()), queue=False)

    assert app.runs["nightly"] == 0


def test_a_failing_or_unknown_job_does_not_stop_the_others():
    app = celery_app(
        {
            "broken": {"task": "kefu.broken", "schedule": 10.0},
            "job": {"task": "kefu.job", "schedule": 10.0},
            "unknown": {"task": "kefu.no_such_task", "schedule": 10.0},
        }
    )

    run_due_jobs(app, load_jobs(app, app.now()), queue=False)

    assert app.runs["job"] == 1


@pytest.mark.django_db(transaction=True)
def test_scheduler_once_sweeps_due_sla_deadlines_in_process(customer):
    # given a ticket whose first-response deadline passed an hour ago
    SlaPolicyFactory(resolution=None)
    long_ago = datetime.now(UTC) - timedelta(days=3)
    ticket = TicketFactory(customer=customer, created_at=long_ago)
    apply_policy(ticket=ticket, now=long_ago)
    # when the scheduler runs every job once (embedded default: no Redis, jobs run here)
    call_command("scheduler", "--once")
    # then the sweep recorded the breach
    assert SlaEvent.objects.filter(ticket=ticket, kind=SlaEvent.Kind.BREACH).exists()
