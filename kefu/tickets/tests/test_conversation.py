"""Replying, noting and customers writing again move the ticket through its life."""

import pytest

from kefu.core.errors import InvalidInput, NotFound
from kefu.tickets import services
from kefu.tickets.models import MessageKind, Status

pytestmark = pytest.mark.django_db


def test_first_public_reply_records_first_response_and_waits_on_customer(ticket, agent):
    services.add_reply(ticket=ticket, actor=agent, text="您好，已为您加急处理。")

    ticket.refresh_from_db()
    assert ticket.first_response_at is not None
    assert ticket.status == Status.PENDING
    assert ticket.message_count == 2
    assert ticket.messages.filter(kind=MessageKind.EVENT, event_type="status_changed").exists()


def test_internal_note_does_not_count_as_a_response(ticket, agent):
    services.add_note(ticket=ticket, actor=agent, text="客户是老客户")

    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    assert ticket.status == Status.NEW


def test_customer_writing_to_a_solved_ticket_reopens_it(ticket, agent):
    services.change_status(ticket=ticket, actor=agent, status=Status.SOLVED)

    services.add_customer_message(ticket=ticket, text="还是没有收到货")

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.reopened_count == 1
    assert ticket.solved_at is None


def test_empty_reply_is_refused_with_a_clear_error(ticket, agent):
    with pytest.raises(InvalidInput):
        services.add_reply(ticket=ticket, actor=agent, text="   ")


def test_agent_of_another_team_cannot_reply(ticket, outsider):
    with pytest.raises(NotFound):
        services.add_reply(ticket=ticket, actor=outsider, text="hello")


def test_html_is_sanitized_before_it_is_stored(ticket, agent):
    message = services.add_reply(ticket=ticket, actor=agent, html='<p onclick="x()">Hi<script>alert(1)</script></p>')

    assert "script" not in message.body_html
    assert "onclick" not in message.body_html
    assert message.body_text == "Hi"


def test_closed_ticket_cannot_go_back_to_pending(ticket, agent):
    services.change_status(ticket=ticket, actor=agent, status=Status.CLOSED)

    with pytest.raises(InvalidInput):
        services.change_status(ticket=ticket, actor=agent, status=Status.PENDING)
