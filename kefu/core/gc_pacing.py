"""The websocket process's cyclic garbage collector, paced by the event loop's clock.

Thousands of sockets each hold a little state that is replaced every few seconds to minutes: the next
receive's coroutine and future, the next keepalive ping's timer, the parser waiting for the next frame.
Allocations and frees then balance, and CPython starts a collection only when allocations outnumber
frees, so its young collection ran rarely and found a great many objects: 140-230 ms pauses with
12,000 sockets on Redis and PostgreSQL (`make bench` chat), and its middle generation's, 200 ms more.

Here the young and middle generations are collected together four times a second; each collection
finds only what the last quarter second left behind (a few milliseconds of work). The automatic
collector still runs a young collection after a burst of allocations (thousands of sockets connecting),
but never a slower one by itself. A full collection, which walks every socket's objects (a second or
so at 12,000 sockets), runs every ten minutes: it frees reference cycles that got old, like those of
long-lived sockets that have closed.
"""

import asyncio
import gc
import time
from collections.abc import Callable

EVERY = 0.25  # seconds between collections of the young and middle generations
FULL_EVERY = 600.0  # seconds between full collections
# Allocations (net of frees) that start a young collection between ticks; the older generations' counts
# are never reached, so only the ticks collect them.
THRESHOLDS = (10_000, 1_000_000_000, 1_000_000_000)


class CollectionPacer:
    """Collects on a timer of `loop`; `start` takes the automatic collector's older generations over."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        every: float = EVERY,
        full_every: float = FULL_EVERY,
        clock: Callable[[], float] = time.monotonic,
        collect: Callable[[int], int] = gc.collect,
    ) -> None:
        self.loop = loop
        self.every = every
        self.full_every = full_every
        self.clock = clock
        self.collect = collect
        self.full_at = clock() + full_every
        self.handle: asyncio.TimerHandle | None = None

    def start(self) -> None:
        gc.set_threshold(*THRESHOLDS)
        self.handle = self.loop.call_later(self.every, self.tick)

    def stop(self) -> None:
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None

    def tick(self) -> None:
        now = self.clock()
        if now >= self.full_at:
            self.collect(2)
            self.full_at = now + self.full_every
        else:
            self.collect(1)
        self.handle = self.loop.call_later(self.every, self.tick)
