"""`kefu seed`: exactly N tickets with 2–4 messages each, on SQLite and PostgreSQL (COPY), and clear errors.

The same tests run in the PostgreSQL CI pass (DATABASE_URL=postgres://…), which exercises the COPY path.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count

from kefu.core.demo.build import ensure_configuration
from kefu.customers.models import Customer, Identity
from kefu.tickets.models import Message, MessageKind, Ticket

pytestmark = pytest.mark.django_db


def test_seed_creates_exactly_n_tickets_each_with_two_to_four_messages() -> None:
    """Given an empty database, when seeding 300 tickets in batches of 120, then there are 300 tickets."""
    out = StringIO()

    call_command("seed", "--tickets", "300", "--customers", "40", "--batch", "120", stdout=out)

    assert Ticket.objects.count() == 300
    assert Customer.objects.count() == 40
    per_ticket = Ticket.objects.annotate(n=Count("messages")).values_list("n", flat=True)
    assert set(per_ticket) <= {2, 3, 4}
    assert "300 / 300 tickets" in out.getvalue() and "rows/s" in out.getvalue()


def test_seeded_rows_are_consistent_and_readable_through_the_orm() -> None:
    call_command("seed", "--tickets", "150", "--customers", "20", stdout=StringIO())

    for ticket in Ticket.objects.for_list().prefetch_related("messages"):
        messages = list(ticket.messages.all())
        assert ticket.message_count == sum(1 for m in messages if m.kind != MessageKind.EVENT)
        assert messages[0].kind == MessageKind.CUSTOMER and messages[0].created_at == ticket.created_at
        assert ticket.updated_at == messages[-1].created_at
        assert ticket.category is not None and ticket.team is not None
        assert isinstance(ticket.custom_fields, dict)
        assert all(isinstance(m.event_data, dict) for m in messages)


def test_seeded_identities_are_encrypted_and_ids_keep_working_afterwards() -> None:
    """After COPY with explicit ids, the id sequences are past them: ordinary inserts still succeed."""
    call_command("seed", "--tickets", "50", "--customers", "10", stdout=StringIO())
    config = ensure_configuration()

    customer = Customer.objects.create(name="新客户")
    ticket = Ticket.objects.create(
        subject="after seeding",
        customer=customer,
        team=config.teams["接线组"],
        created_at=customer.created_at,
        updated_at=customer.created_at,
    )
    Message.objects.create(
        ticket=ticket, kind="customer", author_kind="customer", body_text="你好", created_at=ticket.created_at
    )

    assert Ticket.objects.count() == 51 and ticket.pk > 50
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM customers_identity")
        assert not any("@" in row[0] for row in cursor.fetchall())
    assert Identity.objects.filter(kind="email").first().value.endswith("@example.net")


def test_seeding_twice_adds_to_what_is_there() -> None:
    call_command("seed", "--tickets", "40", "--customers", "5", stdout=StringIO())
    call_command("seed", "--tickets", "60", "--customers", "0", stdout=StringIO())

    assert Ticket.objects.count() == 100
    assert Customer.objects.count() == 5  # 0 reuses the existing customers


@pytest.mark.parametrize(
    "args",
    [
        ["--tickets", "-1"],
        ["--tickets", "0"],
        ["--tickets", "ten"],
        ["--tickets", "1.5"],
        ["--tickets", "10", "--customers", "-3"],
        ["--tickets", "10", "--batch", "0"],
        [],
    ],
)
def test_seed_rejects_bad_arguments_with_a_command_error(args: list[str]) -> None:
    with pytest.raises(CommandError):
        call_command("seed", *args, stdout=StringIO())
    assert Ticket.objects.count() == 0


def test_seed_rejects_bad_values_passed_as_keywords() -> None:
    """call_command(…, tickets=-1) bypasses argparse: the command checks again."""
    with pytest.raises(CommandError, match="--tickets"):
        call_command("seed", tickets=-1, stdout=StringIO())


def test_seed_without_customers_to_use_fails_clearly() -> None:
    with pytest.raises(CommandError, match="customers"):
        call_command("seed", "--tickets", "5", "--customers", "0", stdout=StringIO())
