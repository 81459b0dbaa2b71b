"""A supervisor who joined a chat keeps following it after their socket reconnects (reload, lost network)."""

import pytest

from kefu.realtime.tests.sockets import connected, next_frame, run

from .frames import then_nothing_more
from .test_visitor_socket import greeted

pytestmark = pytest.mark.django_db(transaction=True)


def test_after_a_reconnect_a_joined_supervisor_gets_the_window_again_and_the_chats_messages(
    site, online_agent, supervisor, login
):
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
        await next_frame(boss, "chat.accepted")
        await boss.disconnect()  # the supervisor reloads the console

        again = await connected(cookies[1])
        window = await next_frame(again, "chat.accepted")
        assert window["conversation"] == chat and window["joined"] is True
        assert [m["text"] for m in window["messages"]] == ["我要投诉"]
        await visitor.send_json_to({"type": "message", "client_id": "c2", "text": "人呢"})
        assert (await next_frame(again, "chat.message"))["text"] == "人呢"
        await wang.send_json_to(
            {"type": "chat.send", "conversation": chat, "client_id": "a1", "text": "抱歉"}
        )
        assert (await next_frame(again, "chat.message"))["text"] == "抱歉"
        for socket in (visitor, wang, again):
            await socket.disconnect()

    run(scenario)


def test_an_ended_chat_is_not_rejoined_and_an_agent_never_follows_someone_elses_chat(
    site, online_agent, supervisor, teammate, login
):
    cookies = login(online_agent), login(supervisor), login(teammate)

    async def scenario():
        wang = await connected(cookies[0])
        boss = await connected(cookies[1])
        visitor, _ = await greeted(site)
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "hi"})
        chat = (await next_frame(wang, "chat.offer"))["conversation"]
        await wang.send_json_to({"type": "chat.accept", "conversation": chat})
        await next_frame(wang, "chat.accepted")
        await boss.send_json_to({"type": "chat.join", "conversation": chat})
        await next_frame(boss, "chat.accepted")
        await boss.disconnect()
        await wang.send_json_to({"type": "chat.end", "conversation": chat})
        await next_frame(wang, "chat.ended")

        again = await connected(cookies[1])
        assert await then_nothing_more(again, "chat.accepted") == []
        li = await connected(cookies[2])  # an agent's sync of someone else's chat is refused, not followed
        await li.send_json_to({"type": "chat.sync", "conversation": chat})
        assert (await next_frame(li, "chat.error"))["error"] == "not_found"
        for socket in (visitor, wang, again, li):
            await socket.disconnect()

    run(scenario)
