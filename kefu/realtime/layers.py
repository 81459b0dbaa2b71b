"""The channel layers: in memory for the single-process setup (no Redis), Redis pub/sub for several processes.

Channels' own `InMemoryChannelLayer` scans every channel and every group membership for expired entries
on each send and each receive: with a thousand sockets that scan was the largest cost of a chat message
(each message wakes several sockets, each of which receives again). Here it runs at most once a second,
and a group send puts the message on each member's queue directly instead of one task per member.
"""

import asyncio
import time
from urllib.parse import urlsplit

from channels import layers
from channels.exceptions import ChannelFull
from channels_redis import pubsub
from channels_redis.utils import _wrap_close

CLEAN_EVERY = 1.0  # seconds; expiry is 60 s for messages and a day for group memberships


class InMemoryChannelLayer(layers.InMemoryChannelLayer):
    _cleaned_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._cleaned_at < CLEAN_EVERY:
            return
        self._cleaned_at = now
        super()._clean_expired()

    async def group_send(self, group: str, message: dict) -> None:
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        for channel in list(self.groups.get(group, ())):
            try:
                await self.send(channel, message)
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
    return f"asgi-db{int(database)}." if str(database).isdigit() else "asgi"


class _LoopLayer(pubsub.RedisPubSubLoopLayer):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shards = [_Shard(shard.host, self) for shard in self._shards]


class _Shard(pubsub.RedisSingleShardConnection):
    def __init__(self, host, channel_layer) -> None:
        super().__init__(host, channel_layer)
        self._outbox: list[tuple[str, bytes, asyncio.Future]] = []
        self._sender: asyncio.Task | None = None

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
        for _, _, done in self._outbox:
            done.cancel()
        self._outbox = []
        await super().flush()
