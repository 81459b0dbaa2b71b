"""GET /agent/export.csv: the queue's filtered tickets as a CSV file for the roles that report on every ticket."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from kefu.audit.models import AuditEntry
from kefu.tests.factories import CustomerFactory, TicketFactory

pytestmark = pytest.mark.django_db

URL = reverse("workspace:export")


def _table(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads the file as UTF-8 only with the mark
    return list(csv.reader(io.StringIO(body[1:])))


def test_a_supervisor_exports_the_filtered_tickets_in_their_time_zone(
    login, supervisor, front_line, customer
):
    created = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)  # 00:30 the next day in Shanghai
    wanted = TicketFactory(
        customer=customer, team=front_line, status="open", subject="发票抬头错了", created_at=created
    )
    TicketFactory(customer=customer, team=front_line, status="solved")

    response = login(supervisor).get(URL, {"view": "all", "status": "open"})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = _table(response)
    assert header[:3] == ["Ticket number", "Subject", "Status"] and len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert (row["Ticket number"], row["Subject"], row["Status"]) == (str(wanted.pk), "发票抬头错了", "Open")
    assert row["Created at"] == "2026-12-01 00:30" and row["Customer"] == customer.name


def test_a_subject_a_spreadsheet_would_run_as_a_formula_is_quoted(login, supervisor, front_line):
    TicketFactory(
        customer=CustomerFactory(name="=HYPERLINK(1)"), team=front_line, subject="=1+1", status="open"
    )

    header, row = _table(login(supervisor).get(URL, {"view": "all"}))

    assert row[header.index("Subject")] == "'=1+1" and row[header.index("Customer")] == "'=HYPERLINK(1)"


def test_no_customer_contact_details_go_out(login, supervisor, front_line):
    customer = CustomerFactory(name="李雷", email="lilei@example.com")
    TicketFactory(customer=customer, team=front_line, status="open")

    body = b"".join(login(supervisor).get(URL, {"view": "all"}).streaming_content)

    assert "李雷".encode() in body and b"lilei@example.com" not in body


def test_each_export_is_audited_with_its_filters(login, supervisor):
    login(supervisor).get(URL, {"view": "all", "status": "open"})

    entry = AuditEntry.objects.get(action="tickets.export")
    assert entry.actor == supervisor and "status=open" in entry.changes["filters"][1]


def test_agents_may_not_export_and_see_no_export_link(login, agent, supervisor, ticket):
    assert login(agent).get(URL).status_code == 403
    assert b"data-export" not in login(agent).get(reverse("workspace:home"), {"view": "all"}).content
    assert b"data-export" in login(supervisor).get(reverse("workspace:home"), {"view": "all"}).content


def test_a_bad_filter_is_a_clear_400_not_a_file(login, supervisor):
    response = login(supervisor).get(URL, {"view": "all", "category": "x"})

    assert response.status_code == 400 and not response.streaming


def test_past_the_limit_the_file_says_it_holds_only_the_first_tickets(
    login, supervisor, front_line, customer, monkeypatch
):
    from kefu.workspace import export

    monkeypatch.setattr(export, "EXPORT_LIMIT", 2)
    TicketFactory.create_batch(3, customer=customer, team=front_line, status="open")

    header, *rows = _table(login(supervisor).get(URL, {"view": "all"}))

    assert len(rows) == 3 and len(rows[0]) == len(rows[1]) == len(header)
    assert rows[2] == [
        "More than 2 tickets match: this file holds the first 2. Narrow the filters to export the rest."
    ]


def test_a_search_that_read_only_part_of_its_matches_is_not_exported_as_if_complete(
    login, supervisor, monkeypatch
):
    from kefu.tickets.models import Ticket
    from kefu.workspace.views import queue

    monkeypatch.setattr(queue, "filtered_tickets", lambda user, data, options: (Ticket.objects.all(), True))

    response = login(supervisor).get(URL, {"view": "all", "q": "退款"})

    assert response.status_code == 400 and b"add a word" in response.content
    assert not AuditEntry.objects.filter(action="tickets.export").exists()


def test_the_embedded_asgi_server_streams_the_file_too(supervisor, front_line, customer):
    """Under ASGI (the embedded `make demo` server) the file comes as an async stream, not read whole first."""
    from asgiref.sync import async_to_sync
    from django.test import AsyncClient

    TicketFactory(customer=customer, team=front_line, status="open", subject="异步导出")
    client = AsyncClient(headers={"Accept-Language": "en"})

    async def fetch():
        await client.aforce_login(supervisor)
        response = await client.get(URL, {"view": "all"})
        return response, b"".join([chunk async for chunk in response.streaming_content])

    response, body = async_to_sync(fetch)()

    assert response.status_code == 200 and response.is_async
    assert body.startswith("\ufeff".encode()) and "异步导出".encode() in body
