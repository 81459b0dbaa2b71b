"""Token sign-in answers exactly as DRF's own check does, with the look-up query built once per process."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIClient

from kefu.api import services
from kefu.api.authentication import KefuTokenAuthentication

pytestmark = pytest.mark.django_db


def test_a_valid_key_gives_the_same_user_and_token_as_drfs_check(agent):
    """Every column of the user as DRF loads it; the token with its key and user; one statement."""
    key = services.issue_token(user=agent).key

    with CaptureQueriesContext(connection) as queries:
        user, token = KefuTokenAuthentication().authenticate_credentials(key)
    expected_user, expected_token = TokenAuthentication().authenticate_credentials(key)

    assert len(queries) == 1
    assert user == expected_user and token.key == expected_token.key and token.user is user
    own = {name: value for name, value in vars(user).items() if not name.startswith("_")}
    assert own == {name: value for name, value in vars(expected_user).items() if not name.startswith("_")}


@pytest.mark.parametrize(
    "case", ["unknown key", "revoked key", "inactive user", "quote in key", "placeholder as key"]
)
def test_refusals_are_drfs_with_its_messages(agent, case):
    """401 with DRF's wording for every bad key, including ones shaped to confuse the SQL or the placeholder."""
    key = services.issue_token(user=agent).key
    if case == "revoked key":
        services.revoke_token(user=agent)
    if case == "inactive user":
        agent.is_active = False
        agent.save()
    sent = {
        "unknown key": "0" * 40,
        "quote in key": "x'OR'1'='1",
        "placeholder as key": "key",
    }.get(case, key)

    with pytest.raises(AuthenticationFailed) as ours:
        KefuTokenAuthentication().authenticate_credentials(sent)
    with pytest.raises(AuthenticationFailed) as drfs:
        TokenAuthentication().authenticate_credentials(sent)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.credentials(HTTP_AUTHORIZATION=f"Token {sent}")
    answer = client.get("/api/v1/tickets/")

    assert str(ours.value.detail) == str(drfs.value.detail)
    assert answer.status_code == 401
    assert answer.json()["detail"] in ("认证令牌无效。", "用户未激活或者已删除。")
