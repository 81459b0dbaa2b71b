"""Fixtures for escalation tests: a senior agent of the front line and logged-in clients."""

import pytest
from django.test import Client

from kefu.accounts import roles
from kefu.tests.factories import UserFactory


@pytest.fixture
def senior(front_line):
    return UserFactory(
        username="senior", display_name="赵高级", roles=[roles.SENIOR_AGENT], teams=[front_line], level="L2"
    )


@pytest.fixture
def login():
    """A client logged in as the given user, reading English."""

    def make(user, language: str = "en") -> Client:
        client = Client(headers={"Accept-Language": language})
        client.force_login(user)
        return client

    return make
