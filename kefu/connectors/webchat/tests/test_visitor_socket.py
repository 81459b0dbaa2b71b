"""The widget's socket and the agent's chat frames, end to end through the ASGI application."""

import pytest
from channels.testing.websocket import WebsocketCommunicator

from kefu.chat.models import ChatMessage, Conversation
from kefu.realtime.tests.sockets import connected, frames_until_quiet, next_frame, run

from .frames import frames_until, then_nothing_more

# Real commits, as in production: the consumers' database work runs in their own connections' transactions.
pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = "https://shop.example.com"
TIMEOUT = 2


def visitor_socket(site, origin: str = ORIGIN) -> WebsocketCommunicator:
    from kefu.config.asgi import application

    headers = [(b"origin", origin.encode()), (b"host", b"testserver")]
    return WebsocketCommunicator(application, f"/ws/chat/{site.key}/", headers=headers)


async def greeted(site, **hello) -> tuple[WebsocketCommunicator, dict]:
    communicator = visitor_socket(site)
    accepted, _ = await communicator.connect(timeout=TIMEOUT)
    assert accepted
    await communicator.send_json_to({"type": "hello", **hello})
    welcome = await next_frame(communicator, "welcome")
    return communicator, welcome


def test_a_foreign_origin_is_refused_at_the_handshake(site):
    async def scenario():
        communicator = visitor_socket(site, origin="https://evil.example.net")
        accepted, _ = await communicator.connect(timeout=TIMEOUT)
        assert not accepted

    run(scenario)


def test_an_unknown_site_key_is_refused(site):
    async def scenario():
        site.key = "nope"
        communicator = visitor_socket(site)
        accepted, _ = await communicator.connect(timeout=TIMEOUT)
        assert not accepted

    run(scenario)


def test_visitor_chat_is_queued_offered_accepted_and_messages_flow_both_ways_once(site, online_agent, login):
    cookie = login(online_agent)

    async def scenario():
        agent = await connected(cookie)
        visitor, welcome = await greeted(site)
        assert welcome["conversation"] is None and welcome["token"]

        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "你好"})
        ack = await next_frame(visitor, "ack")
        queue = await next_frame(visitor, "queue")
        assert ack["client_id"] == "c1" and queue["position"] == 1
        offer = await next_frame(agent, "chat.offer")
        assert offer["text"] == "你好"

        await agent.send_json_to({"type": "chat.accept", "conversation": offer["conversation"]})
        accepted = await next_frame(agent, "chat.accepted")
        assert [m["text"] for m in accepted["messages"]] == ["你好"]
        assert (await next_frame(visitor, "agent"))["name"] == "王芳"

        await agent.send_json_to(
            {"type": "chat.send", "conversation": offer["conversation"], "client_id": "a1", "text": "您好"}
        )
        assert (await next_frame(agent, "chat.ack"))["client_id"] == "a1"
        await visitor.send_json_to({"type": "message", "client_id": "c2", "text": "订单没到"})

        assert (await next_frame(visitor, "message"))["text"] == "您好"
        assert (await next_frame(agent, "chat.message"))["text"] == "订单没到"
        assert await then_nothing_more(visitor, "message") == []
        assert await then_nothing_more(agent, "chat.message") == []
        await visitor.disconnect()
        await agent.disconnect()

    run(scenario)
    assert ChatMessage.objects.count() == 3


def test_a_reconnect_replays_missed_messages_and_acks_resent_ones_without_storing_twice(site, agent):
    async def scenario():
        visitor, welcome = await greeted(site)
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "first"})
        first = await next_frame(visitor, "ack")
        await visitor.disconnect()
        return welcome["token"], first["id"]

    token, first_id = _run(scenario)
    conversation = Conversation.objects.get()
    from kefu.chat import services

    services.accept(conversation=conversation, actor=agent)
    missed = services.post_agent_message(conversation=conversation, actor=agent, text="while you were away")
    stored = services.post_visitor_message(
        conversation=conversation, text="sent before the drop", client_id="c2"
    )

    async def resume():
        visitor, welcome = await greeted(
            site,
            token=token,
            last_seen=first_id,
            pending=[{"client_id": "c2", "text": "sent before the drop"}, {"client_id": "c3", "text": "new"}],
        )
        assert welcome["conversation"] == conversation.pk and welcome["agent"] == "王芳"
        frames = await frames_until(visitor, lambda got: sum(f["type"] == "ack" for f in got) == 2)
        frames += await frames_until_quiet(visitor)
        replayed = [f["id"] for f in frames if f["type"] == "message"]
        acks = {f["client_id"]: f["id"] for f in frames if f["type"] == "ack"}
        assert replayed == [missed.message.pk, stored.message.pk]
        assert acks["c2"] == stored.message.pk and set(acks) == {"c2", "c3"}
        await visitor.disconnect()

    run(resume)
    assert list(conversation.messages.values_list("text", flat=True)) == [
        "first",
        "while you were away",
        "sent before the drop",
        "new",
    ]


def test_a_visitor_cannot_reach_another_visitors_conversation(site):
    async def scenario():
        owner, owner_welcome = await greeted(site)
        await owner.send_json_to({"type": "message", "client_id": "c1", "text": "private"})
        await next_frame(owner, "ack")
        forged = owner_welcome["token"][:-2] + ("AA" if not owner_welcome["token"].endswith("AA") else "BB")
        stranger, welcome = await greeted(site, token=forged, last_seen=0)
        assert welcome["conversation"] is None
        assert [f for f in await frames_until_quiet(stranger) if f["type"] == "message"] == []
        await owner.disconnect()
        await stranger.disconnect()

    run(scenario)


def test_too_large_frames_and_floods_are_refused(site):
    async def scenario():
        visitor, _ = await greeted(site)
        await visitor.send_to(text_data='{"type":"message","text":"' + "x" * 9000 + '"}')
        assert (await next_frame(visitor, "error"))["error"] == "too_large"
        for n in range(25):
            await visitor.send_json_to({"type": "message", "client_id": f"c{n}", "text": "spam"})
        frames = await frames_until(
            visitor, lambda got: sum(f["type"] in ("ack", "error") for f in got) == 25
        )
        assert sum(f.get("error") == "rate_limited" for f in frames) == 5
        await visitor.disconnect()

    run(scenario)
    assert ChatMessage.objects.count() == 20


def _run(scenario):
    result = {}

    async def wrapper():
        result["value"] = await scenario()

    run(wrapper)
    return result["value"]
