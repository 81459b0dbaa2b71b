"""Shared pieces of the Django admin registrations: audited saves and a paginator for huge tables.

The Django admin is the superusers' escape hatch (see `kefu/administration/admin.py`); everyday work goes
through the workspace and /manage/, whose services validate and emit events. What the admin does change is
still written to Kefu's audit log, with the old and new values of the fields the form changed.
"""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections, models
from django.db.models import QuerySet
from django.utils.functional import cached_property

from kefu.audit.services import record

# Below this many rows an exact COUNT(*) is cheap enough, and statistics may be stale.
ESTIMATE_ABOVE = 100_000


class EstimatedCountPaginator(Paginator):
    """An unfiltered list of a big PostgreSQL table takes its row count from the planner's statistics."""

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        if isinstance(qs, QuerySet) and not qs.query.where and connections[qs.db].vendor == "postgresql":
            with connections[qs.db].cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [qs.model._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] and row[0] > ESTIMATE_ABOVE:
                return int(row[0])
        return super().count


def _jsonable(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, QuerySet | list | tuple | set):
        return sorted(str(v) for v in value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


class AuditedAdmin(admin.ModelAdmin):
    """Records every add, change and delete made in the Django admin in the audit log."""

    show_full_result_count = False  # never COUNT(*) the whole table just to say "of N"
    paginator = EstimatedCountPaginator

    def save_model(self, request, obj, form, change):
        # The row as it was, for the audit's old values (the form's initial holds only primary keys).
        obj._kefu_audit_before = type(obj)._default_manager.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before = getattr(obj, "_kefu_audit_before", None)
        changes = {}
        for name in form.changed_data:
            if "password" in name:
                continue
            if before is not None and hasattr(before, name) and not isinstance(form.initial.get(name), list):
                old = getattr(before, name)
                new = getattr(obj, name, form.cleaned_data.get(name))
            else:
                old = form.initial.get(name) if change else None
                new = form.cleaned_data.get(name)
            changes[name] = [_jsonable(old), _jsonable(new)]
        if change and not changes and not any(fs.has_changed() for fs in formsets):
            return
        action = f"{obj._meta.model_name}.admin_{'change' if change else 'add'}"
        record(actor=request.user, action=action, obj=obj, changes=changes)

    def delete_model(self, request, obj):
        record(actor=request.user, action=f"{obj._meta.model_name}.admin_delete", obj=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record(actor=request.user, action=f"{obj._meta.model_name}.admin_delete", obj=obj)
        super().delete_queryset(request, queryset)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records nobody may add, change or delete by hand (the audit log, idempotency keys)."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
