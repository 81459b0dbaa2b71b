"""The widget socket's pre-chat form, bot phase, leave-a-message, typing and read state, transcript,
and the agent's transfer, notes, join and take-over frames — end to end through the ASGI application."""

import pytest

from kefu.chat import services
from kefu.chat.models import Conversation
from kefu.chat.tests.factories import ChatTopicFactory
from kefu.knowledge import bot
from kefu.knowledge.tests.factories import make_faq
from kefu.realtime.tests.sockets import connected, frames_until_quiet, next_frame, run
from kefu.tickets.models import Ticket

from .frames import frames_until
from .test_visitor_socket import greeted

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_welcome_carries_the_form_and_the_first_message_its_answers(site, other_team):
    site.prechat_form = {"fields": ["name", "phone", "topic"], "required": ["phone"]}
    site.save()
    topic = ChatTopicFactory(site=site, name="售后", name_en="After-sales", team=other_team)

    async def scenario():
        visitor, welcome = await greeted(site, lang="en", page="https://shop.example.com/p/1")
        assert welcome["form"] == {
            "fields": ["name", "phone", "topic"],
            "required": ["phone"],
            "topics": [{"id": topic.pk, "name": "After-sales"}],
            "offline": "",
        }
        await visitor.send_json_to(
            {"type": "message", "client_id": "c0", "text": "hi", "prechat": {"name": "Li"}}
        )
        refused = await next_frame(visitor, "error")
        assert refused["error"] == "form" and refused["client_id"] == "c0"
        prechat = {"name": "Li", "phone": "13800138000", "topic": topic.pk}
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "hi", "prechat": prechat})
        await next_frame(visitor, "ack")
        queue = await next_frame(visitor, "queue")
        assert queue["position"] == 1 and queue["minutes"] >= 1
        await visitor.disconnect()

    run(scenario)
    conversation = Conversation.objects.get()
    assert conversation.team == other_team and conversation.page_url == "https://shop.example.com/p/1"
    assert conversation.language == "en"


def test_with_the_bot_on_the_visitor_gets_its_answer_then_a_person_on_request(site, online_agent, login):
    site.bot_enabled = True
    site.save()
    make_faq("退款将在3个工作日内到账。", ["退款多久到账", "退款什么时候到账"])
    bot.answer(
        "退款多久到账", "zh-hans"
    )  # the matcher's dictionaries load once per process, before the clock runs
    cookie = login(online_agent)

    async def scenario():
        agent = await connected(cookie)
        visitor, _ = await greeted(site)
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "退款多久到账"})
        answer = await next_frame(visitor, "message")
        assert answer["author"] == "bot" and answer["text"] == "退款将在3个工作日内到账。"
        await visitor.send_json_to({"type": "message", "client_id": "c2", "text": "转人工"})
        # the system line comes through the layer, the place in the queue straight from the socket: any order
        handover = await frames_until(visitor, lambda got: {"message", "queue"} <= {f["type"] for f in got})
        assert [f["author"] for f in handover if f["type"] == "message"] == ["system"]
        assert [f["position"] for f in handover if f["type"] == "queue"] == [1]
        offer = await next_frame(agent, "chat.offer")
        await agent.send_json_to({"type": "chat.accept", "conversation": offer["conversation"]})
        accepted = await next_frame(agent, "chat.accepted")
        assert [m["author"] for m in accepted["messages"]] == ["visitor", "bot", "visitor", "system"]
        await visitor.disconnect()
        await agent.disconnect()

    run(scenario)


def test_after_hours_the_widget_is_offline_and_a_left_message_becomes_a_ticket(site):
    site.max_queue = 1
    site.save()
    services.start_conversation(site=site, visitor_id="someone", text="waiting")

    async def scenario():
        visitor, welcome = await greeted(site)
        assert welcome["form"]["offline"] == "busy"
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "在吗"})
        assert (await next_frame(visitor, "offline"))["reason"] == "busy"
        await visitor.send_json_to(
            {
                "type": "leave_message",
                "client_id": "l1",
                "name": "陈",
                "email": "x@example.com",
                "text": "请回电",
            }
        )
        left = await next_frame(visitor, "left")
        await visitor.send_json_to({"type": "leave_message", "client_id": "l2", "text": "no contact"})
        assert (await next_frame(visitor, "error"))["error"] == "form"
        await visitor.disconnect()
        return left["ticket"]

    result = {}

    async def wrapper():
        result["ticket"] = await scenario()

    run(wrapper)
    ticket = Ticket.objects.get(pk=result["ticket"])
    assert "请回电" in ticket.messages.get().body_text and Conversation.objects.count() == 1


