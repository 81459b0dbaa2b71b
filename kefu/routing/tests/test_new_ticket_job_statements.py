"""What the background job after a ticket opened through the API costs the database, listener by listener.

The job (kefu.core.events: one per transaction) routes the ticket (rules, classifier), starts its SLA
clocks, gives it to an agent, indexes its words and tells the new assignee. Each listener's statements for
one new ticket are pinned here, so a change that adds a query per ticket shows up as a failing test; the
counts are those of a test's transaction (savepoints instead of BEGIN/COMMIT).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.module_loading import import_string
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kefu.accounts import roles
from kefu.accounts.models import AssignmentStrategy, Presence
from kefu.core import config_cache, tasks
from kefu.notifications.models import Kind, Notification
from kefu.routing import services
from kefu.sla.services import ensure_default_policies
from kefu.tests.factories import CategoryFactory, TeamFactory, TicketFactory, UserFactory
from kefu.tickets.models import Ticket

from .samples import examples

pytestmark = pytest.mark.django_db

# (event, listener) → statements for one new ticket, in the order the job runs them.
PINNED = {
    ("TicketCreated", "kefu.sla.listeners.ticket_created"): 5,
    ("TicketCreated", "kefu.routing.listeners.ticket_created"): 18,
    ("TicketCreated", "kefu.routing.listeners.fill_pool_of_new_ticket"): 17,
    # SQLite: the text is read before the write lock (to tokenize outside it) and again under it.
    ("MessageAdded", "kefu.tickets.listeners.index_for_search"): 8 if connection.vendor == "sqlite" else 6,
    ("MessageAdded", "kefu.sla.listeners.message_added"): 0,
    ("MessageAdded", "kefu.sla.listeners.maybe_reopened"): 0,  # a ticket's first message reopens nothing
    # With an assignee to tell: whether a retried job told them already (they are told once).
    ("MessageAdded", "kefu.notifications.listeners.message_added"): 8,
    ("TicketUpdated", "kefu.tickets.listeners.index_for_search"): 0,
    ("TicketUpdated", "kefu.sla.listeners.ticket_updated"): 4,
    ("TicketUpdated", "kefu.sla.listeners.maybe_reopened"): 0,
    ("TicketUpdated", "kefu.routing.listeners.ticket_moved_or_done"): 1,
    ("TicketAssigned", "kefu.notifications.listeners.ticket_assigned"): 6,
    ("TicketAssigned", "kefu.routing.listeners.agent_assigned"): 0,
    ("MessageAdded", "kefu.surveys.listeners.ticket_solved"): 0,  # not a reply: nothing to read
    ("TicketUpdated", "kefu.surveys.listeners.ticket_solved"): 0,  # not a status change
}


@pytest.fixture
def routed_desk(customer, front_line):
    """Teams that assign automatically to online agents, default SLA policies, a trained classifier."""
    ensure_default_policies()
    front_line.is_default = True
    front_line.save()
    teams = {label: TeamFactory(name=f"{label}组", name_en=label) for label in ("order", "complaint", "tech")}
    categories = {label: CategoryFactory(code=label, name=label) for label in teams}
    for team in [front_line, *teams.values()]:
        team.assignment_strategy = AssignmentStrategy.LEAST_OPEN
        team.lead = UserFactory(roles=[roles.SENIOR_AGENT], teams=[team])
        team.save()
        UserFactory(roles=[roles.AGENT], teams=[team], presence=Presence.ONLINE)
    for text, label in examples():
        TicketFactory(customer=customer, subject=text[:20], first_message=text, status="solved",
                      category=categories[label], team=teams[label])
    services.retrain_classifier()
    return teams


def _run_jobs(queued: list, capture) -> dict[tuple[str, str], list[int]]:
    """Run the captured jobs (and those they queue) listener by listener, counting each one's statements
    (not those of the live pushes its commit triggers: they belong to kefu.realtime)."""
    counts: dict[tuple[str, str], list[int]] = {}
    while queued:
        for event_path, fields, listener_paths in queued.pop(0):
            event_type = import_string(event_path)
            event = event_type(**{k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()})
            for path in listener_paths:
                with capture(execute=True), CaptureQueriesContext(connection) as ctx:
                    import_string(path)(event)
                counts.setdefault((event_type.__name__, path), []).append(len(ctx.captured_queries))
    return counts


def _open_ticket(agent, subject: str, text: str, capture) -> list:
    """Open a ticket through the API as `agent`; returns the background jobs it queued (not run)."""
    queued: list = []
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=agent)[0].key}")
    original = tasks.run_listener_batch.delay
    tasks.run_listener_batch.delay = queued.append
    try:
        with capture(execute=True):
            response = client.post(
                "/api/v1/tickets/",
                {"subject": subject, "text": text, "customer_email": "chen@example.com"},
                format="json",
            )
    finally:
        tasks.run_listener_batch.delay = original
    assert response.status_code == 201
    return queued


def test_each_listener_of_a_new_tickets_job_runs_its_pinned_number_of_statements(
    routed_desk, agent, monkeypatch, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    config_cache.settle()  # the set-up's configuration is committed, as in a running worker
    # A first ticket warms the per-process caches, as in a running worker.
    _run_jobs(_open_ticket(agent, "投诉", "快递员态度恶劣，我要投诉！", capture), capture)
    queued = _open_ticket(agent, "订单", "我的订单还没有发货", capture)
    monkeypatch.setattr(tasks.run_listener_batch, "delay", queued.append)  # and the jobs the job queues

    counts = _run_jobs(queued, capture)

    ticket = Ticket.objects.order_by("-pk").first()
    assert ticket.team_id == routed_desk["order"].pk and ticket.assignee_id is not None  # it went all the way
    assert Notification.objects.filter(ticket=ticket, kind=Kind.ASSIGNED, recipient=ticket.assignee).exists()
    assert {key: max(n) for key, n in counts.items()} == PINNED
