"""/manage/routing/: supervisors list, add, edit, reorder and delete intake rules, try them on a sample
without changing anything, and retrain the classifier; agents and other teams' staff get 403."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.audit.models import AuditEntry
from kefu.routing.models import ClassifierModel, IntakeRule
from kefu.tests.factories import TicketFactory
from kefu.tickets.models import Message, Ticket

from .conftest import make_rule

pytestmark = pytest.mark.django_db

PAGES = ["/manage/routing/", "/manage/routing/new/", "/manage/routing/test/"]


@pytest.mark.parametrize("url", PAGES)
def test_agents_and_staff_of_other_teams_may_not_open_the_routing_pages(client, agent, outsider, url):
    for person in (agent, outsider):
        client.force_login(person)
        assert client.get(url).status_code == 403


def test_agents_cannot_change_rules_by_posting(client, agent, order):
    rule = make_rule(name="keep", set_category=order)
    client.force_login(agent)

    assert client.post(f"/manage/routing/{rule.pk}/delete/").status_code == 403
    assert client.post("/manage/routing/retrain/").status_code == 403
    assert IntakeRule.objects.filter(pk=rule.pk).exists()


@pytest.mark.parametrize("url", PAGES)
def test_supervisors_open_the_routing_pages(client, supervisor, url):
    client.force_login(supervisor)

    assert client.get(url).status_code == 200


def test_the_rules_list_costs_the_same_queries_for_one_rule_or_many(
    client, supervisor, order, complaints_team, urgent, agent
):
    client.force_login(supervisor)
    make_rule(name="r0", words=["投诉"], set_category=order, set_team=complaints_team, set_priority=urgent,
              set_assignee=agent)
    client.get("/manage/routing/")  # warm the session and permission caches
    with CaptureQueriesContext(connection) as one:
        client.get("/manage/routing/")
    for n in range(5):
        make_rule(name=f"r{n + 1}", channels=["email"], tiers=["vip"], set_category=order, set_team=complaints_team,
                  set_priority=urgent, set_assignee=agent, add_tags=["x"])

    with CaptureQueriesContext(connection) as many:
        response = client.get("/manage/routing/")

    assert response.status_code == 200 and "r5" in response.content.decode()
    assert len(many) == len(one)


def test_the_rules_list_query_count_is_pinned(client, supervisor, order, django_assert_num_queries):
    client.force_login(supervisor)
    make_rule(name="r", set_category=order)
    client.get("/manage/routing/")

    # user, the permission lookup, the user's roles (menu), rules with their actions' objects, the model, the
    # last training (the session comes from the cache)
    with django_assert_num_queries(6):
        client.get("/manage/routing/")


def test_a_supervisor_adds_a_rule_with_chinese_words_and_it_is_audited(client, supervisor, complaint, urgent):
    client.force_login(supervisor)

    response = client.post("/manage/routing/new/", {
        "name": "投诉优先", "is_active": "on", "channels": ["email", "web"], "words": "投诉\n差评，refund",
        "match_in": "both", "set_category": complaint.pk, "set_priority": urgent.pk, "add_tags": "投诉, 加急",
        "stop": "on", "time_from": "22:00", "time_to": "06:00",
    })

    assert response.status_code == 302
    rule = IntakeRule.objects.get(name="投诉优先")
    assert rule.words == ["投诉", "差评", "refund"] and rule.add_tags == ["投诉", "加急"]
    assert rule.channels == ["email", "web"] and rule.set_category == complaint and rule.stop
    assert AuditEntry.objects.filter(action="routing.rule.create", object_id=str(rule.pk)).exists()


@pytest.mark.parametrize("pattern", ["(unclosed", "a" * 201])
def test_a_bad_regular_expression_is_refused_next_to_its_field(client, supervisor, pattern):
    client.force_login(supervisor)

    response = client.post("/manage/routing/new/", {"name": "bad", "match_in": "both", "pattern": pattern})

    assert response.status_code == 400
    assert not IntakeRule.objects.exists()


def test_editing_keeps_the_rules_position_and_shows_its_values(client, supervisor, order):
    rule = make_rule(name="旧名", words=["退款"], set_category=order)
    client.force_login(supervisor)
    assert "退款" in client.get(f"/manage/routing/{rule.pk}/").content.decode()

    client.post(f"/manage/routing/{rule.pk}/", {"name": "新名", "match_in": "subject", "words": "退货"})

    rule.refresh_from_db()
    assert (rule.name, rule.words, rule.match_in, rule.set_category, rule.is_active) == (
        "新名", ["退货"], "subject", None, False)


def test_moving_a_rule_down_swaps_it_with_the_next_one(client, supervisor):
    first, second, third = (make_rule(name=n) for n in ("a", "b", "c"))
    client.force_login(supervisor)

    client.post(f"/manage/routing/{first.pk}/move/", {"direction": "down"})

    assert list(IntakeRule.objects.values_list("name", flat=True)) == ["b", "a", "c"]
    client.post(f"/manage/routing/{third.pk}/move/", {"direction": "up"})
    assert list(IntakeRule.objects.values_list("name", flat=True)) == ["b", "c", "a"]


def test_deleting_a_rule(client, supervisor):
    rule = make_rule(name="gone")
    client.force_login(supervisor)

    response = client.post(f"/manage/routing/{rule.pk}/delete/")

    assert response.status_code == 302 and not IntakeRule.objects.exists()


def test_trying_a_sample_shows_which_rules_match_and_what_they_would_set_without_changing_anything(
    client, supervisor, complaint, complaints_team, customer
):
    make_rule(name="投诉规则", words=["投诉"], set_category=complaint, set_team=complaints_team)
    make_rule(name="微信规则", channels=["wechat"], add_tags=["微信"])
    make_rule(name="全部", add_tags=["all"])  # matches, but the first rule stops the run
    make_rule(name="已关闭", is_active=False, words=["投诉"], add_tags=["off"])
    ticket = TicketFactory(customer=customer)
    before = (Ticket.objects.count(), Message.objects.count(), IntakeRule.objects.count(), AuditEntry.objects.count())
    client.force_login(supervisor)

    response = client.post("/manage/routing/test/", {"subject": "我要投诉", "body": "快递员态度差", "channel": "email",
                                                      "tier": "normal"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "投诉处理组" in page
    verdicts = [v for v in ("applies", "no", "stopped", "off") if f'data-verdict="{v}"' in page]
    assert verdicts == ["applies", "no", "stopped", "off"]
    assert page.count('data-verdict="applies"') == 1
    after = (Ticket.objects.count(), Message.objects.count(), IntakeRule.objects.count(), AuditEntry.objects.count())
    assert after == before
    ticket.refresh_from_db()
    assert ticket.category is None


def test_an_empty_sample_is_refused(client, supervisor):
    client.force_login(supervisor)

    assert client.post("/manage/routing/test/", {"channel": "email", "tier": "normal"}).status_code == 400


def test_the_classifier_card_shows_the_current_models_scores(client, supervisor):
    ClassifierModel.objects.create(version=4, blob=b"", trained_at="2026-11-30T01:00:00Z", n=1234,
                                   category_accuracy=0.873, category_macro_f1=0.81, category_test_n=247)
    client.force_login(supervisor)

    page = client.get("/manage/routing/").content.decode()

    assert "1234" in page and "87%" in page and "81%" in page
