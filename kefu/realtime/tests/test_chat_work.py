"""Chat database work runs off the process's one database thread, one chat's work at a time."""

import asyncio
import threading
from contextvars import ContextVar

import pytest
from asgiref.sync import async_to_sync

from kefu.realtime import chat_work

language: ContextVar[str] = ContextVar("language", default="")


def test_work_on_one_chat_waits_for_the_chats_earlier_work():
    """The second holder of a chat's turn starts only after the first has left it."""
    order: list[str] = []

    async def scenario():
        first_inside, release_first = asyncio.Event(), asyncio.Event()

        async def first():
            async with chat_work.chat_turn(5):
                first_inside.set()
                await release_first.wait()
                order.append("first done")

        async def second():
            await first_inside.wait()
            async with chat_work.chat_turn(5):
                order.append("second")

        tasks = [asyncio.ensure_future(first()), asyncio.ensure_future(second())]
        await first_inside.wait()
        for _ in range(5):  # let the second task reach the lock and wait there
            await asyncio.sleep(0)
        assert order == []
        release_first.set()
        await asyncio.gather(*tasks)

    async_to_sync(scenario)()
    assert order == ["first done", "second"]
    assert chat_work.busy_chats() == 0


def test_work_on_different_chats_does_not_wait():
    """While one chat's turn is held, another chat's work runs (they overlap)."""

    async def scenario():
        async with chat_work.chat_turn(1):
            async with chat_work.chat_turn(2):  # would wait forever if turns were one global lock
                assert chat_work.busy_chats() == 2

    async_to_sync(scenario)()
    assert chat_work.busy_chats() == 0


@pytest.mark.parametrize("bad", [None, True, 0, -3, "5", 1.5])
def test_an_invalid_chat_id_takes_no_turn(bad):
    """Bad input from a socket is answered with an error later; it neither fails here nor holds a turn."""

    async def scenario():
        async with chat_work.chat_turn(bad):
            assert chat_work.busy_chats() == 0

    async_to_sync(scenario)()


def test_a_turn_is_given_back_when_the_work_fails():
    """An exception inside the turn releases it: the chat's next message is not stuck."""

    async def scenario():
        with pytest.raises(ValueError):
            async with chat_work.chat_turn(9):
                raise ValueError
        async with chat_work.chat_turn(9):
            pass

    async_to_sync(scenario)()
    assert chat_work.busy_chats() == 0


@pytest.mark.django_db  # the call closes the thread's old connections around it, as database_sync_to_async does
def test_chat_database_work_runs_on_the_chat_threads_with_the_callers_context():
    """Not on the caller's (thread-sensitive) thread, and context variables (language, push collector) follow."""

    @chat_work.chat_database
    def where() -> tuple[str, str]:
        return threading.current_thread().name, language.get()

    async def scenario():
        language.set("zh-hans")
        return await where()

    try:
        name, seen = async_to_sync(scenario)()
    finally:
        chat_work.close_connections()
    assert name.startswith("kefu-chat-db") and name != threading.current_thread().name
    assert seen == "zh-hans"
