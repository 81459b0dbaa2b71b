"""Failed sends are retried with backoff by the periodic sweep, then marked "not delivered" for good."""

from datetime import timedelta

import pytest

from kefu.connectors.email import retries
from kefu.connectors.email.models import DeliveryRetry
from kefu.connectors.email.services import ingest_raw
from kefu.connectors.email.tasks import retry_due
from kefu.tickets import services as ticket_services

from .mails import build_mail
from .test_outbound_smtp import _smtp_mailbox

pytestmark = pytest.mark.django_db(transaction=True)


def _make_due():
    DeliveryRetry.objects.update(due_at=retries.now() - timedelta(seconds=1))


def test_backoff_doubles_from_thirty_seconds_up_to_an_hour():
    """Given successive failures, then the waits are 30 s, 60 s, 120 s … and never above an hour."""
    assert [retries.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert retries.backoff(20).total_seconds() == 3600


def test_retry_sweep_sends_once_the_server_accepts_again(smtp_server, agent, front_line):
    """Given a reply that failed with 451, when the server recovers and the sweep runs, then it is sent."""
    controller, handler = smtp_server
    handler.refuse = True
    first = ingest_raw(mailbox=_smtp_mailbox(controller, front_line), raw=build_mail())
    reply = ticket_services.add_reply(ticket=first.ticket, actor=agent, text="hello")
    handler.refuse = False

    assert retry_due() == 0  # not due yet: the backoff is respected
    _make_due()
    assert retry_due() == 1

    reply.refresh_from_db()
    assert reply.delivery_status == "sent" and reply.delivery_error == ""
    assert len(handler.received) == 1
    assert not DeliveryRetry.objects.exists()


def test_after_the_last_attempt_the_message_is_marked_not_delivered(smtp_server, agent, front_line):
    """Given a server that keeps refusing, when every retry has failed, then the message is failed with the
    error, and nothing is left to retry."""
    controller, handler = smtp_server
    handler.refuse = True
    first = ingest_raw(mailbox=_smtp_mailbox(controller, front_line), raw=build_mail())
    reply = ticket_services.add_reply(ticket=first.ticket, actor=agent, text="hello")

    for _attempt in range(retries.MAX_ATTEMPTS - 1):
        _make_due()
        retry_due()

    reply.refresh_from_db()
    assert reply.delivery_status == "failed" and "451" in reply.delivery_error
    assert not DeliveryRetry.objects.exists()


def test_a_claimed_retry_is_not_claimed_twice(smtp_server, agent, front_line):
    """Given a due retry, when two sweepers look at once, then only the first claims it."""
    controller, handler = smtp_server
    handler.refuse = True
    first = ingest_raw(mailbox=_smtp_mailbox(controller, front_line), raw=build_mail())
    ticket_services.add_reply(ticket=first.ticket, actor=agent, text="hello")
    _make_due()
    assert len(retries.claim_due()) == 1
    assert retries.claim_due() == []


def test_a_recipient_refused_for_now_4xx_is_retried_and_then_sent(smtp_server, agent, front_line):
    """Given a server answering RCPT TO with 450 (greylisting, a full mailbox), when the reply is sent, then
    it waits for a retry showing the reason; once the server accepts, the sweep sends it."""
    controller, handler = smtp_server
    handler.refuse_recipient = "450 4.2.1 mailbox busy, try later"
    first = ingest_raw(mailbox=_smtp_mailbox(controller, front_line), raw=build_mail())
    reply = ticket_services.add_reply(ticket=first.ticket, actor=agent, text="hello")

    reply.refresh_from_db()
    assert reply.delivery_status == "pending"
    assert "450" in reply.delivery_error and "zhang@example.com" in reply.delivery_error
    assert DeliveryRetry.objects.get(message=reply).attempts == 1

    handler.refuse_recipient = ""
    _make_due()
    retry_due()

    reply.refresh_from_db()
    assert reply.delivery_status == "sent" and len(handler.received) == 1


def test_a_recipient_refused_for_good_5xx_fails_at_once(smtp_server, agent, front_line):
    controller, handler = smtp_server
    handler.refuse_recipient = "550 5.1.1 no such user"
    first = ingest_raw(mailbox=_smtp_mailbox(controller, front_line), raw=build_mail())
    reply = ticket_services.add_reply(ticket=first.ticket, actor=agent, text="hello")

    reply.refresh_from_db()
    assert reply.delivery_status == "failed" and "550" in reply.delivery_error
    assert not DeliveryRetry.objects.exists()
