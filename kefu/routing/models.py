"""Intake rules, the text classifier, assignment strategies and escalation levels."""

from django.db import models  # noqa: F401
