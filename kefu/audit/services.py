"""Recording the audit trail."""

from collections.abc import Iterable

from django.db import models

from .models import AuditEntry


def record(*, actor, action: str, obj: models.Model, changes: dict | None = None) -> AuditEntry:
    """Write one audit row for `obj`; `changes` maps field name to [old, new] (JSON-safe values)."""
    entry = audit_entry(actor=actor, action=action, obj=obj, changes=changes)
    entry.save()
    return entry


def audit_entry(*, actor, action: str, obj: models.Model, changes: dict | None = None) -> AuditEntry:
    """The row `record` would write, not yet saved: for `record_all`, when one change makes several."""
    return AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=changes or {},
    )


def record_all(entries: Iterable[AuditEntry]) -> list[AuditEntry]:
    """Write several audit rows (from `audit_entry`) in one INSERT, in the order given."""
    entries = list(entries)
    return AuditEntry.objects.bulk_create(entries) if entries else entries
