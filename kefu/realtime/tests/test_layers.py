"""The single-process channel layer delivers group messages like Channels' own, and still drops expired
messages and memberships — only not by scanning everything on every send and receive. The Redis layer
(several processes) delivers bursts completely and in order, batched into pipelines."""

import asyncio
import contextlib
import os
import time
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


@pytest.fixture
def clock(monkeypatch) -> dict[str, float]:
    """The layer's clocks, moved by hand: "wall" stamps messages and memberships, "mono" spaces the checks.
    Patch only after the async set-up: the event loop reads the same clocks."""
    now: dict[str, float] = {}

    def start() -> dict[str, float]:
        now.update(wall=layers.time.time(), mono=layers.time.monotonic())  # where the set-up left them
        monkeypatch.setattr(layers.time, "time", lambda: now["wall"])
        monkeypatch.setattr(layers.time, "monotonic", lambda: now["mono"])
        return now

    return start


def _joined(layer, channel: str) -> list[str]:
    return sorted(group for group, members in layer.groups.items() if channel in members)


def test_an_expired_message_is_dropped_and_its_channel_leaves_every_group(clock):
    """Channels' rule: a socket that did not read a message for `expiry` seconds is gone from its groups."""
    layer = layers.InMemoryChannelLayer(expiry=60)

    async def setup():
        for group in ("chat.1", "queue"):
            await layer.group_add(group, "stuck!1")
            await layer.group_add(group, "reading!1")
        await layer.send("stuck!1", {"type": "kefu.push", "frame": {"id": 1}})

    async_to_sync(setup)()
    now = clock()
    now["wall"] += 30
    now["mono"] += layers.CLEAN_EVERY
    layer._clean_expired()
    assert _joined(layer, "stuck!1") == ["chat.1", "queue"]  # not expired yet: checked again later

    now["wall"] += 31
    now["mono"] += layers.CLEAN_EVERY
    layer._clean_expired()

    assert "stuck!1" not in layer.channels
    assert _joined(layer, "stuck!1") == []
    assert _joined(layer, "reading!1") == ["chat.1", "queue"]


def test_memberships_older_than_the_group_expiry_are_dropped_within_a_minute(clock):
    layer = layers.InMemoryChannelLayer(group_expiry=100)
    async_to_sync(layer.group_add)("user.7", "old!1")
    now = clock()
    now["wall"] += 101
    now["mono"] += layers.CLEAN_EVERY
    layer._clean_expired()
    assert _joined(layer, "old!1") == ["user.7"]  # memberships are scanned once a minute, not every second

    now["mono"] += layers.CLEAN_GROUPS_EVERY
    layer._clean_expired()

    assert _joined(layer, "old!1") == []


def test_expired_messages_are_looked_for_at_most_once_a_second_and_only_where_something_was_sent(clock):
    """Sockets that were sent nothing have nothing to expire: at 12,000 sockets scanning them all took
    ~35 ms of the event loop every second."""
    layer = layers.InMemoryChannelLayer()

    async def setup():
        for n in range(100):  # idle sockets, each waiting in receive() like a consumer
            layer.channels[f"idle!{n}"] = asyncio.Queue()
        await layer.send("busy!1", {"type": "kefu.push", "frame": {"id": 1}})

    async_to_sync(setup)()
    now = clock()
    checks: list[set[str]] = []
    expire = layer._expire_messages
    layer._expire_messages = lambda: (checks.append(set(layer._sent_to)), expire())

    for _ in range(50):
        layer._clean_expired()
    now["mono"] += layers.CLEAN_EVERY
    layer._clean_expired()

    assert checks == [{"busy!1"}, {"busy!1"}]  # two checks; the idle channels were never looked at


