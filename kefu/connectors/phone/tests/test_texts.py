"""Call events and durations as sentences (pure: no database)."""

import pytest
from django.utils import translation

from kefu.connectors.phone.texts import call_event_text, duration_text


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    "seconds, text",
    [(None, ""), (0, "0 s"), (45, "45 s"), (192, "3 min 12 s"), (3720, "1 h 2 min")],
)
def test_durations_read_like_people_say_them(seconds, text):
    assert duration_text(seconds) == text


@pytest.mark.parametrize(
    "data, text",
    [
        (
            {"event": "ended", "direction": "inbound", "number": "1**4", "duration": 30},
            "Inbound call from 1**4 ended after 30 s",
        ),
        (
            {"event": "ended", "direction": "outbound", "number": "1**4", "agent": "A", "duration": 61},
            "Outbound call to 1**4 by A, 1 min 1 s",
        ),
        (
            {"event": "missed", "direction": "outbound", "number": "1**4"},
            "Outbound call to 1**4 was not answered",
        ),
        ({"event": "ended", "direction": "inbound"}, "Call with an unknown number ended"),
        ({}, "Call with an unknown number is ringing"),
    ],
)
def test_call_events_read_as_sentences(data, text):
    assert call_event_text(data) == text


def test_sentences_are_translated():
    with translation.override("zh-hans"):
        assert call_event_text({"event": "missed", "direction": "inbound", "number": "1**4"}) != (
            "Missed call from 1**4: call back"
        )
