"""A signed body that is not a call event we understand gets 400 with a clear JSON error, never a 500."""

import pytest

from kefu.tickets.models import Ticket

from .conftest import event

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "body, field",
    [
        (b"{not json", ""),
        (b"\xff\xfe", ""),
        (b"[1, 2]", ""),
        (b'"ringing"', ""),
        (b"", ""),
    ],
)
def test_bodies_that_are_not_a_json_object(pbx, body, field):
    response = pbx.post_raw(body)
    assert response.status_code == 400
    assert response.json()["error"]
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"call_id": None}, "call_id"),
        ({"call_id": ""}, "call_id"),
        ({"call_id": ["x"]}, "call_id"),
        ({"event": None}, "event"),
        ({"event": "transferred"}, "event"),
        ({"direction": "sideways"}, "direction"),
        ({"from": ["13812345678"]}, "from"),  # (a withheld number is no error: test_withheld_numbers.py)
        ({"direction": "outbound", "to": None}, "to"),
        ({"duration": "long"}, "duration"),
        ({"duration": -5}, "duration"),
        ({"duration": True}, "duration"),
        ({"started_at": "yesterday"}, "started_at"),
        ({"started_at": "2026-13-45T99:00:00"}, "started_at"),
        ({"recording_url": "javascript:alert(1)"}, "recording_url"),
        ({"extension": {"a": 1}}, "extension"),
        ({"call_id": "x" * 300}, "call_id"),
    ],
)
def test_missing_or_bad_fields_name_the_field(pbx, overrides, field):
    response = pbx.send(**overrides)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert Ticket.objects.count() == 0


def test_an_unknown_event_lists_the_known_ones(pbx):
    response = pbx.send(event="hold")
    assert response.status_code == 400
    assert "ringing, answered, ended, missed, voicemail" in response.json()["error"]


def test_other_methods_are_refused(pbx, client):
    url = f"/connectors/phone/{pbx.line.key}/events/"
    assert client.get(url).status_code == 405


def test_numbers_may_come_as_json_numbers(pbx):
    """Some PBXs send numbers and extensions unquoted."""
    body = event(**{"from": 13812345678, "extension": 801})
    import json

    assert pbx.post_raw(json.dumps(body).encode()).status_code == 200
