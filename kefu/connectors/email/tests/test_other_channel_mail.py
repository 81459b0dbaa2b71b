"""Customers of web-form, API and phone tickets get agents' public replies and the "solved" notice by mail,
through the default outgoing mailbox and with a link to the portal; chat customers and internal notes never."""

from email import message_from_bytes, policy

import pytest

from kefu.customers.models import Customer
from kefu.tests.factories import CustomerFactory
from kefu.tickets import services as ticket_services
from kefu.tickets.models import Message
from kefu.tickets.services import TicketChanges

from .test_outbound_smtp import _smtp_mailbox

pytestmark = pytest.mark.django_db(transaction=True)


def _received(handler):
    return [message_from_bytes(e.content, policy=policy.default) for e in handler.received]


def _ticket(customer, channel):
    return ticket_services.create_ticket(
        customer=customer, subject="发票抬头", text="请帮我改发票", channel=channel
    )


@pytest.mark.parametrize("channel", ["web", "api", "phone"])
def test_reply_on_web_api_or_phone_ticket_is_mailed_with_the_portal_link(
    smtp_server, front_line, agent, customer, channel
):
    """Given a web/API/phone ticket of a customer with an address, when an agent replies, then the reply goes
    to her address from the default mailbox, threaded by ticket tag, with the portal link, and is marked sent."""
    controller, handler = smtp_server
    _smtp_mailbox(controller, front_line)
    ticket = _ticket(customer, channel)

    reply = ticket_services.add_reply(
        ticket=ticket, actor=agent, text="已为您修改。", html="<p>已为您修改。</p>"
    )

    [sent] = _received(handler)
    assert sent["To"].addresses[0].addr_spec == "chen@example.com"
    assert sent["From"].addresses[0].addr_spec == "support@kefu.example"
    assert f"[#{ticket.pk}]" in sent["Subject"]
    text = sent.get_body(("plain",)).get_content()
    assert text.startswith("已为您修改。")
    assert f"/portal/tickets/{ticket.pk}/" in text
    assert f"/portal/tickets/{ticket.pk}/" in sent.get_body(("html",)).get_content()
    reply.refresh_from_db()
    assert reply.delivery_status == "sent" and reply.external_id == sent["Message-ID"]


def test_notes_and_chat_tickets_are_never_mailed(smtp_server, front_line, agent, customer):
    """Given a default mailbox, then an internal note on a web ticket and a reply on a chat ticket send nothing."""
    controller, handler = smtp_server
    _smtp_mailbox(controller, front_line)

    ticket_services.add_note(ticket=_ticket(customer, "web"), actor=agent, text="内部备注")
    chat_reply = ticket_services.add_reply(ticket=_ticket(customer, "chat"), actor=agent, text="您好")

    assert handler.received == []
    assert Message.objects.get(pk=chat_reply.pk).delivery_status == ""


def test_switched_off_on_the_default_mailbox_or_without_an_address_nothing_is_sent(
    smtp_server, front_line, agent
):
    """Given "e-mail customers of web and API tickets" off, or a customer with no address, then a reply on a
    web ticket is not mailed and not marked as failed (the portal shows it)."""
    controller, handler = smtp_server
    mailbox = _smtp_mailbox(controller, front_line, email_other_channels=False)
    off = ticket_services.add_reply(
        ticket=_ticket(CustomerFactory(email="a@example.com"), "web"), actor=agent, text="x"
    )
    mailbox.email_other_channels = True
    mailbox.save()
    no_address = ticket_services.add_reply(
        ticket=_ticket(Customer.objects.create(name="无邮箱"), "web"), actor=agent, text="y"
    )

    assert handler.received == []
    assert {Message.objects.get(pk=m.pk).delivery_status for m in (off, no_address)} == {""}


def test_solving_a_web_ticket_tells_the_customer_once(smtp_server, front_line, agent, customer):
    """Given a web ticket and a default mailbox with notifications on, when an agent solves it, then the customer
    gets one "solved" mail with the portal link."""
    controller, handler = smtp_server
    _smtp_mailbox(controller, front_line, notifications_enabled=True)
    ticket = _ticket(customer, "web")

    ticket_services.update_ticket(ticket=ticket, actor=agent, changes=TicketChanges(status="solved"))
    ticket_services.update_ticket(ticket=ticket, actor=agent, changes=TicketChanges(priority=None))

    [sent] = _received(handler)
    assert "已解决" in sent["Subject"]
    assert f"/portal/tickets/{ticket.pk}/" in sent.get_content()


def test_a_reply_queued_before_mailing_was_switched_off_is_skipped_not_failed(smtp_server, front_line, agent):
    """Given a web ticket's reply queued for mail (sending), when "e-mail customers of web and API tickets" is
    switched off before the task runs, then nothing is sent and the reply is not marked as failed."""
    from kefu.connectors.email import outbound
    from kefu.tickets.models import DeliveryStatus

    controller, handler = smtp_server
    mailbox = _smtp_mailbox(controller, front_line, email_other_channels=False)
    reply = ticket_services.add_reply(
        ticket=_ticket(CustomerFactory(email="a@example.com"), "web"), actor=agent, text="x"
    )
    ticket_services.set_delivery(message_id=reply.pk, status=DeliveryStatus.PENDING)  # queued while it was on

    assert outbound.send_reply(message_id=reply.pk).startswith("skipped")

    assert handler.received == []
    reply.refresh_from_db()
    assert reply.delivery_status == "" and reply.delivery_error == ""
    assert mailbox.email_other_channels is False


def test_a_notice_queued_before_mailing_was_switched_off_is_not_sent(
    smtp_server, front_line, agent, customer
):
    """Given a "solved" notice queued for a web ticket's customer, when "e-mail customers of web and API
    tickets" is switched off before it goes out, then it is skipped, not sent."""
    from kefu.connectors.email.models import NotificationMail
    from kefu.connectors.email.notifications import send_notification

    controller, handler = smtp_server
    mailbox = _smtp_mailbox(controller, front_line, notifications_enabled=True)
    ticket = _ticket(customer, "web")
    note = NotificationMail.objects.create(ticket=ticket, mailbox=mailbox, kind="solved", key="solved-test")
    mailbox.email_other_channels = False
    mailbox.save()

    assert send_notification(notification_id=note.pk).startswith("skipped")

    assert handler.received == []
    assert NotificationMail.objects.get(pk=note.pk).status == "skipped"
