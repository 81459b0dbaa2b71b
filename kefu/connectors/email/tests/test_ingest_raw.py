"""ingest_raw: a raw mail becomes a ticket (or a threaded reply) exactly once, or lands in quarantine."""

import pytest

from kefu.connectors.email.models import NotificationMail, ProcessedMail, QuarantinedMail
from kefu.connectors.email.services import ingest_raw, reprocess
from kefu.tickets.models import Ticket

from .factories import MailboxFactory
from .mails import build_mail

pytestmark = pytest.mark.django_db


def test_new_mail_opens_a_ticket_for_the_sender_in_the_mailbox_team(front_line):
    """Given a mailbox routed to a team, when a first mail arrives, then a ticket opens in that team."""
    mailbox = MailboxFactory(team=front_line)
    result = ingest_raw(mailbox=mailbox, raw=build_mail(message_id="<first@example.com>"))
    assert result.created and result.quarantined is None
    ticket = Ticket.objects.get(pk=result.ticket.pk)
    assert ticket.subject == "打印机坏了"
    assert ticket.channel == "email"
    assert ticket.team == front_line
    assert ticket.external_id == "<first@example.com>"
    assert ticket.customer.name == "张三"
    assert result.message.body_text == "你好，打印机不能用了。"


def test_same_message_id_twice_is_stored_once():
    """Given the same mail fetched twice, then there is one message and the second is a duplicate."""
    mailbox = MailboxFactory()
    raw = build_mail(message_id="<dup@example.com>")
    first = ingest_raw(mailbox=mailbox, raw=raw)
    second = ingest_raw(mailbox=mailbox, raw=raw)
    assert second.duplicate and second.ticket.pk == first.ticket.pk
    assert first.ticket.messages.count() == 1
    assert ProcessedMail.objects.count() == 1


def test_mail_without_message_id_is_deduplicated_by_its_content():
    """Given a mail with no Message-ID fetched twice, then it is still stored once."""
    raw = b"From: a@example.com\r\nSubject: no id\r\n\r\nhello\r\n"
    first = ingest_raw(mailbox=None, raw=raw)
    second = ingest_raw(mailbox=None, raw=raw)
    assert second.duplicate and second.ticket.pk == first.ticket.pk


def test_reply_threads_by_references_then_by_ticket_number():
    """Given a reply with References, and one with headers stripped but [#n] in the subject, both thread."""
    first = ingest_raw(mailbox=None, raw=build_mail(message_id="<root@example.com>"))
    reply = ingest_raw(
        mailbox=None,
        raw=build_mail(
            subject="Re: 打印机坏了", message_id="<r1@example.com>", references="<root@example.com>"
        ),
    )
    assert not reply.created and reply.ticket.pk == first.ticket.pk
    stripped = ingest_raw(mailbox=None, raw=build_mail(subject=f"Re: 打印机坏了 [#{first.ticket.pk}]"))
    assert stripped.ticket.pk == first.ticket.pk
    assert first.ticket.messages.count() == 3


def test_ticket_number_of_someone_elses_ticket_does_not_thread():
    """Given a stranger citing another customer's ticket number, then a new ticket opens instead."""
    first = ingest_raw(mailbox=None, raw=build_mail())
    other = ingest_raw(
        mailbox=None, raw=build_mail(sender="eve@evil.example", subject=f"[#{first.ticket.pk}]")
    )
    assert other.created and other.ticket.pk != first.ticket.pk


def test_auto_reply_is_stored_but_flagged_to_suppress_notifications():
    """Given an out-of-office reply, then it is stored and marked so no notification is ever sent."""
    result = ingest_raw(mailbox=None, raw=build_mail(headers={"Auto-Submitted": "auto-replied"}))
    assert result.flags == ["auto_reply"] and result.suppress_notifications
    assert ProcessedMail.objects.get(ticket=result.ticket).suppress_notifications


def test_bounce_is_attached_to_the_ticket_of_the_mail_that_bounced():
    """Given a DSN quoting the Message-ID of a stored mail, then the bounce lands on that ticket."""
    first = ingest_raw(mailbox=None, raw=build_mail(message_id="<orig@example.com>"))
    dsn = (
        b"From: MAILER-DAEMON@mx.example.com\r\nTo: support0@kefu.example\r\nSubject: Undelivered\r\n"
        b"Message-ID: <dsn1@mx.example.com>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        b"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        b"Final-Recipient: rfc822; zhang@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <orig@example.com>\r\nSubject: x\r\n"
        b"--B--\r\n"
    )
    result = ingest_raw(mailbox=None, raw=dsn)
    assert result.flags == ["bounce"]
    assert result.ticket.pk == first.ticket.pk


def test_unparseable_mail_goes_to_quarantine_and_can_be_reprocessed():
    """Given a mail without any sender, then it is quarantined with the error; nothing raises."""
    mailbox = MailboxFactory()
    result = ingest_raw(mailbox=mailbox, raw=b"Subject: nobody\r\n\r\ntext\r\n")
    assert result.ticket is None
    quarantined = QuarantinedMail.objects.get()
    assert "no sender address" in quarantined.error and bytes(quarantined.raw).startswith(b"Subject")
    assert ingest_raw(mailbox=mailbox, raw=b"").quarantined is not None  # empty input too

    fixed = QuarantinedMail.objects.create(raw=build_mail(), size=10, error="old bug")
    again = reprocess(quarantined=fixed)
    assert again.ticket is not None
    fixed.refresh_from_db()
    assert fixed.resolved


def test_attachments_over_the_limit_are_dropped_with_a_warning(settings):
    """Given an attachment over ATTACHMENT_MAX_BYTES, then the mail is stored without it and says why."""
    settings.ATTACHMENT_MAX_BYTES = 10
    raw = build_mail(
        attachments=(("big.pdf", b"x" * 100, "application/pdf"), ("ok.txt", b"tiny", "text/plain"))
    )
    result = ingest_raw(mailbox=None, raw=raw)
    assert [a.filename for a in result.message.attachments.all()] == ["ok.txt"]
    assert any("big.pdf" in w for w in result.warnings)


def test_received_notice_is_queued_only_after_the_mail_is_committed(
    front_line, django_capture_on_commit_callbacks
):
    """Given a new mail from a customer, then its "received" notice is recorded now but sent only on commit."""
    mailbox = MailboxFactory(team=front_line, notifications_enabled=True)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ingest_raw(mailbox=mailbox, raw=build_mail())
    assert NotificationMail.objects.get().status == "pending"
    assert any("email_channel.notify" in repr(cb) for cb in callbacks)


def test_empty_reply_is_stored_on_its_ticket_not_quarantined():
    """Given a reply without any text or file, then it joins its ticket marked as empty instead of failing."""
    mailbox = MailboxFactory()
    first = ingest_raw(mailbox=mailbox, raw=build_mail(message_id="<e1@example.com>"))
    reply = ingest_raw(
        mailbox=mailbox, raw=build_mail(message_id="<e2@example.com>", references="<e1@example.com>", text="")
    )
    assert reply.quarantined is None and reply.ticket.pk == first.ticket.pk
    assert reply.message.body_text
