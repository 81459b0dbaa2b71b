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


def test_admin_never_shows_the_stored_passwords_and_keeps_them_when_left_empty(superuser_client):
    """Given a mailbox with passwords, then its Django admin page does not contain them, and saving the form
    with the password fields empty keeps them."""
    box = MailboxFactory(name="support", password="imap-secret-1", smtp_password="smtp-secret-2")
    url = reverse("admin:email_channel_mailbox_change", args=[box.pk])
    page = superuser_client.get(url).text
    assert "imap-secret-1" not in page and "smtp-secret-2" not in page
    data = {
        "name": "support",
        "protocol": "imap",
        "host": box.host,
        "port": box.port,
        "username": box.username,
        "password": "",
        "folder": "INBOX",
        "from_address": box.from_address,
        "from_name": "new name",
        "smtp_port": 587,
        "smtp_password": "",
        "closed_ticket_replies": "reopen",
        "active": "on",
    }
    assert superuser_client.post(url, data).status_code == 302
    box.refresh_from_db()
    assert (box.password, box.smtp_password, box.from_name) == ("imap-secret-1", "smtp-secret-2", "new name")
    assert box.closed_ticket_replies == "reopen"


def test_admin_changes_go_through_the_service_with_an_audit_row_and_no_secret(superuser_client):
    """Given a mailbox, when the Django admin changes it (a new password too) and then deletes it, then each
    change is in the audit trail like one made on /manage/email/, without the password."""
    from kefu.audit.models import AuditEntry

    box = MailboxFactory(name="support", password="old")
    url = reverse("admin:email_channel_mailbox_change", args=[box.pk])
    data = {
        "name": "support", "protocol": "imap", "host": box.host, "port": box.port, "username": box.username,
        "password": "brand-new-secret", "folder": "INBOX", "from_address": box.from_address,
        "from_name": "Kefu 客服", "smtp_port": 587, "smtp_password": "", "closed_ticket_replies": "follow_up",
        "active": "on",
    }  # fmt: skip
    assert superuser_client.post(url, data).status_code == 302

    entry = AuditEntry.objects.get(action="update", object_id=str(box.pk))
    assert entry.changes["password"] == ["", "(changed)"] and "brand-new-secret" not in str(entry.changes)
    assert "host" not in entry.changes  # unchanged fields are not listed
    box.refresh_from_db()
    assert box.password == "brand-new-secret"

    delete = reverse("admin:email_channel_mailbox_delete", args=[box.pk])
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 302
    assert AuditEntry.objects.filter(action="delete", object_id=str(box.pk)).exists()
