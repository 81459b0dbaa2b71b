"""GET /api/v1/quality/reviews/: inspectors and leads read every review with its ratings, agents only the
reviews of their own work; customers and anonymous callers are refused; the list's queries do not grow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from kefu.quality.services import review_ticket

from .conftest import full_marks
from .factories import solved_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ENDPOINT = "/api/v1/quality/reviews/"


def _as(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def two_reviews(inspector, agent, teammate, customer, front_line, scorecard, criteria):
    """One review of `agent`'s ticket (Solution 15 of 30), one of `teammate`'s (full marks)."""
    mine = solved_ticket(assignee=agent, customer=customer, team=front_line)
    theirs = solved_ticket(assignee=teammate, customer=customer, team=front_line)
    points = full_marks(criteria)
    return (
        review_ticket(
            reviewer=inspector,
            ticket=mine,
            scorecard=scorecard,
            points=points | {criteria["Solution"].pk: 15},
        ),
        review_ticket(reviewer=inspector, ticket=theirs, scorecard=scorecard, points=points),
    )


def test_an_inspector_reads_every_review_with_its_ratings(inspector, two_reviews, criteria):
    response = _as(inspector).get(ENDPOINT)

    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert set(rows) == {review.pk for review in two_reviews}
    first = rows[two_reviews[0].pk]
    assert first["score_percent"] == "78.6" and first["critical_failed"] is False
    solution = next(r for r in first["ratings"] if r["criterion"] == criteria["Solution"].pk)
    assert solution | {"criterion_name": "Solution", "points": 15, "max_points": 30} == solution


def test_an_agent_reads_only_the_reviews_of_their_own_work(agent, two_reviews):
    response = _as(agent).get(ENDPOINT)

    assert [row["id"] for row in response.json()["results"]] == [two_reviews[0].pk]
    assert _as(agent).get(f"{ENDPOINT}{two_reviews[1].pk}/").status_code == 404


def test_filters_by_agent_and_critical_fail(inspector, teammate, two_reviews):
    by_agent = _as(inspector).get(ENDPOINT, {"agent": teammate.pk}).json()["results"]
    failed = _as(inspector).get(ENDPOINT, {"critical_failed": "true"}).json()["results"]

    assert [row["id"] for row in by_agent] == [two_reviews[1].pk] and failed == []
    assert _as(inspector).get(ENDPOINT, {"agent": "x"}).status_code == 400
    assert _as(inspector).get(ENDPOINT, {"since": "0001-01-01T00:00:00+14:00"}).status_code == 400


def test_customers_and_anonymous_callers_are_refused(customer_user, two_reviews):
    assert _as(customer_user).get(ENDPOINT).status_code == 403
    assert _as().get(ENDPOINT).status_code in (401, 403)


def test_the_list_runs_the_same_queries_for_one_review_or_many(
    inspector, agent, customer, front_line, scorecard, criteria, django_assert_num_queries
):
    def review_one() -> None:
        ticket = solved_ticket(assignee=agent, customer=customer, team=front_line)
        review_ticket(reviewer=inspector, ticket=ticket, scorecard=scorecard, points=full_marks(criteria))

    review_one()
    client = _as(inspector)
    client.get(ENDPOINT)
    with CaptureQueriesContext(connection) as one:
        client.get(ENDPOINT)
    for _ in range(4):
        review_one()

    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(ENDPOINT)
    assert len(response.json()["results"]) == 5
