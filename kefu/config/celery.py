"""The Celery app: a Redis broker at scale, eager in-process execution for the embedded default."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.config.settings")

app = Celery("kefu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# One schedule for every periodic job, run by `celery -A kefu.config.celery beat` (Redis deployments).
app.conf.beat_schedule = {"sla-sweep": {"task": "kefu.sla.sweep", "schedule": 15.0}}
