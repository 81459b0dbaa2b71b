"""Searching tickets by who the customer is: any part of the name (indexed on PostgreSQL: trigrams from three
characters, one- and two-character pieces below), or a whole e-mail address or phone number (stored
encrypted, matched by their keyed hash)."""

import pytest
from django.db import connection, transaction

from kefu.customers.models import IdentityKind
from kefu.tests.factories import CustomerFactory, TicketFactory, add_identity
from kefu.tickets.access import visible_tickets
from kefu.tickets.search import _customers_named, filter_tickets

pytestmark = pytest.mark.django_db


def found(user, text: str) -> list[int]:
    matching, _capped = filter_tickets(visible_tickets(user), text)
    return list(matching.order_by("-updated_at", "-id").values_list("pk", flat=True))


def test_a_whole_email_address_in_any_case_finds_the_customers_tickets(supervisor, front_line):
    """The e-mail is encrypted, so it is matched whole through its lookup hash, not as a substring."""
    customer = CustomerFactory(name="林晓雨", email="Lin.Xiaoyu@Example.com")
    theirs = TicketFactory(customer=customer, team=front_line, subject="发票")
    TicketFactory(customer=CustomerFactory(name="王芳"), team=front_line, subject="发票")

    assert found(supervisor, "lin.xiaoyu@example.COM") == [theirs.pk]
    assert found(supervisor, "nobody@example.com") == []


def test_a_phone_number_written_with_spaces_or_country_code_finds_the_customers_tickets(
    supervisor, front_line
):
    """Phone numbers are normalised as when they were stored: +86, spaces and dashes do not matter."""
    customer = CustomerFactory(name="张伟")
    add_identity(customer, IdentityKind.PHONE, "13812345678")
    theirs = TicketFactory(customer=customer, team=front_line, subject="退款")

    assert found(supervisor, "+86 138-1234-5678") == [theirs.pk]
    assert found(supervisor, "13812345678") == [theirs.pk]


def test_an_email_search_stays_within_what_the_user_may_see(
    agent, outsider, customer, front_line, other_team
):
    """A matching customer does not widen the user's scope: each sees only the tickets of their own team."""
    add_identity(customer, IdentityKind.PHONE, "13900001111")
    mine = TicketFactory(customer=customer, team=front_line)
    theirs = TicketFactory(customer=customer, team=other_team)

    assert found(agent, "13900001111") == [mine.pk]
    assert found(outsider, "13900001111") == [theirs.pk]


def test_one_or_two_characters_of_a_name_find_the_customers_tickets(supervisor, front_line):
    """Short Chinese text is the common case: a given name (秀英), one character, any case in Latin names."""
    theirs = TicketFactory(customer=CustomerFactory(name="邓秀英"), team=front_line, subject="咨询")
    emily = TicketFactory(customer=CustomerFactory(name="Emily Chen"), team=front_line, subject="咨询")
    TicketFactory(customer=CustomerFactory(name="黄明"), team=front_line, subject="咨询")

    assert found(supervisor, "秀英") == [theirs.pk]
    assert found(supervisor, "邓") == [theirs.pk]
    assert found(supervisor, "ch") == [emily.pk]
    assert found(supervisor, "英黄") == []


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the name indexes exist on PostgreSQL only")
def test_each_length_of_name_text_reads_its_index_on_postgresql():
    """From three characters the trigram index (the expression icontains compares), below it the pieces."""
    assert "customer_name_trgm" in _plan(_customers_named("邓秀英").values("pk")[:100])
    assert "customer_name_grams" in _plan(_customers_named("秀英").values("pk")[:100])
    assert "customer_name_grams" in _plan(_customers_named("x").values("pk")[:100])
