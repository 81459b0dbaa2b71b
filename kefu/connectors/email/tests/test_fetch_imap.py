"""Fetching over IMAP from a real Dovecot: new mail becomes tickets, each mail is stored once, none is lost."""

import pytest
from django.core.management import call_command
from django.utils import translation

from kefu.connectors.email import fetch
from kefu.connectors.email.fetch import MailboxError, check_connection, poll
from kefu.connectors.email.models import Mailbox, QuarantinedMail
from kefu.connectors.email.tasks import poll_mailbox
from kefu.tickets.models import Message, Ticket

from .factories import MailboxFactory
from .mails import build_mail

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _english():
    """Errors are asserted in English (the zh-Hans catalog is checked in test_admin)."""
    with translation.override("en"):
        yield


def _mailbox(dovecot, **kwargs) -> Mailbox:
    return MailboxFactory(
        host="127.0.0.1",
        port=dovecot.port,
        use_tls=False,
        username=dovecot.user,
        password=dovecot.password,
        **kwargs,
    )


def test_poll_turns_new_mail_into_tickets_and_marks_it_seen(dovecot):
    """Given two mails in the INBOX, when polled, then two tickets exist, both mails are \\Seen, UID remembered."""
    dovecot.append(build_mail(subject="第一封", message_id="<m1@example.com>"))
    dovecot.append(build_mail(subject="second", sender="li@example.com", message_id="<m2@example.com>"))
    mailbox = _mailbox(dovecot)

    report = poll(mailbox)

    assert (report.fetched, report.stored) == (2, 2)
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["second", "第一封"]
    assert dovecot.seen_flags() == [True, True]
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 2 and mailbox.uid_validity > 0 and mailbox.last_error == ""


def test_second_poll_fetches_only_new_mail(dovecot):
    """Given a polled mailbox, when one more mail arrives and it is polled again, then only that one is fetched."""
    dovecot.append(build_mail(message_id="<a@example.com>"))
    mailbox = _mailbox(dovecot)
    poll(mailbox)
    dovecot.append(build_mail(message_id="<b@example.com>", references="<a@example.com>"))

    report = poll(mailbox)

    assert report.fetched == 1
    assert Ticket.objects.count() == 1 and Message.objects.count() == 2


def test_crash_mid_batch_loses_nothing_and_duplicates_nothing(dovecot, monkeypatch):
    """Given a worker that dies after storing mail 2 but before marking it, when polled again, then all three
    mails are stored exactly once and every one ends up \\Seen."""
    for n in range(1, 4):
        dovecot.append(build_mail(subject=f"mail {n}", message_id=f"<crash{n}@example.com>"))
    mailbox = _mailbox(dovecot)
    real_ingest = fetch.ingest_raw
    calls = {"n": 0}

    def dying_ingest(**kwargs):
        result = real_ingest(**kwargs)  # stored and committed …
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("worker killed")  # … but the process dies before marking it
        return result

    monkeypatch.setattr(fetch, "ingest_raw", dying_ingest)
    with pytest.raises(KeyboardInterrupt):
        poll(mailbox)
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 1
    assert dovecot.seen_flags() == [True, False, False]

    monkeypatch.setattr(fetch, "ingest_raw", real_ingest)
    report = poll(Mailbox.objects.get(pk=mailbox.pk))

    assert (report.fetched, report.stored, report.duplicates) == (2, 1, 1)
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["mail 1", "mail 2", "mail 3"]
    assert Message.objects.count() == 3
    assert dovecot.seen_flags() == [True, True, True]


def test_broken_mail_is_quarantined_and_marked_processed(dovecot):
    """Given a mail without a sender in the INBOX, when polled, then it is quarantined and not fetched again."""
    dovecot.append(b"Subject: nobody sent this\r\n\r\ntext\r\n")
    mailbox = _mailbox(dovecot)
    assert poll(mailbox).quarantined == 1
    assert poll(Mailbox.objects.get(pk=mailbox.pk)).fetched == 0
    assert QuarantinedMail.objects.get().mailbox_id == mailbox.pk


def test_oversized_mail_keeps_only_its_headers_in_quarantine(dovecot, settings):
    """Given a mail over EMAIL_MAX_MAIL_BYTES, then it is not loaded whole: its headers go to quarantine."""
    settings.EMAIL_MAX_MAIL_BYTES = 500
    dovecot.append(build_mail(subject="huge", text="x" * 5000))
    report = poll(_mailbox(dovecot))
    assert report.quarantined == 1
    held = QuarantinedMail.objects.get()
    assert b"huge" in bytes(held.raw) and b"xxxxx" not in bytes(held.raw)
    assert "exceeds" in held.error


def test_wrong_password_is_reported_clearly(dovecot):
    """Given a wrong password, then check_connection and polling say the login failed, and the mailbox records it."""
    mailbox = _mailbox(dovecot)
    mailbox.password = "wrong"
    mailbox.save()
    with pytest.raises(MailboxError, match="Login failed"):
        check_connection(mailbox)
    assert poll_mailbox.delay(mailbox.pk).get()["error"].startswith("Login failed")
    mailbox.refresh_from_db()
    assert "Login failed" in mailbox.last_error


def test_check_connection_reports_success_and_refused_port(dovecot):
    """Given a good mailbox, check_connection succeeds; given a closed port, it says it cannot connect."""
    assert "INBOX" in check_connection(_mailbox(dovecot))
    closed = MailboxFactory(host="127.0.0.1", port=1, use_tls=False)
    with pytest.raises(MailboxError, match="Cannot connect"):
        check_connection(closed)


def test_fetch_mail_command_polls_once(dovecot, capsys):
    """Given a mail waiting, when `kefu fetch_mail --once` runs, then it is stored and the command reports it."""
    dovecot.append(build_mail(message_id="<cmd@example.com>"))
    mailbox = _mailbox(dovecot)
    call_command("fetch_mail", "--once", "--mailbox", str(mailbox.pk))
    assert "stored 1" in capsys.readouterr().out
    assert Ticket.objects.count() == 1


def test_a_mailbox_being_polled_is_not_polled_twice_at_once(dovecot):
    """Given a mailbox another worker is polling, when the beat queues it again, then that poll is skipped;
    once released, the poll_all beat task fetches its mail."""
    from datetime import timedelta

    from kefu.connectors.email.tasks import poll_all
    from kefu.core.clock import now

    dovecot.append(build_mail(message_id="<beat@example.com>"))
    mailbox = _mailbox(dovecot)
    Mailbox.objects.filter(pk=mailbox.pk).update(poll_claimed_until=now() + timedelta(minutes=5))
    assert poll_mailbox.delay(mailbox.pk).get() == {"skipped": True, "busy": True}
    assert not Ticket.objects.exists()

    Mailbox.objects.filter(pk=mailbox.pk).update(poll_claimed_until=None)
    poll_all.delay()
    assert Ticket.objects.count() == 1
    assert Mailbox.objects.get(pk=mailbox.pk).poll_claimed_until is None


def test_beat_schedule_polls_every_mailbox_and_retries_sends():
    """The periodic schedule (run by celery beat or the embedded scheduler) polls mail and retries sends."""
    from kefu.config.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"email_channel.poll_all", "email_channel.retry_due"} <= tasks
