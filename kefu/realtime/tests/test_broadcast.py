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


def test_queue_hints_in_a_burst_go_out_once_now_and_once_when_the_window_ends(layer, monkeypatch):
    """Every staff socket is in the queue group: a burst of ticket changes sends it two hints, not one per
    change (the first at once, one more for the rest a window later), while each ticket's own frames all go."""
    import asyncio

    monkeypatch.setitem(broadcast_module.COALESCED_HINTS, ("queue", "queue.changed"), 1.0)

    async def scenario():
        await layer.group_add("queue", "agent!1")
        await layer.group_add("ticket.1", "agent!1")
        for n in range(5):
            await broadcast_module._send_all(
                layer,
                [
                    ("ticket.1", push_message("ticket.changed", {"ticket": 1, "n": n})),
                    ("queue", push_message("queue.changed", {})),
                ],
            )
        at_once = [(await layer.receive("agent!1"))["frame"] for _ in range(6)]
        assert layer.channels["agent!1"].empty()  # nothing more is queued yet
        later = await asyncio.wait_for(layer.receive("agent!1"), 1.0 + 5)
        return at_once, later["frame"]

    at_once, later = async_to_sync(scenario)()

    assert [frame["type"] for frame in at_once].count("queue.changed") == 1
    assert [frame.get("n") for frame in at_once if frame["type"] == "ticket.changed"] == [0, 1, 2, 3, 4]
    assert later == {"type": "queue.changed"}


def test_a_queue_hint_after_a_quiet_window_goes_out_at_once(layer, monkeypatch):
    monkeypatch.setitem(
        broadcast_module.COALESCED_HINTS, ("queue", "queue.changed"), 0.0
    )  # windows have ended

    async def scenario():
        await layer.group_add("queue", "agent!1")
        for _ in range(3):
            await broadcast_module._send_all(layer, [("queue", push_message("queue.changed", {}))])
        return layer.channels["agent!1"].qsize()

    assert async_to_sync(scenario)() == 3


def test_the_hint_sent_at_the_end_of_a_window_is_the_latest_one_held_back(layer):
    """Waiting visitors' queue moves carry the shared figures: the one sent for a burst has the newest."""
    import asyncio

    async def scenario():
        await layer.group_add("chat-waiting", "visitor!1")
        for figures in ([60, 1], [90, 2], [120, 3]):
            await broadcast_module.push_all(
                layer, [("chat-waiting", {"type": "kefu.requeue", "figures": figures})]
            )
        got = [await asyncio.wait_for(layer.receive("visitor!1"), 1.0 + 5) for _ in range(2)]
        return [message["figures"] for message in got]

    assert async_to_sync(scenario)() == [[60, 1], [120, 3]]


def test_frames_that_are_not_bare_hints_are_never_held_back(layer):
    """A chat offer or a ticket's own change is for few sockets and says something: it goes every time."""

    async def scenario():
        await layer.group_add("queue", "agent!1")
        await layer.group_add("user.7", "agent!1")
        for n in range(3):
            await broadcast_module.push_all(
                layer,
                [
                    ("user.7", push_message("chat.offer", {"conversation": n})),
                    ("queue", push_message("queue.changed", {})),
                ],
            )
        frames = [(await layer.receive("agent!1"))["frame"] for _ in range(4)]
        offers = [frame.get("conversation") for frame in frames if frame["type"] == "chat.offer"]
        return offers, layer.channels["agent!1"].qsize()

    assert async_to_sync(scenario)() == ([0, 1, 2], 0)  # three offers, one hint (one more comes later)


class RecordingNetworkLayer:
    """Stands for the Redis layer (not the in-process one): records what each group was sent, from any loop."""

    def __init__(self) -> None:
        import threading

        self.sent: list[tuple[str, dict]] = []
        self.arrived = threading.Condition()

    async def group_send(self, group, message):
        with self.arrived:
            self.sent.append((group, message))
            self.arrived.notify_all()

    def wait_for(self, count: int) -> list[tuple[str, dict]]:
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.sent) >= count, timeout=10), self.sent
            return list(self.sent)


@pytest.fixture
def network_layer(monkeypatch) -> RecordingNetworkLayer:
    layer = RecordingNetworkLayer()
    monkeypatch.setattr(broadcast_module, "get_channel_layer", lambda: layer)
    monkeypatch.setattr(broadcast_module, "_sender", broadcast_module._SenderLoop())  # a loop of its own
    return layer


def test_bare_hints_over_the_network_layer_are_not_waited_for(network_layer, monkeypatch):
    """A request that opens a ticket pushes only the queue hint: it hands it over and goes on, while a
    ticket's own frames are still waited for (their order matters)."""
    waited: list[list[str]] = []
    original_run = broadcast_module._sender.run

    def run(coroutine, *, timeout):
        waited.append(["waited"])
        return original_run(coroutine, timeout=timeout)

    monkeypatch.setattr(broadcast_module._sender, "run", run)

    broadcast_many([("queue", push_message("queue.changed", {}))])
    assert waited == []
    assert network_layer.wait_for(1) == [("queue", push_message("queue.changed", {}))]

    broadcast_many([("ticket.1", push_message("ticket.changed", {"ticket": 1, "what": "message"}))])
    assert waited == [["waited"]]


def test_a_burst_of_hints_from_sync_code_sends_the_first_at_once_and_the_newest_when_the_window_ends(
    network_layer, monkeypatch
):
    """Every request of a busy process hints the queues; they hear it at once, then once per window."""
    import time

    monkeypatch.setitem(
        broadcast_module.COALESCED_HINTS, ("chat-waiting", "kefu.requeue"), 1.5
    )  # for a slow box
    broadcast_many([("chat-waiting", {"type": "kefu.requeue", "figures": [60, 1]})])
    network_layer.wait_for(1)
    for figures in ([90, 2], [120, 3]):  # within the window: held back, the newest kept
        broadcast_many([("chat-waiting", {"type": "kefu.requeue", "figures": figures})])

    sent = network_layer.wait_for(2)
    assert [message["figures"] for _group, message in sent] == [[60, 1], [120, 3]]
    # A window without hints closes: the next hint goes out at once, not one window later.
    deadline = time.monotonic() + 10
    while broadcast_module._sender._open and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not broadcast_module._sender._open
    broadcast_many([("chat-waiting", {"type": "kefu.requeue", "figures": [30, 1]})])
    assert network_layer.wait_for(3)[-1][1]["figures"] == [30, 1]
    assert len(network_layer.sent) == 3


def test_the_staff_queues_hint_is_sent_no_more_often_than_the_browser_acts_on_it():
    """live.js fires "queue-changed" at most once per 5 s: the server's window for that hint is no shorter
    (a shorter one only costs a fan-out to every staff socket), and no longer (no change waits longer)."""
    import re
    from pathlib import Path

    from kefu.realtime import groups

    live_js = (Path(broadcast_module.__file__).parent.parent / "static" / "kefu" / "live.js").read_text()
    browser_ms = int(re.search(r"QUEUE_HINT_MS = (\d+)", live_js).group(1))
    assert broadcast_module.COALESCED_HINTS[(groups.QUEUE, "queue.changed")] == browser_ms / 1000
