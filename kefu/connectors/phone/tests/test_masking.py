"""The caller's number is encrypted at rest and shown masked to agents without the PII permission."""

import pytest
from django.db import connection
from django.urls import reverse

from kefu.connectors.phone.models import PhoneCall
from kefu.customers.models import Identity
from kefu.tickets.models import Ticket

from .conftest import CALLER, MASKED

pytestmark = pytest.mark.django_db


def test_an_agent_without_the_permission_sees_only_the_masked_number(pbx, client, agent):
    pbx.send(event="ringing")
    pbx.send(event="answered")
    ticket = Ticket.objects.get()
    assert not agent.has_perm("customers.view_customer_pii")
    client.force_login(agent)
    page = client.get(reverse("workspace:ticket", args=[ticket.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert MASKED in html
    assert CALLER not in html


def test_numbers_are_encrypted_in_the_database(pbx):
    pbx.send(event="ringing")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {Identity._meta.db_table}")
        identities = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT from_number FROM {PhoneCall._meta.db_table}")
        calls = [row[0] for row in cursor.fetchall()]
    assert identities and calls
    assert all(CALLER not in value for value in identities + calls)
    assert PhoneCall.objects.get().from_number == CALLER


def test_timeline_and_subject_never_hold_the_full_number(pbx):
    pbx.send(event="ringing")
    pbx.send(event="answered")
    pbx.send(event="ended", duration=10)
    ticket = Ticket.objects.get()
    stored = [ticket.subject] + [f"{m.body_text} {m.event_data}" for m in ticket.messages.all()]
    assert all(CALLER not in text for text in stored)
