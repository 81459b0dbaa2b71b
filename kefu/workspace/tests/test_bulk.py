"""Bulk actions on the queue: one change (assignee, status, tag) on the selected tickets, all or nothing."""

import pytest
from django.urls import reverse

from kefu.accounts import roles
from kefu.tests.factories import TicketFactory, UserFactory

from .conftest import HTMX

pytestmark = pytest.mark.django_db
URL = reverse("workspace:bulk")


@pytest.fixture
def two_tickets(customer, front_line):
    return [TicketFactory(customer=customer, team=front_line) for _ in range(2)]


def test_bulk_assign_to_me_and_set_status(login, agent, two_tickets):
    response = login(agent).post(
        URL, {"ticket": [t.pk for t in two_tickets], "assignee": "me", "status": "open", "query": "view=all"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/agent/?view=all"
    for ticket in two_tickets:
        ticket.refresh_from_db()
        assert (ticket.assignee, ticket.status) == (agent, "open")


def test_bulk_add_tag_over_htmx_rerenders_the_rows_with_the_filters_on_screen(login, agent, two_tickets):
    response = login(agent).post(
        URL,
        {"ticket": [t.pk for t in two_tickets], "add_tag": "催单", "query": "view=all&sort=oldest"},
        **HTMX,
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="queue-results"')
    assert body.count('<span class="tag">催单</span>') == 2
    assert 'name="query" value="view=all&amp;sort=oldest"' in body
    assert "2 tickets updated." in body


def test_bulk_assign_to_a_teammate(login, agent, teammate, two_tickets):
    login(agent).post(URL, {"ticket": [t.pk for t in two_tickets], "assignee": teammate.pk})

    for ticket in two_tickets:
        ticket.refresh_from_db()
        assert ticket.assignee == teammate


def test_bulk_change_including_an_invisible_ticket_changes_nothing(
    login, agent, two_tickets, other_team_ticket
):
    response = login(agent).post(
        URL, {"ticket": [two_tickets[0].pk, other_team_ticket.pk], "status": "solved"}
    )

    assert response.status_code == 404
    two_tickets[0].refresh_from_db()
    other_team_ticket.refresh_from_db()
    assert two_tickets[0].status == other_team_ticket.status == "new"


def test_bulk_is_all_or_nothing_when_one_transition_is_impossible(login, agent, two_tickets):
    from kefu.tickets.services import change_status

    change_status(ticket=two_tickets[1], actor=agent, status="closed")

    response = login(agent).post(URL, {"ticket": [t.pk for t in two_tickets], "status": "pending"})

    assert response.status_code == 400
    two_tickets[0].refresh_from_db()
    assert two_tickets[0].status == "new"


def test_roles_without_bulk_permission_are_refused(login, two_tickets):
    inspector = UserFactory(roles=[roles.QA_INSPECTOR])

    response = login(inspector).post(URL, {"ticket": [t.pk for t in two_tickets], "status": "open"})

    assert response.status_code in (403, 404)
    two_tickets[0].refresh_from_db()
    assert two_tickets[0].status == "new"


@pytest.mark.parametrize(
    "data",
    [
        {"status": "open"},
        {"ticket": ["abc"], "status": "open"},
        {"ticket": ["1"], "status": "lost"},
        {"ticket": ["1"], "assignee": "x"},
        {"ticket": ["1"]},
    ],
)
def test_bad_bulk_input_is_400(login, agent, two_tickets, data):
    response = login(agent).post(URL, data)

    assert response.status_code == 400
