"""Forms of the quality pages: parse and check the input, then the views call one service."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Team

from .models import Criterion
from .services import MAX_SAMPLE, NOTE_MAX_LENGTH

COMMENT_MAX_LENGTH = 5000
EARLIEST_YEAR = 2000  # of a "solved since" date: Kefu holds no older tickets


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        english = (get_language() or "").startswith("en")
        return (obj.name_en or obj.name) if english else obj.name


class DrawForm(forms.Form):
    """How many solved tickets to draw into the inspector's queue, optionally from one team and period."""

    count = forms.IntegerField(label=_("Tickets to draw"), min_value=1, max_value=MAX_SAMPLE, initial=10)
    team = TeamChoiceField(
        label=_("Team"), queryset=Team.objects.order_by("name"), required=False, empty_label=_("All teams")
    )
    since = forms.DateField(
        label=_("Solved since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "min": "2000-01-01"}),
    )

    def clean_since(self):
        # Year 1 in Shanghai is before year 1 in UTC: the database could not compare it (a 500, not a filter).
        since = self.cleaned_data.get("since")
        if since is not None and since.year < EARLIEST_YEAR:
            raise forms.ValidationError(_("Choose a date in %(year)s or later.") % {"year": EARLIEST_YEAR})
        return since


class ReviewForm(forms.Form):
    """Points and a note per criterion of one scorecard, the agent reviewed and an overall comment."""

    agent = StaffChoiceField(
        label=_("Agent reviewed"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("The ticket's assignee"),
        help_text=_("Leave empty to review the ticket's assignee."),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.fields["agent"].queryset = (
            get_user_model()
            .objects.filter(is_staff=True, is_active=True)
            .order_by("display_name", "username")
        )
        for criterion in criteria:
            self.fields[f"points_{criterion.pk}"] = forms.IntegerField(
                label=criterion.label,
                min_value=0,
                max_value=criterion.max_points,
                widget=forms.NumberInput(attrs={"class": "input-sm points-input"}),
            )
            self.fields[f"note_{criterion.pk}"] = forms.CharField(
                label=_("Note"), required=False, max_length=NOTE_MAX_LENGTH
            )

    def rows(self) -> list[tuple[Criterion, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"points_{c.pk}"], self[f"note_{c.pk}"]) for c in self.criteria]

    def points(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"points_{c.pk}"] for c in self.criteria}

    def notes(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data.get(f"note_{c.pk}") or "" for c in self.criteria}
