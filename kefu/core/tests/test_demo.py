"""`kefu demo`: a believable, idempotent demo with a login for every role and personal data encrypted."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import connection

from kefu.accounts.models import Team, User
from kefu.accounts.roles import ROLE_PERMISSIONS
from kefu.core import clock
from kefu.core.crypto import lookup_hash
from kefu.core.demo import data
from kefu.core.demo.build import build_demo
from kefu.customers.models import Customer, Identity, Organization
from kefu.customers.rules import normalize_identity
from kefu.tickets.models import (
    Category,
    CustomField,
    Macro,
    Message,
    MessageKind,
    Priority,
    Status,
    Tag,
    Ticket,
)

pytestmark = pytest.mark.django_db

SMALL = {"tickets": 80, "customers": 40}


def _counts() -> dict[str, int]:
    models = [
        User,
        Team,
        Category,
        Priority,
        Tag,
        CustomField,
        Macro,
        Organization,
        Customer,
        Identity,
        Ticket,
        Message,
        Ticket.tags.through,
    ]
    return {m.__name__: m.objects.count() for m in models}


def test_running_the_demo_twice_creates_everything_once() -> None:
    """Given a demo already built, when it runs again, then it detects it and no row is added anywhere."""
    first = build_demo(**SMALL)
    after_first = _counts()

    second = build_demo(**SMALL)

    assert first.created and not second.created
    assert _counts() == after_first
    assert after_first["Ticket"] == SMALL["tickets"]
    assert after_first["Customer"] == SMALL["customers"] + 1  # plus the portal customer
    assert after_first["Category"] == len(data.CATEGORIES) and after_first["Macro"] == len(data.MACROS)


def test_demo_has_a_staff_login_for_every_role_and_a_portal_customer() -> None:
    """Every role from accounts.roles has a demo user with the demo password; only admin is a superuser."""
    build_demo(**SMALL)

    staff = User.objects.filter(is_staff=True).prefetch_related("groups")
    roles = {g.name for u in staff for g in u.groups.all()}
    assert roles == set(ROLE_PERMISSIONS)
    assert list(User.objects.filter(is_superuser=True).values_list("username", flat=True)) == ["admin"]
    assert authenticate(username="agent1", password=data.DEMO_PASSWORD) is not None
    portal = authenticate(username="customer1", password=data.DEMO_PASSWORD)
    assert portal is not None and not portal.is_staff
    assert portal.customer.email == "customer1@example.com"


def test_demo_teams_have_leads_members_and_one_default() -> None:
    build_demo(**SMALL)

    teams = Team.objects.prefetch_related("members")
    assert {t.name for t in teams} == {spec.name for spec in data.TEAMS}
    assert [t.name for t in teams if t.is_default] == ["接线组"]
    assert all(t.lead_id and t.members.all() for t in teams)


def test_demo_has_vip_customers() -> None:
    build_demo(tickets=20, customers=120)

    assert Customer.objects.filter(tier__in=["vip", "svip"]).count() >= 5


def test_demo_identities_are_encrypted_at_rest_and_found_by_lookup_hash() -> None:
    """Given the demo, the identity column holds no readable e-mail or phone, yet lookup finds the customer."""
    build_demo(**SMALL)

    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM customers_identity")
        stored = [row[0] for row in cursor.fetchall()]
    assert stored and not any("@" in v or v.isdigit() for v in stored)
    assert "customer1@example.com" not in "".join(stored)
    found = Identity.objects.get(
        kind="email", lookup=lookup_hash(normalize_identity("email", " Customer1@Example.com "))
    )
    assert found.value == "customer1@example.com" and found.customer.user.username == "customer1"


def test_demo_tickets_tell_a_consistent_story() -> None:
    """Counters and timestamps agree with each ticket's messages, and everything lies in the past 90 days."""
    build_demo(**SMALL)
    now = clock.now()

    for ticket in Ticket.objects.prefetch_related("messages"):
        messages = list(ticket.messages.all())
        said = [m for m in messages if m.kind != MessageKind.EVENT]
        assert ticket.message_count == len(said)
        assert messages[0].kind == MessageKind.CUSTOMER and messages[0].created_at == ticket.created_at
        assert ticket.updated_at == messages[-1].created_at <= now
        assert (now - ticket.created_at).days <= 90
        assert ticket.last_customer_message_at == max(
            m.created_at for m in said if m.kind == MessageKind.CUSTOMER
        )
        replies = [m.created_at for m in said if m.kind == MessageKind.REPLY]
        assert ticket.first_response_at == (min(replies) if replies else None)
        if ticket.status in (Status.SOLVED, Status.CLOSED):
            assert ticket.solved_at and ticket.assignee_id
        assert (ticket.closed_at is not None) == (ticket.status == Status.CLOSED)
        for event in (m for m in messages if m.kind == MessageKind.EVENT):
            assert event.event_type in ("status_changed", "assigned")
            assert set(event.event_data) in ({"old", "new"}, {"assignee_id", "assignee_name"})


def test_demo_command_prints_the_logins_each_time() -> None:
    out = StringIO()
    call_command("demo", "--tickets", "30", "--customers", "10", stdout=out)
    again = StringIO()
    call_command("demo", stdout=again)

    assert "Demo data created" in out.getvalue()
    assert "already there" in again.getvalue()
    for text in (out.getvalue(), again.getvalue()):
        assert "agent1" in text and "customer1" in text and data.DEMO_PASSWORD in text
    assert Ticket.objects.count() == 30


def test_demo_leaves_out_addresses_that_already_belong_to_a_customer() -> None:
    """Given a real customer who owns customer1@example.com, the demo still builds and does not steal it."""
    owner = Customer.objects.create(name="张三")
    lookup = lookup_hash(normalize_identity("email", data.PORTAL_EMAIL))
    Identity.objects.create(customer=owner, kind="email", value=data.PORTAL_EMAIL, lookup=lookup)

    result = build_demo(**SMALL)

    assert result.created
    assert Identity.objects.get(kind="email", lookup=lookup).customer == owner
