"""An agent can open the headers and raw source of an incoming mail from the ticket page; never rendered."""

import pytest
from django.urls import reverse

from kefu.connectors.email.services import ingest_raw

from .factories import MailboxFactory
from .mails import build_mail

pytestmark = pytest.mark.django_db

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def mail_ticket(front_line):
    raw = build_mail(
        subject="=?utf-8?b?5omT5Y2w5py6?= broken",
        message_id="<orig@example.com>",
        html=f"<p>hi</p>{EVIL}",
        headers={"X-Custom": "kept as is"},
    )
    return ingest_raw(mailbox=MailboxFactory(team=front_line), raw=raw)


def test_agent_sees_headers_and_escaped_source(client, agent, mail_ticket):
    """Given an e-mail ticket of her team, when the agent opens "show original", then she sees every header
    (encoded-words decoded) and the source as escaped text, never as live HTML."""
    client.force_login(agent)
    response = client.get(reverse("email_channel:original", args=[mail_ticket.message.pk]))
    assert response.status_code == 200
    page = response.text
    assert "X-Custom" in page and "kept as is" in page
    assert "打印机 broken" in page  # the decoded Subject
    assert "&lt;script&gt;" in page and "<script>alert" not in page


def test_raw_download_is_an_attachment(client, agent, mail_ticket):
    """Given "download", then the source comes back byte for byte as a file, not a page."""
    client.force_login(agent)
    url = reverse("email_channel:original", args=[mail_ticket.message.pk])
    response = client.get(url + "?download=1")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"
    assert b"<orig@example.com>" in response.content


def test_ticket_page_links_the_original_of_mail_messages(client, agent, mail_ticket):
    """Given an e-mail ticket, then its page links each incoming mail's original."""
    client.force_login(agent)
    page = client.get(reverse("workspace:ticket", args=[mail_ticket.ticket.pk])).text
    assert reverse("email_channel:original", args=[mail_ticket.message.pk]) in page


def test_agent_of_another_team_and_anonymous_visitors_cannot_see_it(
    client, outsider, customer_user, mail_ticket
):
    """Given an agent of another team, a portal customer or nobody, then the original is not shown."""
    url = reverse("email_channel:original", args=[mail_ticket.message.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(customer_user)
    assert client.get(url).status_code == 404


def test_messages_that_did_not_come_by_mail_have_no_original(client, agent, ticket):
    """Given a web-form ticket, then asking for the original of its message answers 404."""
    client.force_login(agent)
    message = ticket.messages.first()
    if message is None:
        pytest.skip("the ticket fixture has no message")
    assert client.get(reverse("email_channel:original", args=[message.pk])).status_code == 404
