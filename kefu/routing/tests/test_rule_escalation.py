"""An intake rule can send a new ticket straight to a higher service level (L2 or a supervisor)."""

import pytest
from django.utils import translation

from kefu.audit.models import AuditEntry
from kefu.routing import rules, services
from kefu.routing.models import IntakeRule
from kefu.sla.models import Escalation
from kefu.sla.texts import reason_text
from kefu.tests.factories import TicketFactory

from .conftest import make_rule

pytestmark = pytest.mark.django_db


def test_the_first_rule_that_escalates_decides_the_level():
    l2 = rules.Actions(escalate_to="L2")
    supervisor = rules.Actions(escalate_to="supervisor", tags=("x",))

    assert rules.merge([rules.Actions(), l2, supervisor]) == rules.Actions(escalate_to="L2", tags=("x",))


def test_a_matching_rule_escalates_the_new_ticket_once_with_the_rule_named_as_reason(
    customer, complaint, django_capture_on_commit_callbacks
):
    make_rule(name="重大投诉", words=["媒体曝光"], set_category=complaint, escalate_to="supervisor")
    ticket = TicketFactory(customer=customer, subject="再不处理我就找媒体曝光")

    with django_capture_on_commit_callbacks(execute=True):
        services.route_new_ticket(ticket_id=ticket.pk)
        services.route_new_ticket(ticket_id=ticket.pk)  # a retried job: routed once

    escalation = Escalation.objects.get(ticket=ticket)
    assert (escalation.to_level, escalation.actor, escalation.reason) == ("supervisor", None, "rule:重大投诉")
    with translation.override("zh-hans"):
        assert reason_text(escalation.reason) == "接入规则“重大投诉”"
    with translation.override("en"):
        assert reason_text(escalation.reason) == "intake rule “重大投诉”"


def test_a_rule_that_does_not_match_escalates_nothing(customer):
    make_rule(name="重大投诉", words=["媒体曝光"], escalate_to="L2")
    ticket = TicketFactory(customer=customer, subject="发票抬头写错了")

    services.route_new_ticket(ticket_id=ticket.pk)

    assert not Escalation.objects.filter(ticket=ticket).exists()


def test_a_supervisor_sets_the_escalation_in_the_rule_form_and_sees_it_in_the_list_and_the_tester(
    client, supervisor
):
    client.force_login(supervisor)

    response = client.post("/manage/routing/new/", {
        "name": "媒体", "is_active": "on", "words": "媒体曝光", "match_in": "both", "escalate_to": "L2", "stop": "on",
    })

    assert response.status_code == 302
    rule = IntakeRule.objects.get(name="媒体")
    assert rule.escalate_to == "L2"
    assert AuditEntry.objects.get(action="routing.rule.create", object_id=str(rule.pk)).changes["escalate_to"][1] == "L2"
    with translation.override("en"):
        assert "Escalate to: Level 2 (senior agents)" in " ".join(
            client.get("/manage/routing/", HTTP_ACCEPT_LANGUAGE="en").content.decode().split()
        )
        tried = client.post("/manage/routing/test/", {"subject": "要找媒体曝光", "body": "", "channel": "email",
                                                       "tier": "normal"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Escalate to: Level 2 (senior agents)" in " ".join(tried.content.decode().split())
