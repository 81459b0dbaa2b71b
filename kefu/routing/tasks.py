"""Background jobs of the routing domain."""

import threading

from celery import shared_task
from django.conf import settings
from django.db import close_old_connections, connection

from kefu.core.tasks import enqueue_on_commit
from kefu.routing import services
from kefu.routing.services import assignment


@shared_task(name="kefu.routing.retrain")
def retrain() -> int | None:
    """Daily: queue a training (joining one already waiting) and run it here; returns the model version."""
    job = services.request_retrain(actor=None, start=False)
    done = services.run_training(training_id=job.pk)
    return done.version if done else None


@shared_task(name="kefu.routing.train")
def train(training_id: int) -> str | None:
    """Run one queued training (asked for from /manage/routing/); a job already taken does nothing."""
    done = services.run_training(training_id=training_id)
    return done.status if done else None


@shared_task(name="kefu.routing.train_queued")
def train_queued() -> int:
    """Periodic: run trainings still waiting because their thread or job was lost (a restart)."""
    return sum(services.run_training(training_id=pk) is not None for pk in services.queued_trainings())


def start_training(training_id: int) -> None:
    """After the request's commit: a worker trains with Redis; the embedded mode trains in a thread, so
    the response never waits for scikit-learn (either way the job is claimed once by its status)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        threading.Thread(target=_train_in_thread, args=(training_id,), name="kefu-train", daemon=True).start()
    else:
        enqueue_on_commit(train, training_id)


def _train_in_thread(training_id: int) -> None:
    close_old_connections()
    try:
        services.run_training(training_id=training_id)
    finally:
        connection.close()


@shared_task(name="kefu.routing.fill_pools")
def fill_pools() -> int:
    """Periodic (kefu.config.celery beat_schedule): assign what waits in the pools."""
    return assignment.fill_all_pools()
