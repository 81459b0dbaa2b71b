"""A customer's mail on a closed ticket, fetched from a real Dovecot: a linked follow-up, or a reopen (per mailbox)."""

import pytest

from kefu.connectors.email.fetch import poll
from kefu.connectors.email.models import ClosedTicketReplies, Mailbox
from kefu.tickets.models import LinkKind, Status, Ticket, TicketLink
from kefu.tickets.services import change_status

from .factories import MailboxFactory
from .mails import build_mail

pytestmark = pytest.mark.django_db(transaction=True)


def _closed_ticket_and_reply(dovecot, agent, front_line, **mailbox_fields) -> tuple[Mailbox, Ticket]:
    mailbox = MailboxFactory(
        port=dovecot.port, username=dovecot.user, password=dovecot.password, team=front_line, **mailbox_fields
    )
    dovecot.append(build_mail(subject="发票开错了", message_id="<first@example.com>"))
    poll(mailbox)
    ticket = Ticket.objects.get()
    change_status(ticket=ticket, actor=agent, status=Status.CLOSED)
    dovecot.append(
        build_mail(
            subject=f"Re: 发票开错了 [#{ticket.pk}]",
            message_id="<again@example.com>",
            in_reply_to="<first@example.com>",
            references="<first@example.com>",
            text="还是不对",
        )
    )
    poll(Mailbox.objects.get(pk=mailbox.pk))
    return mailbox, ticket


def test_by_default_a_reply_to_a_closed_ticket_opens_a_linked_follow_up(dovecot, agent, front_line):
    """Given a closed e-mail ticket, when the customer answers its thread, then a new ticket in the mailbox's
    team holds the answer, linked as a follow-up of the closed one, which stays closed."""
    _mailbox, closed = _closed_ticket_and_reply(dovecot, agent, front_line)

    follow_up = Ticket.objects.exclude(pk=closed.pk).get()
    assert (follow_up.subject, follow_up.customer_id, follow_up.team) == ("发票开错了", closed.customer_id, front_line)
    assert follow_up.messages.get(kind="customer").body_text.startswith("还是不对")
    assert TicketLink.objects.filter(source=follow_up, target=closed, kind=LinkKind.FOLLOW_UP).exists()
    closed.refresh_from_db()
    assert closed.status == Status.CLOSED


def test_a_mailbox_set_to_reopen_reopens_the_closed_ticket(dovecot, agent, front_line):
    _mailbox, closed = _closed_ticket_and_reply(
        dovecot, agent, front_line, closed_ticket_replies=ClosedTicketReplies.REOPEN
    )

    assert Ticket.objects.count() == 1
    closed.refresh_from_db()
    assert closed.status == Status.OPEN and closed.reopened_count == 1
    assert not TicketLink.objects.exists()
