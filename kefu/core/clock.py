"""One place to ask the time, so tests and SLA maths agree."""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
