import logging
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from kefu.connectors.email.fetch import MailboxError, poll
from kefu.connectors.email.idle import Watchers
from kefu.connectors.email.models import Mailbox
from kefu.connectors.email.tasks import poll_now

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Fetch new mail from the active IMAP and POP3 mailboxes: once, every --interval seconds, or (--idle) "
        "as soon as the IMAP server announces it."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stopping = threading.Event()  # set to end an --idle run (Ctrl-C does it too)
        self.watchers: Watchers | None = None

    def add_arguments(self, parser):
        parser.add_argument("--mailbox", type=int, help="only this mailbox id")
        parser.add_argument("--once", action="store_true", help="poll once and exit")
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between polls")
        parser.add_argument(
            "--idle",
            action="store_true",
            help="keep one connection per mailbox in IMAP IDLE and fetch the moment mail arrives "
            "(servers without IDLE, and POP3, are polled every --interval seconds)",
        )

    def handle(self, *args, mailbox=None, once=False, interval=30.0, idle=False, **options):
        mailboxes = Mailbox.objects.filter(active=True)
        if mailbox is not None:
            mailboxes = mailboxes.filter(pk=mailbox)
            if not mailboxes.exists():
                raise CommandError(f"no active mailbox with id {mailbox}")
        if idle and not once:
            return self._idle(mailboxes, only=mailbox, interval=interval)
        while True:
            for box in list(mailboxes):
                self._poll(box)
            if once:
                return
            time.sleep(interval)

    def _poll(self, box: Mailbox) -> bool:
        try:
            report = poll(box)
        except MailboxError as exc:
            self.stderr.write(f"{box.name}: {exc}")
            return False
        self.stdout.write(
            f"{box.name}: fetched {report.fetched}, stored {report.stored}, "
            f"duplicates {report.duplicates}, quarantined {report.quarantined}"
        )
        return True

    def _idle(self, mailboxes, *, only: int | None, interval: float) -> None:
        """The IMAP IDLE watchers `kefu scheduler` runs (one code path), plus a poll every --interval seconds
        for what they do not cover: POP3, servers without IDLE, anything missed. Both poll through the
        shared claim, so this runs safely beside the scheduler."""
        self.watchers = Watchers(only=only)
        supervisor = threading.Thread(
            target=self.watchers.run, args=(self.stopping,), name="imap-idle", daemon=True
        )
        supervisor.start()
        try:
            while not self.stopping.is_set():
                # A long-running loop outside any request: drop a connection the database closed (a
                # PostgreSQL restart) or that outlived CONN_MAX_AGE before using it again.
                close_old_connections()
                try:
                    self._poll_round(mailboxes)
                # One bad round (the database gone for a moment) must not end the run.
                except Exception as exc:
                    log.exception("fetch_mail --idle: polling round failed")
                    self.stderr.write(f"polling failed, trying again in {interval:g} s: {exc}")
                self.stopping.wait(interval)
        except KeyboardInterrupt:
            pass
        finally:
            self.stopping.set()
            supervisor.join(15)

    def _poll_round(self, mailboxes) -> None:
        for pk, name in mailboxes.values_list("pk", "name"):
            result = poll_now(pk)
            if result.get("error"):
                self.stderr.write(f"{name}: {result['error']}")
            elif "stored" in result:
                self.stdout.write(f"{name}: fetched {result['fetched']}, stored {result['stored']}")
