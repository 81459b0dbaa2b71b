"""Supervisors: every live chat at a glance, internal notes in any chat, taking a chat over."""

import pytest

from kefu.chat import services
from kefu.chat.models import AuthorKind, ConversationStatus
from kefu.core.errors import NotAllowed


def test_live_overview_counts_the_queue_and_its_longest_wait(site, agent, django_assert_num_queries):
    services.accept(
        conversation=services.start_conversation(site=site, visitor_id="v0", text="a"), actor=agent
    )
    services.start_conversation(site=site, visitor_id="v1", text="b")
    services.start_conversation(site=site, visitor_id="v2", text="c")

    with django_assert_num_queries(2):
        overview = services.live_overview()

    assert len(overview.chats) == 3 and overview.queue_length == 2
    assert overview.longest_wait is not None


def test_a_supervisor_takes_over_a_chat_from_its_agent(site, agent, supervisor):
    chat = services.accept(
        conversation=services.start_conversation(site=site, visitor_id="v1", text="投诉"), actor=agent
    )

    chat, previous = services.take_over(conversation=chat, actor=supervisor)

    assert chat.agent == supervisor and previous == agent.pk and chat.status == ConversationStatus.ACTIVE
    assert services.post_agent_message(conversation=chat, actor=supervisor, text="我是主管").message.pk


def test_a_supervisor_takes_a_waiting_chat_and_agents_cannot_take_over(site, agent, teammate, supervisor):
    waiting = services.start_conversation(site=site, visitor_id="v1", text="等了很久")
    with pytest.raises(NotAllowed):
        services.take_over(conversation=waiting, actor=teammate)

    chat, previous = services.take_over(conversation=waiting, actor=supervisor)

    assert chat.agent == supervisor and previous is None


def test_notes_by_the_agent_or_a_supervisor_only(site, agent, teammate, supervisor):
    chat = services.accept(
        conversation=services.start_conversation(site=site, visitor_id="v1", text="hi"), actor=agent
    )

    services.post_note(conversation=chat, actor=supervisor, text="注意语气")
    services.post_note(conversation=chat, actor=agent, text="好的")
    with pytest.raises(NotAllowed):
        services.post_note(conversation=chat, actor=teammate, text="偷看")

    assert list(chat.messages.filter(author_kind=AuthorKind.NOTE).values_list("text", flat=True)) == [
        "注意语气",
        "好的",
    ]
