"""A ticket that becomes solved gets one survey per solve: not on other changes, not twice for a retried
event, a new one after a reopen (closing the old link), none for customers we cannot reach."""

import pytest

from kefu.customers.models import Identity
from kefu.surveys import services
from kefu.surveys.listeners import ticket_solved
from kefu.surveys.models import Survey
from kefu.tests.factories import CustomerFactory, TicketFactory
from kefu.tickets.events import MessageAdded, TicketUpdated
from kefu.tickets.models import Status
from kefu.tickets.services import TicketChanges, add_customer_message, add_reply, change_status, update_ticket

from .helpers import committed, solve

pytestmark = pytest.mark.django_db


def test_solving_a_ticket_opens_one_survey_for_that_solve(ticket, agent):
    with committed():
        change_status(ticket=ticket, actor=agent, status=Status.SOLVED)

    ticket.refresh_from_db()
    [survey] = Survey.objects.all()
    assert survey.ticket == ticket and survey.solved_at == ticket.solved_at
    assert survey.team_id == ticket.team_id
    assert len(survey.token) >= 32 and survey.answered_at is None
    assert (survey.expires_at - survey.solved_at).days == 7


def test_other_changes_open_no_survey(ticket, agent):
    with committed():
        update_ticket(ticket=ticket, actor=agent, changes=TicketChanges(add_tags=["催单"]))
        change_status(ticket=ticket, actor=agent, status=Status.PENDING)
        add_reply(ticket=ticket, actor=agent, text="请问还有其他问题吗？")

    assert not Survey.objects.exists()


def test_a_retried_event_and_later_changes_of_the_solved_ticket_add_no_second_survey(ticket, agent):
    ticket = solve(ticket, agent)
    event = TicketUpdated(ticket_id=ticket.pk, fields=("status",), actor_id=agent.pk)

    ticket_solved(event)  # the background job retried
    ticket_solved(event)
    with committed():
        update_ticket(ticket=ticket, actor=agent, changes=TicketChanges(add_tags=["表扬"]))
        change_status(ticket=ticket, actor=agent, status=Status.CLOSED)  # closing keeps the solve

    assert Survey.objects.filter(ticket=ticket).count() == 1


def test_a_reply_that_solves_the_ticket_opens_the_survey(ticket, agent):
    with committed():
        add_reply(ticket=ticket, actor=agent, text="已为您退款。", status=Status.SOLVED)

    assert Survey.objects.filter(ticket=ticket).count() == 1


def test_a_reopened_and_solved_again_ticket_gets_a_new_survey_and_the_old_link_closes(ticket, agent):
    ticket = solve(ticket, agent)
    first = Survey.objects.get(ticket=ticket)
    with committed():
        add_customer_message(ticket=ticket, text="还是不行")  # the customer writes again: reopened

    ticket = solve(ticket, agent)

    second = Survey.objects.exclude(pk=first.pk).get(ticket=ticket)
    first.refresh_from_db()
    assert second.solved_at == ticket.solved_at and second.token != first.token
    assert services.is_open(second) and not services.is_open(first)


def test_a_customer_we_cannot_reach_is_not_surveyed(agent, front_line):
    unreachable = CustomerFactory(name="Walk-in")
    Identity.objects.filter(customer=unreachable).delete()  # no e-mail address, no portal login
    ticket = TicketFactory(customer=unreachable, team=front_line, channel="phone")

    solve(ticket, agent)

    assert not Survey.objects.exists()


def test_a_portal_customer_without_e_mail_is_surveyed(agent, front_line, customer_user, customer, ticket):
    Identity.objects.filter(customer=customer).delete()  # reachable through the portal only

    solve(ticket, agent)

    assert Survey.objects.filter(ticket=ticket).count() == 1


def test_a_note_or_a_closed_ticket_event_opens_nothing(ticket, agent):
    with committed():
        change_status(ticket=ticket, actor=agent, status=Status.CLOSED)  # closed without a solve
    ticket_solved(MessageAdded(ticket_id=ticket.pk, message_id=1, kind="note", actor_id=agent.pk))
    ticket_solved(TicketUpdated(ticket_id=ticket.pk, fields=("status",)))

    assert not Survey.objects.exists()
