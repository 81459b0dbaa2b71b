"""When the queue moves, each waiting visitor hears their new place: one query of every waiting chat's place
per process and move, shared by its visitors; the figures all estimates share travel with the move."""

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.realtime import groups
from kefu.realtime.chat import requeue_message
from kefu.realtime.tests.sockets import connected, next_frame, run

from .test_visitor_socket import greeted

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_queue_move_costs_one_query_for_all_waiting_visitors(site):
    async def scenario():
        visitors = []
        for n in range(4):
            visitor, _ = await greeted(site)
            await visitor.send_json_to({"type": "message", "client_id": "c1", "text": f"visitor {n}"})
            assert (await next_frame(visitor, "queue"))["position"] == n + 1
            visitors.append(visitor)
        # what an agent's socket sends after taking a chat: the shared figures, computed once
        move = await database_sync_to_async(requeue_message)()

        # the consumers' database work runs on the test's thread: count the queries there
        queries = CaptureQueriesContext(connection)
        await database_sync_to_async(queries.__enter__)()
        await get_channel_layer().group_send(groups.CHAT_WAITING, move)
        places = [(await next_frame(visitor, "queue"))["position"] for visitor in visitors]
        await database_sync_to_async(queries.__exit__)(None, None, None)
        assert places == [1, 2, 3, 4]
        sql = await database_sync_to_async(lambda: [q["sql"] for q in queries.captured_queries])()
        assert len(sql) == 1, sql
        for visitor in visitors:
            await visitor.disconnect()

    run(scenario)


def test_taking_a_chat_moves_the_others_up(site, online_agent, login):
    cookie = login(online_agent)

    async def scenario():
        agent = await connected(cookie)
        visitors = []
        for n in range(3):
            visitor, _ = await greeted(site)
            await visitor.send_json_to({"type": "message", "client_id": "c1", "text": f"visitor {n}"})
            assert (await next_frame(visitor, "queue"))["position"] == n + 1
            visitors.append(visitor)
        offer = await next_frame(agent, "chat.offer")
        await agent.send_json_to({"type": "chat.accept", "conversation": offer["conversation"]})
        assert [(await next_frame(v, "queue"))["position"] for v in visitors[1:]] == [1, 2]
        for socket in (*visitors, agent):
            await socket.disconnect()

    run(scenario)


def test_a_chat_queued_after_the_moves_places_were_read_still_hears_its_own_place(site):
    """The places a move read are shared; a chat that joined the queue since (not among them) counts its own
    place instead of being told it no longer waits."""
    from kefu.chat import services
    from kefu.connectors.webchat.consumers import estimate_after_move

    first = services.start_conversation(site=site, visitor_id="v1", text="a")
    figures = services.QueueFigures(handle_seconds=600.0, agents=1)
    assert estimate_after_move(first, figures, "move-1") == (1, 10)
    later = services.start_conversation(site=site, visitor_id="v2", text="b")

    with CaptureQueriesContext(connection) as queries:
        assert estimate_after_move(first, figures, "move-1") == (1, 10)
    assert queries.captured_queries == []  # the move's places, read once
    with CaptureQueriesContext(connection) as queries:
        assert estimate_after_move(later, figures, "move-1") == (2, 20)
    assert len(queries.captured_queries) == 1  # its own place
    assert estimate_after_move(later, figures, "move-2") == (2, 20)  # a new move reads the places again
