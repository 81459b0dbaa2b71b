"""A ringing call pops up for the agent whose extension rings: who calls, masked number, open tickets."""

import pytest

from kefu.customers.models import IdentityKind
from kefu.notifications.events import NotificationCreated
from kefu.notifications.models import Kind, Notification
from kefu.notifications.texts import describe
from kefu.tests.factories import CustomerFactory, TicketFactory, add_identity

from .conftest import CALLER, MASKED

pytestmark = pytest.mark.django_db


def test_ringing_tells_the_agent_of_the_extension_who_is_calling(pbx, agent, front_line, monkeypatch):
    """Given a known customer with two open tickets, when their call rings at 801, then 王芳 gets a
    notification naming them, their masked number and the 2 other open tickets, linked to the call's ticket,
    and her bell is told at commit."""
    known = CustomerFactory(name="陈小姐")
    add_identity(known, IdentityKind.PHONE, CALLER)
    TicketFactory.create_batch(2, customer=known, team=front_line)
    emitted = []
    monkeypatch.setattr("kefu.notifications.services.emit", emitted.append)
    pbx.send(event="ringing")
    note = Notification.objects.get(kind=Kind.INCOMING_CALL)
    assert note.recipient == agent
    assert note.ticket.external_id == "call-1"
    assert note.params["customer_id"] == known.pk
    assert describe(note) == f"陈小姐 ({MASKED}) is calling on line Hotline: 2 other open tickets"
    assert emitted == [NotificationCreated(notification_id=note.pk, recipient_id=agent.pk)]


def test_a_new_caller_pops_up_with_the_masked_number(pbx, agent):
    pbx.send(event="ringing")
    note = Notification.objects.get(kind=Kind.INCOMING_CALL)
    assert MASKED in describe(note)
    assert CALLER not in describe(note)
    assert describe(note).endswith("is calling on line Hotline")  # no "0 other open tickets"


def test_no_pop_up_for_an_unmapped_extension_or_a_call_already_answered(pbx):
    pbx.send(call_id="a", event="ringing", extension="999")
    pbx.send(call_id="b", event="answered")
    pbx.send(call_id="b", event="ringing")  # late
    assert not Notification.objects.filter(kind=Kind.INCOMING_CALL).exists()


def test_an_agent_who_may_not_see_the_ticket_still_learns_who_calls(pbx, outsider):
    """Given extension 802 is an agent of another team, the pop-up names the caller without the ticket."""
    pbx.line.extensions = {"802": outsider.pk}
    pbx.line.save()
    pbx.send(event="ringing", extension="802")
    note = Notification.objects.get(kind=Kind.INCOMING_CALL)
    assert note.recipient == outsider and note.ticket is None


def test_the_same_ringing_twice_pops_up_once(pbx):
    pbx.send(event="ringing")
    pbx.send(event="ringing")
    assert Notification.objects.filter(kind=Kind.INCOMING_CALL).count() == 1


def test_a_ring_group_pops_up_at_each_extension_once(pbx, agent, teammate):
    """Given a call ringing at 801 and 802 at once (a ring group), each agent is told once."""
    pbx.line.extensions = {"801": agent.pk, "802": teammate.pk}
    pbx.line.save()
    pbx.send(event="ringing", extension="801")
    pbx.send(event="ringing", extension="802")
    pbx.send(event="ringing", extension="802")
    recipients = sorted(
        Notification.objects.filter(kind=Kind.INCOMING_CALL).values_list("recipient_id", flat=True)
    )
    assert recipients == sorted([agent.pk, teammate.pk])
