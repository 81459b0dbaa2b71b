"""A committed change to a ticket reaches the agents watching it, and a refresh hint reaches the queues."""

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings

from kefu.tickets import services
from kefu.tickets.models import MessageKind

from .sockets import connected, frames_until_quiet, next_frame, run, watch

pytestmark = pytest.mark.django_db(transaction=True)


def test_teammates_reply_pushes_ticket_changed_to_the_watcher(agent, teammate, ticket, login):
    cookie = login(agent)

    async def scenario():
        wang = await connected(cookie)
        await watch(wang, ticket.pk)

        message = await database_sync_to_async(services.add_reply)(ticket=ticket, actor=teammate, text="您好")
        changed = await next_frame(wang, "ticket.changed")

        assert changed == {
            "type": "ticket.changed",
            "ticket": ticket.pk,
            "what": "message",
            "actor": teammate.pk,
            "kind": MessageKind.REPLY,
            "message": message.pk,
        }
        await wang.disconnect()

    run(scenario)


def test_field_change_names_the_fields_and_the_actor(agent, teammate, ticket, login):
    cookie = login(agent)

    async def scenario():
        wang = await connected(cookie)
        await watch(wang, ticket.pk)

        await database_sync_to_async(services.update_ticket)(
            ticket=ticket, actor=teammate, changes=services.TicketChanges(subject="改了标题")
        )
        changed = await next_frame(wang, "ticket.changed")

        assert changed["what"] == "updated"
        assert changed["fields"] == ["subject"]
        assert changed["actor"] == teammate.pk
        await wang.disconnect()

    run(scenario)


def test_every_staff_socket_gets_a_queue_hint_without_the_ticket(agent, outsider, ticket, login):
    cookie = login(outsider)

    async def scenario():
        elsewhere = await connected(cookie)

        await database_sync_to_async(services.add_note)(ticket=ticket, actor=agent, text="客户是老客户")
        hint = await next_frame(elsewhere, "queue.changed")

        assert hint == {"type": "queue.changed"}
        await elsewhere.disconnect()

    run(scenario)


def test_socket_not_watching_the_ticket_gets_no_ticket_changed(agent, teammate, ticket, login):
    cookie = login(teammate)

    async def scenario():
        li = await connected(cookie)

        await database_sync_to_async(services.add_reply)(ticket=ticket, actor=agent, text="您好")
        heard = await frames_until_quiet(li)

        assert {frame["type"] for frame in heard} == {"queue.changed"}
        await li.disconnect()

    run(scenario)


@override_settings(
    CHANNEL_LAYERS={
        "default": {
            "BACKEND": "kefu.realtime.layers.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},  # nothing listens there: the layer is down
        }
    }
)
def test_reply_is_saved_even_when_the_push_cannot_be_sent(agent, ticket, caplog):
    message = services.add_reply(ticket=ticket, actor=agent, text="您好")

    ticket.refresh_from_db()
    assert ticket.message_count == 2
    assert message.pk
    assert f"realtime push ticket.changed to ticket.{ticket.pk} failed" in caplog.text
