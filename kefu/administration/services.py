"""Changing the service center's configuration: categories, priorities, tags, macros and custom fields.

Each function checks `accounts.manage_configuration`, validates, saves in a transaction and records an audit
row with the old and new values. Codes and keys are fixed once created, because tickets, macros and stored
custom-field values refer to them.
"""

import re
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from kefu.accounts.models import Team
from kefu.audit.services import record
from kefu.core.errors import InvalidInput, NotAllowed
from kefu.tickets.models import Category, CustomField, CustomFieldKind, Macro, Priority, Severity, Status, Tag

_COLOR = re.compile(r"#[0-9a-fA-F]{6}")

CATEGORY_FIELDS = ("code", "name", "name_en", "position", "is_active")
PRIORITY_FIELDS = ("code", "name", "name_en", "rank", "color", "is_default")
TAG_FIELDS = ("name",)
MACRO_FIELDS = ("name", "body", "actions", "is_shared")
CUSTOM_FIELD_FIELDS = (
    "key",
    "name",
    "name_en",
    "kind",
    "choices",
    "required",
    "customer_visible",
    "position",
    "is_active",
)
MACRO_ACTION_KEYS = ("status", "priority", "category", "team", "severity", "add_tags")


def can_manage_configuration(actor) -> bool:
    return bool(
        actor
        and actor.is_authenticated
        and actor.is_active
        and actor.has_perm("accounts.manage_configuration")
    )


def _require(actor) -> None:
    if not can_manage_configuration(actor):
        raise NotAllowed()


# --- the objects ---------------------------------------------------------------------------------


def save_category(*, actor, values: Mapping[str, Any], category: Category | None = None) -> Category:
    """Create (no `category`) or change a ticket category."""
    return _save(actor, Category, category, values, CATEGORY_FIELDS, fixed=("code",))


def save_priority(*, actor, values: Mapping[str, Any], priority: Priority | None = None) -> Priority:
    """Create or change a priority; making it the default takes the flag from the previous default."""
    return _save(
        actor,
        Priority,
        priority,
        values,
        PRIORITY_FIELDS,
        fixed=("code",),
        validate=_check_color,
        after=lambda obj: _single_default(actor, obj),
    )


def save_tag(*, actor, values: Mapping[str, Any], tag: Tag | None = None) -> Tag:
    """Create or rename a tag (renaming changes it on every ticket that carries it)."""
    values = {**values, "name": (values.get("name") or "").strip()}
    return _save(actor, Tag, tag, values, TAG_FIELDS)


def delete_tag(*, actor, tag: Tag) -> None:
    """Remove a tag from every ticket and delete it."""
    _delete(actor, tag)


def save_macro(*, actor, values: Mapping[str, Any], macro: Macro | None = None) -> Macro:
    """Create or change a macro: its reply text with variables and the field changes it applies."""
    values = (
        {**values, "actions": clean_macro_actions(values.get("actions") or {})}
        if "actions" in values
        else values
    )

    def before_create(obj: Macro) -> None:
        obj.owner = actor

    return _save(actor, Macro, macro, values, MACRO_FIELDS, before_create=before_create)


def delete_macro(*, actor, macro: Macro) -> None:
    _delete(actor, macro)


def save_custom_field(*, actor, values: Mapping[str, Any], field: CustomField | None = None) -> CustomField:
    """Create or change a custom ticket field. Choice fields need at least one choice."""
    values = dict(values)
    if "choices" in values:
        values["choices"] = _clean_choices(values["choices"])
    return _save(
        actor, CustomField, field, values, CUSTOM_FIELD_FIELDS, fixed=("key",), validate=_check_choices
    )


# --- rules for the values ------------------------------------------------------------------------


