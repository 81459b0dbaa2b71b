"""A new ticket tells each queue once: its first message's push is the queue hint, not a second one."""

import pytest

from kefu.realtime import groups
from kefu.tickets import services

pytestmark = pytest.mark.django_db


def test_a_new_ticket_sends_one_queue_hint_and_both_ticket_frames(
    customer, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        "kefu.realtime.listeners.broadcast",
        lambda group, event, payload, **kwargs: sent.append((group, event, payload.get("what"))),
    )

    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.create_ticket(customer=customer, subject="订单未发货", text="三天了", channel="web")

    assert [s for s in sent if s[1] == "queue.changed"] == [(groups.QUEUE, "queue.changed", None)]
    assert [s for s in sent if s[1] == "ticket.changed"] == [
        (groups.ticket(ticket.pk), "ticket.changed", "created"),
        (groups.ticket(ticket.pk), "ticket.changed", "message"),
    ]
