"""Agents' public replies on e-mail tickets go out by SMTP with threading headers, and failures are recorded."""

from email import message_from_bytes, policy

import pytest

from kefu.connectors.email.models import DeliveryRetry
from kefu.connectors.email.services import ingest_raw
from kefu.tickets import services as ticket_services
from kefu.tickets.attachments import IncomingFile
from kefu.tickets.models import Message

from .factories import MailboxFactory
from .mails import build_mail

pytestmark = pytest.mark.django_db(transaction=True)


def _smtp_mailbox(controller, front_line, **kwargs):
    """A mailbox sending through the test server; notifications off unless asked (test_notifications)."""
    values = {
        "team": front_line,
        "smtp_host": "127.0.0.1",
        "smtp_port": controller.port,
        "smtp_use_tls": False,
        "from_address": "support@kefu.example",
        "from_name": "Kefu 客服",
        "notifications_enabled": False,
    }
    return MailboxFactory(**(values | kwargs))


def test_agent_reply_is_sent_with_threading_headers_subject_tag_and_both_parts(
    smtp_server, agent, front_line
):
    """Given an e-mail ticket, when an agent replies, then the customer receives a mail that threads."""
    controller, handler = smtp_server
    mailbox = _smtp_mailbox(controller, front_line)
    first = ingest_raw(mailbox=mailbox, raw=build_mail(message_id="<root@example.com>"))

    reply = ticket_services.add_reply(
        ticket=first.ticket,
        actor=agent,
        text="您好，请重启打印机。",
        html="<p>您好，<b>请重启</b>打印机。</p>",
        attachments=[IncomingFile(name="步骤.txt", content=b"1. off 2. on", content_type="text/plain")],
    )

    assert len(handler.received) == 1
    envelope = handler.received[0]
    assert envelope.rcpt_tos == ["zhang@example.com"]
    sent = message_from_bytes(envelope.content, policy=policy.default)
    assert sent["Subject"] == f"Re: 打印机坏了 [#{first.ticket.pk}]"
    assert sent["From"].addresses[0].addr_spec == "support@kefu.example"
    assert sent["From"].addresses[0].display_name == "Kefu 客服"
    assert sent["In-Reply-To"] == "<root@example.com>"
    assert sent["References"] == "<root@example.com>"
    assert sent["Message-ID"].endswith("@kefu.example>")
    assert sent.get_body(("plain",)).get_content().strip() == "您好，请重启打印机。"
    assert "<b>请重启</b>" in sent.get_body(("html",)).get_content()
    assert [p.get_filename() for p in sent.iter_attachments()] == ["步骤.txt"]
    reply.refresh_from_db()
    assert reply.delivery_status == "sent" and reply.external_id == sent["Message-ID"]


def test_customer_answer_to_our_reply_threads_onto_the_ticket(smtp_server, agent, front_line):
    """Given our sent reply, when the customer answers it (In-Reply-To = our Message-ID), it joins the ticket."""
    controller, handler = smtp_server
    mailbox = _smtp_mailbox(controller, front_line)
    first = ingest_raw(mailbox=mailbox, raw=build_mail(message_id="<root2@example.com>"))
    reply = ticket_services.add_reply(ticket=first.ticket, actor=agent, text="请重启")
    reply.refresh_from_db()

    answer = ingest_raw(
        mailbox=mailbox,
        raw=build_mail(
            subject="Re: whatever",
            in_reply_to=reply.external_id,
            references=f"<root2@example.com> {reply.external_id}",
        ),
    )
    assert answer.ticket.pk == first.ticket.pk and not answer.created


def test_temporary_failure_is_shown_on_the_message_and_retried_later(smtp_server, agent, front_line):
    """Given an SMTP server answering 451, when an agent replies, then the message is still "sending" with the
    error shown, and a retry is scheduled with backoff instead of giving up."""
    controller, handler = smtp_server
    handler.refuse = True
    mailbox = _smtp_mailbox(controller, front_line)
    first = ingest_raw(mailbox=mailbox, raw=build_mail())

    reply = ticket_services.add_reply(ticket=first.ticket, actor=agent, text="hello")

    reply.refresh_from_db()
    assert reply.delivery_status == "pending"
    assert "451" in reply.delivery_error
    retry = DeliveryRetry.objects.get(message=reply)
    assert retry.attempts == 1 and retry.due_at > reply.created_at


def test_notes_are_not_sent(smtp_server, agent, front_line):
    """Given an internal note on an e-mail ticket, then nothing is sent (web tickets: test_other_channel_mail)."""
    controller, handler = smtp_server
    mailbox = _smtp_mailbox(controller, front_line)
    first = ingest_raw(mailbox=mailbox, raw=build_mail())
    ticket_services.add_note(ticket=first.ticket, actor=agent, text="internal")
    assert handler.received == []
    assert not Message.objects.filter(delivery_status__in=["sent", "failed"]).exists()


def test_without_any_mailbox_replies_on_email_tickets_are_left_alone(agent, front_line):
    """Given no mailbox configured, when an agent replies on an e-mail ticket, then no delivery is attempted."""
    first = ingest_raw(mailbox=None, raw=build_mail())
    reply = ticket_services.add_reply(ticket=first.ticket, actor=agent, text="hi")
    reply.refresh_from_db()
    assert reply.delivery_status == ""
