"""Two workers handing escalated tickets on at the same time (threads, each with its own connection)."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from kefu.accounts import roles
from kefu.accounts.models import AssignmentStrategy, Presence
from kefu.routing.services.escalation import route_escalation
from kefu.sla.services import escalate_ticket
from kefu.tests.factories import TicketFactory, UserFactory
from kefu.tickets.models import Message, Ticket

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs real concurrent connections (PostgreSQL)"
    ),
]


def _race(orders: list[list[int]]) -> list[BaseException]:
    barrier = threading.Barrier(len(orders))
    errors: list[BaseException] = []

    def work(ids: list[int]) -> None:
        try:
            barrier.wait()
            for escalation_id in ids:
                route_escalation(escalation_id=escalation_id)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_two_workers_hand_each_escalated_ticket_to_one_senior_once_and_evenly(front_line, agent, customer):
    front_line.assignment_strategy = AssignmentStrategy.LEAST_OPEN
    front_line.save()
    seniors = [
        UserFactory(teams=[front_line], roles=[roles.SENIOR_AGENT], level="L2", presence=Presence.ONLINE)
        for _ in range(2)
    ]
    tickets = TicketFactory.create_batch(10, team=front_line, customer=customer, assignee=agent)
    ids = [escalate_ticket(ticket=t, actor=agent, reason="x").pk for t in tickets]

    # The same events delivered twice (a retried job), walked in opposite orders.
    assert _race([ids, ids[::-1]]) == []

    ticket_ids = [t.pk for t in tickets]
    loads = Counter(Ticket.objects.filter(pk__in=ticket_ids).values_list("assignee_id", flat=True))
    assert loads == Counter({senior.pk: 5 for senior in seniors})
    routed = Counter(
        Message.objects.filter(ticket_id__in=ticket_ids, event_type="escalation_routed").values_list(
            "ticket_id", flat=True
        )
    )
    assert routed == Counter({ticket_id: 1 for ticket_id in ticket_ids})
