"""A caller who withholds their number still gets a ticket per call: all such calls belong to one customer
(no made-up phone identities), and nobody is told about that customer's other tickets (other people's calls)."""

import pytest
from django.conf import settings
from django.utils import translation

from kefu.connectors.phone import texts
from kefu.connectors.phone.services import WITHHELD_IDENTITY
from kefu.customers.models import Identity, IdentityKind
from kefu.notifications.models import Kind, Notification
from kefu.notifications.texts import describe
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("withheld", ["anonymous", "", None, "private"])
def test_a_call_from_a_withheld_number_is_kept_as_a_ticket(pbx, withheld):
    response = pbx.send(event="ringing", **{"from": withheld})

    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert response.json()["ticket"] == ticket.pk
    with translation.override(settings.LANGUAGE_CODE):  # stored texts are in the site's language
        assert texts.withheld_number() in ticket.subject
    assert not Identity.objects.filter(kind=IdentityKind.PHONE).exists()


def test_every_withheld_call_is_a_ticket_of_the_same_customer(pbx, agent):
    pbx.send(call_id="call-1", event="ringing", **{"from": "anonymous"})
    pbx.send(call_id="call-2", event="answered", **{"from": "anonymous"})

    first, second = Ticket.objects.order_by("pk")
    assert first.customer_id == second.customer_id
    assert first.customer.identities.get().value == WITHHELD_IDENTITY
    assert second.assignee == agent  # answered: the agent talked with them all the same


def test_the_screen_pop_of_a_withheld_call_mentions_no_other_tickets(pbx, agent):
    pbx.send(call_id="call-1", event="missed", **{"from": "anonymous"})  # another caller's ticket, still open
    pbx.send(call_id="call-2", event="ringing", **{"from": "anonymous"})

    note = Notification.objects.get(kind=Kind.INCOMING_CALL)
    assert describe(note).endswith("is calling on line Hotline")


def test_an_outbound_call_still_needs_the_number_it_called(pbx):
    response = pbx.send(direction="outbound", to="anonymous")

    assert response.status_code == 400 and response.json()["field"] == "to"


def test_a_voicemail_from_a_withheld_number_is_the_customers_message(pbx):
    pbx.send(event="ringing", **{"from": "anonymous"})
    response = pbx.send(event="voicemail", voicemail_transcript="请回电，订单有问题", **{"from": "anonymous"})

    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.messages.filter(body_text="请回电，订单有问题", author_kind="customer").exists()
    assert not Identity.objects.filter(kind=IdentityKind.PHONE).exists()
