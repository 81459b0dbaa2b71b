"""API tokens: issued once per user, replaceable, audited; the old key stops working at once."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kefu.api import services
from kefu.audit.models import AuditEntry
from kefu.core.errors import NotAllowed

pytestmark = pytest.mark.django_db


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_issue_token_returns_the_same_token_until_it_is_regenerated(agent):
    first = services.issue_token(user=agent)
    again = services.issue_token(user=agent)
    new = services.regenerate_token(user=agent)

    assert first.key == again.key != new.key
    assert AuditEntry.objects.filter(action="api.token_issue", actor=agent).count() == 1
    assert AuditEntry.objects.filter(action="api.token_regenerate", actor=agent).exists()


def test_regenerated_token_replaces_the_old_one_at_once(agent):
    old = services.issue_token(user=agent).key
    new = services.regenerate_token(user=agent).key

    assert client_with(old).get("/api/v1/tickets/").status_code == 401
    assert client_with(new).get("/api/v1/tickets/").status_code == 200


def test_revoked_token_is_refused(agent):
    key = services.issue_token(user=agent).key
    services.revoke_token(user=agent)

    assert client_with(key).get("/api/v1/tickets/").status_code == 401
    assert not Token.objects.filter(user=agent).exists()


def test_deactivated_users_token_is_refused(agent):
    key = services.issue_token(user=agent).key
    agent.is_active = False
    agent.save()

    assert client_with(key).get("/api/v1/tickets/").status_code == 401


def test_customers_get_no_token_and_agents_cannot_manage_others_tokens(
    customer_user, agent, teammate, supervisor
):
    with pytest.raises(NotAllowed):
        services.issue_token(user=customer_user)
    with pytest.raises(NotAllowed):
        services.regenerate_token(user=teammate, actor=agent)

    token = services.regenerate_token(user=teammate, actor=supervisor)  # a user manager may

    assert token.user == teammate
