"""The busiest frames — an agent's `chat.send`, a visitor's message — make one trip to a chat thread each (a
thread hop costs CPU and waits), and answer as before."""

import pytest

from kefu.chat.models import ChatMessage
from kefu.connectors.webchat import consumers
from kefu.realtime import chat_work
from kefu.realtime.tests.sockets import connected, next_frame, run

from .frames import frames_until
from .test_visitor_socket import greeted

pytestmark = pytest.mark.django_db(transaction=True)


async def _accepted_chat(site, agent_socket, visitor_text="在吗"):
    visitor, _ = await greeted(site)
    await visitor.send_json_to({"type": "message", "client_id": "c1", "text": visitor_text})
    chat = (await next_frame(agent_socket, "chat.offer"))["conversation"]
    await agent_socket.send_json_to({"type": "chat.accept", "conversation": chat})
    await next_frame(agent_socket, "chat.accepted")
    return visitor, chat


def test_an_agents_message_is_loaded_checked_and_stored_in_one_chat_thread_call(
    site, online_agent, login, monkeypatch
):
    """The chat's load and the message's INSERT share one call (each call is a thread hop and its CPU)."""
    cookie = login(online_agent)
    calls = []
    real_executor = chat_work._executor

    def counting_executor():
        calls.append(True)
        return real_executor()

    async def scenario():
        wang = await connected(cookie)
        visitor, chat = await _accepted_chat(site, wang)
        monkeypatch.setattr(chat_work, "_executor", counting_executor)
        await wang.send_json_to(
            {"type": "chat.send", "conversation": chat, "client_id": "a1", "text": "在的"}
        )
        ack = await next_frame(wang, "chat.ack")
        assert (await next_frame(visitor, "message"))["id"] == ack["id"]
        assert len(calls) == 1
        await visitor.disconnect()
        await wang.disconnect()

    run(scenario)


def test_chat_send_answers_not_found_before_invalid_and_stores_nothing_then(
    site, online_agent, teammate, login
):
    """Another agent's chat is not found (even with a bad text); a bad text in one's own chat is invalid; an
    ended chat is no longer active (invalid); nothing is stored for any of them."""
    cookies = login(online_agent), login(teammate)

    async def scenario():
        wang = await connected(cookies[0])
        li = await connected(cookies[1])
        visitor, chat = await _accepted_chat(site, wang)

        await li.send_json_to({"type": "chat.send", "conversation": chat, "client_id": "b1", "text": ""})
        assert (await next_frame(li, "chat.error"))["error"] == "not_found"
        await wang.send_json_to({"type": "chat.send", "conversation": chat, "client_id": "a1", "text": ""})
        invalid = await next_frame(wang, "chat.error")
        assert (invalid["error"], invalid["conversation"]) == ("invalid", chat)
        await wang.send_json_to({"type": "chat.send", "conversation": 2**64, "client_id": "a2", "text": "x"})
        assert (await next_frame(wang, "chat.error"))["error"] == "not_found"

        await wang.send_json_to({"type": "chat.end", "conversation": chat})
        await next_frame(wang, "chat.ended")
        await wang.send_json_to(
            {"type": "chat.send", "conversation": chat, "client_id": "a3", "text": "还在吗"}
        )
        assert (await next_frame(wang, "chat.error"))["error"] == "invalid"  # no longer active
        await visitor.disconnect()
        await wang.disconnect()
        await li.disconnect()

    run(scenario)
    assert not ChatMessage.objects.filter(client_id__in=["b1", "a1", "a2", "a3"]).exists()


def test_a_visitors_message_in_an_open_chat_is_rate_counted_and_stored_in_one_chat_thread_call(
    site, online_agent, login, monkeypatch
):
    """The rate limit's count rides along with the INSERT: no separate thread hop for it."""
    cookie = login(online_agent)
    chat_calls, other_hops = [], []
    real_executor, real_sync_to_async = chat_work._executor, consumers.sync_to_async

    def counting_executor():
        chat_calls.append(True)
        return real_executor()

    def counting_sync_to_async(*args, **kwargs):
        other_hops.append(args)
        return real_sync_to_async(*args, **kwargs)

    async def scenario():
        wang = await connected(cookie)
        visitor, chat = await _accepted_chat(site, wang)
        monkeypatch.setattr(chat_work, "_executor", counting_executor)
        monkeypatch.setattr(consumers, "sync_to_async", counting_sync_to_async)
        await visitor.send_json_to({"type": "message", "client_id": "c2", "text": "订单没到"})
        ack = (await frames_until(visitor, lambda got: got and got[-1].get("client_id") == "c2"))[-1]
        await frames_until(wang, lambda got: got and got[-1].get("id") == ack["id"])  # the push arrives
        assert (len(chat_calls), other_hops) == (1, [])
        await visitor.disconnect()
        await wang.disconnect()

    run(scenario)
