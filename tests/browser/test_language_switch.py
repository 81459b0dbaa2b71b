"""Kefu speaks the browser's language until a person picks one; the pick follows them to every device.

The login page is in Simplified Chinese for a zh-CN browser and in English for an English one. An agent
who switches to English with the switch in the top bar gets an English queue, and still does after
logging out and in again, even in another browser that asks for Chinese (the choice is kept on her user).
"""

import re

import pytest
from playwright.sync_api import expect

from kefu.tests.factories import PASSWORD

pytestmark = pytest.mark.browser

ZH, EN = "zh-hans", "en"


def log_in(page, username: str, *, language: str, translated) -> None:
    page.goto("/accounts/login/")
    page.get_by_label(translated("Username", language)).fill(username)
    page.get_by_label(translated("Password", language)).fill(PASSWORD)
    page.get_by_role("button", name=translated("Log in", language), exact=True).click()
    expect(page).to_have_url(re.compile(r"/agent/"))


def expect_queue_in(page, language: str, translated) -> None:
    expect(page.locator("html")).to_have_attribute("lang", language)
    main_nav = page.get_by_role("navigation", name=translated("Main", language))
    expect(main_nav.get_by_role("link", name=translated("Tickets", language), exact=True)).to_be_visible()
    expect(page.locator("#queue-title")).to_have_text(translated("My open tickets", language))


@pytest.mark.browser
def test_login_page_follows_the_browser_language(browser_page, translated, screenshot):
    # The strings this test relies on are translated at all (otherwise zh and en would look the same).
    assert translated("Log in", ZH) != translated("Log in", EN)

    # Given a browser that asks for Chinese, when it opens the login page, then the page is in Chinese
    chinese = browser_page(locale="zh-CN")
    chinese.goto("/accounts/login/")
    expect(chinese.locator("html")).to_have_attribute("lang", ZH)
    expect(chinese.get_by_role("heading", level=1)).to_have_text(translated("Log in", ZH))
    expect(chinese.get_by_label(translated("Password", ZH))).to_be_visible()
    screenshot(chinese, "login-zh-hans")

    # Given an English browser, then the same page is in English
    english = browser_page(locale="en-US")
    english.goto("/accounts/login/")
    expect(english.locator("html")).to_have_attribute("lang", EN)
    expect(english.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(english.get_by_label("Password")).to_be_visible()
    screenshot(english, "login-en")


@pytest.mark.browser
def test_agent_switches_to_english_and_it_is_remembered(agent, browser_page, translated, screenshot):
    for msgid in ("Tickets", "My open tickets"):
        assert translated(msgid, ZH) != msgid, f"{msgid!r} has no zh-Hans translation"

    # Given an agent in a Chinese browser, logged in: the queue is in Chinese
    page = browser_page(locale="zh-CN")
    log_in(page, agent.username, language=ZH, translated=translated)
    expect_queue_in(page, ZH, translated)
    screenshot(page, "queue-zh-hans")

    # When she picks English in the language switch
    page.get_by_role("form", name=translated("Language", ZH)).get_by_role("button", name="English").click()

    # Then the queue shows English labels
    expect_queue_in(page, EN, translated)
    screenshot(page, "queue-en")

    # When she logs out, the login page stays English, and logging in again gives the English queue
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    log_in(page, agent.username, language=EN, translated=translated)
    expect_queue_in(page, EN, translated)

    # ... and so does another browser, one that asks for Chinese: the choice is kept on her user
    elsewhere = browser_page(locale="zh-CN")
    log_in(elsewhere, agent.username, language=ZH, translated=translated)
    expect_queue_in(elsewhere, EN, translated)
