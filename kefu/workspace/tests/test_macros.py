"""Macros from the ticket page: they apply their actions and put their text into the reply box."""

import pytest
from django.urls import reverse

from kefu.tests.factories import MacroFactory

from .conftest import HTMX

pytestmark = pytest.mark.django_db


def url(ticket) -> str:
    return reverse("workspace:macro", args=[ticket.pk])


def test_macro_text_is_inserted_after_what_the_agent_typed(login, agent, ticket, customer):
    macro = MacroFactory(body="您好 {{ customer.name }}，您的工单 #{{ ticket.number }} 已收到。")

    response = login(agent).post(url(ticket), {"macro": macro.pk, "text": "补充说明"}, **HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<textarea id="reply-text"')
    assert f"补充说明\n\n您好 {customer.name}，您的工单 #{ticket.pk} 已收到。</textarea>" in body
    macro.refresh_from_db()
    assert macro.usage_count == 1


def test_macro_actions_change_the_ticket(login, agent, ticket):
    macro = MacroFactory(body="已转交", actions={"status": "pending", "add_tags": ["转交"]})

    response = login(agent).post(url(ticket), {"macro": macro.pk}, **HTMX)

    ticket.refresh_from_db()
    assert ticket.status == "pending"
    assert list(ticket.tags.values_list("name", flat=True)) == ["转交"]
    assert 'id="ticket-fields" class="card" hx-swap-oob="true"' in response.content.decode()


def test_macro_without_htmx_renders_the_page_with_the_text_in_the_reply_box(login, agent, ticket):
    macro = MacroFactory(body="感谢耐心等待")

    response = login(agent).post(url(ticket), {"macro": macro.pk})

    assert response.status_code == 200
    assert "感谢耐心等待</textarea>" in response.content.decode()


def test_someone_elses_private_macro_is_not_found(login, agent, teammate, ticket):
    private = MacroFactory(is_shared=False, owner=teammate, actions={"status": "solved"})

    response = login(agent).post(url(ticket), {"macro": private.pk})

    assert response.status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == "new"


@pytest.mark.parametrize("value", ["", "abc", "99999999", "1" * 30])
def test_missing_or_malformed_macro_is_400_or_404(login, agent, ticket, value):
    response = login(agent).post(url(ticket), {"macro": value})

    assert response.status_code in (400, 404)


def test_outsider_cannot_apply_a_macro_to_a_front_line_ticket(login, outsider, ticket):
    macro = MacroFactory(actions={"status": "solved"})

    assert login(outsider).post(url(ticket), {"macro": macro.pk}).status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == "new"
