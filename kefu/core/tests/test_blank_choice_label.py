"""The empty choice Django puts at the top of every optional select is translated."""

import pytest
from django import forms
from django.utils import translation

from kefu.accounts.models import Team

pytestmark = pytest.mark.django_db


class _TeamForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False)


def test_the_empty_choice_of_a_select_is_chinese_on_chinese_pages():
    """Given the Chinese UI, an optional model select shows the Chinese empty label, not Django's English one."""
    with translation.override("zh-hans"):
        html = str(_TeamForm()["team"])

    assert "请选择" in html and "Select an option" not in html and "---------" not in html