def test_a_receiver_gets_what_was_sent_before_it_waited_and_after_and_its_channel_goes_with_it():
    layer = layers.InMemoryChannelLayer()

    async def scenario():
        await layer.send("a!1", {"type": "kefu.push", "n": 1})
        first = await layer.receive("a!1")
        waiting = asyncio.ensure_future(layer.receive("a!1"))
        await asyncio.sleep(0)
        await layer.group_add("chat.1", "a!1")
        await layer.group_send("chat.1", {"type": "kefu.push", "n": 2})
        second = await asyncio.wait_for(waiting, 5)
        kept = "a!1" in layer.channels
        socket_gone = asyncio.ensure_future(layer.receive("a!1"))
        await asyncio.sleep(0)
        socket_gone.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await socket_gone
        return [first["n"], second["n"], kept, "a!1" in layer.channels]

    # the receiving socket keeps its queue between messages; once it stops receiving the channel is forgotten
    assert async_to_sync(scenario)() == [1, 2, True, False]


def test_a_big_group_is_sent_to_in_chunks_with_other_work_in_between_and_every_member_in_order():
    """A hint to thousands of staff sockets must not hold a chat message up until every socket is woken."""
    layer = layers.InMemoryChannelLayer()
    members = [f"staff!{n}" for n in range(3 * layers.FAN_OUT_CHUNK)]

    async def scenario():
        for channel in members:
            await layer.group_add("queue", channel)
        meanwhile = []

        async def chat_message():
            meanwhile.append(sum(1 for channel in members if channel in layer.channels))

        sends = [
            asyncio.ensure_future(layer.group_send("queue", {"type": "kefu.push", "n": n})) for n in (1, 2)
        ]
        asyncio.ensure_future(chat_message())
        await asyncio.gather(*sends)
        got = {channel: [(await layer.receive(channel))["n"] for _ in range(2)] for channel in members}
        return meanwhile, got

    meanwhile, got = async_to_sync(scenario)()

    assert 0 < meanwhile[0] < len(members)  # it ran while the group was being sent to
    assert all(order == [1, 2] for order in got.values())


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


@needs_redis
def test_redis_layer_hands_a_big_groups_message_over_in_chunks_and_a_chat_message_need_not_wait():
    """A queue hint to hundreds of staff sockets (each busy a moment sending it on) is handed to them a
    chunk at a time: a chat message read from Redis meanwhile reaches its socket before the hint has gone
    through every staff socket. Every staff socket still gets both hints, in order."""
    receiver = layers.RedisPubSubChannelLayer(hosts=[REDIS], prefix=f"kefu-test-{uuid.uuid4().hex[:8]}")
    handled = []  # (who, what), in the order the sockets handled them

    async def socket(channel: str, who: str, count: int) -> list:
        got = []
        for _ in range(count):
            message = await asyncio.wait_for(receiver.receive(channel), 10)
            time.sleep(0.0005)  # sending the frame on: the event loop's time
            handled.append((who, message["n"]))
            got.append(message["n"])
        return got

    async def scenario():
        staff = [await receiver.new_channel() for _ in range(3 * layers.FAN_OUT_CHUNK)]
        for channel in staff:
            await receiver.group_add("queue", channel)
        visitor = await receiver.new_channel()
        await receiver.group_add("chat.1", visitor)
        await asyncio.sleep(0.2)  # the subscriptions reach Redis
        sockets = [asyncio.ensure_future(socket(channel, "staff", 2)) for channel in staff]
        chat = asyncio.ensure_future(socket(visitor, "visitor", 1))
        layer = receiver._get_layer()

        def another_process_publishes():  # (in a thread: this event loop is busy with the hint meanwhile)
            client = redis.Redis.from_url(REDIS)
            for group, n in (("queue", 1), ("queue", 2), ("chat.1", "chat")):
                message = receiver.serialize({"type": "kefu.push", "n": n})
                client.publish(layer._get_group_channel_name(group), message)
                time.sleep(0.01)

        await asyncio.to_thread(another_process_publishes)
        orders = await asyncio.gather(*sockets)
        await chat
        await receiver.flush()
        return orders

    orders = async_to_sync(scenario)()
    assert all(order == [1, 2] for order in orders)
    at = handled.index(("visitor", "chat"))
    assert at < len(handled) - 1 - layers.FAN_OUT_CHUNK  # the chat message did not wait for every staff socket
