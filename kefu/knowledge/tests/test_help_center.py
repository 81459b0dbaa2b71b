"""The public help center on the portal: browse, search, read and rate; never internal articles or drafts."""

import pytest
from django.urls import reverse
from django.utils import translation

from kefu.knowledge import services
from kefu.knowledge.models import Article
from kefu.knowledge.search import search_articles, suggest_for_agents

from .factories import KbCategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(editor):
    category = KbCategoryFactory(slug="billing", name="账单")

    def published(title: str, body: str, **kwargs) -> Article:
        article = services.create_article(actor=editor, title=title, body=body, category=category, **kwargs)
        return services.publish_article(actor=editor, article=article)

    return {
        "refund": published("如何申请退款", "<p>在订单页点击申请退款，3个工作日内到账。</p>"),
        "invoice": published("怎么开发票", "<p>在账单页申请电子发票。</p>"),
        "internal": published("退款内部处理流程", "<p>仅供客服：退款审批步骤。</p>", visibility="internal"),
        "draft": services.create_article(
            actor=editor, title="退款草稿", body="<p>退款</p>", category=category
        ),
        "english": published("How to get a refund", "<p>Open the order.</p>", language="en"),
    }


def test_help_home_lists_topics_and_published_public_articles_only(
    client, articles, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = client.get(reverse("portal:help:home"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = response.content.decode()
    assert response.status_code == 200
    assert "账单" in page and "如何申请退款" in page and "怎么开发票" in page
    assert "退款内部处理流程" not in page and "退款草稿" not in page


def test_help_search_finds_matching_public_articles_but_never_internal_ones(client, articles):
    with translation.override("zh-hans"):
        response = client.get(
            reverse("portal:help:search"), {"q": "退款多久到账"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    page = response.content.decode()
    assert "如何申请退款" in page
    assert "退款内部处理流程" not in page and "退款草稿" not in page


def test_help_search_in_english_uses_english_articles(client, articles):
    response = client.get(reverse("portal:help:search"), {"q": "refund"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "How to get a refund" in response.content.decode()


def test_reading_an_article_counts_a_view_and_internal_articles_are_not_found(client, articles):
    response = client.get(reverse("portal:help:article", args=[articles["refund"].pk]))
    assert response.status_code == 200 and "3个工作日内到账" in response.content.decode()
    articles["refund"].refresh_from_db()
    assert articles["refund"].views == 1
    assert client.get(reverse("portal:help:article", args=[articles["internal"].pk])).status_code == 404
    assert client.get(reverse("portal:help:article", args=[articles["draft"].pk])).status_code == 404


def test_rating_counts_once_per_visitor(client, articles):
    url = reverse("portal:help:rate", args=[articles["refund"].pk])
    assert client.post(url, {"helpful": "yes"}).status_code == 302
    client.post(url, {"helpful": "no"})  # a second vote from the same visitor is ignored
    articles["refund"].refresh_from_db()
    assert (articles["refund"].helpful_count, articles["refund"].unhelpful_count) == (1, 0)


def test_rating_an_internal_article_is_not_found(client, articles):
    assert (
        client.post(
            reverse("portal:help:rate", args=[articles["internal"].pk]), {"helpful": "yes"}
        ).status_code
        == 404
    )


def test_help_center_speaks_chinese_by_default(client, articles):
    page = client.get(reverse("portal:help:home"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "帮助中心" in page and "热门文章" in page


def test_agent_suggestions_include_internal_articles_but_public_search_does_not(articles):
    # given a public and an internal published article about refunds, and a draft
    # when an agent's ticket text and a customer's search ask about the refund process
    suggested = suggest_for_agents("客户问退款审批流程要多久", language="zh-hans")
    public = search_articles("退款审批流程", language="zh-hans")
    # then agents see the internal article, customers never do, and drafts reach neither
    assert articles["internal"] in suggested and articles["draft"] not in suggested
    assert articles["internal"] not in public and articles["draft"] not in public
