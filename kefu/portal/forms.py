"""Forms of the customer portal: they parse and check input; the services in `services.py` do the work."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from kefu.core.errors import InvalidInput
from kefu.tickets.attachments import check_file, sanitize_filename
from kefu.tickets.models import Category, CustomField, CustomFieldKind

from .services import MAX_ATTACHMENTS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files in one input; each is checked against the ticket attachment limits, saying why."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(
                _("At most %(count)d files can be attached.") % {"count": MAX_ATTACHMENTS}
            )
        errors = []
        for f in files:
            try:
                check_file(sanitize_filename(f.name), f.size)
            except InvalidInput as exc:
                errors.append(str(exc.message))
        if errors:
            raise forms.ValidationError(errors)
        return files


def attachment_help() -> str:
    forbidden = ", ".join(f".{ext}" for ext in settings.ATTACHMENT_FORBIDDEN_EXTENSIONS)
    return _("Up to %(count)d files, %(size)s each. Not allowed: %(forbidden)s") % {
        "count": MAX_ATTACHMENTS,
        "size": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
        "forbidden": forbidden,
    }


class SignupForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters; not only digits, not a common password."),
    )


class LoginLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return obj.label


class TicketForm(forms.Form):
    """A new ticket: subject, description, category, the custom fields customers fill, attachments."""

    form_token = forms.CharField(widget=forms.HiddenInput, max_length=32)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    category = CategoryChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        empty_label=_("— Choose if you know —"),
    )
    text = forms.CharField(
        label=_("Description"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What happened, order number, what you expected."),
    )
    attachments = AttachmentsField(label=_("Attachments"))

    def __init__(self, *args, custom_fields: list[CustomField] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.custom_field_specs = list(custom_fields)
        for spec in self.custom_field_specs:
            self.fields[f"cf_{spec.key}"] = _custom_form_field(spec)
        # Keep the attachment input last, after the custom fields.
        self.fields["attachments"] = self.fields.pop("attachments")
        self.fields["attachments"].help_text = attachment_help()

    def custom_field_values(self) -> dict:
        values = {}
        for spec in self.custom_field_specs:
            value = self.cleaned_data.get(f"cf_{spec.key}")
            if value in (None, "") or (spec.kind == CustomFieldKind.CHECKBOX and not value):
                continue
            if spec.kind == CustomFieldKind.DATE:
                value = value.isoformat()
            elif spec.kind == CustomFieldKind.NUMBER:
                value = (
                    str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")
                )
            values[spec.key] = value
        return values


def _custom_form_field(spec: CustomField) -> forms.Field:
    common = {"label": spec.label, "required": spec.required and spec.kind != CustomFieldKind.CHECKBOX}
    if spec.kind == CustomFieldKind.NUMBER:
        return forms.DecimalField(**common, max_digits=20, decimal_places=6)
    if spec.kind == CustomFieldKind.DATE:
        return forms.DateField(**common, widget=forms.DateInput(attrs={"type": "date"}))
    if spec.kind == CustomFieldKind.CHECKBOX:
        return forms.BooleanField(**{**common, "required": False})
    if spec.kind == CustomFieldKind.CHOICE:
        choices = [("", "—")] + [(str(c), str(c)) for c in spec.choices]
        return forms.ChoiceField(**common, choices=choices)
    return forms.CharField(**common, max_length=1000)


class ReplyForm(forms.Form):
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=32)
    text = forms.CharField(
        label=_("Your reply"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    attachments = AttachmentsField(label=_("Attachments"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachment_help()

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("text") or "").strip() and not cleaned.get("attachments") and not self.errors:
            raise forms.ValidationError(_("Please write a message or attach a file."))
        return cleaned
