"""A chat message costs as few database round trips as it can: the busiest write of live chat."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from kefu.chat import services
from kefu.chat.models import ChatMessage


@pytest.fixture
def chat(site, agent):
    conversation = services.start_conversation(site=site, visitor_id="v1", text="在吗")
    return services.accept(conversation=conversation, actor=agent)


@pytest.mark.django_db(transaction=True)
def test_a_message_stored_on_its_own_is_one_insert_without_begin_and_commit(chat, monkeypatch):
    """Outside a transaction the INSERT commits by itself (no BEGIN/COMMIT round trips); then one SELECT
    (the push listener's). The message is stored and its listener ran."""
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
