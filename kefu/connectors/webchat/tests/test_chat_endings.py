"""Every ending of a chat on a socket (the visitor's, the agent's, a supervisor's, a kept-as-ticket chat's)
reaches the widget and the consoles once, pushed by the one ChatEnded listener."""

import pytest

from kefu.chat.models import Conversation, ConversationStatus
from kefu.realtime.tests.sockets import connected, next_frame, run
from kefu.tickets.models import Status

from .frames import then_nothing_more
from .test_visitor_socket import greeted

pytestmark = pytest.mark.django_db(transaction=True)


async def accepted_chat(site, agent_cookie: str):
    """(agent socket, visitor socket, chat id) for a chat the agent has accepted."""
    agent = await connected(agent_cookie)
    visitor, _ = await greeted(site)
    await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "你好"})
    chat = (await next_frame(agent, "chat.offer"))["conversation"]
    await agent.send_json_to({"type": "chat.accept", "conversation": chat})
    await next_frame(agent, "chat.accepted")
    await next_frame(visitor, "agent")
    return agent, visitor, chat


def test_the_visitor_ending_the_chat_tells_the_widget_the_agent_and_a_joined_supervisor_once(
    site, online_agent, supervisor, login
):
    """The visitor's own `end`: its widget, the chat's agent and a supervisor following it each hear it once."""
    cookies = login(online_agent), login(supervisor)

    async def scenario():
        wang, visitor, chat = await accepted_chat(site, cookies[0])
        boss = await connected(cookies[1])
        await boss.send_json_to({"type": "chat.join", "conversation": chat})
        await next_frame(boss, "chat.accepted")

        await visitor.send_json_to({"type": "end"})

        assert await next_frame(visitor, "ended") == {"type": "ended"}
        assert (await next_frame(wang, "chat.ended"))["conversation"] == chat
        assert (await next_frame(boss, "chat.ended"))["conversation"] == chat
        assert await then_nothing_more(visitor, "ended") == []
        assert await then_nothing_more(wang, "chat.ended") == []
        for socket in (visitor, wang, boss):
            await socket.disconnect()

    run(scenario)
    assert Conversation.objects.get().status == ConversationStatus.ENDED


def test_the_agent_ending_the_chat_tells_the_widget_and_the_agents_console_once(site, online_agent, login):
    """The agent's `chat.end`: the widget hears `ended` and the agent's socket `chat.ended`, once each."""
    cookie = login(online_agent)

    async def scenario():
        wang, visitor, chat = await accepted_chat(site, cookie)

        await wang.send_json_to({"type": "chat.end", "conversation": chat})

        assert (await next_frame(wang, "chat.ended"))["conversation"] == chat
        assert await next_frame(visitor, "ended") == {"type": "ended"}
        assert await then_nothing_more(wang, "chat.ended") == []
        assert await then_nothing_more(visitor, "ended") == []
        for socket in (visitor, wang):
            await socket.disconnect()

    run(scenario)


def test_a_supervisor_ending_someone_elses_chat_tells_them_and_the_chats_agent(
    site, online_agent, supervisor, login
):
    """Ended by a supervisor: both the supervisor (who ended it) and the chat's agent hear it once."""
    cookies = login(online_agent), login(supervisor)

    async def scenario():
        wang, visitor, chat = await accepted_chat(site, cookies[0])
        boss = await connected(cookies[1])

        await boss.send_json_to({"type": "chat.end", "conversation": chat})

        assert (await next_frame(boss, "chat.ended"))["conversation"] == chat
        assert (await next_frame(wang, "chat.ended"))["conversation"] == chat
        assert await next_frame(visitor, "ended") == {"type": "ended"}
        assert await then_nothing_more(boss, "chat.ended") == []
        assert await then_nothing_more(wang, "chat.ended") == []
        for socket in (visitor, wang, boss):
            await socket.disconnect()

    run(scenario)


def test_a_chat_kept_as_a_ticket_ends_like_any_other_and_its_ticket_stays_open(site, online_agent, login):
    """`chat.convert` keeps the chat going; when the visitor then leaves, the end is pushed as usual."""
    cookie = login(online_agent)

    async def scenario():
        wang, visitor, chat = await accepted_chat(site, cookie)
        await wang.send_json_to({"type": "chat.convert", "conversation": chat, "subject": "退货"})
        assert (await next_frame(wang, "chat.done"))["what"] == "convert"

        await visitor.send_json_to({"type": "end"})

        assert await next_frame(visitor, "ended") == {"type": "ended"}
        assert (await next_frame(wang, "chat.ended"))["conversation"] == chat
        for socket in (visitor, wang):
            await socket.disconnect()

    run(scenario)
    conversation = Conversation.objects.select_related("ticket").get()
    assert conversation.status == ConversationStatus.ENDED and conversation.follow_up
    assert conversation.ticket.status not in (Status.SOLVED, Status.CLOSED)
