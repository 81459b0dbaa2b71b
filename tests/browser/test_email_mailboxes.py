"""An administrator sets up a mailbox in /manage/email/ and tests its connection against a real Dovecot;
an agent opens the original of an incoming mail from the ticket page."""

import pytest
from playwright.sync_api import expect

from kefu.connectors.email.models import Mailbox
from kefu.connectors.email.services import ingest_raw
from kefu.connectors.email.tests import conftest as email_fixtures
from kefu.connectors.email.tests.mails import build_mail

pytestmark = pytest.mark.browser

# The e-mail tests' private Dovecot (an IMAP server on loopback), shared here.
dovecot_server = email_fixtures.dovecot_server
mail_server = email_fixtures.dovecot

ZH = "zh-hans"


def test_admin_adds_a_mailbox_and_tests_its_connection(
    admin_user, mail_server, browser_page, translated, screenshot
):
    # Given an administrator on the mailbox list
    page = browser_page(locale="zh-CN", user=admin_user)
    page.goto("/manage/email/")
    page.get_by_role("link", name=translated("Add mailbox", ZH)).first.click()

    # When she fills in the real server's settings and saves
    page.locator("#id_name").fill("客服邮箱")
    page.locator("#id_host").fill("127.0.0.1")
    page.locator("#id_port").fill(str(mail_server.port))
    page.locator("#id_use_tls").uncheck()
    page.locator("#id_username").fill(mail_server.user)
    page.locator("#id_new_password").fill(mail_server.password)
    page.locator("#id_from_address").fill("support@kefu.example")
    page.get_by_role("button", name=translated("Save", ZH)).click()

    # Then the mailbox is stored, and the password field stays empty (never shown back)
    expect(page.locator("#id_new_password")).to_have_value("")
    assert Mailbox.objects.get().password == mail_server.password

    # And "Test connection" says it connected to the folder
    page.get_by_role("button", name=translated("Test connection", ZH)).click()
    expect(page.locator("#flash")).to_contain_text("INBOX")
    screenshot(page, "email-mailbox-test-ok")

    # And with a wrong password the test says the login failed
    page.locator("#id_new_password").fill("wrong")
    page.get_by_role("button", name=translated("Save", ZH)).click()
    page.get_by_role("button", name=translated("Test connection", ZH)).click()
    failed = translated("Connection test failed: %(error)s", ZH).split("%(error)s")[0]
    expect(page.locator("#flash")).to_contain_text(failed)
    screenshot(page, "email-mailbox-test-failed")


def test_agent_opens_the_original_mail_from_the_ticket(
    agent, front_line, browser_page, translated, screenshot
):
    # Given a ticket that came in by mail
    from kefu.connectors.email.tests.factories import MailboxFactory

    result = ingest_raw(
        mailbox=MailboxFactory(team=front_line),
        raw=build_mail(message_id="<browser@example.com>", html="<p>hi</p><script>alert(1)</script>"),
    )

    # When the agent follows "show original" on the customer's message
    page = browser_page(locale="zh-CN", user=agent)
    page.goto(f"/agent/tickets/{result.ticket.pk}/")
    page.get_by_role("link", name=translated("Show original", ZH)).click()

    # Then she reads the headers and the source as text
    expect(page.get_by_role("heading", name=translated("Original mail", ZH))).to_be_visible()
    expect(page.locator("pre.raw-source")).to_contain_text("<script>alert(1)</script>")
    expect(page.locator("table")).to_contain_text("<browser@example.com>")
    screenshot(page, "email-show-original")