def test_typing_and_read_state_travel_both_ways(site, online_agent, login):
    cookie = login(online_agent)

    async def scenario():
        agent = await connected(cookie)
        visitor, _ = await greeted(site)
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "hi"})
        first = await next_frame(visitor, "ack")
        offer = await next_frame(agent, "chat.offer")
        chat = offer["conversation"]
        await agent.send_json_to({"type": "chat.accept", "conversation": chat})
        await next_frame(agent, "chat.accepted")

        await visitor.send_json_to({"type": "typing", "on": True})
        assert (await next_frame(agent, "chat.typing")) == {
            "type": "chat.typing",
            "conversation": chat,
            "on": True,
        }
        await agent.send_json_to({"type": "chat.typing", "conversation": chat, "on": True})
        assert (await next_frame(visitor, "typing"))["on"] is True
        await agent.send_json_to({"type": "chat.read", "conversation": chat, "id": first["id"]})
        assert (await next_frame(visitor, "read"))["id"] == first["id"]
        await agent.send_json_to(
            {"type": "chat.send", "conversation": chat, "client_id": "a1", "text": "您好"}
        )
        reply = await next_frame(visitor, "message")
        await visitor.send_json_to({"type": "read", "id": reply["id"]})
        assert (await next_frame(agent, "chat.read"))["id"] == reply["id"]
        await visitor.disconnect()
        await agent.disconnect()

    run(scenario)


def test_transfer_with_a_note_opens_the_chat_for_the_colleague_and_the_visitor_never_sees_the_note(
    site, online_agent, teammate, login
):
    cookies = login(online_agent), login(teammate)

    async def scenario():
        wang = await connected(cookies[0])
        li = await connected(cookies[1])
        visitor, _ = await greeted(site)
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "退货"})
        offer = await next_frame(wang, "chat.offer")
        chat = offer["conversation"]
        await wang.send_json_to({"type": "chat.accept", "conversation": chat})
        await next_frame(wang, "chat.accepted")
        await next_frame(visitor, "agent")

        await wang.send_json_to(
            {"type": "chat.transfer", "conversation": chat, "agent": teammate.pk, "note": "已核实订单"}
        )
        opened = await next_frame(li, "chat.accepted")
        assert "已核实订单" in [m["text"] for m in opened["messages"] if m["author"] == "note"]
        assert (await next_frame(wang, "chat.gone"))["conversation"] == chat
        to_visitor = await frames_until(visitor, lambda got: got and got[-1]["type"] == "agent")
        assert to_visitor[-1]["name"] == "李娜"
        to_visitor += await frames_until_quiet(visitor)
        assert [f["author"] for f in to_visitor if f["type"] == "message"] == ["system"]  # no note

        await li.send_json_to(
            {"type": "chat.send", "conversation": chat, "client_id": "b1", "text": "我来处理"}
        )
        assert (await next_frame(visitor, "message"))["text"] == "我来处理"
        await wang.send_json_to({"type": "chat.send", "conversation": chat, "client_id": "a2", "text": "x"})
        assert (await next_frame(wang, "chat.error"))["error"] == "not_found"
        for socket in (visitor, wang, li):
            await socket.disconnect()

    run(scenario)


def test_a_supervisor_joins_with_notes_then_takes_over(site, online_agent, supervisor, login):
    cookies = login(online_agent), login(supervisor)

    async def scenario():
        wang = await connected(cookies[0])
        boss = await connected(cookies[1])
        visitor, _ = await greeted(site)
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "我要投诉"})
        chat = (await next_frame(wang, "chat.offer"))["conversation"]
        await wang.send_json_to({"type": "chat.accept", "conversation": chat})
        await next_frame(wang, "chat.accepted")

        await boss.send_json_to({"type": "chat.join", "conversation": chat})
        assert (await next_frame(boss, "chat.accepted"))["joined"] is True
        await visitor.send_json_to({"type": "message", "client_id": "c2", "text": "快点"})
        assert (await next_frame(boss, "chat.message"))["text"] == "快点"
        await boss.send_json_to(
            {"type": "chat.note", "conversation": chat, "client_id": "n1", "text": "先道歉"}
        )
        seen_by_wang = await frames_until(
            wang, lambda got: sum(f["type"] == "chat.message" for f in got) == 2
        )
        assert [f["author"] for f in seen_by_wang if f["type"] == "chat.message"] == ["visitor", "note"]

        await boss.send_json_to({"type": "chat.take", "conversation": chat})
        await next_frame(boss, "chat.accepted")
        assert (await next_frame(wang, "chat.gone"))["conversation"] == chat
        frames = await frames_until(
            visitor, lambda got: got and got[-1] == {"type": "agent", "name": "张主管"}
        )
        frames += await frames_until_quiet(visitor)
        assert all(f.get("author") != "note" for f in frames)
        for socket in (visitor, wang, boss):
            await socket.disconnect()

    run(scenario)
    assert Conversation.objects.get().agent == supervisor


