"""Background jobs of the routing domain."""

from celery import shared_task

from kefu.routing.services import retrain_classifier


@shared_task(name="kefu.routing.retrain")
def retrain() -> int | None:
    """Train the classifier on solved and closed tickets; returns the new model version (None: too few)."""
    model = retrain_classifier()
    return model.version if model else None
