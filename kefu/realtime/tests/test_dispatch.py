"""A frame or a push costs the event loop no hop to the sync thread of its own (Channels' per-message
database clean-up): the consumers' database calls close stale connections around themselves."""

import pytest
from asgiref.sync import async_to_sync
from channels import consumer as channels_consumer
from channels.layers import get_channel_layer

from kefu.realtime import groups
from kefu.realtime.broadcast import push_message
from kefu.realtime.consumers import AgentConsumer

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
