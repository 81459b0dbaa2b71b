"""The site admin switches the chat window's rating off (and on again) per chat site."""

import pytest

from kefu.chat.tests.factories import ChatSiteFactory

pytestmark = pytest.mark.django_db


def _form(site, **changes) -> dict:
    values = {
        "name": site.name,
        "allowed_origins": "https://shop.example.com",
        "max_queue": "0",
        "is_active": "on",
    }
    return {**values, **changes}


def test_an_admin_switches_the_chat_survey_off_and_on_again(client, admin_user):
    site = ChatSiteFactory()
    client.force_login(admin_user)
    page = client.get(f"/manage/chat-sites/{site.pk}/").content.decode()
    assert 'name="survey_enabled"' in page and "checked" in page.split('name="survey_enabled"')[1][:80]

    client.post(f"/manage/chat-sites/{site.pk}/", _form(site))  # the box left unticked
    site.refresh_from_db()
    assert not site.survey_enabled

    client.post(f"/manage/chat-sites/{site.pk}/", _form(site, survey_enabled="on"))
    site.refresh_from_db()
    assert site.survey_enabled
