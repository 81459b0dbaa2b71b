"""The help center's search falls back to the other language: results in the reader's language come first,
then matches written in the other one, labelled with their language (as Zendesk's help center does)."""

import pytest
from django.urls import reverse

from kefu.knowledge import search, services
from kefu.knowledge.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(editor):
    search.reset_caches()

    def published(title: str, body: str, **kwargs) -> Article:
        article = services.create_article(actor=editor, title=title, body=body, **kwargs)
        return services.publish_article(actor=editor, article=article)

    return {
        "zh_returns": published("如何办理退货", "<p>在订单页申请退货，寄回商品。</p>"),
        "zh_internal": published("退货内部流程", "<p>仅供客服：退货审批。</p>", visibility="internal"),
        "en_refund": published(
            "How to get a refund", "<p>Open the order and ask for a refund.</p>", language="en"
        ),
        "en_returns": published("Returns and 退货 labels", "<p>Print the return label.</p>", language="en"),
    }


def _titles(page: str) -> list[str]:
    return [
        title for title in ("如何办理退货", "How to get a refund", "Returns and 退货 labels") if title in page
    ]


def test_a_chinese_query_in_the_english_help_center_finds_the_chinese_article_after_the_english_ones(
    client, articles
):
    page = client.get(
        reverse("portal:help:search"), {"q": "退货"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert page.index("Returns and 退货 labels") < page.index("如何办理退货")
    assert ">简体中文</span>" in page  # the Chinese result says what language it is in
    assert "退货内部流程" not in page  # internal articles never, in any language


def test_an_english_query_in_the_chinese_help_center_finds_the_english_article_labelled_english(
    client, articles
):
    page = client.get(reverse("portal:help:search"), {"q": "refund"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()

    assert "How to get a refund" in text and 'lang="en"' in text
    assert ">English</span>" in text


def test_results_in_the_readers_language_carry_no_language_label(client, articles):
    page = client.get(
        reverse("portal:help:search"), {"q": "退货"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()

    assert page.index("如何办理退货") < page.index("Returns and 退货 labels")
    assert page.count("简体中文</span>") == 0  # (the language switch names it too, not in a badge)


def test_the_fallback_fills_up_to_the_limit_only(articles):
    found = search.search_articles_any_language("退货", language="zh-hans", limit=1)

    assert found == [articles["zh_returns"]]
    assert not getattr(found[0], "other_language", False)
