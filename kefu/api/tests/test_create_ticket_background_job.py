"""Opening a ticket through the API queues one background job (routing, SLA clocks, notifications), not
one per event: each queued job costs the request a Redis round trip and the worker its own overhead."""

import uuid

import pytest

from kefu.core import tasks
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/"


@pytest.fixture
def queued_jobs(monkeypatch) -> list[list]:
    """What would go to Redis: each job is a list of [event path, fields, listener paths]."""
    jobs: list[list] = []
    monkeypatch.setattr(tasks.run_listener_batch, "delay", jobs.append)
    return jobs


@pytest.mark.parametrize("idempotency_key", [None, "retry-safe"], ids=["plain", "with Idempotency-Key"])
def test_a_new_ticket_queues_one_job_for_both_of_its_events(
    api, customer, queued_jobs, django_capture_on_commit_callbacks, idempotency_key
):
    headers = {"HTTP_IDEMPOTENCY_KEY": f"{idempotency_key}-{uuid.uuid4()}"} if idempotency_key else {}

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            URL, {"subject": "订单未发货", "customer_email": "chen@example.com"}, format="json", **headers
        )

    assert response.status_code == 201
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert len(queued_jobs) == 1
    events = [(path.rsplit(".", 1)[1], fields["ticket_id"]) for path, fields, _listeners in queued_jobs[0]]
    assert events == [("TicketCreated", ticket.pk), ("MessageAdded", ticket.pk)]
    assert "kefu.routing.listeners.ticket_created" in queued_jobs[0][0][2]


def test_a_refused_ticket_queues_nothing(api, queued_jobs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(URL, {"subject": "  ", "customer_email": "chen@example.com"}, format="json")

    assert response.status_code == 400
    assert queued_jobs == []
