"""Many new tickets' background jobs run together (as `kefu worker` drains them) end as each run alone would:
the same category, team, assignee, SLA clocks, notifications, timeline events and search words; a batch run
again changes nothing; two workers running the same batch at once assign nobody twice."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kefu.accounts import roles
from kefu.accounts.models import AssignmentStrategy, Presence
from kefu.core import config_cache, tasks
from kefu.core.events import run_queued_batch, run_queued_batches
from kefu.notifications.models import Notification
from kefu.routing.models import RoutingDecision
from kefu.sla.models import TicketSla
from kefu.sla.services import ensure_default_policies
from kefu.tests.factories import UserFactory
from kefu.tickets.models import Message, MessageKind, Ticket, TicketSearchEntry

from .conftest import make_rule
from .test_new_ticket_job_statements import routed_desk  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

TEXTS = [
    ("订单", "我的订单还没有发货，请尽快处理"),
    ("投诉", "快递员态度恶劣我要投诉！"),
    ("登录", "APP登录不了密码错误"),
    ("Order", "Where is my order shipping please help"),
    ("投诉", "对服务非常不满意投诉，谢谢"),
    ("查询", "查询订单物流信息"),
    ("App", "the app crashes on login thanks"),
]


@pytest.fixture
def queued(monkeypatch) -> list:
    """The background jobs queued (not run): each transaction's, as the worker would get them."""
    jobs: list = []
    monkeypatch.setattr(tasks.run_listener_batch, "delay", jobs.append)
    return jobs


def _open_tickets(agent, capture, texts=TEXTS) -> list[int]:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=agent)[0].key}")
    ids = []
    for n, (subject, text) in enumerate(texts):
        with capture(execute=True):
            response = client.post(
                "/api/v1/tickets/",
                {"subject": subject, "text": text, "customer_email": f"c{n % 3}@example.com"},
                format="json",
            )
        assert response.status_code == 201
        ids.append(response.json()["id"])
    return ids


def _one_by_one(jobs: list) -> None:
    for job in jobs:
        run_queued_batch(job)


def _drain(queued: list, run, capture) -> None:
    """Run the queued jobs with `run`, then the jobs they queue, and so on, as a worker would."""
    while queued:
        jobs = queued[:]
        queued.clear()
        with capture(execute=True):
            run(jobs)


def _outcome(ids: list[int]) -> dict:
    """Everything a new ticket's job decides or writes, comparable between runs."""
    tickets = Ticket.objects.filter(pk__in=ids).prefetch_related("tags")
    return {
        "tickets": {
            t.pk: (
                t.category_id,
                t.team_id,
                t.assignee_id,
                t.priority_id,
                t.severity,
                t.status,
                sorted(tag.name for tag in t.tags.all()),
            )
            for t in tickets
        },
        "clocks": {
            row[0]: row[1:]
            for row in TicketSla.objects.filter(ticket_id__in=ids).values_list(
                "ticket_id",
                "policy_id",
                "first_response_warn_at",
                "first_response_due",
                "resolution_warn_at",
                "resolution_due",
                "escalation_due",
                "next_deadline",
                "paused_since",
                "paused_seconds",
            )
        },
        "decisions": {
            row[0]: row[1:]
            for row in RoutingDecision.objects.filter(ticket_id__in=ids).values_list(
                "ticket_id", "rules", "model_version", "predicted_category", "predicted_team", "needs_triage"
            )
        },
        "search": dict(
            TicketSearchEntry.objects.filter(ticket_id__in=ids).values_list("ticket_id", "tokens")
        ),
        "notifications": Counter(
            Notification.objects.filter(ticket_id__in=ids).values_list("ticket_id", "recipient_id", "kind")
        ),
        "events": Counter(
            Message.objects.filter(ticket_id__in=ids, kind=MessageKind.EVENT).values_list(
                "ticket_id", "event_type"
            )
        ),
    }


@pytest.fixture
def capped_desk(routed_desk, front_line, monkeypatch):  # noqa: F811 - the imported fixture
    """The routed desk with an intake rule, and teams whose agents may hold one open ticket each."""
    make_rule(name="投诉加急", words=["投诉"], add_tags=["投诉"], set_severity="major")
    for team in [front_line, *routed_desk.values()]:
        team.max_open_per_agent = 1
        team.save()
    UserFactory(roles=[roles.AGENT], teams=[routed_desk["order"]], presence=Presence.ONLINE)
    config_cache.settle()  # the set-up's configuration is committed, as in a running worker
    return routed_desk


