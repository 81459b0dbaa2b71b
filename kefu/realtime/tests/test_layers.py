"""The single-process channel layer delivers group messages like Channels' own, and still drops expired
messages and memberships — only not by scanning everything on every send and receive."""

from asgiref.sync import async_to_sync

from kefu.realtime import layers


def test_a_group_message_reaches_every_member_once_and_no_one_else():
    layer = layers.InMemoryChannelLayer()

    async def scenario():
        for channel in ("a!1", "b!1"):
            await layer.group_add("chat.1", channel)
        await layer.group_add("chat.2", "c!1")
        await layer.group_send("chat.1", {"type": "kefu.push", "frame": {"type": "message", "id": 7}})
        got = [await layer.receive("a!1"), await layer.receive("b!1")]
        assert [m["frame"]["id"] for m in got] == [7, 7]
        assert "c!1" not in layer.channels  # nothing was queued for the other chat's socket

    async_to_sync(scenario)()


def test_expired_messages_and_memberships_are_still_cleaned_at_most_once_a_second(monkeypatch):
    layer = layers.InMemoryChannelLayer(expiry=60, group_expiry=100)
    clock = [1000.0]
    monkeypatch.setattr(layers.time, "monotonic", lambda: clock[0])
    scans = []
    monkeypatch.setattr(layers.layers.InMemoryChannelLayer, "_clean_expired", lambda self: scans.append(1))

    for _ in range(50):
        layer._clean_expired()
    clock[0] += layers.CLEAN_EVERY
    layer._clean_expired()

    assert len(scans) == 2
