"""Collision detection: agents on the same ticket see each other, and see who is writing a reply."""

import pytest

from .sockets import TIMEOUT, connected, names, next_frame, run, watch

pytestmark = pytest.mark.django_db(transaction=True)


def test_agent_watching_a_ticket_gets_the_list_of_viewers(agent, ticket, login):
    cookie = login(agent)

    async def scenario():
        communicator = await connected(cookie)

        presence = await watch(communicator, ticket.pk)

        assert presence == {
            "type": "presence",
            "ticket": ticket.pk,
            "viewers": [{"id": agent.pk, "name": "王芳", "replying": False}],
        }
        await communicator.disconnect()

    run(scenario)


def test_teammate_on_the_same_ticket_makes_both_see_two_viewers(agent, teammate, ticket, login):
    agent_cookie, teammate_cookie = login(agent), login(teammate)

    async def scenario():
        wang = await connected(agent_cookie)
        await watch(wang, ticket.pk)
        li = await connected(teammate_cookie)

        seen_by_li = await watch(li, ticket.pk)
        seen_by_wang = await next_frame(wang, "presence")

        assert names(seen_by_li) == ["王芳", "李娜"]
        assert names(seen_by_wang) == ["王芳", "李娜"]
        await wang.disconnect()
        await li.disconnect()

    run(scenario)


def test_typing_flag_reaches_the_other_viewer_and_clears(agent, teammate, ticket, login):
    agent_cookie, teammate_cookie = login(agent), login(teammate)

    async def scenario():
        wang = await connected(agent_cookie)
        await watch(wang, ticket.pk)
        li = await connected(teammate_cookie)
        await watch(li, ticket.pk)
        await next_frame(wang, "presence")

        await li.send_json_to({"type": "typing", "ticket": ticket.pk, "replying": True})
        replying = await next_frame(wang, "presence")
        await li.send_json_to({"type": "typing", "ticket": ticket.pk, "replying": False})
        stopped = await next_frame(wang, "presence")

        assert {v["name"]: v["replying"] for v in replying["viewers"]} == {"王芳": False, "李娜": True}
        assert {v["name"]: v["replying"] for v in stopped["viewers"]} == {"王芳": False, "李娜": False}
        await wang.disconnect()
        await li.disconnect()

    run(scenario)


def test_typing_on_a_ticket_not_watched_is_refused(agent, ticket, login):
    cookie = login(agent)

    async def scenario():
        communicator = await connected(cookie)

        await communicator.send_json_to({"type": "typing", "ticket": ticket.pk, "replying": True})
        error = await next_frame(communicator, "error")

        assert error["error"] == "not_watching"
        await communicator.disconnect()

    run(scenario)


def test_closing_the_tab_removes_the_viewer(agent, teammate, ticket, login):
    agent_cookie, teammate_cookie = login(agent), login(teammate)

    async def scenario():
        wang = await connected(agent_cookie)
        await watch(wang, ticket.pk)
        li = await connected(teammate_cookie)
        await watch(li, ticket.pk)
        await next_frame(wang, "presence")

        await li.disconnect()
        after = await next_frame(wang, "presence")

        assert names(after) == ["王芳"]
        await wang.disconnect()

    run(scenario)


def test_unwatching_removes_the_viewer(agent, teammate, ticket, login):
    agent_cookie, teammate_cookie = login(agent), login(teammate)

    async def scenario():
        wang = await connected(agent_cookie)
        await watch(wang, ticket.pk)
        li = await connected(teammate_cookie)
        await watch(li, ticket.pk)
        await next_frame(wang, "presence")

        await li.send_json_to({"type": "unwatch", "ticket": ticket.pk})
        after = await next_frame(wang, "presence")

        assert names(after) == ["王芳"]
        await wang.disconnect()
        await li.disconnect()

    run(scenario)


def test_agent_with_two_tabs_counts_once_until_both_close(agent, teammate, ticket, login):
    agent_cookie, teammate_cookie = login(agent), login(teammate)

    async def scenario():
        li = await connected(teammate_cookie)
        await watch(li, ticket.pk)
        tab1 = await connected(agent_cookie)
        await watch(tab1, ticket.pk)
        await next_frame(li, "presence")

        tab2 = await connected(agent_cookie)
        second_tab_sees = await watch(tab2, ticket.pk)
        await tab1.disconnect()
        li_heard_after_one_tab_closed = await li.receive_nothing(timeout=0.3)
        await tab2.disconnect()
        after_both = await next_frame(li, "presence")

        assert names(second_tab_sees) == ["李娜", "王芳"]
        assert li_heard_after_one_tab_closed  # nothing changed for her: 王芳 is still there in tab 2
        assert names(after_both) == ["李娜"]
        await li.disconnect()

    run(scenario)


def test_heartbeat_is_answered_with_pong(agent, ticket, login):
    cookie = login(agent)

    async def scenario():
        communicator = await connected(cookie)
        await watch(communicator, ticket.pk)

        await communicator.send_json_to({"type": "ping"})

        assert await communicator.receive_json_from(timeout=TIMEOUT) == {"type": "pong"}
        await communicator.disconnect()

    run(scenario)
