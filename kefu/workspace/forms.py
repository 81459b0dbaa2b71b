"""Forms of the agent workspace: they parse and check input, then the view calls one service.

Menus are filled from option lists the view loaded once, so checking a choice costs no query.
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.core.errors import InvalidInput
from kefu.customers.models import Organization, Tier
from kefu.tickets.models import CustomField, CustomFieldKind, Severity, Status, Ticket
from kefu.tickets.services import TicketChanges

MAX_FILES = 10
MAX_TEXT = 50_000
MAX_BULK = 500
NONE = "none"
ME = "me"


def raise_for(form: forms.Form) -> None:
    """Turn a form's errors into one InvalidInput with a clear, translated sentence."""
    if form.is_valid():
        return
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        # a hidden field (the queue's ticket checkboxes) has no label on the page: its message says it all
        label = field.label if field is not None and not field.widget.is_hidden else ""
        text = " ".join(str(e) for e in errors)
        parts.append(f"{label}: {text}" if label else text)
    raise InvalidInput(join_sentences(parts))


def join_sentences(parts: list[str]) -> str:
    """Messages one after another: a space after a full stop, none after a Chinese one, "; " otherwise."""
    text = ""
    for part in parts:
        if text.endswith(("。", "！", "？")):
            text += part
        elif text.endswith((".", "!", "?")):
            text += " " + part
        else:
            text += ("; " if text else "") + part
    return text


def split_tags(value: str) -> list[str]:
    """'退款, 物流，VIP' → ['退款', '物流', 'VIP']: commas (also the Chinese ones) separate tags."""
    return [t.strip()[:50] for t in (value or "").replace("，", ",").split(",") if t.strip()]


@dataclass
class FieldOptions:
    """What the ticket's field menus offer, loaded once per request."""

    categories: list
    priorities: list
    teams: list
    assignees: list
    custom_fields: list[CustomField]


class TicketFieldsForm(forms.Form):
    """The ticket's field panel. Only fields the agent changed (against what the page showed) are sent,
    so two agents editing different fields of the same ticket do not undo each other."""

    status = forms.ChoiceField(label=_("Status"), choices=Status.choices, required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    severity = forms.ChoiceField(label=_("Complaint severity"), choices=Severity.choices, required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=1000, help_text=_("Separate tags with commas.")
    )

    def __init__(self, data=None, *, ticket: Ticket, options: FieldOptions, tag_names: list[str]):
        self.ticket = ticket
        self.options = options
        initial = {
            "status": ticket.status,
            "priority": str(ticket.priority_id or ""),
            "category": str(ticket.category_id or ""),
            "severity": ticket.severity,
            "team": str(ticket.team_id or ""),
            "assignee": str(ticket.assignee_id or ""),
            "tags": ", ".join(tag_names),
        }
        for spec in options.custom_fields:
            value = ticket.custom_fields.get(spec.key)
            initial[f"cf_{spec.key}"] = (
                bool(value)
                if spec.kind == CustomFieldKind.CHECKBOX
                else ("" if value is None else str(value))
            )
        super().__init__(data, initial=initial)
        unset = [("", "—")]
        self.fields["priority"].choices = [*unset, *[(str(p.pk), p.label) for p in options.priorities]]
        self.fields["category"].choices = [*unset, *[(str(c.pk), c.label) for c in options.categories]]
        self.fields["team"].choices = [*unset, *[(str(t.pk), str(t)) for t in options.teams]]
        self.fields["assignee"].choices = [
            ("", _("Nobody")),
            *[(str(u.pk), u.name) for u in options.assignees],
        ]
        for spec in options.custom_fields:
            self.fields[f"cf_{spec.key}"] = _custom_form_field(spec)
        for bound in self.fields.values():
            bound.show_hidden_initial = True

    @property
    def custom_bound_fields(self) -> list:
        return [self[f"cf_{spec.key}"] for spec in self.options.custom_fields]

    def changes(self) -> TicketChanges:
        """The ticket changes the agent asked for (call after is_valid)."""
        changed = set(self.changed_data)
        data = self.cleaned_data
        changes = TicketChanges()
        if "status" in changed and data["status"]:
            changes.status = data["status"]
        if "severity" in changed and data["severity"]:
            changes.severity = data["severity"]
        lookups = {
            "priority": self.options.priorities,
            "category": self.options.categories,
            "team": self.options.teams,
            "assignee": self.options.assignees,
        }
        for name, choices in lookups.items():
            if name in changed:
                setattr(changes, name, _pick(choices, data[name]))
        if "tags" in changed:
            changes.tags = split_tags(data["tags"])
        custom = {}
        for spec in self.options.custom_fields:
            name = f"cf_{spec.key}"
            if name in changed:
                value = data[name]
                custom[spec.key] = value.isoformat() if hasattr(value, "isoformat") else value
        if custom:
            changes.custom_fields = custom
        return changes


def _pick(objects: list, value: str):
    if not value:
        return None
    for obj in objects:
        if str(obj.pk) == value:
            return obj
    raise InvalidInput(_("Unknown choice."))


def _custom_form_field(spec: CustomField) -> forms.Field:
    label = spec.label
    if spec.kind == CustomFieldKind.CHECKBOX:
        return forms.BooleanField(label=label, required=False)
    if spec.kind == CustomFieldKind.CHOICE:
        return forms.ChoiceField(
            label=label, required=False, choices=[("", "—"), *[(str(c), str(c)) for c in spec.choices]]
        )
    if spec.kind == CustomFieldKind.DATE:
        return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))
    if spec.kind == CustomFieldKind.NUMBER:
        # Checked by the service (which says which field is not a number); the browser helps with the keypad.
        return forms.CharField(
            label=label, required=False, max_length=40, widget=forms.NumberInput(attrs={"step": "any"})
        )
    return forms.CharField(label=label, required=False, max_length=1000)


