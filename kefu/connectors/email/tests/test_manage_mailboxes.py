"""Mailbox management and the quarantine under /manage/email/: administrators only; passwords stay secret."""

import pytest
from django.urls import reverse
from django.utils import translation

from kefu.accounts import roles
from kefu.audit.models import AuditEntry
from kefu.connectors.email.models import Mailbox, QuarantinedMail
from kefu.core.crypto import decrypt
from kefu.tests.factories import UserFactory

from .factories import MailboxFactory
from .mails import build_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    """A holder of the admin role who is not a superuser: the role alone opens these pages."""
    client.force_login(UserFactory(username="mailadmin", roles=[roles.ADMIN], language="en"))
    return client


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _form(**overrides) -> dict:
    data = {
        "name": "support",
        "protocol": "imap",
        "host": "imap.example.com",
        "port": "993",
        "use_tls": "on",
        "username": "support@example.com",
        "new_password": "s3cret-imap",
        "folder": "INBOX",
        "team": "",
        "from_address": "support@example.com",
        "from_name": "客服",
        "smtp_host": "smtp.example.com",
        "smtp_port": "587",
        "smtp_use_tls": "on",
        "smtp_username": "support@example.com",
        "new_smtp_password": "s3cret-smtp",
        "notifications_enabled": "on",
        "closed_ticket_replies": "follow_up",
        "active": "on",
    }
    return data | overrides


