"""Fetching over POP3 from a real Dovecot: each mail stored once (UIDL), deleted only after it is stored."""

import poplib

import pytest
from django.utils import translation

from kefu.connectors.email import fetch
from kefu.connectors.email.fetch import MailboxError, check_connection, poll
from kefu.connectors.email.models import Mailbox, PopUidl
from kefu.tickets.models import Message, Ticket

from .factories import MailboxFactory
from .mails import build_mail

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _mailbox(server, **kwargs) -> Mailbox:
    values = {
        "protocol": "pop3",
        "host": "127.0.0.1",
        "port": server.pop3_port,
        "use_tls": False,
        "username": server.user,
        "password": server.password,
    }
    return MailboxFactory(**(values | kwargs))


def _count_on_server(server) -> int:
    conn = poplib.POP3("127.0.0.1", server.pop3_port, timeout=10)
    try:
        conn.user(server.user)
        conn.pass_(server.password)
        return conn.stat()[0]
    finally:
        conn.quit()


def test_pop3_poll_stores_new_mail_once_and_leaves_it_by_default(pop3):
    """Given two mails, when polled twice over POP3, then two tickets exist and the second poll fetches nothing."""
    pop3.append(build_mail(subject="pop 一", message_id="<p1@example.com>"))
    pop3.append(build_mail(subject="pop two", sender="li@example.com", message_id="<p2@example.com>"))
    mailbox = _mailbox(pop3)

    first = poll(mailbox)
    second = poll(Mailbox.objects.get(pk=mailbox.pk))

    assert (first.fetched, first.stored) == (2, 2)
    assert second.fetched == 0
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["pop two", "pop 一"]
    assert PopUidl.objects.filter(mailbox=mailbox).count() == 2
    assert _count_on_server(pop3) == 2


def test_pop3_deletes_only_after_storing_and_a_crash_loses_nothing(pop3, monkeypatch):
    """Given delete-after-fetch and a worker dying after storing mail 2, then the interrupted session deleted
    nothing, and the next poll stores every mail exactly once and empties the server."""
    for n in range(1, 4):
        pop3.append(build_mail(subject=f"pop {n}", message_id=f"<pc{n}@example.com>"))
    mailbox = _mailbox(pop3, delete_after_fetch=True)
    real_ingest = fetch.ingest_raw
    calls = {"n": 0}

    def dying_ingest(**kwargs):
        result = real_ingest(**kwargs)
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("worker killed")
        return result

    monkeypatch.setattr(fetch, "ingest_raw", dying_ingest)
    with pytest.raises(KeyboardInterrupt):
        poll(mailbox)
    assert _count_on_server(pop3) == 3  # no QUIT, so no DELE took effect

    monkeypatch.setattr(fetch, "ingest_raw", real_ingest)
    report = poll(Mailbox.objects.get(pk=mailbox.pk))

    assert (report.fetched, report.stored, report.duplicates) == (2, 1, 1)
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["pop 1", "pop 2", "pop 3"]
    assert Message.objects.count() == 3
    assert _count_on_server(pop3) == 0
    assert PopUidl.objects.filter(mailbox=mailbox).count() == 0  # forgotten once gone from the server


def test_pop3_check_connection_and_wrong_password(pop3):
    """Given a POP3 mailbox, check_connection counts the waiting mail; a wrong password says the login failed."""
    pop3.append(build_mail(message_id="<pcheck@example.com>"))
    assert "1" in check_connection(_mailbox(pop3))
    wrong = _mailbox(pop3, password="wrong")
    with pytest.raises(MailboxError, match="Login failed"):
        check_connection(wrong)
    with pytest.raises(MailboxError):
        poll(wrong)
    wrong.refresh_from_db()
    assert wrong.last_error
