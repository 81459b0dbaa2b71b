"""Push a frame to a group of sockets. Pushes are hints: a page that misses one resyncs from the database.

The layer message is `{"type": "kefu.push", "frame": {...}}`; `AgentConsumer.kefu_push` forwards the
frame to the browser as JSON. One handler serves every event, so a new event needs no consumer change.
"""

import asyncio
import logging
import os
import threading
import weakref
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

from . import groups

log = logging.getLogger(__name__)

PUSH = "kefu.push"
PUSH_TIMEOUT = 2.0  # seconds a request may wait for the layer before giving up on the hint

# "Look again" hints to everyone in a big group: every staff socket (`queue.changed` after any ticket change,
# a chat's first answer too; `chat.queue` whenever the chat queue moves) and every waiting visitor (their
# place, one query each). At 2,000 agents that fan-out was most of a chat message's CPU, and it grows with
# the sockets (~0.1 ms each). So each process sends each kind at most once per its window (seconds below);
# the changes within a window are told by one more at its end, carrying the latest message held back (the
# last change is never left untold). The staff queues' window is what the browser acts on anyway (live.js
# fires "queue-changed" at most once per 5 s, the first at once): more often would only cost the fan-out.
# The chat console refetches its queue 300 ms after a hint, and waiting visitors see their place move.
COALESCED_HINTS: dict[tuple[str, str], float] = {
    (groups.QUEUE, "queue.changed"): 5.0,
    (groups.QUEUE, "chat.queue"): 1.0,
    (groups.CHAT_WAITING, "kefu.requeue"): 1.0,
}

Sends = list[tuple[str, dict[str, Any]]]


@dataclass
class _Socket:
    """A consumer's database call in progress: listeners' pushes wait here until it returns."""

    channel_name: str
    skip: bool
    batches: list[Sends] = field(default_factory=list)


# Set by a consumer around its database work (contextvars follow sync_to_async into the database thread).
_socket: ContextVar[_Socket | None] = ContextVar("kefu_push_socket", default=None)


@asynccontextmanager
async def from_socket(consumer, *, skip: bool = True) -> AsyncIterator[None]:
    """Pushes that listeners make inside this block are sent on the consumer's event loop when it ends.

    So the database thread (one per process for `database_sync_to_async`) never waits for the layer, and a
    socket's own answer (an ack sent inside the block) goes out before the pushes. With `skip`, chat
    messages are not pushed back to this socket (it has its ack).
    """
    socket = _Socket(consumer.channel_name, skip)
    token = _socket.set(socket)
    try:
        yield
    finally:
        _socket.reset(token)
        for sends in socket.batches:
            await _send_all(consumer.channel_layer, sends)


def origin() -> str | None:
    """The socket whose frame caused the change being pushed, when it should not get it back."""
    socket = _socket.get()
    return socket.channel_name if socket is not None and socket.skip else None


def push_message(event: str, payload: dict[str, Any], *, recheck_access: bool = False) -> dict[str, Any]:
    """The channel-layer message for one frame. `recheck_access`: the receiver re-checks it may still see it."""
    message: dict[str, Any] = {"type": PUSH, "frame": {**payload, "type": event}}
    if recheck_access:
        message["recheck"] = True
    return message


def broadcast_many(sends: Sends) -> None:
    """Send several layer messages (`(group, push_message(...))`) at once, from sync code (listeners) only.

    Inside a consumer's `from_socket` block they are handed to the consumer to send; otherwise they run
    concurrently (one wait for all, not one per group). Errors are logged and swallowed like `broadcast`'s.
    A caller waits for all of them, so successive calls arrive in order; over the network layer, bare hints
    (COALESCED_HINTS) are the exception: they go to the sender loop unwaited (`_SenderLoop.hint`), so a
    request that opens a ticket (whose only push is the queue hint) never waits for Redis.
    """
    socket = _socket.get()
    if socket is not None:
        socket.batches.append(sends)
        return
    layer = get_channel_layer()
    if layer is None:
        return
    in_memory = isinstance(layer, InMemoryChannelLayer)
    try:
        if in_memory:
            # Its groups live in this process: a group without sockets needs no hop to the event loop (in a
            # process that serves no sockets, like a test or a command, that hop would build a loop per call).
            sends = [(group, message) for group, message in sends if layer.groups.get(group)]
        else:
            waited = []
            for group, message in sends:
                if _hint_key(group, message) in COALESCED_HINTS:
                    _sender.hint(layer, group, message)
                else:
                    waited.append((group, message))
            sends = waited
        if not sends:
            return
        if in_memory:
            async_to_sync(_send_all)(layer, sends)
        else:
            _sender.run(_send_all(layer, sends), timeout=PUSH_TIMEOUT)
    except Exception:
        log.warning("realtime pushes to %s failed", [group for group, _ in sends], exc_info=True)


async def _send_all(layer, sends: Sends) -> None:
    """Different groups concurrently; the messages of one group one after another, in the order given (a
    ticket's "created" frame before its "message" frame: sent together, Redis would not keep their order).
    Coalesced hints (COALESCED_HINTS) go out at most once per their window."""
    sends = [(group, message) for group, message in sends if not _held_back(layer, group, message)]
    if not sends:
        return
    by_group: dict[str, list[dict]] = {}
    for group, message in sends:
        by_group.setdefault(group, []).append(message)
    if len(by_group) == 1:  # the usual case: no gather and its tasks
        [(group, messages)] = by_group.items()
        await _send_in_order(layer, group, messages)
        return
    await asyncio.gather(*(_send_in_order(layer, group, messages) for group, messages in by_group.items()))


