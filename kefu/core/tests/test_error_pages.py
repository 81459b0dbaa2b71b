"""Error pages keep staff inside the workspace (its top bar), and show others the plain page."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_staff_member_who_hits_a_missing_page_keeps_the_workspace_navigation(client, agent, settings):
    settings.DEBUG = False
    client.force_login(agent)

    response = client.get("/agent/tickets/999999999/")

    assert response.status_code == 404
    assert b'class="topbar"' in response.content
    assert b'id="notification-bell"' in response.content


def test_a_visitor_sees_the_plain_error_page(client, settings):
    settings.DEBUG = False

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert b'class="topbar"' not in response.content
    assert b"404" in response.content


def test_the_error_page_is_in_the_users_language(client, agent, settings):
    """Given a Chinese-speaking agent, a missing ticket shows the error page's title and buttons in Chinese
    (the template's strings are in the core catalog, not dropped as obsolete)."""
    settings.DEBUG = False
    agent.language = "zh-hans"
    agent.save()
    client.force_login(agent)

    page = client.get("/agent/tickets/999999/").content.decode()

    assert "操作未成功" in page and "返回" in page and "首页" in page
    assert "That did not work" not in page and "Go back" not in page
