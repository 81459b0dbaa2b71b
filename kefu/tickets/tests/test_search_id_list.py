"""A search that matches many tickets hands their ids to the next statement as one parameter (an array on
PostgreSQL, JSON text on SQLite), not one placeholder each, and still finds every one of them in order."""

import pytest
from django.db import connection, transaction

from kefu.tests.factories import CustomerFactory, TicketFactory
from kefu.tickets.access import visible_tickets
from kefu.tickets.models import Ticket
from kefu.tickets.search import filter_tickets, search_tickets

pytestmark = pytest.mark.django_db


def test_many_matching_ids_travel_as_one_parameter(supervisor, customer, front_line):
    """60 matches: both id reads are right, and neither statement compiles 60 placeholders."""
    matching = [TicketFactory(customer=customer, team=front_line, subject="退款 申请") for _ in range(60)]
    TicketFactory(customer=customer, team=front_line, subject="发票")

    statements = []

    def record(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        narrowed, _capped = filter_tickets(visible_tickets(supervisor), "退款")
        found = list(narrowed.order_by("-id").values_list("pk", flat=True))

    assert found == sorted((t.pk for t in matching), reverse=True)
    ticket_reads = [(sql, params) for sql, params in statements if 'FROM "tickets_ticket"' in sql]
    assert len(ticket_reads) == 2
    assert all(len(params) < 10 for _sql, params in ticket_reads)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL plan")
def test_matching_words_and_names_together_still_use_the_indexes(supervisor, front_line):
    """Ids ORed with a customer condition stay placeholders: PostgreSQL then combines the primary key and the
    customer index (a one-parameter list there made it read every ticket)."""
    named = CustomerFactory(name="退款王")
    for _ in range(60):
        TicketFactory(customer=CustomerFactory(name="李雷"), team=front_line, subject="退款 申请")
    TicketFactory(customer=named, team=front_line, subject="你好")
    query = Ticket.objects.filter(search_tickets("退款").condition).values("pk")
    sql, params = query.query.sql_with_params()

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "SubPlan" not in plan and "Seq Scan on tickets_ticket" not in plan
    assert query.count() == 61
