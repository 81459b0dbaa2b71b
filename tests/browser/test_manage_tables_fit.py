"""Tables in /manage/ and the supervisor's chat console, in Chromium: they fit their card, or scroll inside
it, and never make the page scroll sideways, on a phone (390 px) and on a desktop (1440 px)."""

import pytest
from django.utils import timezone

from kefu.chat import services
from kefu.chat.tests.factories import ChatSiteFactory
from kefu.routing.models import ClassifierModel
from kefu.tests.factories import UserFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
MANAGE_PAGES = [
    "/manage/users/",
    "/manage/teams/",
    "/manage/routing/",
    "/manage/calendars/",
    "/manage/sla/",
    "/manage/categories/",
    "/manage/priorities/",
    "/manage/tags/",
    "/manage/macros/",
    "/manage/fields/",
    "/manage/audit/",
    "/manage/chat-sites/",
    "/manage/email/",
]


def _no_page_overflow(page, url: str) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= page.viewport_size["width"], f"{url} is {scroll_width} px wide"


def _tables_inside_their_card(page, url: str) -> None:
    """Every table's right edge is inside the box that clips or scrolls it (or the viewport)."""
    escaped = page.evaluate(
        """() => [...document.querySelectorAll('main table')].filter(table => {
             let box = table.parentElement;
             while (box && getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
             if (!box || box === document.body || box === document.documentElement) {
               return table.getBoundingClientRect().right > window.innerWidth;
             }
             return false;
           }).map(table => table.outerHTML.slice(0, 80))"""
    )
    assert escaped == [], f"{url}: tables outside any scrolling box: {escaped}"


def _data(admin_user) -> None:
    ClassifierModel.objects.create(
        version=1, blob=b"", trained_at=timezone.now(), n=120, category_accuracy=0.81,
        category_macro_f1=0.77, category_test_n=24, team_accuracy=0.9, team_macro_f1=0.85, team_test_n=24,
    )  # fmt: skip
    UserFactory(username="alexandra.konstantinopoulou", first_name="Alexandra Konstantinopoulou-Fitzgerald")


def test_manage_tables_never_widen_a_phone_page(admin_user, browser_page):
    _data(admin_user)
    page = browser_page(locale="en-US", user=admin_user, viewport=PHONE)
    for url in MANAGE_PAGES:
        page.goto(url)
        _no_page_overflow(page, url)
        _tables_inside_their_card(page, url)


def test_the_users_table_fits_a_desktop_card_with_its_deactivate_buttons(
    admin_user, browser_page, screenshot
):
    _data(admin_user)
    admin_user.language = "en"
    admin_user.save(update_fields=["language"])
    page = browser_page(locale="en-US", user=admin_user, viewport=DESKTOP)
    page.goto("/manage/users/")

    wrap = page.locator("main .table-wrap").first
    overflow = wrap.evaluate("box => box.scrollWidth - box.clientWidth")
    screenshot(page, "manage-users-desktop-en")
    assert overflow <= 0, f"the users table scrolls sideways by {overflow} px"
    card = wrap.bounding_box()
    for button in page.locator("main .table button").all():
        box = button.bounding_box()
        assert box["x"] + box["width"] <= card["x"] + card["width"], "a Deactivate button is cut off"


def test_the_live_chat_monitor_does_not_widen_a_supervisors_phone_page(
    supervisor, agent, browser_page, kefu_server
):
    site = ChatSiteFactory(allowed_origins=[kefu_server])
    agent.presence = "online"
    agent.save(update_fields=["presence"])
    for n in range(2):
        chat = services.start_conversation(
            site=site,
            visitor_id=f"visitor{n}",
            text="我的订单还没到",
            prechat={"name": "Alexandra Konstantinopoulou"},
        )
    services.accept(conversation=chat, actor=agent)
    page = browser_page(locale="en-US", user=supervisor, viewport=PHONE)
    page.goto("/agent/chats/")
    _no_page_overflow(page, "/agent/chats/")
    _tables_inside_their_card(page, "/agent/chats/")
