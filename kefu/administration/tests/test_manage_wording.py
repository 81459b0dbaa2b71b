"""Words on the /manage/ pages: a user's status is 启用 (not the chat's 进行中), and the English pages say
"make-up working days" for 调休 instead of leaving the Chinese word alone in an English sentence."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_an_active_users_status_and_the_status_filter_read_启用_in_chinese(client, admin_user, agent):
    admin_user.language = "zh-hans"
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)

    page = client.get("/manage/users/").content.decode()

    assert '<option value="active" selected>启用</option>' in page
    assert '<span class="badge success">启用</span>' in page
    assert "进行中" not in page


@pytest.mark.parametrize("url", ["/manage/", "/manage/calendars/"])
def test_the_english_pages_explain_调休_in_english(client, admin_user, url):
    admin_user.language = "en"
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)

    page = client.get(url).content.decode()

    assert "make-up working days (调休)" in page
    assert not re.search(r"and 调休 days", page)
