"""Macros from the ticket page: applying one only fills the reply form; sending the reply applies its actions."""

import pytest
from django.urls import reverse

from kefu.tests.factories import MacroFactory
from kefu.tickets import services
from kefu.tickets.models import Macro, MessageKind
from kefu.tickets.services import TicketChanges

from .conftest import HTMX

pytestmark = pytest.mark.django_db


def url(ticket) -> str:
    return reverse("workspace:macro", args=[ticket.pk])


def reply_url(ticket) -> str:
    return reverse("workspace:reply", args=[ticket.pk])


def test_macro_text_is_inserted_after_what_the_agent_typed(login, agent, ticket, customer):
    """The filled text lands in the reply box after the typed text, and the macro is not yet counted as used."""
    macro = MacroFactory(body="您好 {{ customer.name }}，您的工单 #{{ ticket.number }} 已收到。")

    response = login(agent).post(url(ticket), {"macro": macro.pk, "text": "补充说明"}, **HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<textarea id="reply-text"')
    assert f"补充说明\n\n您好 {customer.name}，您的工单 #{ticket.pk} 已收到。</textarea>" in body
    macro.refresh_from_db()
    assert macro.usage_count == 0


def test_applying_a_macro_changes_nothing_stored(login, agent, ticket, urgent_priority):
    """Status, priority, tags, timeline and usage count stay as they were until the reply is sent."""
    macro = MacroFactory(
        name="转交", body="已转交", actions={"status": "solved", "priority": "urgent", "add_tags": ["转交"]}
    )
    messages_before = ticket.messages.count()

    response = login(agent).post(url(ticket), {"macro": macro.pk}, **HTMX)

    body = response.content.decode()
    ticket.refresh_from_db()
    macro.refresh_from_db()
    assert ticket.status == "new"
    assert ticket.priority != urgent_priority
    assert not ticket.tags.exists()
    assert ticket.messages.count() == messages_before
    assert macro.usage_count == 0
    # The form is filled instead: status preset, the other actions summarised and carried by a hidden field.
    assert '<option value="solved" selected>' in body
    assert f'<input type="hidden" name="macro" value="{macro.pk}">' in body
    assert "when you send: set status Solved; set priority" in body and "add tags 转交" in body
    assert 'id="ticket-fields"' not in body


def test_a_macro_that_only_sets_a_status_says_so(login, agent, ticket):
    """A macro whose only action is a status names it in its summary: the preset applies to an internal note
    too, so the summary must not claim the macro changes nothing."""
    macro = MacroFactory(name="问题已解决", body="x", actions={"status": "solved"})

    body = login(agent).post(url(ticket), {"macro": macro.pk}, **HTMX).content.decode()

    assert "when you send: set status Solved" in body
    assert "changes no other field" not in body


def test_sending_the_reply_applies_the_macro_actions_with_it(login, agent, ticket, urgent_priority):
    """Send reply stores the reply, the status of the reply form and the macro's field actions, and counts the use."""
    macro = MacroFactory(
        body="已转交", actions={"status": "solved", "priority": "urgent", "add_tags": ["转交"]}
    )

    response = login(agent).post(
        reply_url(ticket), {"kind": "reply", "text": "已转交", "status": "solved", "macro": macro.pk}
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    macro.refresh_from_db()
    assert ticket.status == "solved"
    assert ticket.priority == urgent_priority
    assert list(ticket.tags.values_list("name", flat=True)) == ["转交"]
    assert ticket.messages.filter(kind=MessageKind.REPLY, body_text="已转交").count() == 1
    assert macro.usage_count == 1


def test_the_reply_forms_status_wins_over_the_macros(login, agent, ticket):
    """An agent who changed the preset status (here: to unchanged) sends without the macro's status."""
    macro = MacroFactory(body="x", actions={"status": "solved", "add_tags": ["转交"]})

    login(agent).post(reply_url(ticket), {"kind": "note", "text": "内部", "status": "", "macro": macro.pk})

    ticket.refresh_from_db()
    assert ticket.status == "new"
    assert list(ticket.tags.values_list("name", flat=True)) == ["转交"]


def test_a_failing_macro_action_rolls_back_the_reply(login, agent, ticket, monkeypatch):
    """If the macro's actions are refused, the reply is not stored either (one transaction) and it answers 400."""
    macro = MacroFactory(body="x", actions={"add_tags": ["转交"]})
    monkeypatch.setattr(services, "macro_changes", lambda actions: TicketChanges(severity="nonsense"))
    replies_before = ticket.messages.filter(kind=MessageKind.REPLY).count()

    response = login(agent).post(
        reply_url(ticket), {"kind": "reply", "text": "不会保存", "status": "pending", "macro": macro.pk}
    )

    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.status == "new"
    assert ticket.messages.filter(kind=MessageKind.REPLY).count() == replies_before
    assert Macro.objects.get(pk=macro.pk).usage_count == 0


def test_the_cross_drops_the_pending_actions_and_the_status_they_preset(login, agent, ticket):
    """✕ keeps the typed text, removes the hidden macro field, and resets the status the macro preset."""
    macro = MacroFactory(body="x", actions={"status": "solved"})

    response = login(agent).post(
        url(ticket), {"clear": "1", "macro": macro.pk, "text": "保留的文字", "status": "solved"}, **HTMX
    )

    body = response.content.decode()
    assert "保留的文字</textarea>" in body
    assert 'name="macro"' not in body
    assert "selected" not in body.split('id="reply-status"')[1].split("</select>")[0]


def test_the_cross_works_for_a_macro_deleted_meanwhile(login, agent, ticket):
    """Dropping the actions of a macro that no longer exists is not an error: the form comes back without it."""
    macro = MacroFactory(body="x", actions={"add_tags": ["转交"]})
    gone = macro.pk
    macro.delete()

    response = login(agent).post(url(ticket), {"clear": "1", "macro": gone, "text": "草稿"})

    assert response.status_code == 200
    assert "草稿</textarea>" in response.content.decode()


def test_macro_without_htmx_renders_the_page_with_the_filled_form(login, agent, ticket):
    """Without JS the whole page comes back with the text, the preset status and the pending summary."""
    macro = MacroFactory(body="感谢耐心等待", actions={"status": "pending", "add_tags": ["等待"]})

    response = login(agent).post(url(ticket), {"macro": macro.pk})

    body = response.content.decode()
    assert response.status_code == 200
    assert "感谢耐心等待</textarea>" in body
    assert '<option value="pending" selected>' in body
    assert f'<input type="hidden" name="macro" value="{macro.pk}">' in body
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_a_macro_is_summarised_in_the_readers_language(login, agent, ticket):
    """The summary is translated (Chinese page)."""
    macro = MacroFactory(name="转交", body="x", actions={"add_tags": ["转交"]})

    body = login(agent, "zh-hans").post(url(ticket), {"macro": macro.pk}, **HTMX).content.decode()

    assert "发送时" in body


def test_someone_elses_private_macro_is_not_found(login, agent, teammate, ticket):
    private = MacroFactory(is_shared=False, owner=teammate, actions={"status": "solved"})

    response = login(agent).post(url(ticket), {"macro": private.pk})

    assert response.status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_someone_elses_private_macro_cannot_ride_along_a_reply(login, agent, teammate, ticket):
    """The hidden field is checked again on send: another's private macro is a 404 and nothing is stored."""
    private = MacroFactory(is_shared=False, owner=teammate, actions={"add_tags": ["x"]})

    response = login(agent).post(reply_url(ticket), {"kind": "reply", "text": "hi", "macro": private.pk})

    assert response.status_code == 404
    assert not ticket.messages.filter(kind=MessageKind.REPLY, body_text="hi").exists()


@pytest.mark.parametrize("value", ["", "abc", "99999999", "1" * 30])
def test_missing_or_malformed_macro_is_400_or_404(login, agent, ticket, value):
    response = login(agent).post(url(ticket), {"macro": value})

    assert response.status_code in (400, 404)


def test_outsider_cannot_apply_a_macro_to_a_front_line_ticket(login, outsider, ticket):
    macro = MacroFactory(actions={"status": "solved"})

    assert login(outsider).post(url(ticket), {"macro": macro.pk}).status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == "new"
