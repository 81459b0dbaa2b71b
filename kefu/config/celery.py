"""The Celery app: a Redis broker at scale, eager in-process execution for the embedded default."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.config.settings")

app = Celery("kefu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# One schedule for every periodic job, run by `kefu scheduler` (in-process without Redis, queued with it).
app.conf.beat_schedule = {
    "sla-sweep": {"task": "kefu.sla.sweep", "schedule": 15.0},
    # Background jobs whose drain was lost (a failed send, a dead worker's batch) still run (kefu.core.job_queue).
    "core-drain-listener-jobs": {"task": "kefu.core.drain_listener_jobs", "schedule": 60.0},
    "chat-end-idle": {"task": "kefu.chat.end_idle", "schedule": 60.0},
    # Agents whose workspace sockets are all gone past the grace period go offline (kefu.realtime.connections).
    "realtime-lost-sockets": {"task": "kefu.realtime.sweep_lost_sockets", "schedule": 15.0},
    "knowledge-deflections": {"task": "kefu.knowledge.settle_deflections", "schedule": 5 * 60.0},
    "api-idempotency-purge": {"task": "kefu.api.purge_idempotency_keys", "schedule": 60 * 60.0},
    # Every active IMAP/POP3 mailbox is polled; a poll only fetches mail not yet stored.
    "email-poll": {"task": "email_channel.poll_all", "schedule": 30.0},
    "email-retry": {"task": "email_channel.retry_due", "schedule": 30.0},  # failed sends, with backoff
    "notification-email-retry": {"task": "kefu.notifications.resend_emails", "schedule": 5 * 60.0},
    # The routing classifier learns from the day's solved tickets once a day.
    "routing-retrain": {"task": "kefu.routing.retrain", "schedule": 24 * 60 * 60.0},
    # A "retrain now" whose worker or thread was lost (a restart) still runs.
    "routing-train-queued": {"task": "kefu.routing.train_queued", "schedule": 60.0},
    # Pools of automatically assigning teams: shift hours begin, agents get room without an event.
    "routing-fill-pools": {"task": "kefu.routing.fill_pools", "schedule": 60.0},
}

# Long-running companions `kefu scheduler` runs beside the schedule, each `start(stop_event) -> Thread`:
# IMAP IDLE watchers turn new mail into a ticket within seconds (the "email-poll" job stays the fallback).
SCHEDULER_COMPANIONS = ["kefu.connectors.email.idle.start_watchers"]


@worker_init.connect
def _warm_up_worker(**_kwargs) -> None:
    """A worker's first background jobs (indexing a ticket's words) would otherwise load jieba's dictionary
    (~0.8 s of CPU) while tickets wait; loaded here, before a prefork pool forks, its children share it."""
    from kefu.config.warmup import warm_up

    warm_up()
