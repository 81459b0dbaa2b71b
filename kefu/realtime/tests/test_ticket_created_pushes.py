"""A new ticket is pushed as one queue hint (nobody watches it yet); a later message to its watchers too."""

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


def test_a_new_ticket_sends_only_the_queue_hint(customer, layer_calls, django_capture_on_commit_callbacks):
    """Nobody can watch a ticket before it is committed: frames to its group would reach no socket."""
    with django_capture_on_commit_callbacks(execute=True):
        services.create_ticket(customer=customer, subject="订单未发货", text="三天了", channel="web")

    assert layer_calls == [[(groups.QUEUE, "queue.changed", None)]]


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
