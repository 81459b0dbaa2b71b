"""A prepared INSERT (kefu.core.prepared.PreparedInsert) stores a new row exactly as `save()` would."""

import pytest
from django.db.models.expressions import DatabaseDefault
from django.db.models.signals import post_save

from kefu.audit.models import AuditEntry
from kefu.core import clock
from kefu.core.prepared import PreparedInsert
from kefu.tests.factories import CustomerFactory, PriorityFactory
from kefu.tickets.models import NO_PRIORITY_RANK, Ticket

pytestmark = pytest.mark.django_db

COMPARED = ["subject", "customer_id", "priority_id", "priority_rank", "channel", "custom_fields", "status"]


def test_a_row_inserted_prepared_reads_back_as_one_saved_by_django(agent):
    customer, priority = CustomerFactory(), PriorityFactory()
    insert = PreparedInsert(Ticket)
    now = clock.now()
    fields = {
        "created_at": now,
        "updated_at": now,
        "customer": customer,
        "priority": priority,
        "priority_rank": 30,
        "channel": "api",
        "custom_fields": {"订单号": "A1"},
    }

    prepared = insert.insert(Ticket(subject="预备", **fields))
    saved = Ticket.objects.create(subject="预备", **fields)

    assert prepared.pk is not None and not prepared._state.adding and prepared._state.db == "default"
    again = Ticket.objects.values(*COMPARED).get(pk=prepared.pk)
    assert again == Ticket.objects.values(*COMPARED).get(pk=saved.pk)
    assert again["custom_fields"] == {"订单号": "A1"}


def test_a_second_insert_reuses_the_sql_with_its_own_values(agent):
    insert = PreparedInsert(AuditEntry)

    first = insert.insert(
        AuditEntry(actor=agent, action="a", object_type="x", object_id="1", changes={"k": [1, 2]})
    )
    second = insert.insert(AuditEntry(action="b", object_type="y", object_id="2"))

    assert first.pk != second.pk
    rows = AuditEntry.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk")
    assert [(r.actor_id, r.action, r.changes, r.at is not None) for r in rows] == [
        (agent.pk, "a", {"k": [1, 2]}, True),
        (None, "b", {}, True),
    ]
    assert first.at is not None  # auto_now_add filled on the instance, as save() does


def test_post_save_listeners_hear_of_the_new_row():
    heard = []

    def listener(sender, instance, created, **kwargs):
        heard.append((sender, instance.pk, created))

    post_save.connect(listener, sender=AuditEntry)
    try:
        row = PreparedInsert(AuditEntry).insert(AuditEntry(action="a", object_type="x", object_id="1"))
    finally:
        post_save.disconnect(listener, sender=AuditEntry)

    assert heard == [(AuditEntry, row.pk, True)]


def test_a_field_left_to_its_database_default_is_saved_by_django():
    rank = Ticket._meta.get_field("priority_rank")
    now = clock.now()
    ticket = Ticket(subject="默认", customer=CustomerFactory(), channel="api", created_at=now, updated_at=now)
    ticket.priority_rank = DatabaseDefault(rank._db_default_expression, output_field=rank)

    PreparedInsert(Ticket).insert(ticket)

    assert Ticket.objects.values_list("priority_rank", flat=True).get(pk=ticket.pk) == NO_PRIORITY_RANK