def test_new_tickets_jobs_run_together_end_as_run_one_by_one(
    capped_desk, agent, queued, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    ids = _open_tickets(agent, capture)
    jobs = queued[:]
    before = transaction.savepoint_create()

    _drain(queued, _one_by_one, capture)
    alone = _outcome(ids)
    transaction.savepoint_rollback(before)
    queued[:] = jobs
    _drain(queued, run_queued_batches, capture)
    together = _outcome(ids)

    assert together == alone
    # and the run did decide things: routed, clocks started, words indexed, some assigned, some waiting
    assert len(together["decisions"]) == len(together["clocks"]) == len(together["search"]) == len(ids)
    assignees = [t[2] for t in together["tickets"].values()]
    assert any(assignees) and not all(assignees)
    assert together["notifications"]


def test_a_batch_run_again_changes_nothing(capped_desk, agent, queued, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    ids = _open_tickets(agent, capture)
    jobs = queued[:]
    _drain(queued, run_queued_batches, capture)
    first = _outcome(ids)

    queued[:] = jobs  # the same batch delivered again (a worker lost before acknowledging it)
    _drain(queued, run_queued_batches, capture)

    assert _outcome(ids) == first


def test_without_rules_or_model_a_batch_costs_the_same_statements_for_three_or_six_tickets(
    agent, front_line, queued, django_capture_on_commit_callbacks, monkeypatch
):
    capture = django_capture_on_commit_callbacks
    ensure_default_policies()
    config_cache.settle()
    _open_tickets(agent, capture, TEXTS[:1])
    _drain(queued, run_queued_batches, capture)  # warms the per-process copies, as in a running worker
    counts = []
    for size in (3, 6):
        ids = _open_tickets(agent, capture, TEXTS[:size])
        with CaptureQueriesContext(connection) as statements:
            _drain(queued, run_queued_batches, capture)
        counts.append(len(statements.captured_queries))
        outcome = _outcome(ids)
        assert len(outcome["decisions"]) == len(outcome["clocks"]) == len(outcome["search"]) == size

    assert counts[0] == counts[1]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs real concurrent connections (PostgreSQL)"
)
def test_two_workers_running_the_same_batch_at_once_assign_each_ticket_once(front_line, agent, queued):
    # given a round-robin team of three agents holding two tickets each at most, and ten new tickets' jobs
    ensure_default_policies()
    front_line.assignment_strategy, front_line.max_open_per_agent = AssignmentStrategy.ROUND_ROBIN, 2
    front_line.save()
    agents = [
        UserFactory(roles=[roles.AGENT], teams=[front_line], presence=Presence.ONLINE) for _ in range(3)
    ]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=agent)[0].key}")
    for n in range(10):
        body = {
            "subject": f"工单{n}",
            "text": "订单没有发货",
            "customer_email": "c@example.com",
            "team": front_line.pk,
        }
        assert client.post("/api/v1/tickets/", body, format="json").status_code == 201
    jobs = queued[:]
    queued.clear()

    # when two workers run the batch at the same moment (a redelivery racing the first delivery)
    barrier, errors = threading.Barrier(2), []

    def work() -> None:
        try:
            barrier.wait()
            run_queued_batches(jobs)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then every agent holds two tickets, four wait, and nobody was assigned twice
    assert errors == []
    ids = list(Ticket.objects.filter(subject__startswith="工单").values_list("pk", flat=True))
    loads = Counter(Ticket.objects.filter(pk__in=ids).values_list("assignee_id", flat=True))
    assert loads == Counter({**{a.pk: 2 for a in agents}, None: 4})
    assigned = Counter(
        Message.objects.filter(ticket_id__in=ids, event_type="assigned").values_list("ticket_id", flat=True)
    )
    assert set(assigned.values()) == {1}
    assert RoutingDecision.objects.filter(ticket_id__in=ids).count() == 10
    assert TicketSla.objects.filter(ticket_id__in=ids).count() == 10
    assert TicketSearchEntry.objects.filter(ticket_id__in=ids).count() == 10
