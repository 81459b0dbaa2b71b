"""An agent never learns of a ticket she may not see: not by watching it, not by its pushes."""

import pytest
from channels.db import database_sync_to_async

from kefu.tickets import services

from .sockets import connected, frames_until_quiet, names, next_frame, run, watch

pytestmark = pytest.mark.django_db(transaction=True)


def test_outsider_cannot_watch_a_front_line_ticket_and_cannot_tell_it_exists(outsider, ticket, login):
    cookie = login(outsider)

    async def scenario():
        communicator = await connected(cookie)

        await communicator.send_json_to({"type": "watch", "ticket": ticket.pk})
        refused = await next_frame(communicator, "error")
        await communicator.send_json_to({"type": "watch", "ticket": ticket.pk + 1000})
        missing = await next_frame(communicator, "error")

        assert refused["error"] == "not_found"
        assert {**refused, "ticket": None} == {**missing, "ticket": None}
        await communicator.disconnect()

    run(scenario)


def test_outsider_hears_nothing_about_a_front_line_ticket(agent, outsider, ticket, login):
    agent_cookie, outsider_cookie = login(agent), login(outsider)

    async def scenario():
        spy = await connected(outsider_cookie)
        await spy.send_json_to({"type": "watch", "ticket": ticket.pk})
        await next_frame(spy, "error")
        wang = await connected(agent_cookie)
        await watch(wang, ticket.pk)

        await wang.send_json_to({"type": "typing", "ticket": ticket.pk, "replying": True})
        await next_frame(wang, "presence")
        await database_sync_to_async(services.add_reply)(ticket=ticket, actor=agent, text="已为您加急处理。")
        await next_frame(wang, "ticket.changed")
        heard = await frames_until_quiet(spy)

        assert heard, "the outsider still gets bare queue hints"
        assert all(frame == {"type": "queue.changed"} for frame in heard)
        await spy.disconnect()
        await wang.disconnect()

    run(scenario)


def test_watcher_whose_access_ends_is_dropped_from_the_ticket(agent, supervisor, ticket, other_team, login):
    agent_cookie, supervisor_cookie = login(agent), login(supervisor)
    changes = services.TicketChanges(team=other_team)

    async def scenario():
        wang = await connected(agent_cookie)
        await watch(wang, ticket.pk)
        zhang = await connected(supervisor_cookie)
        await watch(zhang, ticket.pk)
        await next_frame(wang, "presence")

        await database_sync_to_async(services.update_ticket)(ticket=ticket, actor=supervisor, changes=changes)
        dropped = await next_frame(wang, "unwatched")
        seen_by_supervisor = await next_frame(zhang, "presence")
        after = await frames_until_quiet(wang)

        assert dropped == {"type": "unwatched", "ticket": ticket.pk}
        assert names(seen_by_supervisor) == ["张主管"]
        assert all(frame.get("ticket") != ticket.pk for frame in after)
        await wang.disconnect()
        await zhang.disconnect()

    run(scenario)


def test_a_ticket_id_in_a_frame_is_only_plain_decimal_digits():
    """"²" counts as a digit to str.isdigit but int() refuses it: such a frame is invalid, not a crash."""
    from kefu.realtime.consumers import _ticket_id

    assert _ticket_id("12") == 12
    assert _ticket_id("²") is None
    assert _ticket_id("١٢") == 12  # decimal digits of other scripts are what int() reads
