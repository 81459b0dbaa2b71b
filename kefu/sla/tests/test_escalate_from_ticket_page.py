"""Agents escalate a ticket from its page with one click and a reason; everyone sees the level."""

import pytest
from django.urls import reverse

from kefu.sla.models import Escalation, Level
from kefu.sla.services import escalate_ticket, escalation_targets

pytestmark = pytest.mark.django_db


def escalate_url(ticket) -> str:
    return reverse("workspace:escalate", args=[ticket.pk])


def test_one_click_with_a_reason_moves_the_ticket_to_senior_agents(login, agent, ticket):
    response = login(agent).post(escalate_url(ticket), {"reason": "客户第三次来电，情绪激动"})

    assert response.status_code == 302
    escalation = Escalation.objects.get(ticket=ticket)
    assert (escalation.from_level, escalation.to_level) == (Level.L1, Level.L2)
    assert escalation.actor == agent and escalation.reason == "客户第三次来电，情绪激动"


def test_the_second_click_goes_to_a_supervisor_and_then_no_further(login, agent, ticket):
    client = login(agent)
    client.post(escalate_url(ticket), {"reason": "first"})
    client.post(escalate_url(ticket), {"reason": "second"})
    response = client.post(escalate_url(ticket), {"reason": "third"})

    assert response.status_code == 400
    assert list(Escalation.objects.order_by("id").values_list("to_level", flat=True)) == [
        Level.L2,
        Level.SUPERVISOR,
    ]


def test_a_reason_is_required(login, agent, ticket):
    response = login(agent).post(escalate_url(ticket), {"reason": "   "})

    assert response.status_code == 400
    assert not Escalation.objects.exists()


def test_an_agent_of_another_team_cannot_escalate_the_ticket(login, outsider, ticket):
    response = login(outsider).post(escalate_url(ticket), {"reason": "x"})

    assert response.status_code == 404
    assert not Escalation.objects.exists()


def test_the_ticket_page_shows_the_level_and_the_escalation_as_a_sentence(login, agent, teammate, ticket):
    escalate_ticket(ticket=ticket, actor=agent, reason="客户要求主管处理")

    body = login(teammate).get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()

    assert 'data-level="L2"' in body
    assert "王芳 escalated the ticket from Level 1 to Level 2 (senior agents): 客户要求主管处理" in body
    assert "Escalate to a supervisor" in body


def test_automatic_reasons_read_as_sentences_in_chinese(login, agent, ticket):
    escalate_ticket(ticket=ticket, actor=None, reason="sla:first_response")

    body = login(agent, "zh-hans").get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()

    assert "sla:first_response" not in body.split('id="timeline"')[1].split("</ol>")[0]
    assert 'data-level="L2"' in body


def test_an_unescalated_ticket_offers_escalation_to_senior_agents(login, agent, ticket):
    body = login(agent).get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()

    assert "data-level=" not in body
    assert "Escalate to senior agents" in body


def test_level_two_goes_to_the_team_senior_agents_and_lead_and_the_top_to_its_supervisors(
    ticket, front_line, agent, senior, supervisor, teammate, outsider
):
    front_line.lead = teammate
    front_line.save()

    assert set(escalation_targets(ticket, Level.L2)) == {teammate, senior}
    assert set(escalation_targets(ticket, Level.SUPERVISOR)) == {teammate, supervisor}


def test_without_anyone_senior_in_the_team_every_supervisor_is_the_target(ticket, agent, admin_user):
    from kefu.accounts import roles
    from kefu.tests.factories import UserFactory

    elsewhere = UserFactory(username="boss", roles=[roles.SUPERVISOR])

    assert escalation_targets(ticket, Level.L2) == [elsewhere]
