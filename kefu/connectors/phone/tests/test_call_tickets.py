"""Each call is one ticket for the customer found by number, whatever events arrive, how often or in
which order; answering assigns it to the agent of the extension."""

import pytest

from kefu.connectors.phone.models import PhoneCall
from kefu.connectors.phone.texts import EVENT_TYPE, call_event_text
from kefu.customers.models import Customer, IdentityKind
from kefu.tests.factories import CustomerFactory, add_identity
from kefu.tickets.models import Channel, Message, MessageKind, Ticket

from .conftest import CALLER, MASKED

pytestmark = pytest.mark.django_db


def _call_events(ticket) -> list[Message]:
    return list(ticket.messages.filter(kind=MessageKind.EVENT, event_type=EVENT_TYPE).order_by("id"))


def test_a_new_caller_becomes_a_customer_with_a_phone_ticket(pbx, front_line):
    response = pbx.send(event="ringing")
    ticket = Ticket.objects.get()
    assert response.json()["ticket"] == ticket.pk
    assert ticket.channel == Channel.PHONE
    assert ticket.external_id == "call-1"
    assert ticket.team == front_line
    assert ticket.customer.identities.get().kind == IdentityKind.PHONE
    assert ticket.customer.phone == CALLER
    first = ticket.messages.get(kind=MessageKind.CUSTOMER)
    assert MASKED in ticket.subject and MASKED in first.body_text
    assert "Hotline" in first.body_text


@pytest.mark.parametrize("written", ["+86 138-1234-5678", "0086 13812345678", "138 1234 5678"])
def test_a_known_customer_is_found_by_number_however_written(pbx, written):
    """Given a customer whose phone is on file, when they call from the same number in another format,
    then the call ticket is theirs and no customer is created."""
    known = CustomerFactory(name="陈小姐")
    add_identity(known, IdentityKind.PHONE, CALLER)
    pbx.send(**{"from": written})
    assert Ticket.objects.get().customer == known
    assert Customer.objects.count() == 1


def test_the_same_event_twice_stores_nothing_new(pbx):
    first = pbx.send(event="answered").json()
    second = pbx.send(event="answered").json()
    assert second == {"ok": True, "ticket": first["ticket"], "duplicate": True}
    ticket = Ticket.objects.get()
    assert len(_call_events(ticket)) == 1
    assert ticket.messages.filter(kind=MessageKind.CUSTOMER).count() == 1


def test_answered_assigns_the_ticket_to_the_agent_of_the_extension(pbx, agent):
    pbx.send(event="ringing")
    pbx.send(event="answered")
    ticket = Ticket.objects.get()
    assert ticket.assignee == agent
    [answered] = _call_events(ticket)
    assert call_event_text(answered.event_data) == f"Inbound call from {MASKED} answered by 王芳"


def test_an_answered_call_is_the_tickets_first_response(pbx, agent):
    """The agent talked with the customer: the first-response clock stops then, and only then."""
    pbx.send(event="ringing")
    assert Ticket.objects.get().first_response_at is None
    pbx.send(event="answered")
    answered_at = Ticket.objects.get().first_response_at
    pbx.send(event="ended", duration=60)
    assert answered_at is not None and Ticket.objects.get().first_response_at == answered_at


def test_ended_tells_who_talked_and_how_long_with_the_recording(pbx, agent):
    pbx.send(event="answered")
    pbx.send(event="ended", duration=192, recording_url="https://pbx.example.com/rec/1.mp3")
    ended = _call_events(Ticket.objects.get())[-1]
    text = call_event_text(ended.event_data)
    assert text == (
        f"Inbound call from {MASKED} answered by 王芳, 3 min 12 s · recording: https://pbx.example.com/rec/1.mp3"
    )
    assert PhoneCall.objects.get().duration == 192


def test_events_out_of_order_make_one_ticket_assigned_once(pbx, agent):
    """Given "ended" arrives before "answered" (and "ringing" last), then there is still one ticket,
    assigned to the agent, with one timeline event for each."""
    pbx.send(event="ended", duration=75)
    pbx.send(event="answered")
    pbx.send(event="ringing")
    ticket = Ticket.objects.get()
    assert ticket.assignee == agent
    assert [m.event_data["event"] for m in _call_events(ticket)] == ["ended", "answered"]
    assigned = ticket.messages.filter(kind=MessageKind.EVENT, event_type="assigned")
    assert assigned.count() == 1
    assert ticket.messages.filter(kind=MessageKind.CUSTOMER).count() == 1


def test_an_unmapped_extension_assigns_nobody_and_says_which_extension(pbx):
    pbx.send(event="answered", extension="999")
    ticket = Ticket.objects.get()
    assert ticket.assignee is None
    assert "extension 999" in call_event_text(_call_events(ticket)[0].event_data)


def test_two_calls_of_one_customer_are_two_tickets(pbx):
    pbx.send(call_id="a")
    pbx.send(call_id="b")
    assert Ticket.objects.count() == 2
    assert Customer.objects.count() == 1


def test_an_outbound_call_is_a_ticket_of_the_called_customer(pbx, agent):
    pbx.send(direction="outbound", **{"from": "4008001234", "to": "13900001111"}, event="answered")
    ticket = Ticket.objects.get()
    assert ticket.customer.phone == "13900001111"
    assert ticket.assignee == agent
    assert "Outbound call to 139****1111" in call_event_text(_call_events(ticket)[0].event_data)


def test_a_call_id_of_another_line_is_refused(pbx, front_line):
    from kefu.connectors.phone.models import PhoneLine

    from .conftest import Pbx

    pbx.send(call_id="shared")
    other = Pbx(pbx.client, PhoneLine.objects.create(name="Sales", number="400-1", team=front_line))
    response = other.send(call_id="shared", event="answered")
    assert response.status_code == 400
    assert response.json()["field"] == "call_id"
