"""Importing raw .eml files: the same `ingest_raw` pipeline as IMAP, one plain-dict report per file."""

from collections.abc import Iterable, Iterator
from pathlib import Path

from .fetch import max_mail_bytes
from .models import Mailbox
from .parse import ParsedMail, parse
from .services import MailResult, ingest_raw, quarantine

HEADER_PEEK_BYTES = 256 * 1024


def eml_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The files named, and every file under the folders named (recursively, sorted, hidden ones skipped)."""
    for path in paths:
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                relative = found.relative_to(path).parts
                if found.is_file() and not any(part.startswith(".") for part in relative):
                    yield found
        else:
            yield path


def import_file(path: Path, *, mailbox: Mailbox | None, notify: bool = False) -> dict:
    """Ingest one file like a fetched mail and describe the outcome; never raises."""
    try:
        size = path.stat().st_size
        if size > max_mail_bytes():
            # Like an oversized mail on the server: never read it whole, keep its headers in quarantine.
            with path.open("rb") as handle:
                head = handle.read(HEADER_PEEK_BYTES).split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
            held = quarantine(
                mailbox=mailbox,
                raw=head,
                error=f"mail of {size} bytes exceeds EMAIL_MAX_MAIL_BYTES={max_mail_bytes()}; headers kept",
            )
            return describe(path, MailResult(quarantined=held), raw=head)
        raw = path.read_bytes()
    except OSError as exc:
        return describe(path, MailResult(), raw=b"", error=f"{type(exc).__name__}: {exc}")
    return describe(path, ingest_raw(mailbox=mailbox, raw=raw, notify=notify), raw=raw)


def describe(path: Path, result: MailResult, *, raw: bytes, error: str | None = None) -> dict:
    """The JSON line of the import command for one file."""
    mail = result.parsed or _parse_quietly(raw)
    if result.quarantined is not None:
        error = result.quarantined.error
    return {
        "file": str(path),
        "ticket": result.ticket.pk if result.ticket is not None else None,
        "subject": mail.subject,
        "from_name": mail.from_name,
        "from_address": mail.from_address,
        "text": mail.text,
        "attachments": [item.name for item in mail.attachments],
        "warnings": list(result.warnings or mail.warnings),
        "error": error,
    }


def _parse_quietly(raw: bytes) -> ParsedMail:
    """Whatever can still be read from a mail that was not stored (for the report only)."""
    try:
        return parse(raw)
    except Exception:
        return ParsedMail()
