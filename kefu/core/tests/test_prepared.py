"""Prepared queries (kefu.core.prepared) give what their queryset gives, for every value they are run with."""

import threading

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError

from kefu.core.prepared import prepared
from kefu.tests.factories import CategoryFactory, CustomerFactory, PriorityFactory, TicketFactory
from kefu.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db


@prepared(int)
def ticket_with_facts(ticket_id):
    return (
        Ticket.objects.select_related("category", "priority", "customer").filter(pk=ticket_id).order_by()[:1]
    )


@prepared(int, str)
def texts_of_kind(ticket_id, kind):
    return (
        Message.objects.filter(ticket_id=ticket_id, kind=kind).order_by("id").values_list("id", "created_at")
    )


@prepared(int)
def subject_of(ticket_id):
    return Ticket.objects.filter(pk=ticket_id).values_list("subject", flat=True).order_by()[:1]


def _same_row(found: Ticket, expected: Ticket) -> None:
    for field in Ticket._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    assert found._state.fields_cache.keys() == expected._state.fields_cache.keys()
    assert (found.category.code, found.priority.code, found.customer.name) == (
        expected.category.code,
        expected.priority.code,
        expected.customer.name,
    )


def test_each_run_binds_its_own_values_and_gives_the_querysets_models_with_related_rows():
    """Two tickets read one after the other each come back whole (converted columns, related rows cached)."""
    first = TicketFactory(category=CategoryFactory(), priority=PriorityFactory(), customer=CustomerFactory())
    second = TicketFactory(category=CategoryFactory(), priority=PriorityFactory(), customer=CustomerFactory())

    for ticket in (first, second):
        expected = Ticket.objects.select_related("category", "priority", "customer").get(pk=ticket.pk)
        _same_row(ticket_with_facts.first(ticket.pk), expected)
    assert ticket_with_facts.first(second.pk + 1000) is None


def test_value_lists_come_back_converted_like_the_querysets():
    """Tuples with a datetime column and flat values: Django's converters run as for the queryset."""
    ticket = TicketFactory(subject="发票问题")
    expected = list(
        Message.objects.filter(ticket=ticket, kind="customer").order_by("id").values_list("id", "created_at")
    )

    assert texts_of_kind.all(ticket.pk, "customer") == expected and expected
    assert texts_of_kind.all(ticket.pk, "note") == []
    assert subject_of.first(ticket.pk) == "发票问题"


def test_a_lookup_that_changes_its_value_is_refused_when_compiled():
    """`icontains` wraps the value in %…%: binding it again would search for the wrong text."""

    @prepared(str)
    def by_subject_part(text):
        return Ticket.objects.filter(subject__icontains=text)

    with pytest.raises(ValueError, match="unchanged"):
        by_subject_part.all("发票")


def test_values_of_the_wrong_type_are_refused():
    """None would need IS NULL, which the compiled SQL cannot say; a str for an int is a caller's mistake."""
    with pytest.raises(TypeError):
        subject_of.first(None)
    with pytest.raises(TypeError):
        subject_of.first("1")
    with pytest.raises(TypeError):
        subject_of.first(True)


@prepared(int)
def ticket_for_update(ticket_id):
    return Ticket.objects.select_for_update().filter(pk=ticket_id).order_by()[:1]


@pytest.mark.django_db(transaction=True)
def test_a_locking_query_needs_a_transaction_as_the_querysets_does():
    """Outside a transaction (autocommit) the lock would end at once: refused with Django's own error."""
    ticket = TicketFactory()
    with pytest.raises(TransactionManagementError):
        ticket_for_update.first(ticket.pk)
    with transaction.atomic():
        assert ticket_for_update.first(ticket.pk).pk == ticket.pk


def test_a_query_compiled_in_one_thread_runs_on_the_connection_of_the_thread_that_runs_it():
    """Connections are per thread: the compiled query must not keep using the one it was compiled on."""
    subject_of.first(1)  # compiled here, on this thread's connection
    seen: list[str] = []
    errors: list[BaseException] = []

    def run():
        from django.db import connection as thread_connection

        def spy(execute, sql, params, many, context):
            seen.append(sql)
            return execute(sql, params, many, context)

        try:
            with thread_connection.execute_wrapper(spy):
                subject_of.first(1)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            thread_connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()

    assert not errors and len(seen) == 1 and "tickets_ticket" in seen[0]
    assert connection.vendor in {"sqlite", "postgresql"}


@prepared(int)
def twice(ticket_id):
    rows = Ticket.objects.filter(pk=ticket_id).values_list("pk", flat=True).order_by()
    return rows.union(rows, all=True).order_by()


def test_a_value_used_twice_in_the_sql_is_bound_at_both_places():
    """A union asks for the same id in both halves (as the permission loader's union does)."""
    first, second = TicketFactory(), TicketFactory()

    assert twice.all(first.pk) == [first.pk, first.pk]
    assert twice.all(second.pk) == [second.pk, second.pk]
