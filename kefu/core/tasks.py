"""Background jobs are queued only here, and only after the transaction that asked for them commits."""

from functools import partial

from celery import shared_task
from django.db import transaction


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue a Celery task with ids as arguments once the current transaction commits."""
    transaction.on_commit(partial(task.delay, *args, **kwargs), robust=True)


@shared_task(name="kefu.core.run_listener_batch")
def run_listener_batch(jobs: list) -> None:
    """Run one transaction's background listeners, events in the order emitted (see kefu.core.events).

    `jobs`: `[[event path, event fields, [listener path, …]], …]`.
    """
    from kefu.core.events import run_queued_batch

    run_queued_batch(jobs)


@shared_task(name="kefu.core.run_listeners")
def run_listeners(event_path: str, fields: dict, listener_paths: list[str]) -> None:
    """One event's background listeners: the job of earlier versions, still run when found in the queue."""
    from kefu.core.events import run_queued_listeners

    run_queued_listeners(event_path, fields, listener_paths)
