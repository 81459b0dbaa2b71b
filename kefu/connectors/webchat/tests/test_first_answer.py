"""An agent's first chat message over the socket is the chat ticket's first response: recorded after the
message went out (its push does not wait for the ticket's update and SLA job), and the SLA clock stops."""

from datetime import timedelta

import pytest

from kefu.chat.models import ChatMessage, Conversation
from kefu.realtime.tests.sockets import connected, next_frame, run
from kefu.sla.models import SlaPolicy, TicketSla

from .test_visitor_socket import greeted

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_agents_first_socket_message_stops_the_sla_clock_once_the_visitor_has_it(
    site, online_agent, login
):
    SlaPolicy.objects.create(
        name="chat", position=0, first_response=timedelta(seconds=30), business_time=False
    )
    cookie = login(online_agent)

    async def scenario():
        wang = await connected(cookie)
        visitor, _ = await greeted(site)
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "在吗"})
        chat = (await next_frame(wang, "chat.offer"))["conversation"]
        await wang.send_json_to({"type": "chat.accept", "conversation": chat})
        await next_frame(wang, "chat.accepted")

        await wang.send_json_to(
            {"type": "chat.send", "conversation": chat, "client_id": "a1", "text": "在的"}
        )
        first = await next_frame(wang, "chat.ack")
        assert (await next_frame(visitor, "message"))["id"] == first["id"]
        # The socket handles its frames one after another: this ack comes after the first answer's record.
        await wang.send_json_to(
            {"type": "chat.send", "conversation": chat, "client_id": "a2", "text": "请讲"}
        )
        await next_frame(wang, "chat.ack")
        await visitor.disconnect()
        await wang.disconnect()
        return chat, first["id"]

    chat_id, first_id = _result(scenario)
    ticket = Conversation.objects.select_related("ticket").get(pk=chat_id).ticket
    assert ticket.first_response_at == ChatMessage.objects.get(pk=first_id).created_at
    assert TicketSla.objects.get(ticket=ticket).first_response_met is True


def _result(scenario):
    out = []

    async def keep():
        out.append(await scenario())

    run(keep)
    return out[0]
