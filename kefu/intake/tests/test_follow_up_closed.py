"""A message on a closed ticket: reopened, or (when the entry point asks) a linked follow-up ticket.

Like Zendesk: a solved ticket is always reopened; a closed one gets a follow-up when `follow_up_closed`.
"""

import pytest

from kefu.intake.services import InboundMessage, ingest
from kefu.tickets.models import LinkKind, Message, Status, Ticket, TicketLink
from kefu.tickets.services import change_status

pytestmark = pytest.mark.django_db


def inbound(**overrides) -> InboundMessage:
    values = {
        "channel": "email",
        "identity_kind": "email",
        "identity_value": "zhang.wei@example.com",
        "name": "张伟",
        "subject": "退款进度查询",
        "text": "我上周申请的退款还没有到账。",
        "external_id": "<first@mail.example.com>",
        "thread_id": "<first@mail.example.com>",
    }
    values.update(overrides)
    return InboundMessage(**values)


@pytest.fixture
def closed(agent, front_line):
    ticket = ingest(inbound(team=front_line)).ticket
    change_status(ticket=ticket, actor=agent, status=Status.CLOSED)
    return ticket


def test_reply_on_a_closed_ticket_opens_a_linked_follow_up_in_the_entry_points_team(closed, other_team):
    result = ingest(
        inbound(external_id="<again@x>", subject="Re: 退款进度查询", text="还是没到账", team=other_team),
        follow_up_closed=True,
    )

    assert result.created and result.ticket.pk != closed.pk
    follow_up = result.ticket
    assert (follow_up.subject, follow_up.customer_id, follow_up.team) == ("退款进度查询", closed.customer_id, other_team)
    assert result.message.body_text == "还是没到账"
    assert TicketLink.objects.filter(source=follow_up, target=closed, kind=LinkKind.FOLLOW_UP).exists()
    closed.refresh_from_db()
    assert closed.status == Status.CLOSED and closed.reopened_count == 0
    # Both timelines tell it.
    assert Message.objects.filter(ticket=closed, event_type="linked", event_data__direction="in").exists()
    assert Message.objects.filter(ticket=follow_up, event_type="linked", event_data__other=closed.pk).exists()


def test_further_replies_on_the_closed_thread_go_to_the_open_follow_up(closed):
    first = ingest(inbound(external_id="<again1@x>"), follow_up_closed=True)

    second = ingest(inbound(external_id="<again2@x>", text="再问一次"), follow_up_closed=True)

    assert not second.created and second.ticket.pk == first.ticket.pk
    assert Ticket.objects.count() == 2
    assert list(first.ticket.messages.filter(kind="customer").values_list("body_text", flat=True))[-1] == "再问一次"


def test_a_closed_follow_up_is_not_continued_a_new_one_is_opened(closed, agent):
    first = ingest(inbound(external_id="<again1@x>"), follow_up_closed=True)
    change_status(ticket=first.ticket, actor=agent, status=Status.CLOSED)

    second = ingest(inbound(external_id="<again2@x>"), follow_up_closed=True)

    assert second.created and second.ticket.pk not in (first.ticket.pk, closed.pk)
    assert TicketLink.objects.filter(target=closed, kind=LinkKind.FOLLOW_UP).count() == 2


def test_reply_by_ticket_number_alone_on_a_closed_ticket_also_follows_up(closed):
    result = ingest(inbound(external_id="<num@x>", thread_id="", ticket_number=closed.pk), follow_up_closed=True)

    assert result.created
    assert TicketLink.objects.filter(source=result.ticket, target=closed).exists()


def test_a_solved_ticket_is_reopened_even_when_closed_ones_get_follow_ups(agent, front_line):
    solved = ingest(inbound(team=front_line)).ticket
    change_status(ticket=solved, actor=agent, status=Status.SOLVED)

    result = ingest(inbound(external_id="<again@x>"), follow_up_closed=True)

    assert not result.created and result.ticket.pk == solved.pk
    solved.refresh_from_db()
    assert solved.status == Status.OPEN and solved.reopened_count == 1
    assert not TicketLink.objects.exists()


def test_without_the_setting_a_closed_ticket_is_reopened(closed):
    result = ingest(inbound(external_id="<again@x>"))

    assert result.ticket.pk == closed.pk
    closed.refresh_from_db()
    assert closed.status == Status.OPEN and not TicketLink.objects.exists()


def test_the_same_mail_twice_makes_one_follow_up(closed):
    first = ingest(inbound(external_id="<again@x>"), follow_up_closed=True)
    again = ingest(inbound(external_id="<again@x>"), follow_up_closed=True)

    assert again.duplicate and again.ticket.pk == first.ticket.pk
    assert TicketLink.objects.count() == 1
