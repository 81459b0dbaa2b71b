"""Refreshing a ticket's clocks writes only what changed: a chat's first answer updates two columns, and a
refresh that changes nothing writes nothing (the clocks stay exactly as a full save would leave them)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.sla.models import TicketSla
from kefu.sla.services import apply_policy, refresh_clocks
from kefu.sla.tests.factories import SlaPolicyFactory
from kefu.tests.factories import TicketFactory
from kefu.tickets.models import Ticket

SH = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 11, 23, 9, tzinfo=SH)

pytestmark = pytest.mark.django_db


def _updates(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]


def test_a_first_response_updates_only_the_met_flag_and_the_next_deadline(customer):
    SlaPolicyFactory(first_response=timedelta(seconds=30), resolution=timedelta(hours=24))
    ticket = TicketFactory(customer=customer, channel="chat", created_at=MONDAY_9)
    apply_policy(ticket=ticket, now=MONDAY_9)
    Ticket.objects.filter(pk=ticket.pk).update(first_response_at=MONDAY_9 + timedelta(seconds=10))

    with CaptureQueriesContext(connection) as queries:
        refresh_clocks(ticket_id=ticket.pk, now=MONDAY_9 + timedelta(seconds=11))

    [update] = _updates(queries)
    written = update.split(" SET ", 1)[1].split(" WHERE ", 1)[0]
    assert '"first_response_met"' in written and '"next_deadline"' in written
    assert '"first_response_due"' not in written and '"policy_id"' not in written
    sla = TicketSla.objects.get(ticket=ticket)
    assert sla.first_response_met
    assert sla.first_response_due == MONDAY_9 + timedelta(seconds=30)
    assert sla.next_deadline == sla.resolution_warn_at == MONDAY_9 + timedelta(hours=24 * 0.8)


def test_a_refresh_that_changes_nothing_writes_nothing(customer):
    SlaPolicyFactory()
    ticket = TicketFactory(customer=customer, created_at=MONDAY_9)
    stored = apply_policy(ticket=ticket, now=MONDAY_9)

    with CaptureQueriesContext(connection) as queries:
        again = refresh_clocks(ticket_id=ticket.pk, now=MONDAY_9 + timedelta(minutes=5))

    assert _updates(queries) == []
    assert again.next_deadline == stored.next_deadline == TicketSla.objects.get(ticket=ticket).next_deadline


def test_a_new_policy_rewrites_the_changed_clocks(customer):
    """A re-picked policy still stores its new deadlines (each changed column is written)."""
    first = SlaPolicyFactory(name="first", position=10, first_response=timedelta(hours=4))
    ticket = TicketFactory(customer=customer, created_at=MONDAY_9)
    apply_policy(ticket=ticket, now=MONDAY_9)
    faster = SlaPolicyFactory(name="faster", position=0, first_response=timedelta(hours=1))

    refresh_clocks(ticket_id=ticket.pk, now=MONDAY_9)

    sla = TicketSla.objects.get(ticket=ticket)
    assert sla.policy == faster != first
    assert sla.first_response_due == MONDAY_9 + timedelta(hours=1)
    assert sla.next_deadline == sla.first_response_warn_at
