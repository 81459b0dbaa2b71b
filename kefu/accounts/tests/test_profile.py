"""One's own profile: preferences, password and the API token."""

import pytest
from rest_framework.authtoken.models import Token

from kefu.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"


def test_profile_page_shows_the_forms(client, agent):
    client.force_login(agent)

    response = client.get(PROFILE, HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Asia/Shanghai" in html and 'name="presence"' in html and "API token" in html


def test_saving_the_profile_changes_name_language_zone_and_presence(client, agent):
    client.force_login(agent)

    response = client.post(
        PROFILE,
        {"display_name": "王芳芳", "language": "en", "timezone": "Europe/Berlin", "presence": "online"},
    )

    agent.refresh_from_db()
    assert response.status_code == 302
    assert (agent.display_name, agent.language, agent.timezone, agent.presence) == (
        "王芳芳",
        "en",
        "Europe/Berlin",
        "online",
    )
    assert AuditEntry.objects.filter(action="user.profile", object_id=str(agent.pk)).exists()


def test_times_are_shown_in_the_users_zone(client, agent):
    from django.utils import timezone

    agent.timezone = "America/New_York"
    agent.save()
    client.force_login(agent)

    response = client.get(PROFILE)

    assert str(timezone.get_current_timezone()) != "America/New_York"  # the request's zone did not leak
    assert response.context["TIME_ZONE"] == "America/New_York"


def test_an_unknown_time_zone_is_an_error_not_a_500(client, agent):
    client.force_login(agent)

    response = client.post(
        PROFILE, {"display_name": "x", "language": "", "timezone": "Mars/Olympus", "presence": "online"}
    )

    agent.refresh_from_db()
    assert response.status_code == 400
    assert agent.timezone == ""


def test_changing_the_password_keeps_the_session(client, agent, password):
    client.force_login(agent)

    response = client.post(
        "/accounts/profile/password/",
        {
            "old_password": password,
            "new_password1": "another-Long-passphrase-9",
            "new_password2": "another-Long-passphrase-9",
        },
    )

    agent.refresh_from_db()
    assert response.status_code == 302
    assert agent.check_password("another-Long-passphrase-9")
    assert client.get(PROFILE).status_code == 200


def test_a_wrong_old_password_is_refused(client, agent, password):
    client.force_login(agent)

    response = client.post(
        "/accounts/profile/password/",
        {
            "old_password": "wrong",
            "new_password1": "another-Long-passphrase-9",
            "new_password2": "another-Long-passphrase-9",
        },
    )

    agent.refresh_from_db()
    assert response.status_code == 400
    assert agent.check_password(password)


def test_creating_an_api_token_shows_it_once(client, agent):
    client.force_login(agent)

    response = client.post("/accounts/profile/api-token/", {"action": "regenerate"})
    first_view = client.get(PROFILE).content.decode()
    second_view = client.get(PROFILE).content.decode()

    token = Token.objects.get(user=agent)
    assert response.status_code == 302
    assert token.key in first_view
    assert token.key not in second_view and token.key[:6] in second_view
    assert AuditEntry.objects.filter(action="user.api_token", object_id=str(agent.pk)).exists()


def test_regenerating_the_token_revokes_the_old_one(client, agent):
    client.force_login(agent)
    client.post("/accounts/profile/api-token/", {"action": "regenerate"})
    old = Token.objects.get(user=agent).key

    client.post("/accounts/profile/api-token/", {"action": "regenerate"})

    assert Token.objects.filter(user=agent).count() == 1
    assert Token.objects.get(user=agent).key != old


def test_revoking_the_token_deletes_it(client, agent):
    client.force_login(agent)
    client.post("/accounts/profile/api-token/", {"action": "regenerate"})

    client.post("/accounts/profile/api-token/", {"action": "revoke"})

    assert not Token.objects.filter(user=agent).exists()


def test_customers_get_no_staff_profile_and_no_token(client, customer_user):
    client.force_login(customer_user)

    page = client.get(PROFILE)
    token = client.post("/accounts/profile/api-token/", {"action": "regenerate"})

    assert page.status_code == 302 and page["Location"].startswith("/portal/")
    assert token.status_code == 302
    assert not Token.objects.filter(user=customer_user).exists()


def test_profile_needs_login(client, db):
    response = client.get(PROFILE)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_display_name_of_invisible_characters_is_not_kept(client, agent):
    """Saving the profile with a zero-width-only name stores no name (shown as the username), never a blank."""
    from kefu.accounts import services

    services.update_profile(
        user=agent,
        actor=agent,
        display_name="\u200b\u200e",
        language="",
        timezone="",
        presence=agent.presence,
    )

    agent.refresh_from_db()
    assert agent.display_name == "" and str(agent) == agent.username
