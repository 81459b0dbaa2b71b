"""The public survey form: parses and range-checks the scores (the service checks them again)."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from . import rules
from .services import MAX_COMMENT_LENGTH

CSAT_LABELS = {
    1: _("Very dissatisfied"),
    2: _("Dissatisfied"),
    3: _("Neutral"),
    4: _("Satisfied"),
    5: _("Very satisfied"),
}


class SurveyForm(forms.Form):
    csat = forms.TypedChoiceField(
        label=_("How satisfied are you with the service?"),
        choices=[(score, format_lazy("{} · {}", score, CSAT_LABELS[score])) for score in rules.CSAT_SCORES],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a score from 1 to 5."),
            "invalid_choice": _("Choose a score from 1 to 5."),
        },
    )
    nps = forms.TypedChoiceField(
        label=_("How likely are you to recommend us to a friend?"),
        help_text=_("0 = not at all likely, 10 = extremely likely. Optional."),
        choices=[(score, str(score)) for score in rules.NPS_SCORES],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose a score from 0 to 10.")},
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell us? (optional)"),
        required=False,
        max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
