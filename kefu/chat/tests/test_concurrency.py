"""Two agents (two database connections) accepting the same chat at the same moment: exactly one wins."""

import threading

import pytest
from django.db import connection, connections

from kefu.chat import services
from kefu.chat.models import Conversation
from kefu.core.errors import Conflict


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a database with real concurrent connections"
)
def test_two_agents_accepting_the_same_chat_at_once_exactly_one_wins(site, agent, teammate):
    conversation = services.start_conversation(site=site, visitor_id="v1", text="hi")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def claim(user) -> None:
        try:
            barrier.wait()
            services.accept(conversation=Conversation.objects.get(pk=conversation.pk), actor=user)
            outcomes.append("won")
        except Conflict:
            outcomes.append("lost")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(user,)) for user in (agent, teammate)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["lost", "won"]
    conversation.refresh_from_db()
    assert conversation.agent in (agent, teammate)
