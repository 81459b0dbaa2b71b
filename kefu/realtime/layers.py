"""The channel layers: in memory for the single-process setup (no Redis), Redis pub/sub for several processes.

Channels' own `InMemoryChannelLayer` scans every channel and every group membership for expired entries
on each send and each receive: with a thousand sockets that scan was the largest cost of a chat message
(each message wakes several sockets, each of which receives again). Here messages are checked at most once
a second and only on the channels that were sent something since (the rest have nothing to expire): a full
scan took ~35 ms of the event loop at 12,000 sockets, every second. Memberships (a day's expiry) are
scanned once a minute. A group send puts the message on each member's queue directly instead of one task
per member, a big group a hundred members at a time, and no send or receive builds a queue it does not keep.
A receiving socket keeps its queue between messages: a new queue per message (five objects) outlived the
cyclic GC's youngest generation and had it walk thousands of them.
"""

import asyncio
import time
from collections import deque
from copy import deepcopy
from urllib.parse import urlsplit

from channels import layers
from channels.exceptions import ChannelFull
from channels_redis import pubsub
from channels_redis.utils import _wrap_close

CLEAN_EVERY = 1.0  # seconds between checks for expired messages (they expire after 60 s)
CLEAN_GROUPS_EVERY = 60.0  # seconds between scans for expired group memberships (they expire after a day)
# Members woken at once by a group send. Each wakes a socket's task on this event loop (~50-75 µs to push a
# frame): a hint to 2,000 staff sockets in one go held every chat message behind it for ~150 ms. Between
# chunks the loop runs whatever else is ready; the members still get the group's messages in order.
FAN_OUT_CHUNK = 100


class InMemoryChannelLayer(layers.InMemoryChannelLayer):
    _cleaned_at = 0.0

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._sent_to: set[str] = set()  # channels sent something since the last check for expired messages
        self._groups_cleaned_at = time.monotonic()  # (nothing to expire yet)

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._cleaned_at < CLEAN_EVERY:
            return
        self._cleaned_at = now
        self._expire_messages()
        if now - self._groups_cleaned_at >= CLEAN_GROUPS_EVERY:
            self._groups_cleaned_at = now
            self._expire_memberships()

    def _expire_messages(self) -> None:
        """Channels' rule, on the channels that may hold messages: an expired message is dropped and its
        channel leaves every group (its socket stopped reading); an emptied channel is forgotten."""
        sent_to, self._sent_to = self._sent_to, set()
        now = time.time()
        for channel in sent_to:
            queue = self.channels.get(channel)
            while queue is not None and not queue.empty() and queue._queue[0][0] < now:
                queue.get_nowait()
                self._remove_from_groups(channel)
                if queue.empty():
                    self.channels.pop(channel, None)
            if queue is not None and not queue.empty():
                self._sent_to.add(channel)  # still holds messages: check them again next time

    def _expire_memberships(self) -> None:
        oldest = int(time.time()) - self.group_expiry
        for members in self.groups.values():
            for name, joined in list(members.items()):
                if joined and joined < oldest:
                    members.pop(name, None)

    async def send(self, channel: str, message: dict) -> None:
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        assert "__asgi_channel__" not in message
        self._put(channel, deepcopy(message))

    def _put(self, channel: str, message: dict) -> None:
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
        try:
            queue.put_nowait((time.time() + self.expiry, message))
        except asyncio.QueueFull:
            raise ChannelFull(channel) from None
        self._sent_to.add(channel)

    async def receive(self, channel: str) -> dict:
        self.require_valid_channel_name(channel)
        self._clean_expired()
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
        try:
            _, message = await queue.get()
        except BaseException:  # the socket is gone (its receive cancelled): forget its channel
            if queue.empty() and self.channels.get(channel) is queue:
                self.channels.pop(channel, None)
            raise
        return message

    async def flush(self) -> None:
        await super().flush()
        self._sent_to = set()

    async def group_send(self, group: str, message: dict) -> None:
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        for sent, channel in enumerate(list(self.groups.get(group, ()))):  # (names checked when they joined)
            if sent and not sent % FAN_OUT_CHUNK:
                await asyncio.sleep(0)
            try:
                self._put(channel, deepcopy(message))
            except ChannelFull:
                pass


class RedisPubSubChannelLayer(pubsub.RedisPubSubChannelLayer):
    """channels-redis' pub/sub layer (several processes), with its publishes batched into pipelines.

    Upstream, every publish takes the shard's one lock for a whole Redis round trip (subscribes take it
    too), so a process publishes one message per round trip: at a hundred chat messages a second, each
    going to three groups, on a loaded box where a round trip takes a few milliseconds, the publishes
    queued behind one another and a message waited seconds. Here a publish joins an outbox; one task
    sends everything in it as one pipeline (one write, one read) and then whatever came meanwhile, so
    the throughput no longer depends on the round trip and the order of publishes is kept.
    """

    def __init__(self, *args, prefix: str | None = None, **kwargs) -> None:
        super().__init__(*args, prefix=prefix or _prefix(kwargs.get("hosts")), **kwargs)

    def _get_layer(self):
        loop = asyncio.get_running_loop()
        layer = self._layers.get(loop)
        if layer is None:
            layer = self._layers[loop] = _LoopLayer(*self._args, **self._kwargs, channel_layer=self)
            _wrap_close(self, loop)
        return layer


