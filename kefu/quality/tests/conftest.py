"""Quality fixtures: a QA inspector, the standard scorecard, a solved ticket of the `agent` persona, clients."""

import pytest
from django.test import Client

from kefu.accounts import roles
from kefu.tests.factories import UserFactory

from .factories import scorecard_with, solved_ticket


@pytest.fixture
def inspector(db):
    return UserFactory(username="qa", display_name="吴婷", roles=[roles.QA_INSPECTOR])


@pytest.fixture
def scorecard(db):
    """Greeting 10, Understanding 20, Solution 30 and a critical Privacy item worth 10: 70 points in all."""
    return scorecard_with(
        ("Greeting", 10, False), ("Understanding", 20, False), ("Solution", 30, False), ("Privacy", 10, True)
    )


@pytest.fixture
def criteria(scorecard):
    return {c.name_en: c for c in scorecard.criteria.all()}


@pytest.fixture
def handled(agent, customer, front_line):
    return solved_ticket(assignee=agent, customer=customer, team=front_line)


@pytest.fixture
def login():
    def make(user, language: str = "en") -> Client:
        client = Client(headers={"Accept-Language": language})
        client.force_login(user)
        return client

    return make


def full_marks(criteria) -> dict[int, int]:
    return {c.pk: c.max_points for c in criteria.values()}


@pytest.fixture
def english():
    """Service messages asserted in English, whatever the project's default language."""
    from django.utils import translation

    with translation.override("en"):
        yield
