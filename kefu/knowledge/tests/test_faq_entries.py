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


def test_moving_an_entry_and_changing_its_text_is_one_save_or_none(editor):
    from kefu.audit.models import AuditEntry
    from kefu.knowledge.tests.factories import KbCategoryFactory

    entry = services.create_faq_entry(actor=editor, answer="在设置页修改。", questions=["怎么改密码"])
    shipping = KbCategoryFactory()
    # a refused edit (no question left) moves nothing either
    with pytest.raises(InvalidInput):
        services.update_faq_entry(
            actor=editor, entry=entry, questions=[" "], language="en", category=shipping
        )
    entry.refresh_from_db()
    assert (entry.language, entry.category) == ("zh-hans", None)
    # an accepted one is recorded once, with all its changes
    before = AuditEntry.objects.count()
    services.update_faq_entry(
        actor=editor, entry=entry, answer="Settings → Password.", language="en", category=shipping
    )
    entry.refresh_from_db()
    assert (entry.language, entry.category, entry.answer) == ("en", shipping, "Settings → Password.")
    assert AuditEntry.objects.count() == before + 1
    # and leaving the category out keeps it
    services.update_faq_entry(actor=editor, entry=entry, answer="Settings → Security → Password.")
    entry.refresh_from_db()
    assert entry.category == shipping
