"""Every chat message — the visitor's, the bot's, system lines — reaches a supervisor watching the chat, through
the one chat-message listener; the socket that wrote a message gets its ack, not a copy of it."""

import pytest

from kefu.knowledge import bot
from kefu.knowledge.tests.factories import make_faq
from kefu.realtime.tests.sockets import connected, next_frame, run

from .frames import frames_until, then_nothing_more
from .test_visitor_socket import greeted

pytestmark = pytest.mark.django_db(transaction=True)


def _lines(frames: list[dict]) -> list[tuple[str, str]]:
    return [(f["author"], f["text"]) for f in frames if f["type"] == "chat.message"]


def test_a_watching_supervisor_sees_the_bots_answers_and_the_hand_over_line(site, supervisor, login):
    site.bot_enabled = True
    site.save()
    make_faq("退款将在3个工作日内到账。", ["退款多久到账", "退款什么时候到账"])
    make_faq("我们用顺丰快递发货。", ["用什么快递发货", "发什么快递"])
    bot.answer("退款多久到账", "zh-hans")  # load the matcher's dictionaries before any socket waits
    cookie = login(supervisor)

    async def scenario():
        boss = await connected(cookie)
        visitor, _ = await greeted(site)
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "退款多久到账"})
        chat = (await next_frame(visitor, "message"))["conversation"]  # the bot's answer
        await boss.send_json_to({"type": "chat.join", "conversation": chat})
        assert (await next_frame(boss, "chat.accepted"))["joined"] is True

        await visitor.send_json_to({"type": "message", "client_id": "c2", "text": "用什么快递发货"})
        await visitor.send_json_to({"type": "message", "client_id": "c3", "text": "转人工"})
        seen = await frames_until(boss, lambda got: len(_lines(got)) == 4)
        assert _lines(seen) == [
            ("visitor", "用什么快递发货"),
            ("bot", "我们用顺丰快递发货。"),
            ("visitor", "转人工"),
            ("system", "正在为您转接人工客服…"),
        ]
        assert _lines(await then_nothing_more(boss, "chat.message")) == []
        # the visitor's own lines came back as acks only; the bot's and the system's as messages, once each
        to_visitor = [f for f in await then_nothing_more(visitor, "message")]
        assert all(f["author"] != "visitor" for f in to_visitor)
        await visitor.disconnect()
        await boss.disconnect()

    run(scenario)


def test_an_agents_message_reaches_the_visitor_a_joined_supervisor_and_the_agents_other_tab_once(
    site, online_agent, supervisor, login
):
    cookies = login(online_agent), login(supervisor)

    async def scenario():
        wang = await connected(cookies[0])
        wang_tab2 = await connected(cookies[0])
        boss = await connected(cookies[1])
        visitor, _ = await greeted(site)
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "在吗"})
        chat = (await next_frame(wang, "chat.offer"))["conversation"]
        await wang.send_json_to({"type": "chat.accept", "conversation": chat})
        await next_frame(wang, "chat.accepted")
        await boss.send_json_to({"type": "chat.join", "conversation": chat})
        await next_frame(boss, "chat.accepted")

        await wang.send_json_to(
            {"type": "chat.send", "conversation": chat, "client_id": "a1", "text": "在的"}
        )
        ack = await next_frame(wang, "chat.ack")
        assert (await next_frame(visitor, "message"))["id"] == ack["id"]
        assert (await next_frame(boss, "chat.message"))["id"] == ack["id"]
        assert (await next_frame(wang_tab2, "chat.message"))["id"] == ack["id"]
        assert await then_nothing_more(wang, "chat.message") == []  # the writing tab has its ack
        assert await then_nothing_more(visitor, "message") == []
        for socket in (visitor, wang, wang_tab2, boss):
            await socket.disconnect()

    run(scenario)
