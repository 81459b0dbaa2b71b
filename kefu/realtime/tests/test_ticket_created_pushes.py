"""A new ticket is pushed in one layer call: its "created" and "message" frames and one queue hint."""

import pytest

from kefu.realtime import groups
from kefu.tickets import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def layer_calls(monkeypatch) -> list[list[tuple[str, str, str | None]]]:
    """Each call the listeners make to the layer: a list of (group, frame type, "what")."""
    calls: list[list[tuple[str, str, str | None]]] = []
    monkeypatch.setattr(
        "kefu.realtime.listeners.broadcast_many",
        lambda sends: calls.append([(g, m["frame"]["type"], m["frame"].get("what")) for g, m in sends]),
    )
    return calls


def test_a_new_ticket_sends_both_ticket_frames_and_one_queue_hint_in_one_call(
    customer, layer_calls, django_capture_on_commit_callbacks
):
    """One wait for the layer per new ticket (a Redis round trip at scale), with the frames in order."""
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.create_ticket(customer=customer, subject="订单未发货", text="三天了", channel="web")

    assert layer_calls == [
        [
            (groups.ticket(ticket.pk), "ticket.changed", "created"),
            (groups.ticket(ticket.pk), "ticket.changed", "message"),
            (groups.QUEUE, "queue.changed", None),
        ]
    ]


def test_a_later_message_sends_its_frame_and_the_queue_hint_in_one_call(
    customer, layer_calls, django_capture_on_commit_callbacks
):
    """Only the first message of a ticket announces it as created."""
    ticket = services.create_ticket(customer=customer, subject="订单未发货", text="三天了", channel="web")

    with django_capture_on_commit_callbacks(execute=True):
        services.add_customer_message(ticket=ticket, text="还没到")

    assert layer_calls == [
        [(groups.ticket(ticket.pk), "ticket.changed", "message"), (groups.QUEUE, "queue.changed", None)]
    ]
