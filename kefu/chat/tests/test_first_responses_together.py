"""Several chats' first answers recorded together (a socket process under load): each ticket's first response
is its own answer's time, its SLA clock stops, and the tickets' follow-up work is one background job. One
that cannot be recorded fails alone and stays to be recorded."""

from datetime import timedelta
from unittest import mock

import pytest

from kefu.chat import services
from kefu.core import tasks
from kefu.sla.models import SlaPolicy, TicketSla
from kefu.tickets import services as ticket_services
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def answered(site, agent):
    """Three accepted chats, each with its agent's first answer stored but not yet recorded."""
    SlaPolicy.objects.create(
        name="chat", position=0, first_response=timedelta(minutes=30), business_time=False
    )
    answers = []
    for n in range(3):
        chat = services.start_conversation(site=site, visitor_id=f"v{n}", text="在吗")
        services.accept(conversation=chat, actor=agent)
        loaded = services.load_conversation(chat.pk)
        posted = services.post_agent_message(
            conversation=loaded, actor=agent, text="您好", client_id=f"a{n}", first_response=False
        )
        answers.append((loaded, posted.message))
    return answers


def test_answers_recorded_together_stop_each_clock_at_its_own_answer_in_one_job(answered, monkeypatch):
    assert not TicketSla.objects.filter(first_response_met=True).exists()
    real_delay = tasks.run_listener_batch.delay
    jobs = []
    monkeypatch.setattr(
        tasks.run_listener_batch, "delay", lambda batch: (jobs.append(batch), real_delay(batch))
    )

    assert services.record_first_responses(answered) == [None, None, None]

    for conversation, message in answered:
        ticket = Ticket.objects.get(pk=conversation.ticket_id)
        assert ticket.first_response_at == message.created_at
        assert TicketSla.objects.get(ticket=ticket).first_response_met
        assert not services.first_response_pending(conversation)
    assert len(jobs) == 1 and len(jobs[0]) == 3  # one background job: the three tickets' updates


def test_an_answer_that_cannot_be_recorded_fails_alone_and_stays_pending(answered):
    broken = answered[1][0].ticket_id
    real = ticket_services.record_first_response

    def failing(*, ticket_id, at):
        if ticket_id == broken:
            raise RuntimeError("lost connection")
        return real(ticket_id=ticket_id, at=at)

    with mock.patch.object(ticket_services, "record_first_response", failing):
        failures = services.record_first_responses(answered)

    assert failures[0] is None and failures[2] is None and isinstance(failures[1], RuntimeError)
    recorded = dict(
        Ticket.objects.filter(pk__in=[c.ticket_id for c, _ in answered]).values_list(
            "pk", "first_response_at"
        )
    )
    assert recorded[answered[0][0].ticket_id] == answered[0][1].created_at
    assert recorded[answered[2][0].ticket_id] == answered[2][1].created_at
    assert recorded[broken] is None
    assert services.first_response_pending(answered[1][0])  # a later answer of that chat records it

    assert services.record_first_responses([answered[1]]) == [None]
    assert Ticket.objects.get(pk=broken).first_response_at == answered[1][1].created_at
