"""The webhook takes only events signed with the line's secret and sent within 5 minutes."""

import json
import time

import pytest

from kefu.connectors.phone.parse import sign
from kefu.tickets.models import Ticket

from .conftest import event

pytestmark = pytest.mark.django_db


def test_a_signed_fresh_event_is_accepted(pbx):
    response = pbx.send()
    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert Ticket.objects.count() == 1


def test_a_wrong_secret_is_refused_with_403(pbx):
    response = pbx.post_raw(json.dumps(event()).encode(), secret="not-the-secret")
    assert response.status_code == 403
    assert "signature" in response.json()["error"]
    assert Ticket.objects.count() == 0


def test_missing_headers_are_refused(pbx):
    body = json.dumps(event()).encode()
    assert pbx.post_raw(body, signature="").status_code == 403
    assert pbx.post_raw(body, timestamp="").status_code == 403
    assert pbx.post_raw(body, timestamp="yesterday").status_code == 403
    assert Ticket.objects.count() == 0


def test_a_tampered_body_is_refused(pbx):
    """Given a signature of one body, when another body is sent with it, then it is refused."""
    ts = str(int(time.time()))
    signature = sign(pbx.line.secret, ts, json.dumps(event()).encode())
    tampered = json.dumps(event(**{"from": "13900000000"})).encode()
    assert pbx.post_raw(tampered, timestamp=ts, signature=signature).status_code == 403


@pytest.mark.parametrize("age", [301, -301, 3600])
def test_an_old_or_future_timestamp_is_refused_to_stop_replays(pbx, age):
    """A correctly signed event whose timestamp is more than 5 minutes off is refused."""
    ts = str(int(time.time()) - age)
    response = pbx.post_raw(json.dumps(event()).encode(), timestamp=ts)
    assert response.status_code == 403
    assert "5 minutes" in response.json()["error"]


def test_a_replayed_signature_with_a_fresh_timestamp_is_refused(pbx):
    """The timestamp is signed too: an old request cannot be replayed by changing only its timestamp."""
    old = str(int(time.time()) - 3600)
    body = json.dumps(event()).encode()
    response = pbx.post_raw(body, timestamp=str(int(time.time())), signature=sign(pbx.line.secret, old, body))
    assert response.status_code == 403


def test_a_new_secret_replaces_the_old_one(pbx, supervisor):
    from kefu.connectors.phone.services import regenerate_secret

    old = pbx.line.secret
    regenerate_secret(actor=supervisor, line=pbx.line)
    assert pbx.post_raw(json.dumps(event()).encode(), secret=old).status_code == 403
    pbx.line.refresh_from_db()
    assert pbx.send().status_code == 200


def test_an_inactive_or_unknown_line_answers_404(pbx, client):
    pbx.line.active = False
    pbx.line.save()
    assert pbx.send().status_code == 404
    response = client.post("/connectors/phone/nope/events/", data=b"{}", content_type="application/json")
    assert response.status_code == 404
