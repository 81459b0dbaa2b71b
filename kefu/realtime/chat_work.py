"""Live chat's database work, off the process's one database thread and in order per chat.

`database_sync_to_async` runs all database work of an ASGI process on one thread (thread-sensitive): a
chat message waited for the round trips of every other chat's messages queued before it. The busy chat
frames (messages, read marks) run here instead, on a small pool of threads with a database connection
each, so the round trips of different chats overlap. Work on one chat — its database call and the pushes
it causes — takes the chat's turn (an asyncio lock per chat id), so a chat's messages are stored, acked
and pushed in the order its sockets sent them, whichever threads run them.
"""

import asyncio
import functools
import os
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

from channels.db import DatabaseSyncToAsync
from django.conf import settings
from django.db import connections

DEFAULT_THREADS = 4  # each holds a database connection; PostgreSQL round trips overlap, SQLite writes queue

_pool: ThreadPoolExecutor | None = None
_pool_pid = 0
_pool_lock = threading.Lock()

# chat id -> [its lock, how many holders and waiters]; an entry lives only while someone uses it
_turns: dict[int, list[Any]] = {}


def threads() -> int:
    return max(1, int(getattr(settings, "CHAT_DB_THREADS", DEFAULT_THREADS)))


def _executor() -> ThreadPoolExecutor:
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():  # a forked worker starts a pool of its own
            _pool = ThreadPoolExecutor(max_workers=threads(), thread_name_prefix="kefu-chat-db")
            _pool_pid = os.getpid()
        return _pool


def chat_database(func: Callable) -> Callable:
    """Like `database_sync_to_async` (old connections closed around the call), on the chat threads.

    Context variables follow the call (the language, `from_socket`'s push collector)."""

    @functools.wraps(func)
    async def run(*args, **kwargs):
        return await DatabaseSyncToAsync(func, thread_sensitive=False, executor=_executor())(*args, **kwargs)

    return run


@asynccontextmanager
async def chat_turn(chat_id: object) -> AsyncIterator[None]:
    """Hold the chat's turn: other work on the same chat in this process waits until the block ends.

    An id that is not a positive integer (bad input, answered with an error later) takes no turn."""
    if isinstance(chat_id, bool) or not isinstance(chat_id, int) or chat_id <= 0:
        yield
        return
    entry = _turns.get(chat_id)
    if entry is None:
        entry = _turns[chat_id] = [asyncio.Lock(), 0]
    entry[1] += 1
    try:
        async with entry[0]:
            yield
    finally:
        entry[1] -= 1
        if not entry[1]:
            del _turns[chat_id]


def busy_chats() -> int:
    """How many chats have work running or waiting (0 when the process is idle; tests check no leak)."""
    return len(_turns)


def close_connections() -> None:
    """Close the database connections of every chat thread (tests, before the test database goes away).

    A connection belongs to its thread, so each thread closes its own: one job per thread, held at a
    barrier until every thread has one."""
    with _pool_lock:
        pool = _pool if _pool_pid == os.getpid() else None
    if pool is None:
        return
    size = pool._max_workers
    barrier = threading.Barrier(size)

    def close() -> None:
        try:
            barrier.wait(timeout=10)
        except threading.BrokenBarrierError:
            pass
        connections.close_all()

    for job in [pool.submit(close) for _ in range(size)]:
        job.result()
