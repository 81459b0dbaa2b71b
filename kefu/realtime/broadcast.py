"""Push a frame to a group of sockets. Pushes are hints: a page that misses one resyncs from the database.

The layer message is `{"type": "kefu.push", "frame": {...}}`; `AgentConsumer.kefu_push` forwards the
frame to the browser as JSON. One handler serves every event, so a new event needs no consumer change.
"""

import asyncio
import logging
import os
import threading
from collections.abc import Coroutine
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

log = logging.getLogger(__name__)

PUSH = "kefu.push"
PUSH_TIMEOUT = 2.0  # seconds a request may wait for the layer before giving up on the hint


def push_message(event: str, payload: dict[str, Any], *, recheck_access: bool = False) -> dict[str, Any]:
    """The channel-layer message for one frame. `recheck_access`: the receiver re-checks it may still see it."""
    message: dict[str, Any] = {"type": PUSH, "frame": {**payload, "type": event}}
    if recheck_access:
        message["recheck"] = True
    return message


def broadcast(group: str, event: str, payload: dict[str, Any], *, recheck_access: bool = False) -> None:
    """Send `{"type": event, **payload}` to every socket in `group`; from sync code (listeners) only.

    Layer errors (Redis down, a full channel, a timeout) are logged and swallowed: the change is already
    committed and a missed hint only delays a page refresh.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    message = push_message(event, payload, recheck_access=recheck_access)
    try:
        if isinstance(layer, InMemoryChannelLayer):
            # Its sockets live on this ASGI server's own event loop: run there (we are in its worker thread).
            async_to_sync(layer.group_send)(group, message)
        else:
            _sender.run(layer.group_send(group, message), timeout=PUSH_TIMEOUT)
    except Exception:
        log.warning("realtime push %s to %s failed", event, group, exc_info=True)


class _SenderLoop:
    """One event loop per process, in a daemon thread, for pushes from sync code (WSGI, Celery, commands).

    `async_to_sync` would build a new loop per call, and the Redis layer a new connection per loop
    (~25 ms a push); this loop keeps one connection open for the life of the process.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0
        self._lock = threading.Lock()

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
                threading.Thread(
                    target=self._loop.run_forever, name="kefu-realtime-push", daemon=True
                ).start()
            return self._loop


_sender = _SenderLoop()