async def _send_in_order(layer, group: str, messages: list[dict]) -> None:
    for message in messages:
        try:
            await layer.group_send(group, message)
        except Exception as error:
            log.warning(
                "realtime push %s to %s failed", message.get("frame", {}).get("type"), group, exc_info=error
            )


@dataclass
class _Hint:
    """When a coalesced hint last went out on one event loop, and the one held back for the window's end."""

    sent_at: float = float("-inf")
    held: tuple[Any, dict] | None = None  # (layer, message) to send when the window ends


# event loop -> (group, message kind) -> its hint; a loop that goes away takes its entries with it
_hints: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[str, str], _Hint]] = (
    weakref.WeakKeyDictionary()
)
_late_sends: set[asyncio.Task] = set()  # the held-back hints being sent (a task needs a strong reference)


def _hint_key(group: str, message: dict) -> tuple[str, str]:
    return group, message.get("frame", {}).get("type") or message.get("type")


def _held_back(layer, group: str, message: dict) -> bool:
    """True when a coalesced hint is not sent now because one went out less than its window ago: the latest
    one held back goes out when that window ends."""
    key = _hint_key(group, message)
    if key not in COALESCED_HINTS:
        return False
    loop = asyncio.get_running_loop()
    hint = _hints.setdefault(loop, {}).setdefault(key, _Hint())
    if hint.held is not None:
        hint.held = (layer, message)
        return True
    wait = hint.sent_at + COALESCED_HINTS[key] - loop.time()
    if wait <= 0:
        hint.sent_at = loop.time()
        return False
    hint.held = (layer, message)
    loop.call_later(wait, _send_held_hint, loop, group, hint)
    return True


def _send_held_hint(loop: asyncio.AbstractEventLoop, group: str, hint: _Hint) -> None:
    layer, message = hint.held
    hint.held = None
    hint.sent_at = loop.time()
    task = loop.create_task(_send_in_order(layer, group, [message]))
    _late_sends.add(task)
    task.add_done_callback(_late_sends.discard)


async def push_all(layer, sends: Sends) -> None:
    """Send layer messages from async code (consumers), as `broadcast_many` does from sync code: hints
    coalesced, errors logged."""
    await _send_all(layer, sends)


def broadcast(group: str, event: str, payload: dict[str, Any], *, recheck_access: bool = False) -> None:
    """Send `{"type": event, **payload}` to every socket in `group`; from sync code (listeners) only.

    Layer errors (Redis down, a full channel, a timeout) are logged and swallowed: the change is already
    committed and a missed hint only delays a page refresh.
    """
    broadcast_many([(group, push_message(event, payload, recheck_access=recheck_access))])


class _SenderLoop:
    """One event loop per process, in a daemon thread, for pushes from sync code (WSGI, Celery, commands).

    `async_to_sync` would build a new loop per call, and the Redis layer a new connection per loop
    (~25 ms a push); this loop keeps one connection open for the life of the process.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0
        self._lock = threading.Lock()
        # Coalesced hints (COALESCED_HINTS) from any thread: the newest one not yet sent per (group, kind), and
        # the kinds whose window is open on the loop (one went out less than its window ago, or is going out).
        self._hints_lock = threading.Lock()
        self._pending: dict[tuple[str, str], tuple[Any, dict]] = {}
        self._open: set[tuple[str, str]] = set()

    def hint(self, layer, group: str, message: dict) -> None:
        """Send a bare hint without waiting for it: at once when none of its kind went out within its window,
        else the newest one held back when that window ends. The caller's thread only takes a lock: the
        first hint of a quiet spell wakes the loop, the rest wait for its timer."""
        loop = self._running_loop()
        key = _hint_key(group, message)
        with self._hints_lock:
            self._pending[key] = (layer, message)
            if key in self._open:
                return
            self._open.add(key)
        loop.call_soon_threadsafe(self._send_hint, loop, key)

    def _send_hint(self, loop: asyncio.AbstractEventLoop, key: tuple[str, str]) -> None:
        """On the loop: send the newest hint of this kind, if any came since the last, and look again after
        its window; a window without one closes (the next hint is sent at once)."""
        with self._hints_lock:
            held = self._pending.pop(key, None)
            if held is None:
                self._open.discard(key)
                return
        layer, message = held
        task = loop.create_task(_send_in_order(layer, key[0], [message]))
        _late_sends.add(task)
        task.add_done_callback(_late_sends.discard)
        loop.call_later(COALESCED_HINTS[key], self._send_hint, loop, key)

    def run(self, coroutine: Coroutine, *, timeout: float) -> None:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._running_loop())
        try:
            future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():  # a forked worker needs a thread of its own
                self._loop = asyncio.new_event_loop()
                self._pid = os.getpid()
                with self._hints_lock:  # the parent's loop (and its timers) did not come along with the fork
                    self._pending.clear()
                    self._open.clear()
                threading.Thread(
                    target=self._loop.run_forever, name="kefu-realtime-push", daemon=True
                ).start()
            return self._loop


_sender = _SenderLoop()
