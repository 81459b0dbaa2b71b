"""Help center: a customer searches articles, and gets articles suggested while typing a ticket's subject;
reading one from the suggestions is recorded as a deflection candidate."""

import re

import pytest
from playwright.sync_api import expect

from kefu.accounts import roles
from kefu.knowledge import search, services
from kefu.knowledge.models import SuggestionOpen
from kefu.tests.factories import UserFactory

pytestmark = pytest.mark.browser

ZH = "zh-hans"


@pytest.fixture
def articles(db):
    search.reset_caches()
    writer = UserFactory(username="writer", roles=[roles.SENIOR_AGENT])
    writer = type(writer).objects.get(pk=writer.pk)

    def published(title, body, **kwargs):
        article = services.create_article(actor=writer, title=title, body=body, **kwargs)
        return services.publish_article(actor=writer, article=article)

    return {
        "refund": published("如何申请退款", "<p>在订单页点击申请退款，3个工作日内到账。</p>"),
        "invoice": published("怎么开发票", "<p>在账单页申请电子发票。</p>"),
        "internal": published("退款内部审批流程", "<p>仅供客服。</p>", visibility="internal"),
    }


@pytest.mark.browser
def test_customer_searches_the_help_center(customer_user, articles, browser_page, translated, screenshot):
    t = lambda msgid: translated(msgid, ZH)  # noqa: E731
    page = browser_page(locale="zh-CN", user=customer_user)
    page.goto("/portal/")
    page.get_by_role("navigation", name=t("Portal")).get_by_role("link", name=t("Help center")).click()
    expect(page).to_have_url(re.compile(r"/portal/help/$"))
    page.get_by_label(t("Search the help center")).fill("退款多久到账")
    page.get_by_label(t("Search the help center")).press("Enter")
    expect(page).to_have_url(re.compile(r"/portal/help/search/\?q="))
    results = page.locator(".help-articles")
    expect(results.get_by_role("link", name="如何申请退款")).to_be_visible()
    expect(results.locator("mark").first).to_be_visible()
    expect(page.get_by_text("退款内部审批流程")).to_have_count(0)
    screenshot(page, "help-center-search")


@pytest.mark.browser
def test_ticket_form_suggests_articles_and_records_the_opened_one(
    customer_user, customer, articles, browser_page, translated, screenshot
):
    t = lambda msgid: translated(msgid, ZH)  # noqa: E731
    page = browser_page(locale="zh-CN", user=customer_user)
    page.goto("/portal/tickets/new/")
    # When she types a subject, matching public articles appear (debounced), never internal ones
    page.get_by_label(t("Subject")).press_sequentially("申请退款", delay=30)
    suggestions = page.locator("#help-suggestions")
    expect(suggestions.get_by_role("link", name="如何申请退款")).to_be_visible()
    expect(suggestions.get_by_text("退款内部审批流程")).to_have_count(0)
    screenshot(page, "ticket-form-suggestions")
    # And opening one (in a new tab) is recorded as a deflection candidate for her
    with page.context.expect_page() as opened:
        suggestions.get_by_role("link", name="如何申请退款").click()
    article_page = opened.value
    expect(article_page.get_by_role("heading", level=1)).to_have_text("如何申请退款")
    assert SuggestionOpen.objects.filter(customer=customer, article=articles["refund"]).count() == 1
