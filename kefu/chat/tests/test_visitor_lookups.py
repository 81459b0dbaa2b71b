"""The look-ups every widget's hello makes: its open chat (with the agent's name) and whether it missed anything."""

import pytest

from kefu.chat import services
from kefu.chat.models import AuthorKind, ChatMessage, ConversationStatus


@pytest.fixture
def chat(site, agent):
    conversation = services.start_conversation(site=site, visitor_id="v1", text="在吗")
    return services.accept(conversation=conversation, actor=agent)


def test_the_open_chat_comes_with_its_agents_name_in_one_statement(
    chat, site, agent, django_assert_num_queries
):
    """The welcome frame names the agent: no further query for it."""
    with django_assert_num_queries(1):
        found = services.open_conversation(site=site, visitor_id="v1")
        assert found == chat and found.agent.name == agent.name and found.status == ConversationStatus.ACTIVE


def test_only_an_open_chat_of_that_visitor_on_that_site_is_found(chat, site, agent):
    """Another visitor, another site or an ended chat finds nothing; the newest open chat wins."""
    from kefu.chat.tests.factories import ChatSiteFactory

    assert services.open_conversation(site=site, visitor_id="v2") is None
    assert services.open_conversation(site=ChatSiteFactory(), visitor_id="v1") is None
    services.end(conversation=chat, actor=agent)
    assert services.open_conversation(site=site, visitor_id="v1") is None
    newer = services.start_conversation(site=site, visitor_id="v1", text="又来了")
    found = services.open_conversation(site=site, visitor_id="v1")
    assert found == newer and found.agent is None


def test_a_visitor_missed_only_messages_after_the_last_seen_id_and_never_notes(chat, agent):
    """Notes are never the visitor's; an id beyond any stored (even beyond the database's range) missed none."""
    last = chat.messages.order_by("-pk").first().pk
    assert not services.visitor_missed(chat, last)
    ChatMessage.objects.create(conversation=chat, author_kind=AuthorKind.NOTE, author=agent, text="内部")
    assert not services.visitor_missed(chat, last)
    ChatMessage.objects.create(conversation=chat, author_kind=AuthorKind.AGENT, author=agent, text="您好")
    assert services.visitor_missed(chat, last)
    assert not services.visitor_missed(chat, 2**70)
