"""The single-process channel layer delivers group messages like Channels' own, and still drops expired
messages and memberships — only not by scanning everything on every send and receive. The Redis layer
(several processes) delivers bursts completely and in order, batched into pipelines."""

import asyncio
import os
import uuid

import pytest
import redis
import redis.asyncio.client
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


# --- the Redis pub/sub layer (several processes) ----------------------------------------------------

REDIS = os.environ.get("KEFU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_is_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not _redis_is_up(), reason="Redis is not running at 127.0.0.1:6379")


@needs_redis
def test_redis_layer_delivers_a_burst_of_group_sends_in_order_in_a_few_round_trips(monkeypatch):
    """Two processes (two layer instances): 300 pushes sent at once from one reach the other's socket all,
    in the order they were sent, batched into pipelines instead of one locked round trip each."""
    prefix = f"kefu-test-{uuid.uuid4().hex[:8]}"
    sender = layers.RedisPubSubChannelLayer(hosts=[REDIS], prefix=prefix)
    receiver = layers.RedisPubSubChannelLayer(hosts=[REDIS], prefix=prefix)
    round_trips = []
    execute = redis.asyncio.client.Pipeline.execute

    async def counted(pipe, *args, **kwargs):
        round_trips.append(len(pipe.command_stack))
        return await execute(pipe, *args, **kwargs)

    monkeypatch.setattr(redis.asyncio.client.Pipeline, "execute", counted)

    async def scenario():
        channel = await receiver.new_channel()
        await receiver.group_add("chat.1", channel)
        await asyncio.sleep(0.2)  # the subscription reaches Redis
        pushes = [{"type": "kefu.push", "frame": {"type": "message", "id": n}} for n in range(300)]
        await asyncio.gather(*(sender.group_send("chat.1", push) for push in pushes))
        got = [await asyncio.wait_for(receiver.receive(channel), 10) for _ in pushes]
        await sender.flush()
        await receiver.flush()
        return [message["frame"]["id"] for message in got]

    assert async_to_sync(scenario)() == list(range(300))
    assert sum(round_trips) == 300  # every publish was sent ...
    assert len(round_trips) < 30  # ... but not one round trip each


@needs_redis
def test_redis_layer_reports_a_failed_publish_to_the_sender(monkeypatch):
    """A publish that Redis refuses raises in the sender (broadcast logs it), and later ones still go out."""
    prefix = f"kefu-test-{uuid.uuid4().hex[:8]}"
    layer = layers.RedisPubSubChannelLayer(hosts=[REDIS], prefix=prefix)
    execute = redis.asyncio.client.Pipeline.execute
    failures = [redis.ConnectionError("Redis went away")]

    async def flaky(pipe, *args, **kwargs):
        if failures:
            raise failures.pop()
        return await execute(pipe, *args, **kwargs)

    monkeypatch.setattr(redis.asyncio.client.Pipeline, "execute", flaky)

    async def scenario():
        channel = await layer.new_channel()
        await layer.group_add("chat.2", channel)
        await asyncio.sleep(0.2)
        with pytest.raises(redis.ConnectionError):
            await layer.group_send("chat.2", {"type": "kefu.push", "frame": {"id": 1}})
        await layer.group_send("chat.2", {"type": "kefu.push", "frame": {"id": 2}})
        message = await asyncio.wait_for(layer.receive(channel), 10)
        await layer.flush()
        return message["frame"]["id"]

    assert async_to_sync(scenario)() == 2


@needs_redis
def test_setups_on_other_redis_databases_of_one_server_do_not_hear_each_others_pushes():
    """Pub/sub ignores the database index: without the index in the names, a bench or test run on Redis
    DB 11 would get DB 10's `chat.1` messages."""
    base, _, index = REDIS.rpartition("/")
    here = layers.RedisPubSubChannelLayer(hosts=[REDIS])
    there = layers.RedisPubSubChannelLayer(hosts=[f"{base}/{int(index) ^ 1}"])

    async def scenario():
        ours, theirs = await here.new_channel(), await there.new_channel()
        await here.group_add("chat.1", ours)
        await there.group_add("chat.1", theirs)
        await asyncio.sleep(0.2)
        await here.group_send("chat.1", {"type": "kefu.push", "frame": {"id": "here"}})
        await there.group_send("chat.1", {"type": "kefu.push", "frame": {"id": "there"}})  # published after
        got = (
            await asyncio.wait_for(here.receive(ours), 10),
            await asyncio.wait_for(there.receive(theirs), 10),
        )
        await here.flush()
        await there.flush()
        return [message["frame"]["id"] for message in got]

    assert async_to_sync(scenario)() == ["here", "there"]  # "there" first heard its own push, not ours
