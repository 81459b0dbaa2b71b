"""The language switch: remembered per user, applied on the next request, whatever the browser says."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_switching_language_saves_it_on_the_user_and_applies_on_the_next_request(client, agent):
    client.force_login(agent)

    response = client.post("/accounts/language/", {"language": "en", "next": "/accounts/profile/"})
    page = client.get("/accounts/profile/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    agent.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    assert agent.language == "en"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert page["Content-Language"] == "en"
    assert 'lang="en"' in page.content.decode()


def test_a_users_saved_language_wins_over_browser_and_cookie_on_a_new_device(client, agent):
    agent.language = "en"
    agent.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(agent)

    page = client.get("/accounts/profile/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")

    assert page["Content-Language"] == "en"
    assert "My profile" in page.content.decode()


def test_the_language_is_per_user(client, agent, teammate):
    client.force_login(agent)
    client.post("/accounts/language/", {"language": "en"})
    client.logout()
    client.cookies.clear()
    client.force_login(teammate)

    page = client.get("/accounts/profile/")

    teammate.refresh_from_db()
    assert teammate.language == ""
    assert page["Content-Language"] == "zh-hans"
    assert "我的资料" in page.content.decode()


def test_without_a_choice_the_browser_decides(client, agent):
    client.force_login(agent)

    page = client.get("/accounts/profile/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert page["Content-Language"] == "en"


def test_anonymous_switch_sets_only_the_cookie(client, db):
    response = client.post("/accounts/language/", {"language": "en", "next": "/accounts/login/"})
    page = client.get("/accounts/login/")

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert page["Content-Language"] == "en"


def test_switch_ignores_unknown_languages_and_unsafe_next(client, agent):
    client.force_login(agent)

    response = client.post("/accounts/language/", {"language": "klingon", "next": "https://evil.example/x"})

    agent.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert agent.language == ""


def test_switch_needs_post(client, db):
    assert client.get("/accounts/language/").status_code == 405


def test_the_switch_is_on_staff_pages_and_the_login_page(client, agent):
    login_page = client.get("/accounts/login/").content.decode()
    client.force_login(agent)
    profile_page = client.get("/accounts/profile/").content.decode()

    for html in (login_page, profile_page):
        assert 'action="/accounts/language/"' in html
        assert "简体中文" in html and "English" in html
