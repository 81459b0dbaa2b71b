"""Recording the audit trail."""

from django.db import models

from .models import AuditEntry


def record(*, actor, action: str, obj: models.Model, changes: dict | None = None) -> AuditEntry:
    """Write one audit row for `obj`; `changes` maps field name to [old, new] (JSON-safe values)."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=changes or {},
    )
