"""Articles: drafting, versions, publishing, translations and reader feedback."""

import pytest

from kefu.audit.models import AuditEntry
from kefu.core.errors import Conflict, InvalidInput, NotAllowed
from kefu.knowledge import services
from kefu.knowledge.models import ArticleStatus

from .factories import KbCategoryFactory

pytestmark = pytest.mark.django_db


def test_create_article_sanitizes_body_and_records_first_revision(editor):
    # given a category
    category = KbCategoryFactory()
    # when an editor writes an article with a script in it
    article = services.create_article(
        actor=editor, title=" 如何修改密码 ", body="<p>步骤</p><script>alert(1)</script>", category=category
    )
    # then the body is sanitized, it is a draft at version 1 with one revision, and it is audited
    assert article.title == "如何修改密码"
    assert "<script>" not in article.body and "<p>步骤</p>" in article.body
    assert article.status == ArticleStatus.DRAFT and article.version == 1
    assert list(article.revisions.values_list("version", flat=True)) == [1]
    assert AuditEntry.objects.filter(action="knowledge.article_created", object_id=str(article.pk)).exists()


def test_agent_without_permission_cannot_write_articles(agent):
    with pytest.raises(NotAllowed):
        services.create_article(actor=agent, title="x")


def test_empty_title_is_invalid_input(editor):
    with pytest.raises(InvalidInput):
        services.create_article(actor=editor, title="  ")


def test_update_adds_a_revision_and_restore_brings_old_content_back_as_new_version(editor):
    # given an article edited once
    article = services.create_article(actor=editor, title="旧标题", body="<p>旧</p>")
    article = services.update_article(actor=editor, article=article, title="新标题", body="<p>新</p>")
    assert article.version == 2
    # when version 1 is restored
    article = services.restore_revision(actor=editor, article=article, version=1)
    # then the old content is current as version 3 and history keeps all three
    assert (article.title, article.version) == ("旧标题", 3)
    assert list(article.revisions.values_list("version", flat=True)) == [3, 2, 1]


def test_update_with_stale_version_is_a_conflict(editor):
    article = services.create_article(actor=editor, title="标题")
    services.update_article(actor=editor, article=article, title="改过", body="")
    with pytest.raises(Conflict):
        services.update_article(actor=editor, article=article, title="再改", body="", expected_version=1)


def test_unchanged_content_does_not_create_a_revision(editor):
    article = services.create_article(actor=editor, title="标题", body="<p>a</p>")
    article = services.update_article(actor=editor, article=article, title="标题", body="<p>a</p>")
    assert article.version == 1 and article.revisions.count() == 1


def test_publish_flow_draft_review_published_and_back_to_draft(editor):
    article = services.create_article(actor=editor, title="标题")
    article = services.change_article_status(actor=editor, article=article, status=ArticleStatus.REVIEW)
    article = services.publish_article(actor=editor, article=article)
    assert article.status == ArticleStatus.PUBLISHED and article.published_at is not None
    assert article.is_public
    article = services.change_article_status(actor=editor, article=article, status=ArticleStatus.DRAFT)
    assert not article.is_public


def test_unknown_status_is_invalid_input(editor):
    article = services.create_article(actor=editor, title="标题")
    with pytest.raises(InvalidInput):
        services.change_article_status(actor=editor, article=article, status="archived")


def test_translation_links_to_the_original_and_must_use_another_language(editor):
    original = services.create_article(actor=editor, title="退款政策", language="zh-hans")
    english = services.create_article(
        actor=editor, title="Refund policy", language="en", translation_of=original
    )
    assert english.translation_of == original
    assert list(original.translations.all()) == [english]
    with pytest.raises(InvalidInput):
        services.create_article(actor=editor, title="又一个", language="zh-hans", translation_of=original)


def test_feedback_and_views_are_counted_on_published_articles(editor):
    article = services.publish_article(
        actor=editor, article=services.create_article(actor=editor, title="标题")
    )
    services.record_article_view(article=article)
    services.record_feedback(article=article, helpful=True)
    article = services.record_feedback(article=article, helpful=False)
    assert (article.views, article.helpful_count, article.unhelpful_count) == (1, 1, 1)


def test_drafts_cannot_be_rated(editor):
    article = services.create_article(actor=editor, title="标题")
    with pytest.raises(InvalidInput):
        services.record_feedback(article=article, helpful=True)
