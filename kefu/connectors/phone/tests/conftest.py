"""A phone line whose extension 801 is the agent 王芳, and a PBX that posts signed call events to it."""

import json
import time

import pytest
from django.urls import reverse
from django.utils import translation

from kefu.connectors.phone.models import PhoneLine
from kefu.connectors.phone.parse import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

CALLER = "13812345678"
MASKED = "138****5678"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def line(agent, front_line):
    return PhoneLine.objects.create(
        name="Hotline", number="400-800-1234", team=front_line, extensions={"801": agent.pk}
    )


def event(**overrides) -> dict:
    """An inbound call event as a PBX sends it; override any field (None drops it)."""
    body = {
        "call_id": "call-1",
        "event": "ringing",
        "direction": "inbound",
        "from": CALLER,
        "to": "4008001234",
        "extension": "801",
        "started_at": "2026-12-01T09:30:00+08:00",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


class Pbx:
    """Posts call events to a line's webhook the way a CTI system does: raw JSON, signed, timestamped."""

    def __init__(self, client, line):
        self.client, self.line = client, line

    def post_raw(
        self, body: bytes, *, secret: str | None = None, timestamp: str | None = None, signature=None
    ):
        ts = timestamp if timestamp is not None else str(int(time.time()))
        headers = {TIMESTAMP_HEADER: ts, "Accept-Language": "en"}
        headers[SIGNATURE_HEADER] = (
            signature if signature is not None else sign(secret or self.line.secret, ts, body)
        )
        url = reverse("phone_hooks:events", args=[self.line.key])
        return self.client.post(url, data=body, content_type="application/json", headers=headers)

    def send(self, **fields):
        return self.post_raw(json.dumps(event(**fields)).encode())


@pytest.fixture
def pbx(client, line):
    return Pbx(client, line)
