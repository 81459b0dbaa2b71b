import json
import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kefu.connectors.email.importer import eml_files, import_file
from kefu.connectors.email.models import Mailbox

# Left raw by ensure_ascii=False, these would split a line for readers that honour Unicode line breaks
# (or fail to encode, for lone surrogates); escaped, every file stays exactly one line.
_UNSAFE = re.compile("[\u0085\u2028\u2029\ud800-\udfff]")


def json_line(data: dict) -> str:
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(data, ensure_ascii=False))


class Command(BaseCommand):
    help = (
        "Ingest raw .eml files (files or folders, recursively) through the same pipeline as fetched mail; "
        "prints one JSON line per file."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help=".eml files or folders holding them")
        parser.add_argument("--mailbox", metavar="NAME", help="the mailbox the mail counts as received by")
        parser.add_argument(
            "--notify",
            action="store_true",
            help="send the mailbox's notification mails (off by default: imported archives are old mail)",
        )

    def handle(self, *args, paths, mailbox=None, notify=False, **options):
        box = None
        if mailbox:
            box = Mailbox.objects.filter(name=mailbox).first()
            if box is None:
                raise CommandError(f"no mailbox named {mailbox!r}")
        roots = [Path(p) for p in paths]
        missing = [str(p) for p in roots if not p.exists()]
        if missing:
            raise CommandError(f"no such file or folder: {', '.join(missing)}")
        for path in eml_files(roots):
            line = import_file(path, mailbox=box, notify=notify)
            self.stdout.write(json_line(line))
