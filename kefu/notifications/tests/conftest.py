"""Fixtures for notification tests: a team lead, a senior agent and logged-in clients."""

import pytest
from django.conf import settings
from django.test import Client

from kefu.accounts import roles
from kefu.tests.factories import UserFactory


@pytest.fixture
def lead(front_line):
    user = UserFactory(username="lead", display_name="刘组长", roles=[roles.SENIOR_AGENT], teams=[front_line])
    front_line.lead = user
    front_line.save()
    return user


@pytest.fixture
def login():
    """A client logged in as the given user, reading English."""

    def make(user, language: str = "en") -> Client:
        client = Client(headers={"Accept-Language": language})
        client.force_login(user)
        return client

    return make


@pytest.fixture
def session_cookie():
    """`session_cookie(user)` -> a real session cookie value, as a browser's websocket would send it."""

    def make(user) -> str:
        client = Client()
        client.force_login(user)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    return make
