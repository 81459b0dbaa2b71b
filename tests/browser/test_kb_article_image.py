"""Knowledge base images: an editor uploads an image to an article, inserts it into the text, publishes
it, and an anonymous reader sees the image on the help center."""

import re

import pytest
from playwright.sync_api import expect

from kefu.accounts import roles
from kefu.core.demo.knowledge import order_page_png
from kefu.knowledge import search, services
from kefu.knowledge.models import Article
from kefu.tests.factories import UserFactory

pytestmark = pytest.mark.browser

ZH = "zh-hans"


@pytest.fixture
def writer(db):
    search.reset_caches()
    user = UserFactory(username="writer", roles=[roles.SENIOR_AGENT])
    return type(user).objects.get(pk=user.pk)


@pytest.mark.browser
def test_editor_uploads_an_image_and_readers_see_it_on_the_help_center(
    writer, browser_page, translated, screenshot, tmp_path
):
    t = lambda msgid: translated(msgid, ZH)  # noqa: E731
    article = services.create_article(actor=writer, title="订单号在哪里", body="<p>打开订单详情页。</p>")
    picture = tmp_path / "订单号.png"
    picture.write_bytes(order_page_png())

    page = browser_page(locale="zh-CN", user=writer)
    page.goto(f"/agent/knowledge/articles/{article.pk}/edit/")
    files = page.locator("#kb-files")
    files.get_by_label(t("Upload images or files")).set_input_files(str(picture))
    files.get_by_role("button", name=t("Upload"), exact=True).click()
    expect(files.get_by_role("link", name="订单号.png")).to_be_visible()
    # The thumbnail loads through the permission-checked address while the article is still a draft
    expect(files.locator("img.kb-thumb")).to_have_count(1)
    page.get_by_label(t("Body (HTML)")).click()
    page.keyboard.press("End")
    files.get_by_role("button", name=t("Insert image")).click()
    expect(page.get_by_label(t("Body (HTML)"))).to_have_value(re.compile(r'<img src="/portal/help/files/'))
    screenshot(page, "kb-article-image-editor")
    page.get_by_role("button", name=t("Save"), exact=True).click()
    expect(page).to_have_url(re.compile(rf"/agent/knowledge/articles/{article.pk}/$"))
    page.get_by_role("button", name=t("Publish")).click()
    expect(page.locator(".badge").first).to_have_text(t("Published"))

    reader = browser_page(locale="zh-CN")
    reader.goto(f"/portal/help/a/{article.pk}/")
    image = reader.locator(".help-body img")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 480
    screenshot(reader, "kb-article-image-help-center")
    assert Article.objects.get(pk=article.pk).attachments.count() == 1
