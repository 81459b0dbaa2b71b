"""Admins manage mailboxes and quarantined mail in Django admin."""

import pytest
from django.urls import reverse

from kefu.connectors.email.models import QuarantinedMail

from .factories import MailboxFactory
from .mails import build_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        username="root", password="pw", email="root@kefu.example"
    )
    client.force_login(user)
    return client


def test_admin_lists_mailboxes_and_quarantine(superuser_client):
    """Given a mailbox and a quarantined mail, then both admin lists render."""
    MailboxFactory(name="support")
    QuarantinedMail.objects.create(raw=b"x", size=1, error="ValueError: no sender address")
    assert "support" in superuser_client.get(reverse("admin:email_channel_mailbox_changelist")).text
    assert (
        "no sender address"
        in superuser_client.get(reverse("admin:email_channel_quarantinedmail_changelist")).text
    )


def test_test_connection_action_reports_a_clear_error(superuser_client):
    """Given a mailbox on a closed port, when "test the connection" runs, then the error is shown."""
    mailbox = MailboxFactory(host="127.0.0.1", port=1, use_tls=False)
    response = superuser_client.post(
        reverse("admin:email_channel_mailbox_changelist"),
        {"action": "test_connection", "_selected_action": [mailbox.pk]},
        follow=True,
    )
    assert "无法连接 127.0.0.1:1" in response.text or "Cannot connect to 127.0.0.1:1" in response.text


def test_reprocess_action_stores_a_quarantined_mail(superuser_client):
    """Given a quarantined mail that is readable now, when processed again, then it is stored and resolved."""
    held = QuarantinedMail.objects.create(raw=build_mail(), size=10, error="old bug")
    superuser_client.post(
        reverse("admin:email_channel_quarantinedmail_changelist"),
        {"action": "reprocess_mail", "_selected_action": [held.pk]},
        follow=True,
    )
    held.refresh_from_db()
    assert held.resolved
