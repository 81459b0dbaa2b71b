"""Every channel enters through `ingest`: customers resolved, threads continued, retries never duplicated."""

import threading

import pytest
from django.db import connection

from kefu.customers.models import Customer
from kefu.intake.services import InboundMessage, ingest
from kefu.tickets.attachments import IncomingFile
from kefu.tickets.models import Message, Status, Ticket
from kefu.tickets.services import change_status

pytestmark = pytest.mark.django_db


def inbound(**overrides) -> InboundMessage:
    values = {
        "channel": "email",
        "identity_kind": "email",
        "identity_value": "Zhang.Wei@Example.com",
        "name": "张伟",
        "subject": "退款进度查询",
        "text": "我上周申请的退款还没有到账。",
        "external_id": "<abc@mail.example.com>",
        "thread_id": "<abc@mail.example.com>",
    }
    values.update(overrides)
    return InboundMessage(**values)


def test_first_message_opens_a_ticket_for_a_new_customer():
    result = ingest(inbound())

    assert result.created and not result.duplicate
    assert result.ticket.subject == "退款进度查询"
    assert result.ticket.customer.name == "张伟"
    assert result.ticket.customer.email == "zhang.wei@example.com"
    assert result.message.body_text == "我上周申请的退款还没有到账。"


def test_same_external_id_twice_stores_one_message_and_one_ticket():
    first = ingest(inbound())
    again = ingest(inbound())

    assert again.duplicate
    assert again.ticket.pk == first.ticket.pk
    assert Ticket.objects.count() == 1
    assert Message.objects.count() == 1


def test_known_identity_is_the_same_customer_whatever_the_case():
    ingest(inbound())
    ingest(inbound(identity_value="zhang.wei@EXAMPLE.com", external_id="<other@x>", thread_id="<other@x>"))

    assert Customer.objects.count() == 1
    assert Ticket.objects.count() == 2


def test_reply_in_the_same_thread_continues_the_ticket_and_reopens_it(agent):
    first = ingest(inbound())
    first.ticket.team = None
    first.ticket.save()
    change_status(ticket=first.ticket, actor=agent, status=Status.SOLVED)

    reply = ingest(inbound(external_id="<reply@x>", text="还是没到账"))

    assert not reply.created
    assert reply.ticket.pk == first.ticket.pk
    reply.ticket.refresh_from_db()
    assert reply.ticket.status == Status.OPEN
    assert reply.ticket.reopened_count == 1


def test_ticket_number_hint_is_only_trusted_for_the_customers_own_ticket():
    theirs = ingest(inbound(identity_value="someone@else.com", external_id="<a@x>", thread_id="<a@x>"))

    mine = ingest(inbound(external_id="<b@x>", thread_id="", ticket_number=theirs.ticket.pk))

    assert mine.created
    assert mine.ticket.pk != theirs.ticket.pk


def test_attachments_and_html_arrive_sanitized():
    result = ingest(
        inbound(
            text="",
            html="<p>见附件<img src=x onerror=alert(1)></p>",
            attachments=(IncomingFile(name="../../发票.pdf", content=b"%PDF-1.4", content_type="application/pdf"),),
        )
    )

    assert "onerror" not in result.message.body_html
    assert result.message.body_text == "见附件"
    attachment = result.message.attachments.get()
    assert attachment.filename == "发票.pdf"
    assert attachment.size == 8


def test_new_ticket_lands_in_the_default_team(front_line):
    front_line.is_default = True
    front_line.save()

    result = ingest(inbound())

    assert result.ticket.team == front_line


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_deliveries_of_one_message_make_one_ticket():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serializes writers; the race needs a server database")
    results, errors = [], []

    def deliver():
        try:
            results.append(ingest(inbound()))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert not errors
    assert Ticket.objects.count() == 1
    assert Message.objects.filter(kind="customer").count() == 1
    assert sum(1 for r in results if not r.duplicate) == 1
