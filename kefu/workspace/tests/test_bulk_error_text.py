"""The notice a refused bulk change shows: plain sentences, no field name in front of the hidden ticket
checkboxes' message, and no doubled punctuation between sentences (Chinese or English)."""

import pytest
from django.urls import reverse

from kefu.workspace.forms import join_sentences

from .conftest import HTMX

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", "请至少选择一个工单。请选择要修改的内容：处理人、状态或标签。"),
        ("en", "Select at least one ticket. Choose what to change: an assignee, a status or a tag."),
    ],
)
def test_a_bulk_change_with_nothing_selected_says_so_in_plain_sentences(login, agent, language, expected):
    agent.language = language
    agent.save(update_fields=["language"])

    response = login(agent).post(reverse("workspace:bulk"), {}, headers={"Accept-Language": language}, **HTMX)

    assert response.status_code == 400
    assert expected in response.content.decode()


@pytest.mark.parametrize(
    ("parts", "text"),
    [
        (["Subject: This field is required.", "Too long."], "Subject: This field is required. Too long."),
        (["请至少选择一个工单。", "请选择。"], "请至少选择一个工单。请选择。"),
        (["no stop", "next"], "no stop; next"),
        ([], ""),
    ],
)
def test_error_sentences_are_joined_without_doubled_punctuation(parts, text):
    assert join_sentences(parts) == text
