import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from kefu.connectors.email.fetch import MailboxError, poll, wait_for_mail
from kefu.connectors.email.models import Mailbox


class Command(BaseCommand):
    help = (
        "Fetch new mail from the active IMAP and POP3 mailboxes: once, every --interval seconds, or (--idle) "
        "as soon as the IMAP server announces it."
    )

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
            return self._watch_all(list(mailboxes.values_list("pk", flat=True)), interval)
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

    def _watch_all(self, ids: list[int], interval: float) -> None:
        stop = threading.Event()
        threads = [
            threading.Thread(target=self._watch, args=(pk, interval, stop), daemon=True, name=f"mailbox-{pk}")
            for pk in ids
        ]
        for thread in threads:
            thread.start()
        try:
            while any(t.is_alive() for t in threads):
                time.sleep(1)
        except KeyboardInterrupt:
            stop.set()

    def _watch(self, pk: int, interval: float, stop: threading.Event) -> None:
        """Poll, then wait in IDLE for the next mail; on errors wait --interval and start over."""
        try:
            while not stop.is_set():
                box = Mailbox.objects.filter(pk=pk, active=True).first()
                if box is None:
                    return
                if not self._poll(box):
                    stop.wait(interval)
                    continue
                try:
                    wait_for_mail(box, fallback=interval)
                except MailboxError as exc:
                    self.stderr.write(f"{box.name}: {exc}")
                    stop.wait(interval)
        finally:
            connection.close()