def _prefix(hosts) -> str:
    """Redis pub/sub channels belong to the server, not to a database: two setups on one Redis server
    (each with a database index of its own, like test runs next to a bench) would hear each other's
    pushes — `chat.1` is some chat in both. So the index is part of the names: `asgi-db5.`."""
    host = (hosts or [""])[0]
    if isinstance(host, dict):
        database = host.get("db") or urlsplit(host.get("address", "")).path.strip("/")
    else:
        database = urlsplit(host if isinstance(host, str) else "").path.strip("/")
    return f"asgi-db{int(database)}." if str(database).isdecimal() else "asgi"


class _LoopLayer(pubsub.RedisPubSubLoopLayer):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shards = [_Shard(shard.host, self) for shard in self._shards]


class _Shard(pubsub.RedisSingleShardConnection):
    """Publishes batched (see the layer), and big groups' messages handed to their members in chunks.

    Upstream hands a group message to every member of this process at once, inside the task that reads
    from Redis: a queue hint to 2,000 staff sockets held every chat message of the process for ~110 ms
    (`make bench` chat). Here a group bigger than FAN_OUT_CHUNK is handed over by a task of its own, a
    chunk at a time with the event loop's other work in between, while reading from Redis goes on. Big
    groups' messages keep their order; like the in-memory layer, a member may get a message sent to a
    small group (its own chat) before a big group's message sent just earlier.
    """

    def __init__(self, host, channel_layer) -> None:
        super().__init__(host, channel_layer)
        self._outbox: list[tuple[str, bytes, asyncio.Future]] = []
        self._sender: asyncio.Task | None = None
        self._fan_outs: deque[tuple[str, list[str], bytes]] = deque()
        self._fanning: dict[str, int] = {}  # groups with messages in _fan_outs: how many
        self._fan_out_task: asyncio.Task | None = None

    def _receive_message(self, message) -> None:
        if message is None:
            return
        name, data = message["channel"], message["data"]
        if isinstance(name, bytes):
            name = name.decode()
        layer = self.channel_layer
        if name in layer.channels:
            layer.channels[name].put_nowait(data)
            return
        members = layer.groups.get(name)
        if not members:
            return
        if len(members) <= FAN_OUT_CHUNK and name not in self._fanning:
            _hand_over(layer, members, data)
            return
        self._fanning[name] = self._fanning.get(name, 0) + 1  # its later messages queue up behind this one
        self._fan_outs.append((name, list(members), data))
        if self._fan_out_task is None or self._fan_out_task.done():
            self._fan_out_task = asyncio.ensure_future(self._fan_out())

    async def _fan_out(self) -> None:
        while self._fan_outs:
            name, members, data = self._fan_outs[0]
            for start in range(0, len(members), FAN_OUT_CHUNK):
                if start:
                    await asyncio.sleep(0)  # the members woken so far, and anything else ready, run now
                _hand_over(self.channel_layer, members[start : start + FAN_OUT_CHUNK], data)
            self._fan_outs.popleft()
            self._fanning[name] -= 1
            if not self._fanning[name]:
                del self._fanning[name]

    async def publish(self, channel, message) -> None:
        done = asyncio.get_running_loop().create_future()
        self._outbox.append((channel, message, done))
        if self._sender is None or self._sender.done():
            self._sender = asyncio.ensure_future(self._send_outbox())
        await done

    async def _send_outbox(self) -> None:
        while self._outbox:
            batch, self._outbox = self._outbox, []
            self._ensure_redis()
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for channel, message, _ in batch:
                        pipe.publish(channel, message)
                    await pipe.execute()
            except asyncio.CancelledError:  # `flush` (the loop closes): nobody waits on the batch any more
                for _, _, done in batch:
                    done.cancel()
                raise
            except Exception as error:  # handed to each publisher (`broadcast` logs it)
                for _, _, done in batch:
                    if not done.done():
                        done.set_exception(error)
            else:
                for _, _, done in batch:
                    if not done.done():
                        done.set_result(None)

    async def flush(self) -> None:
        if self._sender is not None:
            self._sender.cancel()
            self._sender = None
        if self._fan_out_task is not None:
            self._fan_out_task.cancel()
            self._fan_out_task = None
        self._fan_outs.clear()
        self._fanning.clear()
        for _, _, done in self._outbox:
            done.cancel()
        self._outbox = []
        await super().flush()


def _hand_over(layer, members, data: bytes) -> None:
    for channel in members:
        queue = layer.channels.get(channel)
        if queue is not None:
            queue.put_nowait(data)
