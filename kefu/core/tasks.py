"""Background jobs are queued only here, and only after the transaction that asked for them commits."""

from functools import partial

from django.db import transaction


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue a Celery task with ids as arguments once the current transaction commits."""
    transaction.on_commit(partial(task.delay, *args, **kwargs), robust=True)
