"""Pushes from sync code: with the single-process layer, a group without sockets costs no trip to the event
loop, and the groups that have sockets still get every frame of one call, in order."""

import pytest
from asgiref.sync import async_to_sync

from kefu.realtime import broadcast as broadcast_module
from kefu.realtime import layers
from kefu.realtime.broadcast import broadcast, broadcast_many, push_message


@pytest.fixture
def layer(monkeypatch):
    layer = layers.InMemoryChannelLayer()
    monkeypatch.setattr(broadcast_module, "get_channel_layer", lambda: layer)
    return layer


@pytest.fixture
def hops(monkeypatch) -> list[int]:
    """One entry per trip to the event loop (each `async_to_sync` call)."""
    trips: list[int] = []

    def counting(function):
        trips.append(1)
        return async_to_sync(function)

    monkeypatch.setattr(broadcast_module, "async_to_sync", counting)
    return trips


def test_pushes_to_groups_without_sockets_make_no_trip_to_the_event_loop(layer, hops):
    """In a process serving no sockets (a command, a test) each trip would build an event loop."""
    broadcast("user.7", "notifications.changed", {})
    broadcast_many(
        [
            ("ticket.1", push_message("ticket.changed", {"ticket": 1})),
            ("queue", push_message("queue.changed", {})),
        ]
    )

    assert hops == []


def test_one_call_sends_each_frame_to_the_groups_with_sockets_in_one_trip(layer, hops):
    """Frames for empty groups are dropped, the rest arrive in the order given, after a single trip."""
    async_to_sync(layer.group_add)("queue", "agent!1")
    async_to_sync(layer.group_add)("ticket.1", "agent!1")

    broadcast_many(
        [
            ("ticket.1", push_message("ticket.changed", {"ticket": 1, "what": "created"})),
            ("ticket.1", push_message("ticket.changed", {"ticket": 1, "what": "message"})),
            ("ticket.2", push_message("ticket.changed", {"ticket": 2, "what": "message"})),
            ("queue", push_message("queue.changed", {})),
        ]
    )

    received = [async_to_sync(layer.receive)("agent!1")["frame"] for _ in range(3)]
    assert hops == [1]
    assert [(frame["type"], frame.get("what")) for frame in received] == [
        ("ticket.changed", "created"),
        ("ticket.changed", "message"),
        ("queue.changed", None),
    ]


def test_frames_for_one_group_are_sent_one_after_another_even_when_the_first_is_slow():
    """A layer over the network (Redis) keeps no order between sends in flight together: the second frame of
    a group waits until the first is sent; other groups do not wait."""
    import asyncio

    sent: list[str] = []

    class SlowFirstLayer:
        async def group_send(self, group, message):
            if message["frame"]["what"] == "created":
                await asyncio.sleep(0.05)
            sent.append(f"{group}:{message['frame']['what']}")

    async_to_sync(broadcast_module._send_all)(
        SlowFirstLayer(),
        [
            ("ticket.1", push_message("ticket.changed", {"ticket": 1, "what": "created"})),
            ("ticket.1", push_message("ticket.changed", {"ticket": 1, "what": "message"})),
            ("queue", push_message("queue.changed", {"what": "hint"})),
        ],
    )

    assert sent.index("ticket.1:created") < sent.index("ticket.1:message")
    assert sent[0] == "queue:hint"  # the other group was not held up by the slow send
