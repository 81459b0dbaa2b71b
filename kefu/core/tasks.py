"""Background jobs are queued only here, and only after the transaction that asked for them commits."""

import logging
from functools import partial

from celery import Task, shared_task
from django.db import transaction

log = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue a Celery task with ids as arguments once the current transaction commits."""
    transaction.on_commit(partial(task.delay, *args, **kwargs), robust=True)


class _ListenerBatchTask(Task):
    """Shows a job in monitoring by its events' names and tickets: Celery's own repr of the arguments
    (saferepr of the nested lists) cost each new ticket's request about a third of the send's CPU."""

    def apply_async(self, args=None, kwargs=None, **options):
        if self.app.conf.task_always_eager:
            # The embedded layout runs jobs here and now: what Celery's eager mode does, without its tracer,
            # signals, result object and log line per job (~0.4 ms of CPU each, a chat's first answer ~1 ms).
            # Errors are logged, not raised, as eager mode (task_eager_propagates off) does not raise them.
            try:
                self.run(*(args or ()), **(kwargs or {}))
            except Exception:
                log.exception("background job %s failed", self.name)
            return None
        if args and "argsrepr" not in options:
            jobs = args[0]
            names = (f"{path.rpartition('.')[2]}({fields.get('ticket_id', '')})" for path, fields, _ in jobs)
            options.update(argsrepr=f"[{', '.join(names)}]", kwargsrepr="{}")
        return super().apply_async(args, kwargs, **options)


@shared_task(name="kefu.core.run_listener_batch", base=_ListenerBatchTask)
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


@shared_task(name="kefu.core.drain_listener_jobs")
def drain_listener_jobs() -> int:
    """Run the background jobs waiting in kefu.core.job_queue, many at a time; returns how many ran."""
    from kefu.core import job_queue
    from kefu.core.events import run_queued_batches

    if not job_queue.enabled():
        return 0
    return job_queue.drain(run_queued_batches)