def clean_macro_actions(actions: Mapping[str, Any]) -> dict:
    """Keep the known actions, checking that what they name exists; empty ones are left out."""
    if not isinstance(actions, Mapping):
        raise InvalidInput(_("Macro actions must be an object."), field="actions")
    unknown = set(actions) - set(MACRO_ACTION_KEYS)
    if unknown:
        raise InvalidInput(
            _("Unknown macro action: %(name)s") % {"name": ", ".join(sorted(unknown))}, field="actions"
        )
    cleaned: dict[str, Any] = {}
    status = actions.get("status") or ""
    if status:
        if status not in Status.values:
            raise InvalidInput(_("Unknown status."), field="status")
        cleaned["status"] = status
    severity = actions.get("severity") or ""
    if severity:
        if severity not in Severity.values:
            raise InvalidInput(_("Unknown severity."), field="severity")
        cleaned["severity"] = severity
    for key, model in (("priority", Priority), ("category", Category)):
        code = actions.get(key) or ""
        if code:
            if not model.objects.filter(code=code).exists():
                raise InvalidInput(_("%(value)s does not exist.") % {"value": code}, field=key)
            cleaned[key] = code
    team = actions.get("team") or None
    if team:
        try:
            team_id = int(team)
        except (TypeError, ValueError):
            raise InvalidInput(_("Unknown team."), field="team")
        if not Team.objects.filter(pk=team_id).exists():
            raise InvalidInput(_("Unknown team."), field="team")
        cleaned["team"] = team_id
    tags = actions.get("add_tags") or []
    if isinstance(tags, str):
        tags = tags.replace("，", ",").split(",")
    tags = sorted({str(t).strip()[:50] for t in tags if str(t).strip()})
    if tags:
        cleaned["add_tags"] = tags
    return cleaned


def _clean_choices(choices: Any) -> list[str]:
    if isinstance(choices, str):
        choices = choices.splitlines()
    if not isinstance(choices, list | tuple):
        raise InvalidInput(_("Choices must be a list."), field="choices")
    seen: list[str] = []
    for choice in choices:
        text = str(choice).strip()[:100]
        if text and text not in seen:
            seen.append(text)
    return seen


def _check_choices(field: CustomField) -> None:
    if field.kind == CustomFieldKind.CHOICE and not field.choices:
        raise InvalidInput(_("A choice field needs at least one choice."), field="choices")


def _check_color(priority: Priority) -> None:
    if not _COLOR.fullmatch(priority.color or ""):
        raise InvalidInput(_("A colour looks like #d97706."), field="color")


def _single_default(actor, priority: Priority) -> None:
    if not priority.is_default:
        return
    for other in Priority.objects.filter(is_default=True).exclude(pk=priority.pk):
        Priority.objects.filter(pk=other.pk).update(is_default=False)
        record(actor=actor, action="priority.update", obj=other, changes={"is_default": [True, False]})


# --- the machinery -------------------------------------------------------------------------------


def _save[M: models.Model](
    actor,
    model: type[M],
    obj: M | None,
    values: Mapping[str, Any],
    allowed: tuple[str, ...],
    *,
    fixed: tuple[str, ...] = (),
    validate: Callable[[M], None] | None = None,
    before_create: Callable[[M], None] | None = None,
    after: Callable[[M], None] | None = None,
) -> M:
    """Validate and save one configuration row; record `<model>.create` or `<model>.update` with the diff."""
    _require(actor)
    unknown = set(values) - set(allowed)
    if unknown:
        raise InvalidInput(_("Unknown field: %(name)s") % {"name": ", ".join(sorted(unknown))})
    with transaction.atomic():
        creating = obj is None
        obj = model() if creating else model.objects.select_for_update().get(pk=obj.pk)
        before = {} if creating else {name: getattr(obj, name) for name in values}
        for name, value in values.items():
            if not creating and name in fixed and value != before[name]:
                raise InvalidInput(_("This cannot be changed once created."), field=name)
            setattr(obj, name, value.strip() if isinstance(value, str) and name != "body" else value)
        if creating and before_create:
            before_create(obj)
        if validate:
            validate(obj)
        _full_clean(obj)
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError:
            raise InvalidInput(_("This conflicts with an existing entry."))
        if after:
            after(obj)
        if creating:
            changes = {name: [None, getattr(obj, name)] for name in values}
        else:
            changes = {n: [before[n], getattr(obj, n)] for n in values if before[n] != getattr(obj, n)}
        if creating or changes:
            action = f"{model._meta.model_name}.{'create' if creating else 'update'}"
            record(actor=actor, action=action, obj=obj, changes=changes)
    return obj


def _delete(actor, obj: models.Model) -> None:
    _require(actor)
    with transaction.atomic():
        record(
            actor=actor, action=f"{obj._meta.model_name}.delete", obj=obj, changes={"name": [str(obj), None]}
        )
        obj.delete()


def _full_clean(obj: models.Model) -> None:
    """Model validation (lengths, choices, uniqueness) as an InvalidInput naming the first bad field."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        errors = exc.message_dict
        name = next(iter(errors))
        raise InvalidInput(" ".join(errors[name]), field=None if name == NON_FIELD_ERRORS else name)
