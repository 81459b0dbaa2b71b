import time

from django.core.management.base import BaseCommand, CommandError

from kefu.connectors.email.fetch import MailboxError, poll
from kefu.connectors.email.models import Mailbox


class Command(BaseCommand):
    help = "Fetch new mail from the active IMAP mailboxes (once, or every --interval seconds)."

    def add_arguments(self, parser):
        parser.add_argument("--mailbox", type=int, help="only this mailbox id")
        parser.add_argument("--once", action="store_true", help="poll once and exit")
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between polls")

    def handle(self, *args, mailbox=None, once=False, interval=30.0, **options):
        mailboxes = Mailbox.objects.filter(active=True, protocol="imap")
        if mailbox is not None:
            mailboxes = mailboxes.filter(pk=mailbox)
            if not mailboxes.exists():
                raise CommandError(f"no active IMAP mailbox with id {mailbox}")
        while True:
            for box in list(mailboxes):
                try:
                    report = poll(box)
                except MailboxError as exc:
                    self.stderr.write(f"{box.name}: {exc}")
                    continue
                self.stdout.write(
                    f"{box.name}: fetched {report.fetched}, stored {report.stored}, "
                    f"duplicates {report.duplicates}, quarantined {report.quarantined}"
                )
            if once:
                return
            time.sleep(interval)
