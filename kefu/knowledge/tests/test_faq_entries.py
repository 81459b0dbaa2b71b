"""FAQ entries: one answer, many phrasings."""

import pytest

from kefu.core.errors import InvalidInput, NotAllowed
from kefu.knowledge import services

pytestmark = pytest.mark.django_db


def test_create_faq_entry_keeps_distinct_questions_in_order(editor):
    entry = services.create_faq_entry(
        actor=editor, answer="在设置页修改。", questions=["怎么改密码", " 怎么改密码 ", "忘记密码怎么办"]
    )
    assert list(entry.questions.values_list("text", flat=True)) == ["怎么改密码", "忘记密码怎么办"]
    assert not entry.is_published


def test_faq_entry_needs_an_answer_and_a_question(editor):
    with pytest.raises(InvalidInput):
        services.create_faq_entry(actor=editor, answer="", questions=["问题"])
    with pytest.raises(InvalidInput):
        services.create_faq_entry(actor=editor, answer="答案", questions=["  "])


def test_update_faq_entry_replaces_questions_and_publishes(editor):
    entry = services.create_faq_entry(actor=editor, answer="答案", questions=["旧问法"])
    entry = services.update_faq_entry(
        actor=editor, entry=entry, questions=["新问法", "另一种问法"], is_published=True
    )
    assert list(entry.questions.values_list("text", flat=True)) == ["新问法", "另一种问法"]
    assert entry.is_published


def test_agent_without_permission_cannot_write_faq(agent):
    with pytest.raises(NotAllowed):
        services.create_faq_entry(actor=agent, answer="答案", questions=["问题"])