def test_an_agent_cannot_join_or_take_over_someone_elses_chat(site, online_agent, teammate, login):
    cookies = login(online_agent), login(teammate)

    async def scenario():
        wang = await connected(cookies[0])
        li = await connected(cookies[1])
        visitor, _ = await greeted(site)
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "hi"})
        chat = (await next_frame(wang, "chat.offer"))["conversation"]
        await wang.send_json_to({"type": "chat.accept", "conversation": chat})
        await next_frame(wang, "chat.accepted")
        for kind in ("chat.join", "chat.take", "chat.note", "chat.end", "chat.transfer"):
            await li.send_json_to(
                {"type": kind, "conversation": chat, "text": "x", "client_id": "z", "team": 1}
            )
            assert (await next_frame(li, "chat.error"))["error"] == "not_found"
        for socket in (visitor, wang, li):
            await socket.disconnect()

    run(scenario)


def test_the_visitor_asks_for_the_transcript_by_email(site, agent, mailoutbox):
    async def scenario():
        visitor, _ = await greeted(site)
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "hi"})
        await next_frame(visitor, "ack")
        await visitor.send_json_to({"type": "transcript", "email": "bad"})
        assert (await next_frame(visitor, "error"))["error"] == "form"
        await visitor.send_json_to({"type": "transcript", "email": "chen@example.com"})
        await next_frame(visitor, "transcript_sent")
        await visitor.disconnect()

    run(scenario)
    [mail] = mailoutbox
    assert mail.to == ["chen@example.com"] and "hi" in mail.body


def test_a_waiting_visitor_hears_when_the_queue_moves(site, online_agent, login):
    cookie = login(online_agent)

    async def scenario():
        agent = await connected(cookie)
        first, _ = await greeted(site)
        await first.send_json_to({"type": "message", "client_id": "c1", "text": "first"})
        offer = await next_frame(agent, "chat.offer")
        second, _ = await greeted(site)
        await second.send_json_to({"type": "message", "client_id": "c1", "text": "second"})
        assert (await next_frame(second, "queue"))["position"] == 2
        await agent.send_json_to({"type": "chat.accept", "conversation": offer["conversation"]})
        assert (await next_frame(second, "queue"))["position"] == 1
        for socket in (first, second, agent):
            await socket.disconnect()

    run(scenario)


def test_after_a_reconnect_the_agent_fetches_what_the_chat_missed(site, online_agent, outsider, login):
    cookies = login(online_agent), login(outsider)

    async def scenario():
        agent = await connected(cookies[0])
        visitor, _ = await greeted(site)
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "hi"})
        chat = (await next_frame(agent, "chat.offer"))["conversation"]
        await agent.send_json_to({"type": "chat.accept", "conversation": chat})
        await next_frame(agent, "chat.accepted")
        await agent.disconnect()  # the agent's network drops
        await visitor.send_json_to({"type": "message", "client_id": "c2", "text": "while you were away"})
        # wait for this message's own ack: the visitor's socket may still hold the ack of "hi"
        await frames_until(visitor, lambda seen: any(f["type"] == "ack" and f.get("client_id") == "c2" for f in seen))

        again = await connected(cookies[0])
        await again.send_json_to({"type": "chat.sync", "conversation": chat})
        synced = await next_frame(again, "chat.accepted")
        assert [m["text"] for m in synced["messages"]] == ["hi", "while you were away"]
        assert synced["joined"] is False
        stranger = await connected(cookies[1])
        await stranger.send_json_to({"type": "chat.sync", "conversation": chat})
        assert (await next_frame(stranger, "chat.error"))["error"] == "not_found"
        for socket in (visitor, again, stranger):
            await socket.disconnect()

    run(scenario)
