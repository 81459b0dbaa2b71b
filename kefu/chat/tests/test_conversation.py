"""Starting a chat, messages both ways, claiming, offering, transfer and ending."""

import pytest

from kefu.chat import services
from kefu.chat.models import ChatMessage, ConversationStatus
from kefu.core.errors import Conflict, InvalidInput, NotAllowed
from kefu.tickets.models import Message


def test_start_conversation_opens_a_chat_ticket_and_queues_the_chat(site):
    conversation = services.start_conversation(
        site=site, visitor_id="v1", text="你好，我的订单没到", client_id="c1"
    )

    assert conversation.status == ConversationStatus.QUEUED
    assert conversation.queued_at is not None
    assert conversation.ticket.channel == "chat"
    assert conversation.ticket.customer == conversation.customer
    assert list(conversation.messages.values_list("client_id", "text")) == [("c1", "你好，我的订单没到")]


def test_a_visitor_message_sent_twice_with_the_same_client_id_is_stored_once(site):
    conversation = services.start_conversation(site=site, visitor_id="v1", text="hi")

    first = services.post_visitor_message(conversation=conversation, text="again", client_id="c2")
    second = services.post_visitor_message(conversation=conversation, text="again", client_id="c2")

    assert not first.duplicate and second.duplicate
    assert first.message.pk == second.message.pk
    assert ChatMessage.objects.filter(conversation=conversation).count() == 2


def test_empty_or_too_long_messages_are_refused(site):
    conversation = services.start_conversation(site=site, visitor_id="v1", text="hi")
    with pytest.raises(InvalidInput):
        services.post_visitor_message(conversation=conversation, text="   ")
    with pytest.raises(InvalidInput):
        services.post_visitor_message(conversation=conversation, text="x" * 2001)


def test_accept_claims_the_chat_and_a_second_accept_loses(site, agent, teammate):
    conversation = services.start_conversation(site=site, visitor_id="v1", text="hi")

    services.accept(conversation=conversation, actor=agent)
    with pytest.raises(Conflict):
        services.accept(conversation=conversation, actor=teammate)

    conversation.refresh_from_db()
    assert conversation.agent == agent and conversation.status == ConversationStatus.ACTIVE
    assert conversation.ticket.assignee == agent


def test_only_the_chat_agent_may_write(site, agent, teammate):
    conversation = services.start_conversation(site=site, visitor_id="v1", text="hi")
    with pytest.raises(NotAllowed):
        services.post_agent_message(conversation=conversation, actor=agent, text="hello")
    services.accept(conversation=conversation, actor=agent)
    with pytest.raises(NotAllowed):
        services.post_agent_message(conversation=conversation, actor=teammate, text="hello")

    posted = services.post_agent_message(conversation=conversation, actor=agent, text="您好", client_id="a1")

    assert posted.message.author == agent and posted.message.author_kind == "agent"


def test_offer_next_gives_the_oldest_chat_to_the_least_busy_online_agent(site, online):
    agent, teammate = online
    busy = services.start_conversation(site=site, visitor_id="v0", text="first")
    services.accept(conversation=busy, actor=agent)
    oldest = services.start_conversation(site=site, visitor_id="v1", text="waiting longest")
    services.start_conversation(site=site, visitor_id="v2", text="waiting less")

    offer = services.offer_next()

    assert offer.conversation == oldest
    assert offer.agent == teammate  # agent already has a chat


def test_offer_next_respects_capacity_and_presence(site, online):
    agent, teammate = online
    agent.max_chats = 1
    agent.save()
    teammate.presence = "away"
    teammate.save()
    services.accept(
        conversation=services.start_conversation(site=site, visitor_id="v0", text="a"), actor=agent
    )
    services.start_conversation(site=site, visitor_id="v1", text="b")

    assert services.offer_next() is None


def test_queue_position_counts_priority_then_wait(site):
    first = services.start_conversation(site=site, visitor_id="v1", text="a")
    second = services.start_conversation(site=site, visitor_id="v2", text="b")
    urgent = services.start_conversation(site=site, visitor_id="v3", text="c")
    urgent.priority = 5
    urgent.save()

    assert services.queue_position(conversation=urgent) == 1
    assert services.queue_position(conversation=first) == 2
    assert services.queue_position(conversation=second) == 3


def test_transfer_to_another_agent_and_back_to_the_queue(site, agent, teammate):
    conversation = services.start_conversation(site=site, visitor_id="v1", text="hi")
    services.accept(conversation=conversation, actor=agent)

    conversation = services.transfer(conversation=conversation, actor=agent, to_agent=teammate)
    assert conversation.agent == teammate
    conversation = services.transfer(conversation=conversation, actor=teammate)
    assert conversation.status == ConversationStatus.QUEUED and conversation.agent is None


def test_end_stores_the_transcript_on_the_ticket(site, agent):
    conversation = services.start_conversation(site=site, visitor_id="v1", text="订单到哪了")
    services.accept(conversation=conversation, actor=agent)
    services.post_agent_message(conversation=conversation, actor=agent, text="正在查询")

    conversation = services.end(conversation=conversation, actor=agent)

    assert conversation.status == ConversationStatus.ENDED and conversation.ended_at is not None
    note = Message.objects.get(ticket=conversation.ticket, kind="note")
    assert "订单到哪了" in note.body_text and "正在查询" in note.body_text
    with pytest.raises(Conflict):
        services.post_visitor_message(conversation=conversation, text="hello?")
