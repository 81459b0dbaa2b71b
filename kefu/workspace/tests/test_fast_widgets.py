"""The Python-written menus and hidden inputs print exactly what Django's widget templates print."""

from datetime import date

import pytest
from django import forms
from django.utils.safestring import mark_safe

from kefu.workspace.widgets import FastHiddenInput, FastInput, FastSelect, use_fast_widgets


class _Form(forms.Form):
    plain = forms.ChoiceField(
        choices=[("", "—"), ("1", "A & B <b>"), ("2", mark_safe("<i>safe</i>")), ("x\"'", "quote")],
        required=False,
    )
    named = forms.ChoiceField(choices=[("a", "a"), ("b", "b")])
    text = forms.CharField(required=False)
    grouped = forms.ChoiceField(choices=[("Group <1>", [("g1", "one"), ("g2", "two")]), ("z", "zed")])
    amount = forms.DecimalField(required=False, widget=forms.NumberInput(attrs={"step": "any"}))
    due = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"placeholder": 'a "b" <c>'}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plain"].widget.attrs.update(
            {"aria-label": 'Pick "one"', "data-flag": True, "hidden": False}
        )
        for field in self.fields.values():
            field.show_hidden_initial = True


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"plain": "1", "named": "b", "text": "<x>", "grouped": "g2", "amount": "1.5", "due": "2026-03-05"},
        {"plain": "x\"'", "named": "zz", "amount": "x<", "due": "not a date", "email": "a&b"},
    ],
)
def test_fast_widgets_print_the_same_html_as_the_templates(data):
    initial = {"plain": "2", "named": "a", "text": 'a"b', "grouped": "g1", "due": date(2026, 1, 2), "amount": 3}
    slow = _Form(data, initial=initial)
    fast = use_fast_widgets(_Form(data, initial=initial))

    assert isinstance(fast.fields["plain"].widget, FastSelect)
    for name in ("text", "amount", "due", "email"):
        assert isinstance(fast.fields[name].widget, FastInput)
        assert not isinstance(slow.fields[name].widget, FastInput), "only the instance's widget is swapped"
    assert fast.fields["text"].hidden_widget is FastHiddenInput
    for name in slow.fields:
        assert str(fast[name]) == str(slow[name])
        assert fast[name].as_hidden(only_initial=True) == slow[name].as_hidden(only_initial=True)


def test_a_menu_with_option_groups_still_uses_the_template():
    form = use_fast_widgets(_Form())

    assert '<optgroup label="Group &lt;1&gt;">' in str(form["grouped"])


@pytest.mark.parametrize("value", ["1", "", None, ["2"], "missing"])
def test_menu_options_are_written_as_the_templates_write_them(value):
    """Options come straight from the choices (no per-option dicts): a repeated value is selected once, a None
    choice is the empty value, labels are escaped."""
    choices = [(None, "none <b>"), ("1", "one"), ("1", "one again"), (2, mark_safe("<i>two</i>"))]
    slow = forms.Select(choices=choices, attrs={"id": "m"})
    fast = FastSelect(choices=choices, attrs={"id": "m"})

    assert fast.render("menu", value) == slow.render("menu", value)