@pytest.mark.parametrize("persona", ["agent", "supervisor", "outsider"])
def test_only_administrators_reach_the_email_pages(client, persona, request):
    """Given an agent, a supervisor (who manages configuration) or an agent of another team, then every
    e-mail management page answers 403."""
    client.force_login(request.getfixturevalue(persona))
    held = QuarantinedMail.objects.create(raw=b"x", size=1, error="E")
    box = MailboxFactory()
    for url in (
        reverse("email_channel:mailboxes"),
        reverse("email_channel:mailbox_create"),
        reverse("email_channel:mailbox_edit", args=[box.pk]),
        reverse("email_channel:quarantine"),
        reverse("email_channel:quarantine_raw", args=[held.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("email_channel:mailbox_test", args=[box.pk])).status_code == 403
    assert client.post(reverse("email_channel:quarantine_reprocess", args=[held.pk])).status_code == 403


def test_mailbox_list_shows_state_in_fixed_queries(admin_client, django_assert_num_queries, front_line):
    """Given three mailboxes, one failing, then the list names them and shows the error, in fixed queries."""
    MailboxFactory(name="sales", team=front_line)
    MailboxFactory(name="support", last_error="Login failed: bad password")
    MailboxFactory(name="billing", active=False)
    with django_assert_num_queries(7):  # the session comes from the cache
        page = admin_client.get(reverse("email_channel:mailboxes")).text
    MailboxFactory.create_batch(5, team=front_line)
    with django_assert_num_queries(7):  # the session comes from the cache
        admin_client.get(reverse("email_channel:mailboxes"))
    assert "sales" in page and "billing" in page and "Login failed: bad password" in page


def test_admin_creates_a_mailbox_with_encrypted_passwords_never_shown_back(admin_client):
    """Given the form, when an admin adds a mailbox, then it is saved with both passwords encrypted at rest,
    the edit page does not contain them, and the audit trail does not hold them either."""
    response = admin_client.post(reverse("email_channel:mailbox_create"), _form())
    assert response.status_code == 302
    box = Mailbox.objects.get()
    assert (box.password, box.smtp_password) == ("s3cret-imap", "s3cret-smtp")
    stored = Mailbox.objects.filter(pk=box.pk).values_list("password", flat=True).query
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM email_channel_mailbox WHERE id = %s", [box.pk])
        raw_column = cursor.fetchone()[0]
    assert "s3cret" not in raw_column and decrypt(raw_column) == "s3cret-imap"
    assert stored is not None
    page = admin_client.get(reverse("email_channel:mailbox_edit", args=[box.pk])).text
    assert "s3cret" not in page and "A password is stored" in page
    assert "s3cret" not in str(list(AuditEntry.objects.values_list("changes", flat=True)))


def test_editing_with_empty_password_keeps_the_stored_one(admin_client):
    """Given a stored mailbox, when saved with the password fields empty, then the passwords are kept."""
    box = MailboxFactory(name="support", password="old-pw", smtp_password="old-smtp")
    data = _form(new_password="", new_smtp_password="", from_name="Kefu")
    assert admin_client.post(reverse("email_channel:mailbox_edit", args=[box.pk]), data).status_code == 302
    box.refresh_from_db()
    assert (box.password, box.smtp_password, box.from_name) == ("old-pw", "old-smtp", "Kefu")


def test_invalid_form_answers_400_with_the_reason(admin_client):
    """Given a new mailbox without password and with a taken name, then the form is shown again with errors."""
    MailboxFactory(name="support")
    response = admin_client.post(reverse("email_channel:mailbox_create"), _form(new_password=""))
    assert response.status_code == 400 and "Enter the mailbox password." in response.text
    response = admin_client.post(reverse("email_channel:mailbox_create"), _form())
    assert response.status_code == 400 and Mailbox.objects.count() == 1


def test_test_connection_button_reports_success_against_dovecot(admin_client, dovecot):
    """Given a mailbox on the real test server, when "Test connection" is pressed, then it says it connected."""
    box = MailboxFactory(host="127.0.0.1", port=dovecot.port, use_tls=False, username=dovecot.user)
    page = admin_client.post(reverse("email_channel:mailbox_test", args=[box.pk]), follow=True).text
    assert "Connected" in page and "INBOX" in page


@pytest.mark.parametrize(
    ("settings_", "reason"),
    [
        ({"password": "wrong"}, "Login failed"),
        ({"use_tls": True}, "TLS failed"),
        ({"port": 1}, "Cannot connect"),
    ],
)
def test_test_connection_button_reports_a_clear_error(admin_client, dovecot, settings_, reason):
    """Given a wrong password, TLS against a plain server, or a closed port, then the page says which."""
    values = {"host": "127.0.0.1", "port": dovecot.port, "use_tls": False, "username": dovecot.user}
    box = MailboxFactory(**(values | settings_))
    page = admin_client.post(reverse("email_channel:mailbox_test", args=[box.pk]), follow=True).text
    assert "Connection test failed" in page and reason in page


def test_quarantine_lists_errors_downloads_raw_and_reprocesses(admin_client, django_assert_num_queries):
    """Given two quarantined mails, then the list shows their errors in fixed queries, the raw source
    downloads as a file, and "re-process" stores a mail that can now be read."""
    QuarantinedMail.objects.create(
        raw=b"Subject: x\r\n\r\nno sender\r\n", size=24, error="ValueError: no sender"
    )
    good = QuarantinedMail.objects.create(raw=build_mail(message_id="<q@example.com>"), size=10, error="boom")
    with django_assert_num_queries(7):  # the session comes from the cache
        page = admin_client.get(reverse("email_channel:quarantine")).text
    assert "ValueError: no sender" in page and "boom" in page

    raw = admin_client.get(reverse("email_channel:quarantine_raw", args=[good.pk]))
    assert raw["Content-Disposition"].startswith("attachment") and b"<q@example.com>" in raw.content

    page = admin_client.post(reverse("email_channel:quarantine_reprocess", args=[good.pk]), follow=True).text
    good.refresh_from_db()
    assert good.resolved and "was stored on ticket" in page
    assert "boom" not in admin_client.get(reverse("email_channel:quarantine")).text


def test_manage_menu_links_the_email_pages_for_administrators_only(admin_client, client, supervisor):
    """Given an admin and a supervisor on /manage/, then only the admin sees the Mailboxes link."""
    url = reverse("email_channel:mailboxes")
    assert url in admin_client.get(reverse("administration:home")).text
    client.force_login(supervisor)
    assert url not in client.get(reverse("administration:home")).text


def test_test_connection_explains_a_refused_connection_in_the_admins_language(client):
    """Given a closed port and a Chinese-speaking admin, then the failure is a clear Chinese sentence and the
    system's raw "[Errno 111] Connection refused" is only the small print, not the message."""
    from .servers import free_port

    client.force_login(UserFactory(username="zhadmin", roles=[roles.ADMIN], language="zh-hans"))
    box = MailboxFactory(host="127.0.0.1", port=free_port(), use_tls=False)
    page = client.post(reverse("email_channel:mailbox_test", args=[box.pk]), follow=True).text
    assert "服务器拒绝了连接" in page
    assert '<small class="muted">[Errno 111] Connection refused</small>' in page