class ReplyForm(forms.Form):
    """A public reply or an internal note, optionally setting the status in the same step."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("reply", _("Public reply")), ("note", _("Internal note"))]
    )
    text = forms.CharField(label=_("Message"), required=False, max_length=MAX_TEXT, strip=True)
    status = forms.ChoiceField(
        label=_("and set status"), choices=[("", _("(unchanged)")), *Status.choices], required=False
    )

    def __init__(self, data=None, files=None, **kwargs):
        super().__init__(data, files, **kwargs)
        self.uploads = list(files.getlist("attachments")) if files is not None else []

    def clean(self):
        cleaned = super().clean()
        if len(self.uploads) > MAX_FILES:
            raise ValidationError(_("Attach at most %(count)d files at once.") % {"count": MAX_FILES})
        if not cleaned.get("text") and not self.uploads:
            raise ValidationError(_("Write a message or attach a file."))
        return cleaned


class IdListField(forms.Field):
    """Several ids from checkboxes of the same name; the view then keeps only those the user may see."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Select at least one ticket."),
        "invalid": _("Ticket numbers must be whole numbers."),
    }

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        try:
            ids = [int(v) for v in value]
        except (TypeError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if any(i < 1 or i > 2**62 for i in ids):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if len(ids) > MAX_BULK:
            raise ValidationError(
                _("Change at most %(count)d tickets at once.") % {"count": MAX_BULK}, code="max"
            )
        return ids


class BulkForm(forms.Form):
    """The same change on the selected rows of the queue."""

    ticket = IdListField(label=_("Tickets"))
    assignee = forms.ChoiceField(label=_("Assign to"), required=False)
    status = forms.ChoiceField(label=_("Set status"), choices=[("", "—"), *Status.choices], required=False)
    add_tag = forms.CharField(label=_("Add tag"), required=False, max_length=50)
    query = forms.CharField(required=False, max_length=2000)

    def __init__(self, data=None, *, staff: list):
        super().__init__(data)
        self.staff = staff
        self.fields["assignee"].choices = [
            ("", "—"),
            (ME, _("Me")),
            (NONE, _("Nobody")),
            *[(str(u.pk), u.name) for u in staff],
        ]

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("assignee") or cleaned.get("status") or (cleaned.get("add_tag") or "").strip()):
            raise ValidationError(_("Choose what to change: an assignee, a status or a tag."))
        return cleaned

    def changes(self, user) -> TicketChanges:
        data = self.cleaned_data
        changes = TicketChanges()
        if data.get("assignee") == ME:
            changes.assignee = user
        elif data.get("assignee") == NONE:
            changes.assignee = None
        elif data.get("assignee"):
            changes.assignee = _pick(self.staff, data["assignee"])
        if data.get("status"):
            changes.status = data["status"]
        if (data.get("add_tag") or "").strip():
            changes.add_tags = (data["add_tag"].strip(),)
        return changes


class CustomerSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False, strip=True)
    page = forms.IntegerField(label=_("Page"), min_value=1, max_value=2000, required=False)


class CustomerCreateForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), required=False, max_length=254)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=30)
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices, initial=Tier.NORMAL)
    language = forms.ChoiceField(
        label=_("Language"), choices=[("zh-hans", "简体中文"), ("en", "English")], initial="zh-hans"
    )
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.all(), required=False, empty_label="—"
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )


class CustomerEditForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=200)
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)
    language = forms.ChoiceField(label=_("Language"), choices=[("zh-hans", "简体中文"), ("en", "English")])
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=1000, help_text=_("Separate tags with commas.")
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 6})
    )
