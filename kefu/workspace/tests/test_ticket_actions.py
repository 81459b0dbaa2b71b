"""Working a ticket from its page: replies, notes, status, assignment, tags and custom fields."""

import pytest
from django.urls import reverse

from kefu.tickets.models import CustomField, Message, MessageKind, Status

from .conftest import HTMX

pytestmark = pytest.mark.django_db


def url(name: str, ticket) -> str:
    return reverse(f"workspace:{name}", args=[ticket.pk])


def test_public_reply_is_added_and_the_ticket_waits_on_the_customer(login, agent, ticket):
    response = login(agent).post(url("reply", ticket), {"kind": "reply", "text": "您好，已为您加急处理。"})

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    assert ticket.messages.filter(
        kind=MessageKind.REPLY, body_text="您好，已为您加急处理。", author=agent
    ).exists()


def test_reply_over_htmx_returns_the_new_timeline_and_fresh_parts(login, agent, ticket):
    response = login(agent).post(url("reply", ticket), {"kind": "reply", "text": "马上处理"}, **HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<ol id="timeline"')
    assert "马上处理" in body
    assert 'id="reply-box"' in body and 'id="ticket-header"' in body and 'hx-swap-oob="true"' in body
    assert 'id="flash" hx-swap-oob="beforeend"' in body


def test_internal_note_with_status_change(login, agent, ticket):
    login(agent).post(url("reply", ticket), {"kind": "note", "text": "等仓库回复", "status": "on_hold"})

    ticket.refresh_from_db()
    assert ticket.status == Status.ON_HOLD
    assert ticket.first_response_at is None
    assert ticket.messages.filter(kind=MessageKind.NOTE, body_text="等仓库回复").exists()


def test_reply_with_solved_status(login, agent, ticket):
    login(agent).post(url("reply", ticket), {"kind": "reply", "text": "已解决", "status": "solved"})

    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "reply", "text": "   "},
        {"kind": "shout", "text": "hi"},
        {"kind": "reply", "text": "hi", "status": "lost"},
        {},
    ],
)
def test_bad_reply_input_is_a_clear_400(login, agent, ticket, data):
    response = login(agent).post(url("reply", ticket), data)

    assert response.status_code == 400
    assert Message.objects.filter(ticket=ticket).count() == 1


def test_bad_reply_over_htmx_answers_in_the_flash_area(login, agent, ticket):
    response = login(agent).post(url("reply", ticket), {"kind": "reply", "text": ""}, **HTMX)

    assert response.status_code == 400
    assert response["HX-Retarget"] == "#flash"
    assert "Write a message or attach a file" in response.content.decode()


def test_outsider_cannot_reply_to_a_front_line_ticket(login, outsider, ticket):
    response = login(outsider).post(url("reply", ticket), {"kind": "reply", "text": "hello"})

    assert response.status_code == 404
    assert not ticket.messages.filter(kind=MessageKind.REPLY).exists()


def test_reply_needs_a_post(login, agent, ticket):
    assert login(agent).get(url("reply", ticket)).status_code == 405


def test_field_panel_changes_status_priority_category_severity_and_tags(
    login, agent, ticket, urgent_priority, complaint
):
    response = login(agent).post(
        url("update_fields", ticket),
        {
            "status": "open",
            "initial-status": "new",
            "priority": urgent_priority.pk,
            "initial-priority": "",
            "category": complaint.pk,
            "initial-category": "",
            "severity": "major",
            "initial-severity": "normal",
            "tags": "退款，物流",
            "initial-tags": "",
        },
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.category, ticket.severity) == (
        "open",
        urgent_priority,
        complaint,
        "major",
    )
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["物流", "退款"]
    events = set(ticket.messages.filter(kind=MessageKind.EVENT).values_list("event_type", flat=True))
    assert events == {
        "status_changed",
        "priority_changed",
        "category_changed",
        "severity_changed",
        "tags_changed",
    }


def test_field_panel_sends_only_what_the_agent_changed(login, agent, teammate, ticket, urgent_priority):
    # given a teammate set the priority after the agent loaded the page
    from kefu.tickets.services import TicketChanges, update_ticket

    update_ticket(ticket=ticket, actor=teammate, changes=TicketChanges(priority=urgent_priority))

    # when the agent's stale form (priority still empty) changes only the status
    login(agent).post(
        url("update_fields", ticket),
        {"status": "open", "initial-status": "new", "priority": "", "initial-priority": ""},
    )

    # then the teammate's priority stays
    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert ticket.priority == urgent_priority


def test_assign_to_me(login, agent, ticket):
    response = login(agent).post(url("assign_me", ticket), **HTMX)

    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<section id="ticket-fields"')
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    assert ticket.messages.filter(event_type="assigned").exists()


def test_agent_may_assign_to_a_teammate_but_not_to_an_outsider(login, agent, teammate, outsider, ticket):
    client = login(agent)

    client.post(url("update_fields", ticket), {"assignee": teammate.pk, "initial-assignee": ""})
    ticket.refresh_from_db()
    assert ticket.assignee == teammate

    response = client.post(
        url("update_fields", ticket), {"assignee": outsider.pk, "initial-assignee": teammate.pk}
    )
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.assignee == teammate


def test_impossible_status_change_is_refused_with_a_reason(login, agent, ticket):
    client = login(agent)
    client.post(url("update_fields", ticket), {"status": "closed", "initial-status": "new"})

    response = client.post(url("update_fields", ticket), {"status": "pending", "initial-status": "closed"})

    assert response.status_code == 400
    assert "cannot go from" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "closed"


@pytest.mark.parametrize(
    "data",
    [
        {"status": "lost", "initial-status": "new"},
        {"priority": "999999", "initial-priority": ""},
        {"team": "abc", "initial-team": ""},
        {"assignee": "x", "initial-assignee": ""},
        {"severity": "apocalyptic", "initial-severity": "normal"},
    ],
)
def test_unknown_ids_and_values_in_the_field_panel_are_400(login, agent, ticket, data):
    response = login(agent).post(url("update_fields", ticket), data)

    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_custom_fields_are_saved_and_checked(login, agent, ticket):
    CustomField.objects.create(key="order_no", name="订单号", name_en="Order number", kind="text")
    CustomField.objects.create(key="amount", name="金额", name_en="Amount", kind="number")
    client = login(agent)

    client.post(url("update_fields", ticket), {"cf_order_no": "SO-1234", "cf_amount": "99.5"})
    bad = client.post(url("update_fields", ticket), {"cf_amount": "many", "initial-cf_amount": "99.5"})

    ticket.refresh_from_db()
    assert ticket.custom_fields == {"order_no": "SO-1234", "amount": 99.5}
    assert bad.status_code == 400
    assert "must be a number" in bad.content.decode()
