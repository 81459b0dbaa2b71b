"""Logging in and out: staff land in the workspace, customers in the portal, guessers get locked out."""

import pytest
from django.urls import reverse

from kefu.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def test_staff_login_with_the_right_password_lands_in_the_workspace(client, agent, password):
    response = client.post(LOGIN, {"username": "agent", "password": password})

    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:home")
    assert client.session["_auth_user_id"] == str(agent.pk)


def test_login_follows_a_safe_next_but_not_an_external_one(client, agent, password):
    ok = client.post(
        LOGIN + "?next=/manage/", {"username": "agent", "password": password, "next": "/manage/"}
    )
    client.logout()
    evil = client.post(LOGIN, {"username": "agent", "password": password, "next": "https://evil.example/"})

    assert ok["Location"] == "/manage/"
    assert evil["Location"] == reverse("workspace:home")


def test_wrong_password_shows_a_translated_error_and_does_not_log_in(client, agent):
    response = client.post(LOGIN, {"username": "agent", "password": "nope"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Wrong username or password" in response.content.decode()


def test_login_page_renders_in_chinese_by_default_and_english_on_request(client, db):
    zh = client.get(LOGIN)
    en = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en")

    assert zh.status_code == 200 and en.status_code == 200
    assert "登录" in zh.content.decode()
    assert "Log in" in en.content.decode()


def test_customer_login_goes_to_the_portal(client, customer_user, password):
    response = client.post(LOGIN, {"username": "chen", "password": password, "next": "/agent/"})

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")


def test_too_many_failures_for_a_username_lock_it_even_with_the_right_password(
    client, agent, password, settings
):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _attempt in range(3):
        client.post(LOGIN, {"username": "agent", "password": "wrong"})

    response = client.post(LOGIN, {"username": "agent", "password": password}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_throttled_message_is_translated_to_chinese(client, agent, settings):
    settings.LOGIN_FAILURE_LIMIT = 1
    client.post(LOGIN, {"username": "agent", "password": "wrong"})

    response = client.post(LOGIN, {"username": "agent", "password": "wrong"})

    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_too_many_failures_from_one_address_lock_other_usernames_too(
    client, agent, teammate, password, settings
):
    settings.LOGIN_FAILURE_LIMIT = 3
    for name in ("a", "b", "c"):
        client.post(LOGIN, {"username": name, "password": "wrong"}, REMOTE_ADDR="10.0.0.9")

    locked = client.post(LOGIN, {"username": "teammate", "password": password}, REMOTE_ADDR="10.0.0.9")
    elsewhere = client.post(LOGIN, {"username": "teammate", "password": password}, REMOTE_ADDR="10.0.0.10")

    assert locked.status_code == 429
    assert elsewhere.status_code == 302


def test_failures_expire_after_the_window(client, agent, password, settings):
    from django.core.cache import cache

    settings.LOGIN_FAILURE_LIMIT = 2
    for _attempt in range(2):
        client.post(LOGIN, {"username": "agent", "password": "wrong"})
    cache.clear()  # what the window's expiry does

    response = client.post(LOGIN, {"username": "agent", "password": password})

    assert response.status_code == 302


def test_a_successful_login_forgives_earlier_failures_of_the_username(client, agent, password, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _attempt in range(2):
        client.post(LOGIN, {"username": "agent", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    client.post(LOGIN, {"username": "agent", "password": password}, REMOTE_ADDR="10.0.0.1")
    client.logout()

    client.post(LOGIN, {"username": "agent", "password": "wrong"}, REMOTE_ADDR="10.0.0.2")
    response = client.post(LOGIN, {"username": "agent", "password": password}, REMOTE_ADDR="10.0.0.2")

    assert response.status_code == 302


def test_inactive_staff_cannot_log_in(client, agent, password):
    agent.is_active = False
    agent.save()

    response = client.post(LOGIN, {"username": "agent", "password": password})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_needs_a_post_and_ends_the_session(client, agent):
    client.force_login(agent)

    refused = client.get("/accounts/logout/")
    response = client.post("/accounts/logout/")

    assert refused.status_code == 405
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_site_root_sends_each_kind_of_user_where_they_belong(client, agent, customer_user):
    """`/` sends anonymous visitors to log in, signed-in customers to the portal and staff to the workspace,
    so a customer never loops between `/` and a 403 on /agent/."""
    anonymous = client.get("/")
    client.force_login(customer_user)
    as_customer = client.get("/")
    client.force_login(agent)
    as_staff = client.get("/")

    assert anonymous["Location"] == reverse("accounts:login")
    assert as_customer["Location"] == reverse("portal:home")
    assert as_staff["Location"] == reverse("workspace:home")


@pytest.mark.parametrize(
    ("role", "landing"),
    [("qa_inspector", "quality:home"), ("analyst", "analytics:dashboard"), ("trainer", "analytics:dashboard")],
)
def test_read_only_roles_land_where_their_work_is_not_in_an_empty_queue(client, password, role, landing):
    """Inspectors, analysts and trainers work no tickets: their login and the site root take them to the
    quality workbench or the dashboard instead of an empty "my open tickets" queue."""
    UserFactory(username="reader", roles=[role])

    response = client.post(LOGIN, {"username": "reader", "password": password})

    assert response["Location"] == reverse(landing)
    assert client.get("/")["Location"] == reverse(landing)
