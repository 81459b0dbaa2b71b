"""`GET /api/v1/tickets/{id}/` lists the ticket's links (follow-ups, related) in both directions."""

import pytest

from kefu.tests.factories import TicketFactory
from kefu.tickets.models import LinkKind
from kefu.tickets.services import link_tickets

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/"


def test_detail_shows_links_both_ways_but_not_to_tickets_the_caller_may_not_see(
    api, ticket, customer, front_line, other_team_ticket
):
    follow_up = TicketFactory(customer=customer, team=front_line, subject="又来了")
    link_tickets(ticket=follow_up, other=ticket, kind=LinkKind.FOLLOW_UP, actor=None)
    link_tickets(ticket=ticket, other=other_team_ticket, kind=LinkKind.RELATED, actor=None)

    original = api.get(f"{URL}{ticket.pk}/").json()
    later = api.get(f"{URL}{follow_up.pk}/").json()

    assert [(x["kind"], x["direction"], x["ticket"]) for x in original["links"]] == [
        ("follow_up", "in", follow_up.pk)
    ]
    assert later["links"][0] | {"id": 0} == {
        "id": 0, "kind": "follow_up", "direction": "out", "ticket": ticket.pk, "subject": ticket.subject,
        "status": ticket.status,
    }  # fmt: skip


def test_the_list_does_not_carry_links(api, ticket):
    row = api.get(URL).json()["results"][0]

    assert "links" not in row
