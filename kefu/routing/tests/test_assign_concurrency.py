"""Two workers (threads, each with its own database connection) assigning the same pool at the same time."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from kefu.accounts.models import AssignmentStrategy, Presence
from kefu.routing.services import assignment
from kefu.tests.factories import TicketFactory, UserFactory
from kefu.tickets.models import Message, MessageKind, Ticket

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs real concurrent connections (PostgreSQL)"
    ),
]


def _race(ticket_ids: list[int]) -> list[BaseException]:
    """Both workers walk the whole pool, one forwards and one backwards, starting together."""
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def work(ids: list[int]) -> None:
        try:
            barrier.wait()
            for ticket_id in ids:
                assignment.assign_new_ticket(ticket_id=ticket_id)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(order,)) for order in (ticket_ids, ticket_ids[::-1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _team_with_agents(front_line, count: int, strategy: str, cap: int = 0) -> list:
    front_line.assignment_strategy = strategy
    front_line.max_open_per_agent = cap
    front_line.save()
    return [UserFactory(teams=[front_line], presence=Presence.ONLINE) for _ in range(count)]


@pytest.mark.parametrize("strategy", [AssignmentStrategy.ROUND_ROBIN, AssignmentStrategy.LEAST_OPEN])
def test_two_workers_assign_every_ticket_exactly_once_and_evenly(front_line, customer, strategy):
    agents = _team_with_agents(front_line, 4, strategy)
    ids = [t.pk for t in TicketFactory.create_batch(40, team=front_line, customer=customer)]

    assert _race(ids) == []

    loads = Counter(Ticket.objects.filter(pk__in=ids).values_list("assignee_id", flat=True))
    assert loads == Counter({agent.pk: 10 for agent in agents})
    events = Counter(
        Message.objects.filter(ticket_id__in=ids, kind=MessageKind.EVENT, event_type="assigned").values_list(
            "ticket_id", flat=True
        )
    )
    assert events == Counter({ticket_id: 1 for ticket_id in ids})  # nobody assigned twice


def test_two_workers_never_push_an_agent_past_the_cap(front_line, customer):
    agents = _team_with_agents(front_line, 3, AssignmentStrategy.LEAST_OPEN, cap=4)
    ids = [t.pk for t in TicketFactory.create_batch(20, team=front_line, customer=customer)]

    assert _race(ids) == []

    loads = Counter(Ticket.objects.filter(pk__in=ids).values_list("assignee_id", flat=True))
    assert loads == Counter({**{agent.pk: 4 for agent in agents}, None: 8})
