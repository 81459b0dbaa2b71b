"""Background jobs are queued only here, and only after the transaction that asked for them commits."""

from functools import partial

from celery import shared_task
from django.db import transaction


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue a Celery task with ids as arguments once the current transaction commits."""
    transaction.on_commit(partial(task.delay, *args, **kwargs), robust=True)


@shared_task(name="kefu.core.run_listeners")
def run_listeners(event_path: str, fields: dict, listener_paths: list[str]) -> None:
    """Run an event's background listeners, in order (see kefu.core.events)."""
    from kefu.core.events import run_queued_listeners

    run_queued_listeners(event_path, fields, listener_paths)
