"""`kefu demo` gives the demo's open tickets SLA clocks (once), without a storm of late alarms."""

import pytest

from kefu.core import clock
from kefu.core.demo.build import build_demo
from kefu.sla.models import TicketSla
from kefu.sla.services import sweep_sla
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db

SMALL = {"tickets": 60, "customers": 30}


def test_demo_open_tickets_get_sla_clocks_once():
    build_demo(**SMALL)
    open_tickets = Ticket.objects.open().count()
    clocks = TicketSla.objects.count()

    build_demo(**SMALL)

    assert open_tickets and clocks == open_tickets  # the default policies cover every ticket
    assert TicketSla.objects.count() == clocks
    assert not TicketSla.objects.filter(next_deadline__lte=clock.now()).exists()
    assert sweep_sla() == 0  # deadlines already past are history, not alarms


def test_a_demo_built_before_clocks_existed_gets_them_on_the_next_run():
    build_demo(**SMALL)
    TicketSla.objects.all().delete()

    build_demo(**SMALL)

    assert TicketSla.objects.count() == Ticket.objects.open().count()
