"""A chat message costs as few database round trips as it can: the busiest write of live chat."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from kefu.chat import services
from kefu.chat.events import ChatMessagePosted
from kefu.chat.models import ChatMessage, Conversation
from kefu.realtime import chat_listeners, groups


@pytest.fixture
def chat(site, agent):
    conversation = services.start_conversation(site=site, visitor_id="v1", text="在吗")
    return services.accept(conversation=conversation, actor=agent)


@pytest.mark.django_db(transaction=True)
def test_a_message_stored_on_its_own_is_one_insert_without_begin_and_commit(chat, monkeypatch):
    """Outside a transaction the INSERT commits by itself (no BEGIN/COMMIT round trips); then one SELECT
    (the push listener's look-up of the chat's agent). The message is stored and its listener ran."""
    opened = []
    real_atomic = transaction.atomic

    def counting_atomic(*args, **kwargs):
        opened.append(True)
        return real_atomic(*args, **kwargs)

    monkeypatch.setattr(transaction, "atomic", counting_atomic)
    with CaptureQueriesContext(connection) as queries:
        posted = services.post_visitor_message(conversation=chat, text="订单没到", client_id="c9")

    assert opened == []
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT", "SELECT"]
    assert ChatMessage.objects.get(pk=posted.message.pk).text == "订单没到"


@pytest.mark.django_db(transaction=True)
def test_a_resent_message_inside_a_callers_transaction_leaves_that_transaction_usable(chat):
    """Within a caller's transaction the INSERT gets a savepoint: a duplicate client id does not break it."""
    services.post_visitor_message(conversation=chat, text="一", client_id="c1")
    with transaction.atomic():
        again = services.post_visitor_message(conversation=chat, text="一", client_id="c1")
        assert again.duplicate
        assert ChatMessage.objects.filter(conversation=chat).count() == 2  # still usable


@pytest.fixture
def pushes(monkeypatch):
    sent = []
    monkeypatch.setattr(chat_listeners, "broadcast_many", lambda sends: sent.extend(sends))
    return sent


@pytest.mark.django_db(transaction=True)
def test_the_push_listener_reads_the_chats_agent_but_not_the_message_it_was_just_handed(chat, pushes):
    """The listener takes the stored row from the storing thread: its one SELECT is the chat's agent column,
    not the message read back (the ORM's join of message, author and chat cost more than the INSERT)."""
    with CaptureQueriesContext(connection) as queries:
        posted = services.post_visitor_message(conversation=chat, text="订单没到", client_id="c9")

    select = queries.captured_queries[1]["sql"]
    assert "chat_chatmessage" not in select and "chat_conversation" in select
    frames = [message["frame"] for _group, message in pushes]
    assert frames and all(f["id"] == posted.message.pk and f["text"] == "订单没到" for f in frames)
    assert services.stored_message(posted.message.pk) is None  # taken once, nothing left behind


@pytest.mark.django_db(transaction=True)
def test_a_visitors_message_reaches_the_agent_the_chat_has_now_not_the_one_its_socket_loaded(
    chat, agent, teammate, pushes
):
    """The visitor's socket keeps the chat it loaded at hello; the push follows the agent stored now."""
    stale = Conversation.objects.get(pk=chat.pk)
    Conversation.objects.filter(pk=chat.pk).update(agent=teammate)

    services.post_visitor_message(conversation=stale, text="还在吗", client_id="c10")

    targets = {group for group, _message in pushes}
    assert groups.user(teammate.pk) in targets and groups.user(agent.pk) not in targets


@pytest.mark.django_db(transaction=True)
def test_a_message_stored_by_another_thread_or_process_is_read_back_by_the_listener(chat, agent, pushes):
    """Without the stored row at hand (another process stored it), the listener reads it with its author."""
    message = ChatMessage.objects.create(conversation=chat, author_kind="agent", author=agent, text="您好")

    chat_listeners.chat_message_posted(ChatMessagePosted(conversation_id=chat.pk, message_id=message.pk))

    frames = {message["frame"]["name"] for _group, message in pushes}
    assert frames == {agent.name} and groups.user(agent.pk) in {group for group, _m in pushes}


@pytest.mark.django_db(transaction=True)
def test_an_agents_later_messages_on_an_answered_chat_update_no_ticket(chat, agent, pushes):
    """The chat as each socket frame loads it says whether its ticket has its first response: only the
    first agent message records it (one UPDATE); later ones are the INSERT and the listener's SELECT."""
    first = services.load_conversation(chat.pk)
    services.post_agent_message(conversation=first, actor=agent, text="您好", client_id="a1")
    chat.ticket.refresh_from_db()
    assert chat.ticket.first_response_at is not None

    later = services.load_conversation(chat.pk)
    with CaptureQueriesContext(connection) as queries:
        services.post_agent_message(conversation=later, actor=agent, text="请稍等", client_id="a2")

    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT", "SELECT"]


@pytest.mark.django_db(transaction=True)
def test_an_agents_first_message_on_a_freshly_loaded_chat_records_the_first_response(chat, agent):
    """Loaded with its ticket unanswered, the chat's first agent message stops the SLA clock."""
    services.post_agent_message(
        conversation=services.load_conversation(chat.pk), actor=agent, text="您好", client_id="a1"
    )

    chat.ticket.refresh_from_db()
    assert chat.ticket.first_response_at is not None


@pytest.mark.django_db
def test_loading_a_chat_by_id_gives_the_row_as_stored_or_none(chat):
    """The raw load converts the columns like the ORM (JSON, dates), and an unknown id is None."""
    loaded = services.load_conversation(chat.pk)

    assert loaded == chat and loaded.status == chat.status and loaded.prechat == chat.prechat
    assert loaded.queued_at == Conversation.objects.get(pk=chat.pk).queued_at
    assert services.load_conversation(chat.pk + 1000) is None


@pytest.mark.django_db(transaction=True)
def test_a_first_answer_left_to_the_caller_is_stored_alone_and_recorded_when_the_caller_asks(chat, agent):
    """A socket stores an agent's first answer without its ticket work (`first_response=False`: the answer's
    push does not wait for the ticket UPDATE and the SLA job), then records it: at the message's own time,
    once — a second call (or a later message) costs no statement."""
    from kefu.tickets.events import TicketUpdated

    loaded = services.load_conversation(chat.pk)
    with CaptureQueriesContext(connection) as queries:
        posted = services.post_agent_message(
            conversation=loaded, actor=agent, text="您好", client_id="a1", first_response=False
        )
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT", "SELECT"]
    chat.ticket.refresh_from_db()
    assert chat.ticket.first_response_at is None
    assert services.first_response_pending(loaded)

    emitted = []
    with monkeypatch_emit(emitted):
        services.record_first_response(loaded, posted.message)
        with CaptureQueriesContext(connection) as again:
            services.record_first_response(loaded, posted.message)

    chat.ticket.refresh_from_db()
    assert chat.ticket.first_response_at == posted.message.created_at
    assert [type(event) for event in emitted] == [TicketUpdated] and again.captured_queries == []
    assert not services.first_response_pending(loaded)


def monkeypatch_emit(emitted: list):
    """Collect the events `tickets.services` emits (and still emit them)."""
    from unittest import mock

    from kefu.tickets import services as ticket_services

    real = ticket_services.emit
    return mock.patch.object(ticket_services, "emit", lambda event: (emitted.append(event), real(event)))
