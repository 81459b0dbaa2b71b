"""Fixtures for API tests: clients that call the API as a given user with `Authorization: Token <key>`."""

from collections.abc import Callable

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.fixture
def api_for(db) -> Callable[..., APIClient]:
    """`api_for(user)` → a client sending that user's token; `api_for(None)` → an anonymous client."""

    def make(user=None, *, language: str = "en") -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
        if user is not None:
            # A token straight from the model: tests also need one for a customer's login, which
            # kefu.api.services.issue_token rightly refuses.
            token, _created = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def api(api_for, agent) -> APIClient:
    """The front-line agent's client."""
    return api_for(agent)

