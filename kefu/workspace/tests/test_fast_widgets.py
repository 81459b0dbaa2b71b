"""The Python-written menus and hidden inputs print exactly what Django's widget templates print."""

import pytest
from django import forms
from django.utils.safestring import mark_safe

from kefu.workspace.widgets import FastHiddenInput, FastSelect, use_fast_widgets


class _Form(forms.Form):
    plain = forms.ChoiceField(
        choices=[("", "—"), ("1", "A & B <b>"), ("2", mark_safe("<i>safe</i>")), ("x\"'", "quote")],
        required=False,
    )
    named = forms.ChoiceField(choices=[("a", "a"), ("b", "b")])
    text = forms.CharField(required=False)
    grouped = forms.ChoiceField(choices=[("Group <1>", [("g1", "one"), ("g2", "two")]), ("z", "zed")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plain"].widget.attrs.update(
            {"aria-label": 'Pick "one"', "data-flag": True, "hidden": False}
        )
        for field in self.fields.values():
            field.show_hidden_initial = True


@pytest.mark.parametrize(
    "data",
    [None, {"plain": "1", "named": "b", "text": "<x>", "grouped": "g2"}, {"plain": "x\"'", "named": "zz"}],
)
def test_fast_widgets_print_the_same_html_as_the_templates(data):
    initial = {"plain": "2", "named": "a", "text": 'a"b', "grouped": "g1"}
    slow = _Form(data, initial=initial)
    fast = use_fast_widgets(_Form(data, initial=initial))

    assert isinstance(fast.fields["plain"].widget, FastSelect)
    assert fast.fields["text"].hidden_widget is FastHiddenInput
    for name in slow.fields:
        assert str(fast[name]) == str(slow[name])
        assert fast[name].as_hidden(only_initial=True) == slow[name].as_hidden(only_initial=True)


def test_a_menu_with_option_groups_still_uses_the_template():
    form = use_fast_widgets(_Form())

    assert '<optgroup label="Group &lt;1&gt;">' in str(form["grouped"])
