"""The survey link reaches the customer: in the "solved" notice mail, and as "rate this service" on the
portal's ticket page while the survey is open; agents see the answer on their ticket page."""

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from django.test import Client

from kefu.connectors.email.services import ingest_raw
from kefu.connectors.email.tests.conftest import smtp_server  # noqa: F401 - the fixture, used by name
from kefu.connectors.email.tests.mails import build_mail
from kefu.connectors.email.tests.test_outbound_smtp import _smtp_mailbox
from kefu.core import clock
from kefu.surveys.models import Survey
from kefu.tickets.services import TicketChanges, update_ticket

from .helpers import solve


@pytest.mark.django_db(transaction=True)
def test_the_solved_notice_mail_carries_the_survey_link(smtp_server, front_line, agent):  # noqa: F811
    controller, handler = smtp_server
    mailbox = _smtp_mailbox(controller, front_line, notifications_enabled=True)
    ticket = ingest_raw(mailbox=mailbox, raw=build_mail(message_id="<survey1@example.com>")).ticket
    handler.received.clear()

    update_ticket(ticket=ticket, actor=agent, changes=TicketChanges(status="solved"))

    [sent] = [message_from_bytes(e.content, policy=policy.default) for e in handler.received]
    [survey] = Survey.objects.filter(ticket=ticket)  # the mail and the listener agree on one survey
    body = sent.get_content()
    assert f"/survey/{survey.token}/" in body
    assert "请评价本次服务" in body


def _page(client: Client, ticket) -> str:
    return client.get(f"/portal/tickets/{ticket.pk}/").content.decode()


@pytest.mark.django_db
def test_the_portal_offers_rate_this_service_while_the_survey_is_open(customer_user, ticket, agent):
    browser = Client()
    browser.force_login(customer_user)
    assert "评价本次服务" not in _page(browser, ticket)  # open ticket: nothing to rate

    solve(ticket, agent)
    survey = Survey.objects.get(ticket=ticket)
    page = _page(browser, ticket)
    Survey.objects.filter(pk=survey.pk).update(expires_at=clock.now() - timedelta(seconds=1))
    expired = _page(browser, ticket)

    assert "评价本次服务" in page and f"/survey/{survey.token}/" in page
    assert survey.token not in expired


@pytest.mark.django_db
def test_the_agent_sees_the_customers_rating_and_comment(client, agent, ticket):
    solve(ticket, agent)
    survey = Survey.objects.get(ticket=ticket)
    client.force_login(agent)
    before = client.get(f"/agent/tickets/{ticket.pk}/").content.decode()

    Survey.objects.filter(pk=survey.pk).update(
        csat=2, nps=5, comment="等了三天才回复", answered_at=clock.now()
    )
    after = client.get(f"/agent/tickets/{ticket.pk}/").content.decode()

    assert "客户评价" not in before  # not answered yet
    assert "客户评价" in after and "等了三天才回复" in after
    assert "<strong>2</strong> / 5" in after and "<strong>5</strong> / 10" in after
