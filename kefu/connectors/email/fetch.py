"""Fetching mail over IMAP or POP3; a mail counts as processed only after the transaction storing it committed.

The order per mail is: fetch (BODY.PEEK, so nothing is marked yet) → `ingest_raw` (its own transaction,
committed on return) → mark \\Seen and remember the UID. A crash anywhere before the last step means the
mail is fetched again next time, and intake's de-duplication by Message-ID stores it once.

POP3 has no flags: a stored mail's UIDL is remembered (`PopUidl`) after the commit, and the mail is
deleted from the server (when the mailbox says so) only then; an interrupted session deletes nothing.
"""

import imaplib
import logging
import poplib
import re
import socket
import ssl
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from kefu.core.clock import now

from .models import Mailbox, PopUidl, Protocol
from .services import MailResult, ingest_raw, quarantine

log = logging.getLogger(__name__)

TIMEOUT = 30
# poplib refuses lines over 2 KB; real mail (one-line HTML, long base64 lines) has longer ones.
poplib._MAXLINE = max(poplib._MAXLINE, 1 << 20)
_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class MailboxError(Exception):
    """Connecting, logging in or selecting the folder failed; the message is shown to admins.

    `message` says what went wrong in words an admin can act on; `detail` keeps the server's or the
    system's own text (e.g. "[Errno 111] Connection refused") for the small print."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.message} ({self.detail})" if self.detail else self.message


def _network_reason(exc: BaseException) -> str:
    """A clear sentence for the usual ways a connection fails."""
    if isinstance(exc, ConnectionRefusedError):
        return _(
            "the server refused the connection. Check the host and the port, and that the mail server runs."
        )
    if isinstance(exc, socket.gaierror):
        return _("this host name cannot be found. Check its spelling.")
    if isinstance(exc, TimeoutError):
        return _("the server did not answer in time. Check the host, the port and any firewall in between.")
    if isinstance(exc, (ConnectionResetError, ConnectionAbortedError, EOFError)):
        return _("the server closed the connection. Check the port and the TLS setting.")
    return _("the connection failed.")


def _tls_reason(exc: ssl.SSLError) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _(
            "the server's certificate cannot be trusted (self-signed, expired or issued for another name)."
        )
    return _(
        "the secure connection could not be set up. Check the port and the TLS setting: TLS usually runs "
        "on 993 (IMAP) or 995 (POP3), plain connections on 143 or 110."
    )


def _connect_failed(mailbox: Mailbox, exc: BaseException) -> MailboxError:
    if isinstance(exc, ssl.SSLError):
        return MailboxError(_("TLS failed: %(error)s") % {"error": _tls_reason(exc)}, detail=str(exc))
    return MailboxError(
        _("Cannot connect to %(host)s:%(port)s: %(error)s")
        % {"host": mailbox.host, "port": mailbox.port, "error": _network_reason(exc)},
        detail=str(exc) if isinstance(exc, OSError) else _text(exc),
    )


def _login_failed(exc: BaseException) -> MailboxError:
    return MailboxError(
        _("Login failed: %(error)s") % {"error": _("the server refused the user name or password.")},
        detail=_text(exc),
    )


@dataclass
class PollReport:
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    results: list[MailResult] = field(default_factory=list)


def max_mail_bytes() -> int:
    return getattr(settings, "EMAIL_MAX_MAIL_BYTES", 50 * 1024 * 1024)


def open_imap(mailbox: Mailbox) -> imaplib.IMAP4:
    """Connect and log in, translating every failure into a MailboxError with a clear reason."""
    try:
        if mailbox.use_tls:
            conn = imaplib.IMAP4_SSL(
                mailbox.host, mailbox.port, ssl_context=ssl.create_default_context(), timeout=TIMEOUT
            )
        else:
            conn = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT)
    except (OSError, imaplib.IMAP4.error) as exc:  # ssl.SSLError is an OSError
        raise _connect_failed(mailbox, exc) from exc
    try:
        conn.login(mailbox.username, mailbox.password)
    except imaplib.IMAP4.error as exc:
        _close(conn)
        raise _login_failed(exc) from exc
    return conn


def check_connection(mailbox: Mailbox) -> str:
    """Connect, log in and open the folder; return a short success text or raise MailboxError."""
    if mailbox.protocol == Protocol.POP3:
        conn = _open_pop3(mailbox)
        try:
            count, _size = conn.stat()
        finally:
            conn.quit()
        return _("Connected: %(count)s messages waiting.") % {"count": count}
    conn = open_imap(mailbox)
    try:
        typ, data = conn.select(_quote(mailbox.folder), readonly=True)
        if typ != "OK":
            raise MailboxError(
                _("Folder %(folder)s cannot be opened: %(error)s")
                % {"folder": mailbox.folder, "error": _text(data)}
            )
        return _("Connected: %(count)s messages in %(folder)s.") % {
            "count": _text(data),
            "folder": mailbox.folder,
        }
    finally:
        _close(conn)


def _open_pop3(mailbox: Mailbox) -> poplib.POP3:
    try:
        if mailbox.use_tls:
            conn = poplib.POP3_SSL(
                mailbox.host, mailbox.port, context=ssl.create_default_context(), timeout=TIMEOUT
            )
        else:
            conn = poplib.POP3(mailbox.host, mailbox.port, timeout=TIMEOUT)
        conn.user(mailbox.username)
        conn.pass_(mailbox.password)
    except poplib.error_proto as exc:
        raise _login_failed(exc) from exc
    except OSError as exc:
        raise _connect_failed(mailbox, exc) from exc
    return conn


def poll(mailbox: Mailbox, *, limit: int = 200) -> PollReport:
    """Fetch new mail of one mailbox, at most `limit` messages; records errors on the mailbox."""
    if transaction.get_connection().in_atomic_block:
        # Marking a mail as processed inside an open transaction would defeat "only after commit".
        raise RuntimeError("poll() must run outside a transaction")
    if mailbox.protocol == Protocol.POP3:
        return poll_pop3(mailbox, limit=limit)
    report = PollReport()
    try:
        conn = open_imap(mailbox)
    except MailboxError as exc:
        Mailbox.objects.filter(pk=mailbox.pk).update(last_error=str(exc), last_polled_at=now())
        raise
    try:
        typ, data = conn.select(_quote(mailbox.folder))
        if typ != "OK":
            raise MailboxError(
                _("Folder %(folder)s cannot be opened: %(error)s")
                % {"folder": mailbox.folder, "error": _text(data)}
            )
        validity = _uid_validity(conn, mailbox.folder)
        last_uid = mailbox.last_uid if validity == mailbox.uid_validity else 0
        typ, data = conn.uid("SEARCH", None, f"UID {last_uid + 1}:*")
        uids = sorted(int(u) for u in (data[0] or b"").split() if int(u) > last_uid)[:limit]
        for uid in uids:
            _fetch_one(conn, mailbox, uid, validity, report)
    except (imaplib.IMAP4.error, OSError) as exc:
        Mailbox.objects.filter(pk=mailbox.pk).update(last_error=str(exc)[:2000], last_polled_at=now())
        raise MailboxError(str(exc)) from exc
    finally:
        _close(conn)
    Mailbox.objects.filter(pk=mailbox.pk).update(last_error="", last_polled_at=now())
    return report


def _fetch_one(conn: imaplib.IMAP4, mailbox: Mailbox, uid: int, validity: int, report: PollReport) -> None:
    typ, data = conn.uid("FETCH", str(uid), "(RFC822.SIZE)")
    found = _SIZE.search(b" ".join(d if isinstance(d, bytes) else b"" for d in data or []))
    size = int(found.group(1)) if found else 0
    report.fetched += 1
    if size > max_mail_bytes():
        # Never load an unbounded mail into memory: keep its headers in quarantine, say why.
        typ, data = conn.uid("FETCH", str(uid), "(BODY.PEEK[HEADER])")
        quarantine(
            mailbox=mailbox,
            raw=_literal(data),
            error=f"mail of {size} bytes exceeds EMAIL_MAX_MAIL_BYTES={max_mail_bytes()}; headers kept",
        )
        report.quarantined += 1
    else:
        typ, data = conn.uid("FETCH", str(uid), "(BODY.PEEK[])")
        raw = _literal(data)
        result = ingest_raw(mailbox=mailbox, raw=raw, uid=uid)  # committed when it returns
        report.results.append(result)
        if result.quarantined:
            report.quarantined += 1
        elif result.duplicate:
            report.duplicates += 1
        else:
            report.stored += 1
    # Only now, with the mail safely stored, is it marked and remembered.
    conn.uid("STORE", str(uid), "+FLAGS", "(\\Seen)")
    Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=uid, uid_validity=validity)
    mailbox.last_uid, mailbox.uid_validity = uid, validity


def poll_pop3(mailbox: Mailbox, *, limit: int = 200) -> PollReport:
    """Fetch the mail of a POP3 mailbox not seen before (by UIDL); delete it only once it is stored."""
    report = PollReport()
    try:
        conn = _open_pop3(mailbox)
    except MailboxError as exc:
        Mailbox.objects.filter(pk=mailbox.pk).update(last_error=str(exc), last_polled_at=now())
        raise
    try:
        _resp, lines, _octets = conn.uidl()
        listing = [line.decode("ascii", "replace").split(None, 1) for line in lines]
        on_server = {uidl.strip(): int(num) for num, uidl in listing}
        known = set(PopUidl.objects.filter(mailbox=mailbox).values_list("uidl", flat=True))
        new = [
            (num, uidl) for uidl, num in sorted(on_server.items(), key=lambda x: x[1]) if uidl not in known
        ]
        deleted = []
        # Every mail's size in one LIST, not a LIST per mail.
        sizes = (
            {int(num): int(size) for num, size in (line.split()[:2] for line in conn.list()[1])}
            if new
            else {}
        )
        for num, uidl in new[:limit]:
            if _fetch_pop3_one(conn, mailbox, num, uidl, sizes[num], report):
                deleted.append(uidl)
        if mailbox.delete_after_fetch:
            kept = PopUidl.objects.filter(mailbox=mailbox, keep_on_server=True).values_list("uidl", flat=True)
            # Stored in an earlier session whose deletions never reached the server.
            for uidl in (known - set(kept)) & on_server.keys():
                conn.dele(on_server[uidl])
                deleted.append(uidl)
        conn.quit()  # deletions take effect only now, after every deleted mail was stored
        # Forget UIDLs the server no longer holds: the table stays as small as the mailbox.
        gone = PopUidl.objects.filter(mailbox=mailbox).exclude(uidl__in=list(on_server))
        gone.delete()
        PopUidl.objects.filter(mailbox=mailbox, uidl__in=deleted).delete()
    except (poplib.error_proto, OSError) as exc:
        conn.close()
        Mailbox.objects.filter(pk=mailbox.pk).update(last_error=_text(exc)[:2000], last_polled_at=now())
        raise MailboxError(_text(exc)) from exc
    except BaseException:
        conn.close()  # no QUIT: the server rolls back every DELE of this session
        raise
    Mailbox.objects.filter(pk=mailbox.pk).update(last_error="", last_polled_at=now())
    return report


def _fetch_pop3_one(
    conn: poplib.POP3, mailbox: Mailbox, num: int, uidl: str, size: int, report: PollReport
) -> bool:
    """Store one POP3 mail (`size` bytes), then remember its UIDL; True when it was deleted from the server."""
    report.fetched += 1
    if size > max_mail_bytes():
        _resp, lines, _octets = conn.top(num, 0)
        quarantine(
            mailbox=mailbox,
            raw=b"\r\n".join(lines) + b"\r\n",
            error=f"mail of {size} bytes exceeds EMAIL_MAX_MAIL_BYTES={max_mail_bytes()}; headers kept",
        )
        report.quarantined += 1
        PopUidl.objects.get_or_create(mailbox=mailbox, uidl=uidl[:255], defaults={"keep_on_server": True})
        return False
    _resp, lines, _octets = conn.retr(num)
    result = ingest_raw(mailbox=mailbox, raw=b"\r\n".join(lines) + b"\r\n")  # committed on return
    report.results.append(result)
    if result.quarantined:
        report.quarantined += 1
    elif result.duplicate:
        report.duplicates += 1
    else:
        report.stored += 1
    # Only now, with the mail safely stored, is it remembered (and deleted, when the mailbox says so).
    PopUidl.objects.get_or_create(mailbox=mailbox, uidl=uidl[:255])
    if mailbox.delete_after_fetch:
        conn.dele(num)
        return True
    return False


def supports_idle(conn: imaplib.IMAP4) -> bool:
    return "IDLE" in conn.capabilities


def select_for_idle(conn: imaplib.IMAP4, mailbox: Mailbox) -> None:
    """Open the folder read-only: the watching session never changes flags (the poll marks mail \\Seen)."""
    typ, data = conn.select(_quote(mailbox.folder), readonly=True)
    if typ != "OK":
        raise MailboxError(_text(data))


def idle(conn: imaplib.IMAP4, timeout: float, *, stop=None, started=None) -> bool:
    """IDLE by hand (imaplib has it only from Python 3.14), reading the raw socket so a read timeout never
    leaves imaplib's buffered file in a broken state. True when the server announced new mail.

    `stop` (a threading.Event) ends the wait within a second; `started` is set once the server is idling."""
    tag = conn._new_tag()
    sock = conn.socket()
    lines = _RawLines(sock)
    conn.send(tag + b" IDLE\r\n")
    if not lines.next(TIMEOUT).startswith(b"+"):
        return False
    if started is not None:
        started.set()
    arrived = False
    step = 1.0 if stop is not None else 60.0
    deadline = time.monotonic() + timeout
    try:
        while not arrived and (left := deadline - time.monotonic()) > 0:
            if stop is not None and stop.is_set():
                break
            arrived = _announces_mail(lines.next(min(left, step)))
    finally:
        conn.send(b"DONE\r\n")
        end = time.monotonic() + TIMEOUT
        while time.monotonic() < end:
            line = lines.next(TIMEOUT)
            if line.startswith(tag):
                break
            arrived = arrived or _announces_mail(line)  # mail that came while the IDLE was ending
    return arrived


def _announces_mail(line: bytes) -> bool:
    return line.startswith(b"* ") and (b"EXISTS" in line or b"RECENT" in line)


class _RawLines:
    """CRLF-terminated lines from a socket; `next(wait)` gives b"" when nothing came within `wait` seconds."""

    def __init__(self, sock):
        self.sock, self.buffer = sock, b""

    def next(self, wait: float) -> bytes:
        deadline = time.monotonic() + wait
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return b""
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(4096)
            except TimeoutError:
                return b""
            finally:
                self.sock.settimeout(TIMEOUT)
            if not chunk:
                raise OSError("the server closed the connection")
            self.buffer += chunk
        line, _sep, self.buffer = self.buffer.partition(b"\n")
        return line + b"\n"


def _literal(data) -> bytes:
    for item in data or []:
        if isinstance(item, tuple) and len(item) >= 2:
            return item[1]
    return b""


def _uid_validity(conn: imaplib.IMAP4, folder: str) -> int:
    typ, data = conn.response("UIDVALIDITY")
    if data and data[0]:
        return int(data[0])
    typ, data = conn.status(_quote(folder), "(UIDVALIDITY)")
    found = _UIDVALIDITY.search(data[0] if data and data[0] else b"")
    return int(found.group(1)) if found else 0


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(value) -> str:
    if isinstance(value, (list, tuple)):
        value = b" ".join(v if isinstance(v, bytes) else str(v).encode() for v in value if v)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, Exception) and value.args:
        return _text(value.args[0])
    return str(value)


def _close(conn) -> None:
    try:
        conn.logout()
    except Exception as exc:  # the server may already have dropped us
        log.debug("logout failed: %s", exc)
