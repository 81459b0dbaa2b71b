"""A frame or a push costs the event loop no hop to the sync thread of its own (Channels' per-message
database clean-up): the consumers' database calls close stale connections around themselves. The receive
loop dispatches socket frames and layer messages one at a time, with the same tasks for a socket's life."""

import asyncio
import contextlib

import pytest
from asgiref.sync import async_to_sync
from channels import consumer as channels_consumer
from channels.exceptions import StopConsumer
from channels.layers import get_channel_layer

from kefu.realtime import groups
from kefu.realtime.broadcast import push_message
from kefu.realtime.consumers import AgentConsumer, dispatch_in_turn

from .sockets import connected, next_frame, run

pytestmark = pytest.mark.django_db(transaction=True)


def test_frames_and_pushes_are_handled_without_the_per_message_clean_up_hop(agent, login, monkeypatch):
    """A ping and a pushed frame are answered and forwarded; no clean-up hop ran for either."""
    cookie = login(agent)
    hops = []

    async def counting_clean_up():
        hops.append(True)

    async def scenario():
        socket = await connected(cookie)
        monkeypatch.setattr(channels_consumer, "aclose_old_connections", counting_clean_up)
        await socket.send_json_to({"type": "ping"})
        await next_frame(socket, "pong")
        await get_channel_layer().group_send(groups.user(agent.pk), push_message("queue.changed", {}))
        await next_frame(socket, "queue.changed")
        await socket.disconnect()

    run(scenario)
    assert hops == []


def test_an_unknown_layer_message_type_still_fails_loudly():
    """Like Channels' own dispatch: a message no handler takes is a programming error, not silence."""
    with pytest.raises(ValueError, match="No handler"):
        async_to_sync(AgentConsumer().dispatch)({"type": "kefu.nonsense"})


# --- dispatch_in_turn: the consumers' receive loop ---------------------------------------------------


def _source(queue):
    return queue.get


def test_both_sources_are_dispatched_one_at_a_time_each_in_order():
    """A socket frame and a layer message never run their handlers at once, and each source keeps its order."""

    async def scenario():
        frames, pushes = asyncio.Queue(), asyncio.Queue()
        running, seen = [], []

        async def dispatch(message):
            running.append(message)
            assert len(running) == 1, "two dispatches overlapped"
            await asyncio.sleep(0.001)  # a handler that awaits: the other source's message must wait
            seen.append(message["n"])
            running.remove(message)
            if len(seen) == 20:
                raise StopConsumer

        for n in range(10):
            frames.put_nowait({"n": f"f{n}"})
            pushes.put_nowait({"n": f"p{n}"})
        with pytest.raises(StopConsumer):  # (the consumer's __call__ takes it as the socket's end)
            await dispatch_in_turn([_source(frames), _source(pushes)], dispatch)
        return seen

    seen = async_to_sync(scenario)()
    assert [n for n in seen if n.startswith("f")] == [f"f{n}" for n in range(10)]
    assert [n for n in seen if n.startswith("p")] == [f"p{n}" for n in range(10)]


def test_a_socket_keeps_its_tasks_for_its_life_instead_of_new_ones_per_message():
    """Channels' loop made a task (and an asyncio.wait) per wake; objects like those, living until a socket's
    next message, filled the cyclic GC's generations at thousands of sockets. Here the tasks stay the same."""

    async def scenario():
        frames, pushes = asyncio.Queue(), asyncio.Queue()
        handled = asyncio.Event()
        count = 0

        async def dispatch(message):
            nonlocal count
            count += 1
            handled.set()

        loop = asyncio.ensure_future(dispatch_in_turn([_source(frames), _source(pushes)], dispatch))
        await asyncio.sleep(0)
        before = asyncio.all_tasks()
        for n in range(50):
            handled.clear()
            (frames if n % 2 else pushes).put_nowait({"n": n})
            await handled.wait()
        after = asyncio.all_tasks()
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
        return count, before == after, asyncio.all_tasks() - before

    count, same_tasks, left = async_to_sync(scenario)()
    assert count == 50
    assert same_tasks
    assert not left  # cancelling the socket's loop ends its receivers too


def test_a_failing_dispatch_ends_the_loop_with_its_error_and_stops_the_other_receiver():
    async def scenario():
        frames, pushes = asyncio.Queue(), asyncio.Queue()
        pushes_receiving = []

        async def receive_push():
            pushes_receiving.append(asyncio.current_task())
            return await pushes.get()

        async def dispatch(message):
            raise RuntimeError("handler broke")

        frames.put_nowait({"n": 1})
        with pytest.raises(RuntimeError, match="handler broke"):
            await dispatch_in_turn([_source(frames), receive_push], dispatch)
        return pushes_receiving[0].cancelled()

    assert async_to_sync(scenario)()


def test_a_socket_that_ends_leaves_no_reference_cycle_for_the_cyclic_gc():
    """A closed socket's consumer is freed by reference counting: at thousands of sockets a day, cycles
    left behind would wait in the oldest generation for a full collection (a second's pause)."""
    import gc
    import weakref

    class Consumer:
        async def dispatch(self, message):
            raise StopConsumer  # what the disconnect handler raises

    async def scenario(consumer):
        frames = asyncio.Queue()
        frames.put_nowait({"type": "websocket.disconnect"})
        with contextlib.suppress(StopConsumer):
            await dispatch_in_turn([frames.get, asyncio.Queue().get], consumer.dispatch)

    consumer = Consumer()
    gone = weakref.ref(consumer)
    gc.collect()
    gc.disable()
    try:
        async_to_sync(scenario)(consumer)
        del consumer
        assert gone() is None
    finally:
        gc.enable()
