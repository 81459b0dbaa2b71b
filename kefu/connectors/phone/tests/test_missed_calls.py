"""A missed call or a voicemail is left for routing, tagged and noted "call back"; a voicemail's
transcript is the customer's message."""

import pytest

from kefu.connectors.phone.texts import EVENT_TYPE, call_event_text
from kefu.tickets.models import MessageKind, Status, Ticket

from .conftest import MASKED

pytestmark = pytest.mark.django_db


def test_a_missed_call_is_left_for_routing_with_a_call_back_note(pbx):
    pbx.send(event="ringing")
    pbx.send(event="missed")
    ticket = Ticket.objects.get()
    assert ticket.assignee is None
    assert ticket.status in (Status.NEW, Status.OPEN)
    assert set(ticket.tags.values_list("name", flat=True)) == {"missed-call"}
    assert ticket.first_response_at is None  # nobody has answered the customer yet
    missed = ticket.messages.get(kind=MessageKind.EVENT, event_type=EVENT_TYPE)
    assert call_event_text(missed.event_data) == f"Missed call from {MASKED}: call back"


def test_ended_after_a_missed_call_does_not_assign_it(pbx):
    pbx.send(event="missed")
    pbx.send(event="ended", duration=0)
    assert Ticket.objects.get().assignee is None


def test_a_voicemail_transcript_is_the_customers_message(pbx):
    pbx.send(event="ringing")
    pbx.send(
        event="voicemail",
        voicemail_transcript="我的订单还没到，请回电。",
        recording_url="https://pbx.example.com/vm/1.wav",
    )
    ticket = Ticket.objects.get()
    assert ticket.assignee is None
    customer_texts = list(
        ticket.messages.filter(kind=MessageKind.CUSTOMER).values_list("body_text", flat=True)
    )
    assert customer_texts[-1] == "我的订单还没到，请回电。"
    assert set(ticket.tags.values_list("name", flat=True)) == {"missed-call", "voicemail"}
    event = ticket.messages.get(kind=MessageKind.EVENT, event_type=EVENT_TYPE)
    assert call_event_text(event.event_data) == (
        f"Voicemail from {MASKED}: call back · recording: https://pbx.example.com/vm/1.wav"
    )


def test_a_voicemail_first_opens_the_ticket_with_the_transcript_once(pbx):
    pbx.send(event="voicemail", voicemail_transcript="请回电")
    pbx.send(event="voicemail", voicemail_transcript="请回电")
    ticket = Ticket.objects.get()
    assert list(ticket.messages.filter(kind=MessageKind.CUSTOMER).values_list("body_text", flat=True)) == [
        "请回电"
    ]
