"""IMAP IDLE watchers (run by the scheduler process) against a real Dovecot: mail becomes a ticket without a poll.

Waiting loops below have generous deadlines only so a broken build fails instead of hanging; nothing is
asserted about how long anything took.
"""

import threading
import time

import pytest
from django.db import OperationalError

from kefu.connectors.email import idle
from kefu.connectors.email.models import Mailbox, ProcessedMail
from kefu.core.management.commands import scheduler
from kefu.tickets.models import Message, Ticket

from .factories import MailboxFactory
from .mails import build_mail

pytestmark = pytest.mark.django_db(transaction=True)


def _mailbox(dovecot, **kwargs) -> Mailbox:
    return MailboxFactory(port=dovecot.port, username=dovecot.user, password=dovecot.password, **kwargs)


def _until(condition, seconds: float = 60) -> bool:
    """Wait for `condition`; a read that meets a writer of the watcher's thread is simply tried again (the
    test database is an in-memory SQLite shared between threads, which locks tables instead of waiting)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except OperationalError:
            pass
        time.sleep(0.2)
    return False


@pytest.fixture
def watchers():
    started = []

    def make() -> idle.Watchers:
        supervisor = idle.Watchers()
        started.append(supervisor)
        return supervisor

    yield make
    for supervisor in started:
        supervisor.stop()


def test_mail_appended_while_idling_becomes_a_ticket_without_a_poll(dovecot, watchers):
    """Given a watcher idling on the mailbox (its first poll found nothing), when a mail is appended over IMAP,
    then a ticket appears: the server's IDLE announcement made the watcher fetch it."""
    mailbox = _mailbox(dovecot)
    supervisor = watchers()
    supervisor.sync()
    watcher = supervisor.running[mailbox.pk]
    assert watcher.idling.wait(30)
    assert watcher.polls == 1 and not Ticket.objects.exists()

    dovecot.append(build_mail(subject="IDLE 来信", message_id="<idle-1@example.com>"))

    assert _until(lambda: watcher.polls == 2)  # counted once that poll returned
    assert Ticket.objects.filter(subject="IDLE 来信").exists()
    assert dovecot.seen_flags() == [True]


def test_mail_waiting_before_the_watcher_starts_is_fetched_at_once(dovecot, watchers):
    dovecot.append(build_mail(subject="早到的信", message_id="<early@example.com>"))
    mailbox = _mailbox(dovecot)

    supervisor = watchers()
    supervisor.sync()

    assert _until(lambda: supervisor.running[mailbox.pk].polls == 1)
    assert Ticket.objects.filter(subject="早到的信").exists()
    assert Mailbox.objects.get(pk=mailbox.pk).last_uid == 1


def test_two_processes_watching_one_mailbox_store_each_mail_once(dovecot, watchers):
    """Given two schedulers' watchers on the same mailbox, when mails arrive, then each is stored exactly once
    (the poll claim and the Message-ID de-duplication keep them apart)."""
    mailbox = _mailbox(dovecot)
    first, second = watchers(), watchers()
    first.sync()
    second.sync()
    assert first.running[mailbox.pk].idling.wait(30) and second.running[mailbox.pk].idling.wait(30)

    for n in range(3):
        dovecot.append(build_mail(subject=f"并发 {n}", message_id=f"<both-{n}@example.com>"))

    assert _until(lambda: dovecot.seen_flags() == [True, True, True])
    first.stop()
    second.stop()
    assert Ticket.objects.count() == 3
    assert Message.objects.filter(kind="customer").count() == 3
    assert ProcessedMail.objects.count() == 3


def test_changed_settings_restart_the_watcher_and_deactivation_stops_it(dovecot, watchers):
    mailbox = _mailbox(dovecot)
    supervisor = watchers()
    supervisor.sync()
    old = supervisor.running[mailbox.pk]
    assert old.idling.wait(30)

    Mailbox.objects.filter(pk=mailbox.pk).update(folder="INBOX.Missing")
    supervisor.sync()

    old.join(10)
    assert not old.is_alive()
    assert supervisor.running[mailbox.pk] is not old

    Mailbox.objects.filter(pk=mailbox.pk).update(active=False)
    current = supervisor.running[mailbox.pk]
    supervisor.sync()
    current.join(10)
    assert not current.is_alive() and mailbox.pk not in supervisor.running


def test_an_unreachable_server_is_retried_with_backoff_and_stops_cleanly(watchers):
    """A refused connection does not end the watcher (it retries with a growing wait); stop ends it."""
    from .servers import free_port

    mailbox = MailboxFactory(port=free_port())
    supervisor = watchers()
    supervisor.sync()
    watcher = supervisor.running[mailbox.pk]
    time.sleep(0.5)
    assert watcher.is_alive()

    supervisor.stop()

    assert not watcher.is_alive()


def test_the_scheduler_starts_the_idle_watchers_and_stops_them_with_itself(dovecot):
    """`kefu scheduler` (the process `kefu serve` runs) starts the IDLE supervisor as a companion."""
    mailbox = _mailbox(dovecot)
    stop = threading.Event()

    threads = scheduler.start_companions(stop)

    assert [t.name for t in threads] == ["imap-idle"]
    dovecot.append(build_mail(subject="调度器", message_id="<sched@example.com>"))
    assert _until(lambda: dovecot.seen_flags() == [True])
    stop.set()
    for thread in threads:
        thread.join(15)
    assert not any(t.is_alive() for t in threads)
    assert Ticket.objects.filter(subject="调度器").exists()
    assert Mailbox.objects.get(pk=mailbox.pk).last_uid == 1


def test_fetch_mail_idle_runs_the_same_watchers_and_stops_cleanly(dovecot):
    """Given `kefu fetch_mail --idle` running with a long poll interval, when a mail is appended while its
    watcher idles, then the scheduler's IDLE watcher (not a poll) makes it a ticket; stopping ends the run."""
    from django.core.management import call_command

    from kefu.connectors.email.management.commands.fetch_mail import Command

    mailbox = _mailbox(dovecot)
    MailboxFactory(port=dovecot.port, username="someone-else")  # not watched: --mailbox names one
    command = Command()
    run = threading.Thread(
        target=call_command, args=(command, "--idle", "--mailbox", str(mailbox.pk), "--interval", "3600")
    )
    run.start()
    try:
        assert _until(lambda: command.watchers is not None and mailbox.pk in command.watchers.running)
        watcher = command.watchers.running[mailbox.pk]
        assert isinstance(watcher, idle.Watcher) and watcher.idling.wait(30)
        assert list(command.watchers.running) == [mailbox.pk]

        dovecot.append(build_mail(subject="命令 IDLE", message_id="<cmd-idle@example.com>"))

        assert _until(lambda: watcher.polls == 2)  # counted once that poll returned: mail stored, marked seen
        assert Ticket.objects.filter(subject="命令 IDLE").exists()
        assert dovecot.seen_flags() == [True]
    finally:
        command.stopping.set()
        run.join(30)
    assert not run.is_alive() and not watcher.is_alive()
