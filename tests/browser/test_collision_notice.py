"""Two agents on one ticket are warned of each other before they answer the customer twice.

Each agent's ticket page shows, in the `#presence` notice, the other's name as viewing the ticket; when
one starts typing in the reply box, the other's notice says that person is replying. This runs through
the real websocket (`/ws/agent/`) served by the ASGI application, with two browsers (two sessions).
"""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ZH = "zh-hans"


@pytest.mark.browser
def test_agents_on_the_same_ticket_see_who_is_viewing_and_who_is_replying(
    agent, teammate, ticket, browser_page, translated, screenshot
):
    viewing = translated("{names} is also viewing this ticket", ZH)
    replying = translated("{names} is replying…", ZH)

    # Given an agent and her teammate, each in a browser of their own, on the same ticket
    wang = browser_page(locale="zh-CN", user=agent)
    li = browser_page(locale="zh-CN", user=teammate)
    wang.goto(f"/agent/tickets/{ticket.pk}/")
    li.goto(f"/agent/tickets/{ticket.pk}/")

    # Then each sees a notice naming the other
    expect(wang.locator("#presence")).to_contain_text(viewing.replace("{names}", teammate.display_name))
    expect(li.locator("#presence")).to_contain_text(viewing.replace("{names}", agent.display_name))
    expect(wang.locator("#presence")).not_to_contain_text(agent.display_name)  # not herself
    screenshot(wang, "collision-viewing")

    # When the teammate starts typing a reply
    li.get_by_role("textbox", name=translated("Message", ZH)).press_sequentially("您好，")

    # Then the agent sees that her teammate is replying
    expect(wang.locator("#presence")).to_contain_text(replying.replace("{names}", teammate.display_name))
    screenshot(wang, "collision-replying")
    # ... and the teammate is not told that she herself is replying
    expect(li.locator("#presence")).not_to_contain_text(replying.replace("{names}", teammate.display_name))
