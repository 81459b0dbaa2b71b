"""The ticket page shows the whole timeline, the customer's panel and hooks for live presence."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kefu.tests.factories import MacroFactory, TicketFactory
from kefu.tickets import services
from kefu.tickets.services import TicketChanges

pytestmark = pytest.mark.django_db


def page(ticket) -> str:
    return reverse("workspace:ticket", args=[ticket.pk])


def test_ticket_page_shows_subject_number_and_customer_message(login, agent, ticket):
    response = login(agent).get(page(ticket))

    body = response.content.decode()
    assert response.status_code == 200
    assert f"#{ticket.pk}" in body
    assert ticket.subject in body
    assert "我的订单三天了还没有发货" in body


def test_internal_notes_are_marked_apart_from_public_replies(login, agent, ticket):
    services.add_reply(ticket=ticket, actor=agent, text="您好，已为您加急。")
    services.add_note(ticket=ticket, actor=agent, text="老客户，优先处理")

    body = login(agent).get(page(ticket)).content.decode()

    assert 'class="msg msg-reply"' in body
    assert 'class="msg msg-note"' in body
    note_start = body.index('class="msg msg-note"')
    assert "老客户，优先处理" in body[note_start : note_start + 2000]


def test_system_events_read_as_sentences(login, agent, teammate, ticket, urgent_priority):
    services.update_ticket(
        ticket=ticket,
        actor=agent,
        changes=TicketChanges(
            status="open", priority=urgent_priority, assignee=teammate, tags=["退款", "物流"]
        ),
    )

    body = login(agent).get(page(ticket)).content.decode()

    assert "王芳 changed the status from New to Open" in body
    assert "王芳 changed the priority from none to" in body
    assert "王芳 assigned the ticket to 李娜" in body
    assert "王芳 added the tags 物流, 退款" in body


def test_system_events_are_translated_to_chinese(login, agent, ticket):
    from django.utils import translation

    from kefu.workspace.timeline import describe_event

    services.change_status(ticket=ticket, actor=agent, status="open")
    event = ticket.messages.get(event_type="status_changed")

    with translation.override("zh-hans"):
        text = describe_event(event)
    with translation.override("en"):
        english = describe_event(event)

    assert english == "王芳 changed the status from New to Open"
    assert text.startswith("王芳")


def test_html_bodies_are_shown_as_sanitized_html(login, agent, ticket):
    services.add_customer_message(ticket=ticket, html="<p>图片<b>见附件</b><script>alert(1)</script></p>")

    body = login(agent).get(page(ticket)).content.decode()

    assert "<b>见附件</b>" in body
    assert "alert(1)" not in body


def test_page_carries_presence_hooks(login, agent, ticket):
    body = login(agent).get(page(ticket)).content.decode()

    assert f'data-ticket-id="{ticket.pk}"' in body
    assert '<div id="presence" aria-live="polite"' in body
    assert "kefu/presence.js" in body
    assert "data-reply-box" in body


def test_outsider_gets_404_for_a_front_line_ticket(login, outsider, ticket):
    response = login(outsider).get(page(ticket))

    assert response.status_code == 404
    assert ticket.subject not in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/agent/tickets/999999/", "/agent/tickets/abc/", "/agent/tickets/99999999999999999999999/"]
)
def test_unknown_or_malformed_ticket_numbers_are_404(login, agent, path):
    assert login(agent).get(path).status_code == 404


def test_side_panel_masks_contact_data_and_lists_other_visible_tickets(
    login, agent, ticket, customer, other_team
):
    other = TicketFactory(customer=customer, team=ticket.team, subject="第二个问题")
    hidden = TicketFactory(customer=customer, team=other_team, subject="Hidden from front line")

    body = login(agent).get(page(ticket)).content.decode()

    assert "c***@example.com" in body
    assert "chen@example.com" not in body
    assert other.subject in body
    assert hidden.subject not in body


def test_reveal_button_only_for_users_allowed_to_see_pii(login, agent, supervisor, ticket):
    assert "Reveal contact data" not in login(agent).get(page(ticket)).content.decode()
    assert "Reveal contact data" in login(supervisor).get(page(ticket)).content.decode()


def test_read_only_roles_see_no_reply_box(login, db, ticket):
    from kefu.accounts import roles
    from kefu.tests.factories import UserFactory

    inspector = UserFactory(roles=[roles.QA_INSPECTOR])

    body = login(inspector).get(page(ticket)).content.decode()

    assert ticket.subject in body
    assert 'id="reply-box"' not in body


def test_macro_picker_lists_shared_macros_and_my_own_only(login, agent, teammate, ticket):
    MacroFactory(name="Shared greeting")
    MacroFactory(name="My private", is_shared=False, owner=agent)
    MacroFactory(name="Her private", is_shared=False, owner=teammate)

    body = login(agent).get(page(ticket)).content.decode()

    assert "Shared greeting" in body
    assert "My private" in body
    assert "Her private" not in body


def _grow(ticket, agent, times: int) -> None:
    for i in range(times):
        services.add_reply(ticket=ticket, actor=agent, text=f"回复 {i}")
        services.add_note(ticket=ticket, actor=agent, text=f"备注 {i}")
        services.update_ticket(ticket=ticket, actor=agent, changes=TicketChanges(add_tags=[f"t{i}"]))
        TicketFactory(customer=ticket.customer, team=ticket.team)


def test_ticket_page_query_count_does_not_grow_with_the_timeline(
    login, agent, ticket, django_assert_num_queries
):
    client = login(agent)
    _grow(ticket, agent, 1)
    client.get(page(ticket))
    with CaptureQueriesContext(connection) as few:
        client.get(page(ticket))
    expected = len(few.captured_queries)  # now: the next request clears the connection's log
    _grow(ticket, agent, 10)
    client.get(page(ticket))  # new tags changed the menus' configuration: its copy is read again once

    with django_assert_num_queries(expected):
        response = client.get(page(ticket))
    assert response.status_code == 200
    assert "回复 9" in response.content.decode()


def test_live_hint_refreshes_the_timeline_and_header_only(login, agent, teammate, ticket):
    services.add_note(ticket=ticket, actor=teammate, text="我来看看")

    response = login(agent).get(page(ticket), {"part": "timeline"}, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert body.lstrip().startswith('<ol id="timeline"')
    assert "我来看看" in body
    assert '<header id="ticket-header" class="ticket-header" hx-swap-oob="true"' in body
    assert 'id="reply-box"' not in body


def test_timeline_and_fields_listen_for_live_changes(login, agent, ticket):
    body = login(agent).get(page(ticket)).content.decode()

    assert body.count('hx-trigger="ticket-changed from:body"') == 2
