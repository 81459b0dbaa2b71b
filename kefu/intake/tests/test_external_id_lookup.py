"""Finding an already stored message or thread by its channel's id uses the unique index, however many
messages there are (SQLite used to read every message for each incoming mail and portal form)."""

import pytest
from django.db import connection

from kefu.intake.services import InboundMessage, _message_by_external_id, _ticket_by_external_id, ingest
from kefu.tickets.models import Message

pytestmark = pytest.mark.django_db


def _plan(rows) -> str:
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " ".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL proves the index condition itself")
@pytest.mark.parametrize(
    ("rows", "index"),
    [
        (_message_by_external_id, "message_unique_external_id"),
        (_ticket_by_external_id, "ticket_unique_external_id"),
    ],
)
def test_the_look_up_searches_the_unique_index_instead_of_scanning(rows, index):
    """The query states the partial index's condition, so SQLite may use it."""
    plan = _plan(rows.queryset("email", "<a@example.com>"))

    assert f"USING INDEX {index}" in plan
    assert "SCAN" not in plan.split("USING")[0]


def test_a_redelivered_message_is_found_and_stored_once():
    """What the look-up is for: the second delivery of the same message creates nothing."""
    inbound = InboundMessage(
        channel="email",
        identity_kind="email",
        identity_value="chen@example.com",
        subject="发票",
        text="请开发票",
        external_id="<m1@example.com>",
        thread_id="<m1@example.com>",
    )

    first, again = ingest(inbound), ingest(inbound)

    assert (first.created, again.duplicate) == (True, True)
    assert (
        again.message == first.message and Message.objects.filter(external_id="<m1@example.com>").count() == 1
    )
