"""A message that opens a ticket comes back from `ingest` as written, without reading it back."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.intake.services import InboundMessage, ingest
from kefu.tickets.models import Message

pytestmark = pytest.mark.django_db


def test_the_opening_message_is_returned_as_stored_and_looked_up_only_for_duplicates():
    inbound = InboundMessage(
        channel="email", identity_kind="email", identity_value="li.lei@example.com", name="李雷",
        subject="发票", html="<p>请开发票<script>x</script></p>", external_id="<m1@example.com>",
        thread_id="<m1@example.com>",
    )

    with CaptureQueriesContext(connection) as queries:
        result = ingest(inbound)

    stored = Message.objects.get(ticket=result.ticket)
    assert result.created
    assert (result.message.pk, result.message.kind, result.message.body_html, result.message.body_text) == (
        stored.pk, stored.kind, stored.body_html, stored.body_text,
    )
    assert result.message.external_id == stored.external_id == "<m1@example.com>"
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT") and 'FROM "tickets_message"' in q["sql"]]
    assert len(reads) == 1  # the duplicate check before anything is written
