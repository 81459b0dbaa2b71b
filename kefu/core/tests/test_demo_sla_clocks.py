"""`kefu demo` gives the demo's tickets SLA clocks (once) with their history as it happened, without a storm
of late alarms."""

import pytest

from kefu.core import clock
from kefu.core.demo.build import build_demo
from kefu.sla.models import TicketSla
from kefu.sla.services import sweep_sla
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db

SMALL = {"tickets": 60, "customers": 30}


def test_demo_tickets_get_sla_clocks_once():
    build_demo(**SMALL)
    tickets = Ticket.objects.count()
    clocks = TicketSla.objects.count()

    build_demo(**SMALL)

    assert tickets and clocks == tickets  # the default policies cover every ticket, open or done
    assert TicketSla.objects.count() == clocks
    assert not TicketSla.objects.filter(next_deadline__lte=clock.now()).exists()
    assert sweep_sla() == 0  # deadlines already past are history, not alarms


def test_a_demo_built_before_clocks_existed_gets_them_on_the_next_run():
    build_demo(**SMALL)
    TicketSla.objects.all().delete()

    build_demo(**SMALL)

    assert TicketSla.objects.count() == Ticket.objects.count()


def test_a_demo_ticket_counts_as_breached_only_when_it_reached_the_target_late():
    """A solved demo ticket is "resolved within SLA" when it was solved before its due time, so the
    dashboard's shares are not 0 % for the demo; answered tickets are judged by their first response."""
    build_demo(**SMALL)

    done = list(TicketSla.objects.filter(resolution_met=True).select_related("ticket"))
    answered = list(TicketSla.objects.filter(ticket__first_response_at__isnull=False).select_related("ticket"))

    assert done and answered
    for sla in done:
        solved = sla.ticket.solved_at or sla.ticket.closed_at
        assert sla.resolution_breached == (sla.resolution_due is not None and sla.resolution_due <= solved)
    for sla in answered:
        late = sla.first_response_due is not None and sla.first_response_due <= sla.ticket.first_response_at
        assert sla.first_response_breached == late
    assert any(not sla.resolution_breached for sla in done)
