"""Phone numbers, e-mails and ID numbers are encrypted at rest; full views are permitted and audited."""

import pytest
from django.db import connection

from kefu.audit.models import AuditEntry
from kefu.core.errors import InvalidInput, NotAllowed
from kefu.customers import services
from kefu.customers.access import shown_identity

pytestmark = pytest.mark.django_db


def test_identity_and_id_number_are_stored_encrypted(supervisor):
    customer = services.create_customer(actor=supervisor, name="王女士", email="wang@example.com", phone="13812345678")
    services.update_customer(customer=customer, actor=supervisor, id_number="110101199003071234")

    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM customers_identity")
        stored = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT id_number FROM customers_customer")
        stored_id = cursor.fetchone()[0]
    assert "wang@example.com" not in stored and "13812345678" not in stored
    assert "1101011990" not in stored_id
    assert services.find_customer(kind="phone", value="+86 138 1234 5678") == customer


def test_agent_sees_masked_values_and_may_not_reveal(agent, customer):
    assert shown_identity(agent, "email", customer.email, revealed=True) == "c***@example.com"
    with pytest.raises(NotAllowed):
        services.reveal_pii(customer=customer, actor=agent)


def test_supervisor_reveal_is_recorded_in_the_audit_log(supervisor, customer):
    services.reveal_pii(customer=customer, actor=supervisor)

    assert shown_identity(supervisor, "email", customer.email, revealed=True) == "chen@example.com"
    assert AuditEntry.objects.filter(action="customer.view_pii", actor=supervisor, object_id=str(customer.pk)).exists()


def test_identity_of_another_customer_is_refused(supervisor, customer, other_customer):
    with pytest.raises(InvalidInput):
        services.add_identity(customer=other_customer, kind="email", value="CHEN@example.com", actor=supervisor)
