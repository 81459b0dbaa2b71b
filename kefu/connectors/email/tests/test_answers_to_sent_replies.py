"""Mail answering (or bouncing) a reply or a notice we mailed lands on its ticket, even a web, API or phone
ticket (no thread id of its own) and even when the customer edited the [#N] tag out of the subject."""

import pytest

from kefu.connectors.email.models import NotificationMail
from kefu.connectors.email.services import ingest_raw
from kefu.tests.factories import CustomerFactory
from kefu.tickets import services as ticket_services
from kefu.tickets.models import Channel, DeliveryStatus, Message, Ticket

from .mails import build_mail

pytestmark = pytest.mark.django_db


def _mailed_reply(agent, channel: str, **ticket_kwargs) -> Message:
    """A reply on a new ticket of zhang@example.com, recorded as mailed with its Message-ID (as outbound does)."""
    customer = CustomerFactory(name="张三", email="zhang@example.com")
    ticket = ticket_services.create_ticket(
        customer=customer, subject="发票抬头", text="请帮我改发票", channel=channel, **ticket_kwargs
    )
    reply = ticket_services.add_reply(ticket=ticket, actor=agent, text="已为您修改。")
    message_id = f"<kefu-{ticket.pk}-{reply.pk}@kefu.example>"
    ticket_services.set_delivery(
        message_id=reply.pk, status=DeliveryStatus.SENT, sent_as=(Channel.EMAIL, message_id)
    )
    reply.refresh_from_db()
    return reply


def _dsn(bounced_message_id: str) -> bytes:
    return (
        b"From: MAILER-DAEMON@mx.example.com\r\nTo: support0@kefu.example\r\nSubject: Undelivered\r\n"
        b"Message-ID: <dsn-web@mx.example.com>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        b"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        b"Final-Recipient: rfc822; zhang@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: "
        + bounced_message_id.encode()
        + b"\r\nSubject: x\r\n--B--\r\n"
    )


def test_a_bounce_of_a_reply_on_a_web_ticket_lands_on_it_and_marks_the_reply_not_delivered(agent):
    """Given a reply on a web ticket mailed to the customer, when its bounce arrives, then the bounce is filed
    on that ticket (no new ticket from MAILER-DAEMON) and the reply no longer shows as sent."""
    reply = _mailed_reply(agent, "web")

    result = ingest_raw(mailbox=None, raw=_dsn(reply.external_id))

    assert result.flags == ["bounce"]
    assert result.ticket.pk == reply.ticket_id and not result.created
    assert Ticket.objects.count() == 1
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED and reply.delivery_error


@pytest.mark.parametrize("channel", ["web", "api", "phone"])
def test_an_answer_without_the_ticket_tag_continues_the_web_api_or_phone_ticket(agent, channel):
    """Given a reply mailed on a web/API/phone ticket, when the customer answers it with the subject edited
    (no [#N] tag) and In-Reply-To naming our reply, then the answer is added to that ticket."""
    reply = _mailed_reply(agent, channel)

    result = ingest_raw(
        mailbox=None,
        raw=build_mail(subject="还有一个问题", text="谢谢，还有一个问题。", in_reply_to=reply.external_id),
    )

    assert result.ticket.pk == reply.ticket_id and not result.created
    assert Ticket.objects.count() == 1


def test_an_answer_naming_our_reply_only_in_references_continues_the_ticket(agent):
    """Given a mail whose References (not In-Reply-To) name our reply among other ids, then it continues the
    reply's ticket."""
    reply = _mailed_reply(agent, "web")

    result = ingest_raw(
        mailbox=None,
        raw=build_mail(subject="再问一下", references=f"<unknown@example.com> {reply.external_id}"),
    )

    assert result.ticket.pk == reply.ticket_id and not result.created


def test_an_answer_from_another_address_still_opens_its_own_ticket(agent):
    """Given a reply mailed to zhang@example.com, when someone else's mail names it in In-Reply-To (a forward),
    then it opens a new ticket: a reference alone never files mail on another customer's ticket."""
    reply = _mailed_reply(agent, "web")

    result = ingest_raw(
        mailbox=None,
        raw=build_mail(sender="李四 <li@example.com>", subject="转发", in_reply_to=reply.external_id),
    )

    assert result.created and result.ticket.pk != reply.ticket_id


def _mailed_notice(channel: str) -> NotificationMail:
    """A "solved" notice mailed to zhang@example.com about a ticket of this channel, recorded as sent."""
    customer = CustomerFactory(name="张三", email="zhang@example.com")
    ticket = ticket_services.create_ticket(customer=customer, subject="退款", text="请退款", channel=channel)
    return NotificationMail.objects.create(
        ticket=ticket,
        kind="solved",
        key=f"solved:{ticket.pk}",
        status="sent",
        message_id=f"<1.2.3.kefu-solved-{ticket.pk}@kefu.example>",
    )


def test_a_bounce_of_a_notice_lands_on_its_ticket_and_marks_the_notice_failed():
    """Given a "solved" notice mailed about a web ticket, when its bounce arrives, then the bounce is filed on
    that ticket (no new ticket from MAILER-DAEMON) and the notice shows it bounced."""
    notice = _mailed_notice("web")

    result = ingest_raw(mailbox=None, raw=_dsn(notice.message_id))

    assert result.flags == ["bounce"]
    assert result.ticket.pk == notice.ticket_id and not result.created
    assert Ticket.objects.count() == 1
    notice.refresh_from_db()
    assert notice.status == "failed" and notice.error


def test_an_answer_to_a_notice_without_the_ticket_tag_continues_its_ticket():
    """Given a notice mailed about an API ticket, when the customer answers it with the tag edited out of the
    subject, then the answer is added to that ticket."""
    notice = _mailed_notice("api")

    result = ingest_raw(
        mailbox=None, raw=build_mail(subject="还没收到退款", text="还没到账。", in_reply_to=notice.message_id)
    )

    assert result.ticket.pk == notice.ticket_id and not result.created
