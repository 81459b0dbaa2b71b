"""`kefu demo` and `kefu seed` write tickets without the services: they must fill the copy of the priority's
rank the queue sorts by (`Ticket.priority_rank`) themselves — seed also through COPY on PostgreSQL."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F

from kefu.core.demo.build import build_demo
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _assert_ranks_copied() -> None:
    assert Ticket.objects.exists()
    assert not Ticket.objects.filter(priority__isnull=True).exists()
    assert not Ticket.objects.exclude(priority_rank=F("priority__rank")).exists()


def test_seeded_tickets_carry_their_priority_rank() -> None:
    """Every seeded ticket has a priority, and its copied rank equals that priority's rank."""
    call_command("seed", "--tickets", "120", "--customers", "15", stdout=StringIO())

    _assert_ranks_copied()


def test_demo_tickets_carry_their_priority_rank() -> None:
    """The same for the demo's hand-made tickets."""
    build_demo(tickets=40, customers=20)

    _assert_ranks_copied()
