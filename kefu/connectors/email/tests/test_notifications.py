"""Notification mails to customers: received and solved, in the customer's language, switchable per mailbox,
never for auto-replies, bounces or our own addresses, and queued only after the storing transaction commits."""

from email import message_from_bytes, policy

import pytest

from kefu.connectors.email.models import NotificationMail
from kefu.connectors.email.services import ingest_raw
from kefu.tickets import services as ticket_services
from kefu.tickets.services import TicketChanges

from .mails import build_mail
from .test_outbound_smtp import _smtp_mailbox

pytestmark = pytest.mark.django_db(transaction=True)


def _received(handler):
    return [message_from_bytes(e.content, policy=policy.default) for e in handler.received]


def test_new_mail_gets_a_received_notice_in_the_customers_language(smtp_server, front_line):
    """Given a mailbox with notifications on, when a Chinese customer's first mail arrives, then one automatic
    mail in Chinese, threaded on hers and naming the ticket and its portal page, goes back to her."""
    controller, handler = smtp_server
    mailbox = _smtp_mailbox(controller, front_line, notifications_enabled=True)

    result = ingest_raw(mailbox=mailbox, raw=build_mail(message_id="<n1@example.com>"))

    [sent] = _received(handler)
    number = result.ticket.pk
    assert sent["To"].addresses[0].addr_spec == "zhang@example.com"
    assert f"[#{number}]" in sent["Subject"] and "我们已收到" in sent["Subject"]
    assert sent["Auto-Submitted"] == "auto-replied"
    assert sent["In-Reply-To"] == "<n1@example.com>"
    body = sent.get_content()
    assert f"/portal/tickets/{number}/" in body and "工单" in body
    assert NotificationMail.objects.get().status == "sent"


def test_english_customer_gets_english_notice(smtp_server, front_line, customer):
    """Given a customer whose language is English, then the notice is in English."""
    controller, handler = smtp_server
    customer.language = "en"
    customer.save()
    mailbox = _smtp_mailbox(controller, front_line, notifications_enabled=True)
    ingest_raw(mailbox=mailbox, raw=build_mail(sender="陈小姐 <chen@example.com>"))
    [sent] = _received(handler)
    assert "We received your request" in sent["Subject"]


@pytest.mark.parametrize(
    ("sender", "headers"),
    [
        ("zhang@example.com", {"Auto-Submitted": "auto-replied"}),
        ("zhang@example.com", {"X-Autoreply": "yes"}),
        ("zhang@example.com", {"Precedence": "bulk"}),
        ("MAILER-DAEMON@mx.example.com", {}),
        ("support@kefu.example", {}),
    ],
)
def test_no_notice_for_auto_replies_bounces_or_our_own_mail(smtp_server, front_line, sender, headers):
    """Given an auto-reply, a bounce or mail from our own address, then no notification is sent (no loops)."""
    controller, handler = smtp_server
    mailbox = _smtp_mailbox(controller, front_line, notifications_enabled=True)
    result = ingest_raw(mailbox=mailbox, raw=build_mail(sender=sender, headers=headers))
    assert result.ticket is not None
    assert handler.received == [] and not NotificationMail.objects.exists()


def test_notifications_switched_off_per_mailbox(smtp_server, front_line, agent):
    """Given a mailbox with notifications off, then neither received nor solved notices go out."""
    controller, handler = smtp_server
    mailbox = _smtp_mailbox(controller, front_line, notifications_enabled=False)
    result = ingest_raw(mailbox=mailbox, raw=build_mail())
    ticket_services.update_ticket(ticket=result.ticket, actor=agent, changes=TicketChanges(status="solved"))
    assert handler.received == []


def test_solved_ticket_tells_the_customer_once_with_the_portal_link(smtp_server, front_line, agent):
    """Given an e-mail ticket, when an agent solves it, then the customer gets one "solved" mail with the link."""
    controller, handler = smtp_server
    mailbox = _smtp_mailbox(controller, front_line, notifications_enabled=True)
    result = ingest_raw(mailbox=mailbox, raw=build_mail(message_id="<s1@example.com>"))
    handler.received.clear()

    ticket_services.update_ticket(ticket=result.ticket, actor=agent, changes=TicketChanges(status="solved"))
    ticket_services.update_ticket(ticket=result.ticket, actor=agent, changes=TicketChanges(priority=None))

    [sent] = _received(handler)
    assert "已解决" in sent["Subject"]
    assert f"/portal/tickets/{result.ticket.pk}/" in sent.get_content()
    # Its Message-ID is kept, so a bounce of it or an answer to it finds the ticket.
    # (A long Message-ID is folded onto its own line in the mail: compare the value, not its folding space.)
    assert NotificationMail.objects.get(ticket=result.ticket, kind="solved").message_id == sent["Message-ID"].strip()


def test_import_does_not_notify_unless_asked(smtp_server, front_line, tmp_path):
    """Given an archive import, then no customer is mailed (old mail), unless --notify is given."""
    from django.core.management import call_command

    controller, handler = smtp_server
    _smtp_mailbox(controller, front_line, name="support", notifications_enabled=True)
    (tmp_path / "a.eml").write_bytes(build_mail(message_id="<imp-n1@example.com>"))
    (tmp_path / "b.eml").write_bytes(build_mail(message_id="<imp-n2@example.com>", sender="li@example.com"))
    call_command("import_eml", "--mailbox", "support", str(tmp_path / "a.eml"))
    assert handler.received == []
    call_command("import_eml", "--mailbox", "support", "--notify", str(tmp_path / "b.eml"))
    assert len(handler.received) == 1
