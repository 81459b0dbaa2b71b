"""Transfer with a note, keeping a chat as a ticket, linking it to a ticket, ending, the e-mailed transcript."""

from datetime import timedelta

import pytest

from kefu.chat import services
from kefu.chat.models import AuthorKind, ConversationStatus
from kefu.core.errors import Conflict, InvalidInput, NotAllowed
from kefu.tests.factories import TicketFactory
from kefu.tickets.models import Message, Status


@pytest.fixture
def chat(site, agent):
    conversation = services.start_conversation(
        site=site, visitor_id="v1", text="订单没到", language="zh-hans"
    )
    return services.accept(conversation=conversation, actor=agent)


def test_transfer_to_an_agent_with_a_note_the_visitor_does_not_see(chat, agent, teammate):
    chat = services.transfer(conversation=chat, actor=agent, to_agent=teammate, note="客户很着急，已查过物流")

    assert chat.agent == teammate and chat.status == ConversationStatus.ACTIVE
    assert chat.ticket.assignee == teammate
    note = chat.messages.get(author_kind=AuthorKind.NOTE)
    assert note.text == "客户很着急，已查过物流" and note.author == agent
    visible = list(chat.messages.for_visitor().values_list("author_kind", flat=True))
    assert AuthorKind.NOTE not in visible and visible[-1] == AuthorKind.SYSTEM


def test_transfer_to_a_team_puts_the_chat_back_in_the_queue_of_that_team(chat, agent, other_team):
    chat = services.transfer(conversation=chat, actor=agent, to_team=other_team, note="技术问题")

    assert chat.status == ConversationStatus.QUEUED and chat.agent is None and chat.team == other_team


def test_only_the_chats_agent_or_a_supervisor_may_transfer(chat, teammate, outsider, supervisor):
    with pytest.raises(NotAllowed):
        services.transfer(conversation=chat, actor=teammate, to_agent=outsider)
    with pytest.raises(NotAllowed):
        services.transfer(conversation=chat, actor=outsider, to_agent=outsider)
    with pytest.raises(InvalidInput):
        services.transfer(conversation=chat, actor=supervisor, to_agent=chat.agent)

    assert services.transfer(conversation=chat, actor=supervisor, to_agent=teammate).agent == teammate


def test_a_queued_chat_cannot_be_transferred(site, agent, teammate):
    waiting = services.start_conversation(site=site, visitor_id="v9", text="hi")
    with pytest.raises((Conflict, NotAllowed)):
        services.transfer(conversation=waiting, actor=agent, to_agent=teammate)


def test_ending_a_chat_solves_its_ticket_unless_it_was_kept_as_a_ticket(site, agent, chat):
    ended = services.end(conversation=chat, actor=agent)
    assert ended.ticket.status == Status.SOLVED

    kept = services.accept(
        conversation=services.start_conversation(site=site, visitor_id="v2", text="退货"), actor=agent
    )
    services.convert_to_ticket(conversation=kept, actor=agent, subject="退货申请 #88")
    kept = services.end(conversation=kept, actor=agent)

    assert kept.follow_up and kept.ticket.status != Status.SOLVED
    assert kept.ticket.subject == "退货申请 #88"
    assert "退货" in Message.objects.get(ticket=kept.ticket, kind="note").body_text


def test_linking_a_chat_notes_it_on_the_ticket_and_the_transcript_goes_there_too(
    chat, agent, customer, front_line
):
    earlier = TicketFactory(customer=customer, team=front_line, subject="上周的订单")

    services.link_ticket(conversation=chat, actor=agent, ticket=earlier)
    services.post_agent_message(conversation=chat, actor=agent, text="已为您补发")
    services.end(conversation=chat, actor=agent)

    notes = list(Message.objects.filter(ticket=earlier, kind="note").values_list("body_text", flat=True))
    assert len(notes) == 2 and "已为您补发" in notes[1] and "订单没到" in notes[1]


def test_a_ticket_the_agent_may_not_work_cannot_be_linked(chat, agent, other_team):
    hidden = TicketFactory(team=other_team)

    with pytest.raises(NotAllowed):
        services.link_ticket(conversation=chat, actor=agent, ticket=hidden)


def test_the_transcript_is_emailed_after_commit_without_internal_notes(
    chat, agent, teammate, mailoutbox, django_capture_on_commit_callbacks
):
    services.post_note(conversation=chat, actor=agent, text="内部：这位客户投诉过")
    services.post_agent_message(conversation=chat, actor=agent, text="您好，正在处理")
    services.end(conversation=chat, actor=agent)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.email_transcript(conversation=chat, address="chen@example.com")
    assert mailoutbox == []  # nothing is sent before the commit
    for callback in callbacks:
        callback()

    [mail] = mailoutbox
    assert mail.to == ["chen@example.com"]
    assert "订单没到" in mail.body and "您好，正在处理" in mail.body and "投诉过" not in mail.body


def test_a_bad_transcript_address_is_refused(chat):
    with pytest.raises(InvalidInput):
        services.email_transcript(conversation=chat, address="not an address")


def test_read_state_only_moves_forward(chat):
    last = chat.messages.last().pk

    assert services.mark_read(conversation=chat, by_visitor=True, up_to=last)
    assert not services.mark_read(conversation=chat, by_visitor=True, up_to=last - 1)
    assert not services.mark_read(conversation=chat, by_visitor=True, up_to=last + 100)  # capped at the last
    chat.refresh_from_db()
    assert chat.visitor_read == last and chat.agent_read == 0


def test_the_agents_first_chat_message_is_the_tickets_first_response_and_stops_its_sla_clock(
    chat, agent, django_capture_on_commit_callbacks
):
    from kefu.sla.models import SlaPolicy, TicketSla
    from kefu.sla.services import apply_policy

    SlaPolicy.objects.create(name="chat", position=0, first_response=timedelta(seconds=30), business_time=False)
    apply_policy(ticket=chat.ticket)
    assert TicketSla.objects.get(ticket=chat.ticket).first_response_met is False

    with django_capture_on_commit_callbacks(execute=True):  # the SLA listener runs after the commit
        first = services.post_agent_message(conversation=chat, actor=agent, text="您好，我来帮您查").message
        services.post_agent_message(conversation=chat, actor=agent, text="请稍等")

    chat.ticket.refresh_from_db()
    assert chat.ticket.first_response_at == first.created_at  # the first message's time, kept after
    assert TicketSla.objects.get(ticket=chat.ticket).first_response_met is True


def test_a_re_sent_agent_message_records_nothing_new_and_a_bot_answer_is_no_first_response(site, agent):
    waiting = services.start_conversation(site=site, visitor_id="v7", text="在吗")
    assert waiting.ticket.first_response_at is None  # the visitor's own message and the queue lines

    chat = services.accept(conversation=waiting, actor=agent)
    posted = services.post_agent_message(conversation=chat, actor=agent, text="在的", client_id="c-1")
    again = services.post_agent_message(conversation=chat, actor=agent, text="在的", client_id="c-1")

    assert again.duplicate and again.message.pk == posted.message.pk
    chat.ticket.refresh_from_db()
    assert chat.ticket.first_response_at == posted.message.created_at
