"""Changing several fields at once writes one audit row per field, all in a single INSERT."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.audit.models import AuditEntry
from kefu.core.errors import NotAllowed
from kefu.tests.factories import PriorityFactory
from kefu.tickets.services import TicketChanges, update_ticket

pytestmark = pytest.mark.django_db


def test_each_changed_field_has_its_audit_row_written_together(ticket, agent):
    urgent = PriorityFactory(code="urgent", name="紧急", rank=30, is_default=False)

    with CaptureQueriesContext(connection) as queries:
        update_ticket(
            ticket=ticket, actor=agent,
            changes=TicketChanges(subject="新标题", status="open", priority=urgent, severity="major"),
        )

    rows = AuditEntry.objects.filter(object_id=str(ticket.pk), action="ticket.update").order_by("id")
    assert [list(row.changes) for row in rows] == [["subject"], ["status"], ["priority"], ["severity"]]
    assert {row.actor_id for row in rows} == {agent.pk}
    assert rows[0].changes["subject"][1] == "新标题"
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "audit_auditentry"')]
    assert len(inserts) == 1


def test_a_refused_change_leaves_no_audit_row(ticket, agent, outsider):
    before = AuditEntry.objects.count()

    with pytest.raises(NotAllowed):
        update_ticket(ticket=ticket, actor=agent, changes=TicketChanges(subject="新标题", assignee=outsider))

    assert AuditEntry.objects.count() == before
