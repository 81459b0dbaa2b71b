"""The API's own catalog is complete, and errors come back in the language the request asks for."""

from pathlib import Path

import polib
import pytest

KEFU = Path(__file__).resolve().parents[2]


def _api_entries():
    """Entries for the API's strings: all of kefu/api's catalog, and those from `<app>/api/` in the apps'."""
    for app in ("api", "tickets", "customers", "accounts"):
        catalog = KEFU / app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
        for entry in polib.pofile(str(catalog)):
            if entry.obsolete:
                continue
            if app == "api" or any("/api/" in f"/{path}" for path, _line in entry.occurrences):
                yield app, entry


def test_every_api_string_has_a_chinese_translation():
    entries = list(_api_entries())

    assert len(entries) > 40
    assert not [(app, e.msgid) for app, e in entries if not e.msgstr or "fuzzy" in e.flags]


@pytest.mark.django_db
def test_frameworks_own_messages_follow_accept_language(api_for, agent):
    chinese = api_for(agent, language="zh-hans").post("/api/v1/customers/", {}, format="json").json()
    english = api_for(agent, language="en").post("/api/v1/customers/", {}, format="json").json()

    assert english["name"] == ["This field is required."]
    assert chinese["name"] == ["该字段是必填项。"]


@pytest.mark.django_db
def test_not_found_and_no_data_come_back_in_the_requests_language(api_for, agent):
    """Django's "No Ticket matches the given query." and DRF's "No data provided" are English-only texts:
    a Chinese request gets them in Chinese, an English one in English."""
    chinese, english = api_for(agent, language="zh-hans"), api_for(agent, language="en")

    assert chinese.get("/api/v1/tickets/999999/").json() == {"detail": "未找到。"}
    assert english.get("/api/v1/tickets/999999/").json() == {"detail": "Not found."}
    empty = chinese.post("/api/v1/customers/", "null", content_type="application/json")
    assert empty.status_code == 400
    assert "未提供任何数据。" in str(empty.json())


@pytest.mark.django_db
def test_a_nul_character_is_refused_in_correct_chinese(api_for, agent):
    """Django's own zh_Hans text for this refusal has a typo; Kefu's catalog corrects it."""
    response = api_for(agent).post(
        "/api/v1/tickets/",
        {"subject": "x\x00", "customer_email": "a@b.cn"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.status_code == 400
    assert response.json()["subject"] == ["不允许包含空字符（\\0）。"]
