"""Background jobs of the SLA domain."""

from celery import shared_task

from kefu.sla.services import sweep_sla


@shared_task(name="kefu.sla.sweep")
def sweep() -> int:
    """Warn, breach and escalate every ticket whose next deadline has passed."""
    return sweep_sla()
