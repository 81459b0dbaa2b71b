"""`kefu fetch_mail --idle` keeps running through an unexpected error in one polling round."""

import pytest
from django.db import OperationalError

from kefu.connectors.email.management.commands import fetch_mail

from .factories import MailboxFactory

pytestmark = pytest.mark.django_db


class _NoWatchers:
    """Stands in for the IMAP IDLE watchers: this test is about the command's own polling loop."""

    def __init__(self, **kwargs):
        pass

    def run(self, stopping) -> None:
        stopping.wait()


def test_an_unexpected_error_in_one_round_is_logged_and_the_next_round_still_runs(monkeypatch):
    """Given the database failing during the first polling round (a PostgreSQL restart), when `fetch_mail
    --idle` runs, then the error is reported, stale connections are dropped before each round, and the next
    round polls the mailbox again instead of the command stopping."""
    mailbox = MailboxFactory()
    command = fetch_mail.Command()
    calls = []
    rounds = []

    def flaky_poll(pk):
        calls.append(pk)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        command.stopping.set()
        return {"fetched": 0, "stored": 0}

    monkeypatch.setattr(fetch_mail, "Watchers", _NoWatchers)
    monkeypatch.setattr(fetch_mail, "poll_now", flaky_poll)
    monkeypatch.setattr(fetch_mail, "close_old_connections", lambda: rounds.append(True))

    command.handle(mailbox=mailbox.pk, idle=True, interval=0)

    assert calls == [mailbox.pk, mailbox.pk]
    assert len(rounds) == 2
