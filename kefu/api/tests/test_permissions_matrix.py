"""The API enforces exactly the roles' rules: every role × object × action, with the expected outcome.

Each role's user works in the front-line team; "own ticket" is a front-line ticket, "other ticket" one of
the tech-support team. The outsider is a tech-support agent of that other team; the customer login is a
portal user (not staff); anonymous sends no token. In the table, "shown"/"hidden" say whether a ticket
appears in the list; numbers are HTTP status codes.
"""

import pytest

from kefu.accounts import roles
from kefu.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

COLUMNS = [
    ("own", "list"),
    ("own", "retrieve"),
    ("own", "create"),
    ("own", "update"),
    ("own", "reply"),
    ("other", "list"),
    ("other", "retrieve"),
    ("other", "create"),
    ("other", "update"),
    ("other", "reply"),
    ("customer", "list"),
    ("customer", "retrieve"),
    ("customer", "create"),
    ("customer", "update"),
    ("users", "list"),
    ("users", "retrieve"),
    ("users", "create"),
    ("users", "update"),
]

# fmt: off
#                  own ticket                    | other team's ticket              | customer          | user list
#                  list   get create update reply | list   get create update reply   | list get new  edit | list get new edit
WORKS_OWN_TEAM = "shown  200 201    200    201   | hidden 404 201    404    404     | 200  200 201  200  | 200  200 405 405"
WORKS_ALL      = "shown  200 201    200    201   | shown  200 201    200    201     | 200  200 201  200  | 200  200 405 405"
READS_ALL      = "shown  200 403    403    403   | shown  200 403    403    403     | 200  200 403  403  | 200  200 405 405"
OUTSIDER       = "hidden 404 201    404    404   | shown  200 201    200    201     | 200  200 201  200  | 200  200 405 405"
NOT_STAFF      = "403    403 403    403    403   | 403    403 403    403    403     | 403  403 403  403  | 403  403 403 403"
ANONYMOUS      = "401    401 401    401    401   | 401    401 401    401    401     | 401  401 401  401  | 401  401 401 401"
# fmt: on

EXPECTED = {
    roles.AGENT: WORKS_OWN_TEAM,
    roles.TECH_SUPPORT: WORKS_OWN_TEAM,
    roles.SENIOR_AGENT: WORKS_ALL,
    roles.SUPERVISOR: WORKS_ALL,
    roles.ADMIN: WORKS_ALL,
    roles.QA_INSPECTOR: READS_ALL,
    roles.ANALYST: READS_ALL,
    roles.TRAINER: READS_ALL,
    "outsider": OUTSIDER,
    "customer_login": NOT_STAFF,
    "anonymous": ANONYMOUS,
}


def _cases():
    for who, row in EXPECTED.items():
        outcomes = row.replace("|", " ").split()
        assert len(outcomes) == len(COLUMNS), who
        for (obj, action), outcome in zip(COLUMNS, outcomes, strict=True):
            yield pytest.param(who, obj, action, outcome, id=f"{who}-{obj}-{action}")


@pytest.fixture
def user_for(front_line, outsider, customer_user):
    def make(who: str):
        if who == "anonymous":
            return None
        if who == "outsider":
            return outsider
        if who == "customer_login":
            return customer_user
        return UserFactory(username=who, roles=[who], teams=[front_line])

    return make


def _do(client, who_user, obj: str, action: str, tickets: dict, customer, front_line, other_team):
    if obj in ("own", "other"):
        ticket = tickets[obj]
        if action == "list":
            return client.get("/api/v1/tickets/", {"page_size": 200})
        if action == "retrieve":
            return client.get(f"/api/v1/tickets/{ticket.pk}/")
        if action == "create":
            team = front_line if obj == "own" else other_team
            return client.post(
                "/api/v1/tickets/",
                {"subject": "新工单", "customer": customer.pk, "team": team.pk},
                format="json",
            )
        if action == "update":
            return client.patch(f"/api/v1/tickets/{ticket.pk}/", {"status": "open"}, format="json")
        return client.post(
            f"/api/v1/tickets/{ticket.pk}/messages/", {"kind": "reply", "text": "您好"}, format="json"
        )
    base = "/api/v1/customers/" if obj == "customer" else "/api/v1/users/"
    target = customer.pk if obj == "customer" else (who_user.pk if who_user else 1)
    if action == "list":
        return client.get(base)
    if action == "retrieve":
        return client.get(f"{base}{target}/")
    if action == "create":
        return client.post(base, {"name": "新客户"}, format="json")
    return client.patch(f"{base}{target}/", {"notes": "备注"}, format="json")


@pytest.mark.parametrize(("who", "obj", "action", "expected"), list(_cases()))
def test_permission_matrix(
    who, obj, action, expected, user_for, api_for, ticket, other_team_ticket, customer, front_line, other_team
):
    user = user_for(who)
    client = api_for(user)
    tickets = {"own": ticket, "other": other_team_ticket}

    response = _do(client, user, obj, action, tickets, customer, front_line, other_team)

    if expected in ("shown", "hidden"):
        assert response.status_code == 200
        listed = {row["id"] for row in response.json()["results"]}
        assert (tickets[obj].pk in listed) == (expected == "shown")
    else:
        assert response.status_code == int(expected), response.content


def test_teams_are_readable_by_every_role_and_by_no_customer(api_for, front_line, customer_user):
    for role in roles.ROLE_PERMISSIONS:
        assert api_for(UserFactory(roles=[role])).get("/api/v1/teams/").status_code == 200, role
    assert api_for(customer_user).get("/api/v1/teams/").status_code == 403


def test_user_list_shows_active_staff_with_roles_and_teams_but_no_customers(
    api, agent, customer_user, front_line
):
    UserFactory(username="gone", is_active=False, roles=[roles.AGENT])

    rows = api.get("/api/v1/users/").json()["results"]

    usernames = {row["username"] for row in rows}
    assert "agent" in usernames and "chen" not in usernames and "gone" not in usernames
    me = next(row for row in rows if row["username"] == "agent")
    assert me["roles"] == ["agent"]
    assert me["teams"] == [{"id": front_line.pk, "name": "Front line"}]
    assert (me["level"], me["presence"], me["display_name"]) == ("L1", "offline", "王芳")


@pytest.mark.parametrize("rows", [5, 50])
def test_user_list_runs_a_constant_number_of_queries(rows, api, front_line, django_assert_max_num_queries):
    for _ in range(rows):
        UserFactory(roles=[roles.AGENT], teams=[front_line])

    with django_assert_max_num_queries(4):
        response = api.get("/api/v1/users/", {"page_size": 200})

    assert len(response.json()["results"]) == rows + 1
