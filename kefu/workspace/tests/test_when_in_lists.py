"""A list's times (`when_maker`, the clock and zone read once per list) print what the `when` tag prints for
each of them: every kind of relative time, in each language and time zone."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from kefu.workspace.templatetags.workspace_tags import when, when_maker

AGES = [
    timedelta(seconds=5),
    timedelta(minutes=1),
    timedelta(minutes=59),
    timedelta(hours=3),
    timedelta(days=2),
    timedelta(days=30),
    timedelta(days=400),
    -timedelta(days=2),  # a time ahead of the clock
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/New_York"])
def test_a_lists_times_are_what_the_when_tag_prints(language, zone, monkeypatch):
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)
    times = [now - age for age in AGES] + [None]

    with translation.override(language), timezone.override(ZoneInfo(zone)):
        in_list = when_maker()
        assert [in_list(value) for value in times] == [when(value) for value in times]
