"""A ticket a customer submits on the portal, with a category and an attachment, lands in the agent's queue."""

import re

import pytest
from playwright.sync_api import expect

from kefu.tests.factories import CategoryFactory

pytestmark = pytest.mark.browser

ZH = "zh-hans"
SUBJECT = "收到的耳机左耳没有声音"
DESCRIPTION = "订单号 B2024，昨天签收，左耳完全没有声音，右耳正常。希望换货。"
# The smallest valid PNG (1×1, transparent): a photo of the broken earphone, as far as Kefu can tell.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.mark.browser
def test_ticket_submitted_on_the_portal_appears_in_the_agent_queue(
    agent, customer_user, browser_page, translated, screenshot
):
    t = lambda msgid: translated(msgid, ZH)  # noqa: E731
    shipping = CategoryFactory(code="after-sales", name="售后服务", name_en="After-sales")

    # Given a customer signed in to the portal
    portal = browser_page(locale="zh-CN", user=customer_user)
    portal.goto("/portal/")
    portal.get_by_role("navigation", name=t("Portal")).get_by_role("link", name=t("New ticket")).click()
    expect(portal).to_have_url(re.compile(r"/portal/tickets/new/$"))

    # When she fills in subject, description and category, attaches a photo and submits
    portal.get_by_label(t("Subject")).fill(SUBJECT)
    portal.get_by_label(t("Description")).fill(DESCRIPTION)
    portal.get_by_label(t("Category")).select_option(label=shipping.name)
    portal.get_by_label(t("Attachments")).set_input_files(
        [{"name": "耳机照片.png", "mimeType": "image/png", "buffer": PNG}]
    )
    screenshot(portal, "portal-new-ticket-filled")
    portal.get_by_role("button", name=t("Submit ticket")).click()

    # Then the portal shows her new ticket with its attachment
    expect(portal).to_have_url(re.compile(r"/portal/tickets/\d+/$"))
    expect(portal.get_by_role("heading", level=1)).to_contain_text(SUBJECT)
    expect(portal.get_by_text(DESCRIPTION)).to_be_visible()
    expect(portal.get_by_role("link", name=re.compile("耳机照片"))).to_be_visible()
    screenshot(portal, "portal-new-ticket-submitted")
    number = re.search(r"/portal/tickets/(\d+)/", portal.url).group(1)

    # And the agent finds it among all open tickets, with the customer, the category and the attachment
    staff = browser_page(locale="zh-CN", user=agent)
    staff.goto("/agent/")
    staff.get_by_role("navigation", name=t("Ticket views")).get_by_role(
        "link", name=t("All open tickets")
    ).click()
    row = staff.locator("[data-queue-row]", has=staff.get_by_role("link", name=SUBJECT))
    expect(row).to_contain_text(f"#{number}")
    expect(row).to_contain_text(customer_user.customer.name)
    expect(row).to_contain_text(shipping.name)
    screenshot(staff, "queue-with-portal-ticket")
    row.get_by_role("link", name=SUBJECT).click()
    expect(staff).to_have_url(re.compile(rf"/agent/tickets/{number}/$"))
    expect(staff.locator("#timeline")).to_contain_text(DESCRIPTION)
    expect(staff.locator("#timeline").get_by_role("link", name=re.compile("耳机照片"))).to_be_visible()
