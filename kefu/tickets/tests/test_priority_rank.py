"""Each ticket carries a copy of its priority's rank (`Ticket.priority_rank`), which the queue sorts by."""

import pytest
from django.contrib.admin.sites import site
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from kefu.tests.factories import PriorityFactory, TicketFactory
from kefu.tickets.models import NO_PRIORITY_RANK, Ticket
from kefu.tickets.services import TicketChanges, create_ticket, update_ticket

pytestmark = pytest.mark.django_db


def _urgent():
    return PriorityFactory(code="urgent", name="紧急", rank=40, is_default=False)


def test_a_new_ticket_carries_its_priority_rank(customer):
    """create_ticket copies the rank of the priority it was given, and of the default priority otherwise."""
    default = PriorityFactory(rank=10, is_default=True)
    urgent = _urgent()

    given = create_ticket(customer=customer, subject="退款", text="请退款", channel="web", priority=urgent)
    defaulted = create_ticket(customer=customer, subject="发票", text="要发票", channel="web")

    assert Ticket.objects.get(pk=given.pk).priority_rank == 40
    assert Ticket.objects.get(pk=defaulted.pk).priority_id == default.pk
    assert Ticket.objects.get(pk=defaulted.pk).priority_rank == 10


def test_changing_the_priority_copies_the_new_rank(ticket, agent):
    """update_ticket keeps the copy in step when the priority changes, and clears it when it is removed."""
    urgent = _urgent()

    update_ticket(ticket=ticket, actor=agent, changes=TicketChanges(priority=urgent))
    assert Ticket.objects.get(pk=ticket.pk).priority_rank == 40

    update_ticket(ticket=ticket, actor=agent, changes=TicketChanges(priority=None))
    assert Ticket.objects.get(pk=ticket.pk).priority_rank == NO_PRIORITY_RANK


def test_a_new_rank_reaches_the_priority_tickets_in_one_update(customer):
    """Saving a priority with another rank (admin pages, Django admin) rewrites its tickets' copy in one UPDATE;
    tickets of other priorities keep theirs."""
    urgent, normal = _urgent(), PriorityFactory(rank=10)
    urgent_tickets = [TicketFactory(customer=customer, priority=urgent) for _ in range(3)]
    other = TicketFactory(customer=customer, priority=normal)

    urgent.rank = 50
    with CaptureQueriesContext(connection) as queries:
        urgent.save()

    ticket_updates = [q for q in queries.captured_queries if q["sql"].startswith('UPDATE "tickets_ticket"')]
    assert len(ticket_updates) == 1
    assert {t.priority_rank for t in Ticket.objects.filter(pk__in=[t.pk for t in urgent_tickets])} == {50}
    assert Ticket.objects.get(pk=other.pk).priority_rank == 10


def test_a_priority_change_in_the_django_admin_copies_the_rank(ticket, admin_user):
    """The Django admin's ticket form saves the ticket itself: it must copy the rank as the services do."""
    urgent = _urgent()
    request = RequestFactory().post("/")
    request.user = admin_user
    ticket.priority = urgent

    site._registry[Ticket].save_model(request, ticket, form=None, change=True)

    assert Ticket.objects.get(pk=ticket.pk).priority_rank == 40
