"""Forms of the /manage/ pages. They parse and check input; the services save it (never `form.save()`)."""

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.accounts import roles
from kefu.accounts.forms import language_choices, timezone_choices
from kefu.accounts.models import AssignmentStrategy, Level, Team, User
from kefu.accounts.services import MAX_OPEN_CAP
from kefu.sla.models import BusinessCalendar
from kefu.tickets.models import (
    Category,
    Channel,
    CustomField,
    CustomFieldKind,
    Macro,
    Priority,
    Severity,
    Status,
    Tag,
)


def staff_queryset():
    return User.objects.filter(is_staff=True).order_by("username")


class UserForm(forms.Form):
    """A staff member with roles, teams and skills. `actor_is_admin` decides whether the admin role is offered."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Used to log in. Letters, digits and @ . + - _ only."),
    )
    display_name = forms.CharField(label=_("Display name"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    roles = forms.MultipleChoiceField(label=_("Roles"), required=False, widget=forms.CheckboxSelectMultiple)
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"), queryset=Team.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices, initial=Level.L1)
    hire_date = forms.DateField(
        label=_("Hire date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    skill_categories = forms.MultipleChoiceField(
        label=_("Skills: categories"), required=False, widget=forms.CheckboxSelectMultiple
    )
    skill_languages = forms.MultipleChoiceField(
        label=_("Skills: languages"),
        required=False,
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )
    skill_channels = forms.MultipleChoiceField(
        label=_("Skills: channels"),
        required=False,
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    max_chats = forms.IntegerField(
        label=_("Maximum simultaneous chats"), min_value=0, max_value=50, initial=5
    )
    language = forms.ChoiceField(label=_("Language"), required=False)
    timezone = forms.ChoiceField(label=_("Time zone"), required=False)
    shift_calendar = forms.ModelChoiceField(
        label=_("Own shift hours"),
        queryset=BusinessCalendar.objects.all(),
        required=False,
        empty_label=_("The team's shift hours"),
        help_text=_("Automatic assignment gives this agent tickets only during these hours (and while online)."),
    )
    is_active = forms.BooleanField(label=_("Active (may log in)"), required=False, initial=True)
    is_superuser = forms.BooleanField(label=_("Superuser (every permission, Django admin)"), required=False)
    password = forms.CharField(
        label=_("Initial password"),
        strip=False,
        required=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(
        self, *args, actor_is_superuser: bool, actor_is_admin: bool, user: User | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.user = user
        role_choices = [(code, label) for code, label in roles.ROLE_LABELS.items()]
        if not actor_is_admin:
            role_choices = [(code, label) for code, label in role_choices if code != roles.ADMIN]
        self.fields["roles"].choices = role_choices
        self.fields["skill_categories"].choices = [
            (c.code, c.label) for c in Category.objects.filter(is_active=True)
        ]
        self.fields["language"].choices = language_choices()
        self.fields["timezone"].choices = timezone_choices(user.timezone if user else "")
        if not actor_is_superuser:
            del self.fields["is_superuser"]
        if user is not None:
            self.fields["password"].required = False
            self.fields["password"].label = _("New password")
            self.fields["password"].help_text = _("Leave empty to keep the current password.")
        else:
            self.fields["password"].help_text = password_validators_help_text_html()

    @classmethod
    def initial_for(cls, user: User) -> dict:
        skills = user.skills or {}
        return {
            "username": user.username,
            "display_name": user.display_name,
            "email": user.email,
            "roles": roles.roles_of(user),
            "teams": list(user.teams.all()),
            "level": user.level,
            "hire_date": user.hire_date,
            "skill_categories": skills.get("categories", []),
            "skill_languages": skills.get("languages", []),
            "skill_channels": skills.get("channels", []),
            "max_chats": user.max_chats,
            "language": user.language,
            "timezone": user.timezone,
            "shift_calendar": user.shift_calendar,
            "is_active": user.is_active,
            "is_superuser": user.is_superuser,
        }

    def clean_username(self) -> str:
        username = User.normalize_username(self.cleaned_data["username"].strip())
        User.username_validator(username)
        taken = User.objects.filter(username__iexact=username)
        if self.user is not None:
            taken = taken.exclude(pk=self.user.pk)
        if taken.exists():
            raise forms.ValidationError(_("This username is already taken."))
        return username

    def clean(self) -> dict:
        data = super().clean()
        password = data.get("password")
        if password:
            candidate = self.user or User(username=data.get("username", ""), email=data.get("email", ""))
            try:
                validate_password(password, candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data

    def service_values(self) -> dict:
        """Plain user fields in the shape `create_user` / `update_user` take."""
        data = self.cleaned_data
        values = {
            key: data[key]
            for key in (
                "username",
                "display_name",
                "email",
                "level",
                "hire_date",
                "max_chats",
                "language",
                "timezone",
                "shift_calendar",
                "is_active",
            )
        }
        values["skills"] = {
            "categories": data["skill_categories"],
            "languages": data["skill_languages"],
            "channels": data["skill_channels"],
        }
        if "is_superuser" in self.fields:
            values["is_superuser"] = data["is_superuser"]
        return values


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name (中文)"), max_length=100)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)
    description = forms.CharField(
        label=pgettext_lazy("team", "Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lead = forms.ModelChoiceField(
        label=_("Team lead"), queryset=staff_queryset().filter(is_active=True), required=False
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Members"), queryset=staff_queryset(), required=False, widget=forms.CheckboxSelectMultiple
    )
    is_default = forms.BooleanField(
        label=_("Receives unrouted tickets"),
        required=False,
        help_text=_("New tickets without a team land here. Only one team can."),
    )
    assignment_strategy = forms.TypedChoiceField(
        label=_("Assignment of new tickets"),
        choices=AssignmentStrategy.choices,
        initial=AssignmentStrategy.MANUAL,
        required=False,
        empty_value=AssignmentStrategy.MANUAL,
    )
    max_open_per_agent = forms.IntegerField(
        label=_("Open tickets per agent"),
        required=False,
        min_value=0,
        max_value=MAX_OPEN_CAP,
        initial=0,
        help_text=_("Automatic assignment stops at this many open tickets per agent; 0: no limit."),
    )
    shift_calendar = forms.ModelChoiceField(
        label=_("Shift hours"),
        queryset=BusinessCalendar.objects.all(),
        required=False,
        help_text=_("Assign automatically only during these hours (and only to online agents)."),
    )
    escalation_team = forms.ModelChoiceField(
        label=_("L2 team for escalations"),
        queryset=Team.objects.all(),
        required=False,
        empty_label=_("The team's own senior agents"),
        help_text=_("Tickets escalated to L2 move to this team and are assigned by its rules."),
    )

    def __init__(self, *args, team: Team | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team

    @classmethod
    def initial_for(cls, team: Team) -> dict:
        return {
            "name": team.name,
            "name_en": team.name_en,
            "description": team.description,
            "lead": team.lead,
            "members": list(team.members.all()),
            "is_default": team.is_default,
            "assignment_strategy": team.assignment_strategy,
            "max_open_per_agent": team.max_open_per_agent,
            "shift_calendar": team.shift_calendar,
            "escalation_team": team.escalation_team,
        }

    def clean_max_open_per_agent(self) -> int:
        return self.cleaned_data["max_open_per_agent"] or 0

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = Team.objects.filter(name=name)
        if self.team is not None:
            taken = taken.exclude(pk=self.team.pk)
        if taken.exists():
            raise forms.ValidationError(_("A team with this name already exists."))
        return name


# --- configuration ---------------------------------------------------------------------------------


class _FixedCodeMixin:
    """Codes and keys are referred to elsewhere: editable when creating, read-only afterwards."""

    fixed_field = "code"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields[self.fixed_field].disabled = True
            self.fields[self.fixed_field].help_text = _("Cannot be changed once created.")


class CategoryForm(_FixedCodeMixin, forms.ModelForm):
    class Meta:
        model = Category
        fields = ["code", "name", "name_en", "position", "is_active"]


class PriorityForm(_FixedCodeMixin, forms.ModelForm):
    class Meta:
        model = Priority
        fields = ["code", "name", "name_en", "rank", "color", "is_default"]
        widgets = {"color": forms.TextInput(attrs={"type": "color"})}
        help_texts = {"rank": _("Higher means more urgent."), "is_default": _("Given to new tickets.")}


class TagForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name"]


class CustomFieldForm(_FixedCodeMixin, forms.ModelForm):
    fixed_field = "key"
    choices_text = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For the “Choice” type: one choice per line."),
    )

    class Meta:
        model = CustomField
        fields = [
            "key",
            "name",
            "name_en",
            "kind",
            "choices_text",
            "required",
            "customer_visible",
            "position",
            "is_active",
        ]
        help_texts = {"key": _("Used in the API and in stored values, e.g. order_number.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["choices_text"].initial = "\n".join(str(c) for c in self.instance.choices or [])

    def clean(self) -> dict:
        data = super().clean()
        choices = [line.strip() for line in (data.get("choices_text") or "").splitlines() if line.strip()]
        if data.get("kind") == CustomFieldKind.CHOICE and not choices:
            self.add_error("choices_text", _("A choice field needs at least one choice."))
        data["choices"] = choices
        return data

    def service_values(self) -> dict:
        data = self.cleaned_data
        values = {name: data[name] for name in self.Meta.fields if name != "choices_text" and name in data}
        values["choices"] = data["choices"]
        return values


class MacroForm(forms.ModelForm):
    status = forms.ChoiceField(label=_("Set status"), required=False)
    priority = forms.ChoiceField(label=_("Set priority"), required=False)
    category = forms.ChoiceField(label=_("Set category"), required=False)
    team = forms.ChoiceField(label=_("Move to team"), required=False)
    severity = forms.ChoiceField(label=_("Set complaint severity"), required=False)
    add_tags = forms.CharField(label=_("Add tags"), required=False, help_text=_("Separated by commas."))

    class Meta:
        model = Macro
        fields = ["name", "body", "is_shared"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "body": _(
                "Variables: {{ customer.name }}, {{ ticket.number }}, {{ ticket.subject }}, {{ agent.name }}."
            ),
        }

    ACTION_FIELDS = ("status", "priority", "category", "team", "severity", "add_tags")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        unchanged = [("", _("(no change)"))]
        self.fields["status"].choices = unchanged + list(Status.choices)
        self.fields["priority"].choices = unchanged + [(p.code, p.label) for p in Priority.objects.all()]
        self.fields["category"].choices = unchanged + [(c.code, c.label) for c in Category.objects.all()]
        self.fields["team"].choices = unchanged + [(str(t.pk), str(t)) for t in Team.objects.all()]
        self.fields["severity"].choices = unchanged + list(Severity.choices)
        actions = self.instance.actions or {}
        for name in self.ACTION_FIELDS:
            value = actions.get(name)
            if name == "add_tags":
                value = ", ".join(value or [])
            self.fields[name].initial = "" if value is None else str(value)

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "body": data["body"],
            "is_shared": data["is_shared"],
            "actions": {name: data.get(name) or "" for name in self.ACTION_FIELDS},
        }
