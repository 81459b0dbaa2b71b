"""Chats' first answers are recorded by one task per process: alone when they come one at a time, and those
that arrive while it records go together in its next round. Each socket waits for its own answer only and
hears only its own error; a socket that goes away leaves the others' answers recorded."""

import asyncio

import pytest
from asgiref.sync import async_to_sync

from kefu.realtime import chat


@pytest.fixture
def rounds(monkeypatch):
    """The database call faked: the chats each round recorded; the first round waits for `release`."""
    record = {"rounds": [], "release": None, "failing": set()}

    async def fake(answers):
        record["rounds"].append([conversation for conversation, _ in answers])
        if len(record["rounds"]) == 1:
            await record["release"].wait()
        return [ValueError(c) if c in record["failing"] else None for c, _ in answers]

    monkeypatch.setattr(chat, "_record_first_responses", fake)
    return record


def test_answers_that_arrive_while_a_round_runs_are_recorded_together_in_the_next(rounds):
    async def scenario():
        rounds["release"] = asyncio.Event()
        first = asyncio.ensure_future(chat.record_first_response(None, "a", "m1"))
        await _until(lambda: rounds["rounds"] == [["a"]])
        later = [asyncio.ensure_future(chat.record_first_response(None, c, "m")) for c in ("b", "c")]
        await asyncio.sleep(0)
        assert not first.done() and not any(task.done() for task in later)
        rounds["release"].set()
        await asyncio.gather(first, *later)

    async_to_sync(scenario)()

    assert rounds["rounds"] == [["a"], ["b", "c"]]


def test_a_failed_answer_raises_in_its_own_socket_only(rounds):
    rounds["failing"].add("bad")
    outcomes = {}

    async def scenario():
        rounds["release"] = asyncio.Event()
        rounds["release"].set()
        tasks = {c: asyncio.ensure_future(chat.record_first_response(None, c, "m")) for c in ("ok", "bad")}
        results = await asyncio.gather(*tasks.values(), return_exceptions=True)
        for name, result in zip(tasks, results, strict=True):
            outcomes[name] = result

    async_to_sync(scenario)()

    assert outcomes["ok"] is None and isinstance(outcomes["bad"], ValueError)
    assert rounds["rounds"] == [["ok", "bad"]]


def test_a_socket_that_goes_away_leaves_the_other_answers_recorded(rounds):
    async def scenario():
        rounds["release"] = asyncio.Event()
        gone = asyncio.ensure_future(chat.record_first_response(None, "gone", "m"))
        await _until(lambda: rounds["rounds"] == [["gone"]])
        staying = asyncio.ensure_future(chat.record_first_response(None, "staying", "m"))
        await asyncio.sleep(0)
        gone.cancel()  # its handler is cancelled while the round with its answer runs
        rounds["release"].set()
        await staying
        assert gone.cancelled()

    async_to_sync(scenario)()

    assert rounds["rounds"] == [["gone"], ["staying"]]


async def _until(condition) -> None:
    for _ in range(100):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the recorder never got there")
