"""`{% form_field %}` prints exactly what `{% include "core/_field.html" %}` printed, for every kind of field."""

import pytest
from django import forms
from django.template import Context, Template

from kefu.workspace.widgets import use_fast_widgets


class _Form(forms.Form):
    menu = forms.ChoiceField(label="Menu <&>", choices=[("", "—"), ("1", "一")], required=False)
    needed = forms.CharField(label="Needed", max_length=10)
    tags = forms.CharField(label="Tags", required=False, help_text="Separate <tags> with commas.")
    flag = forms.BooleanField(label="Flag", required=False)
    secret = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.show_hidden_initial = True
        use_fast_widgets(self)


INCLUDED = Template('{% for field in form %}{% include "core/_field.html" with field=field %}|{% endfor %}')
TAGGED = Template("{% load workspace_tags %}{% for field in form %}{% form_field field %}|{% endfor %}")


@pytest.mark.parametrize(
    "data",
    [None, {"menu": "9", "needed": "", "tags": "x" * 5, "flag": "on", "secret": '"'}],
    ids=["unbound", "with-errors"],
)
def test_form_field_prints_the_includes_html(data):
    form = _Form(data, initial={"menu": "1", "tags": "a, b"})
    if data:
        assert not form.is_valid()

    assert TAGGED.render(Context({"form": form})) == INCLUDED.render(Context({"form": form}))
