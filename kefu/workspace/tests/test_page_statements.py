"""Agent pages ask the database each thing once per request: the user's teams and permissions are read once
and kept for the request, however often the visibility rules are applied (issue 7)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kefu.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def statements(client, url: str, params: dict | None = None) -> list[str]:
    client.get(url, params or {})  # warm: per-process caches are not what this test is about
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def team_reads(sql: list[str]) -> list[str]:
    """The statements that read which teams the user belongs to."""
    return [
        s for s in sql if s.startswith('SELECT "accounts_team"."id" AS "id" FROM "accounts_team" INNER JOIN')
    ]


def test_ticket_page_reads_the_users_teams_and_permissions_once(login, agent, customer, front_line):
    ticket = TicketFactory(customer=customer, team=front_line)
    TicketFactory(customer=customer, team=front_line)  # the side list of the customer's other tickets

    sql = statements(login(agent), reverse("workspace:ticket", args=[ticket.pk]))

    assert len(team_reads(sql)) == 1
    # The assignee menu picks working roles in SQL (it names auth_permission) but reads nobody's permissions.
    permission_reads = [
        s for s in sql if '"auth_permission"' in s and not s.startswith('SELECT "accounts_user"')
    ]
    assert len(permission_reads) == 1
    assert len(sql) == len(set(sql)), "a statement ran twice"


def test_queue_search_reads_the_users_teams_and_permissions_once(login, agent, ticket):
    sql = statements(login(agent), reverse("workspace:home"), {"view": "all", "q": "订单"})

    assert len(team_reads(sql)) == 1
    # The menus' list of staff who may work tickets names auth_permission in SQL but reads nobody's permissions.
    assert len([s for s in sql if '"auth_permission"' in s and not s.startswith('SELECT "accounts_user"')]) == 1
    assert len(sql) == len(set(sql)), "a statement ran twice"
