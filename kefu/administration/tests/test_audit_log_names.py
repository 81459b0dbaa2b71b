"""The audit log speaks the reader's language: object types by their model names, actions in words, fields by
their names and True/False as 是/否 (Yes/No), never the raw codes stored in the row."""

import pytest

from kefu.audit.services import record
from kefu.knowledge.models import FaqEntry

pytestmark = pytest.mark.django_db


def _audit_page(client, supervisor, language: str) -> str:
    supervisor.language = language
    supervisor.save(update_fields=["language"])
    entry = FaqEntry.objects.create(answer="在会员页开通。")
    record(
        actor=supervisor, action="knowledge.faq_updated", obj=entry, changes={"is_published": [False, True]}
    )
    record(actor=supervisor, action="review.create", obj=entry, changes={"invented_field": ["a", "b"]})
    client.force_login(supervisor)
    return client.get("/manage/audit/").content.decode()


def test_the_chinese_audit_log_names_types_actions_fields_and_yes_no_in_chinese(client, supervisor):
    page = _audit_page(client, supervisor, "zh-hans")

    assert "常见问题 #" in page and "knowledge.faqentry #" not in page
    assert ">修改常见问题</span>" in page and ">创建</span>" in page
    assert "<dt>已发布</dt>" in page and "<del>否</del> → <ins>是</ins>" in page
    assert "True" not in page and "False" not in page
    assert "<dt>invented_field</dt>" in page  # a field the model does not have keeps its stored name


def test_the_english_audit_log_says_yes_and_no_and_keeps_the_code_as_a_hint(client, supervisor):
    page = _audit_page(client, supervisor, "en")

    assert "FAQ entry #" in page and '<span title="review.create">created</span>' in page
    assert "<del>No</del> → <ins>Yes</ins>" in page
