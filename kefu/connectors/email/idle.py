"""IMAP IDLE watchers: new mail becomes a ticket within seconds instead of at the next poll.

The scheduler process (`kefu scheduler`, which `kefu serve` starts as a child) runs `start_watchers`
beside the periodic jobs, and `kefu fetch_mail --idle` runs the same supervisor on its own: one thread per
active IMAP mailbox whose server advertises IDLE. A watcher keeps a read-only session of the folder in IDLE and, when the server announces mail, polls the mailbox
through the same claimed poll as the periodic job (`tasks.poll_now`). So several processes watching the
same mailbox stay harmless: only one polls at a time (the claim), a mail is stored once (Message-ID and
UID de-duplication), and a watcher that found the mailbox busy waits for the claim and polls again.

The periodic poll stays the fallback: for POP3, servers without IDLE, and anything a watcher missed.
A supervisor thread re-reads the mailboxes every few seconds and restarts the watcher of a mailbox
whose connection settings changed, starts new ones and stops those of removed or deactivated mailboxes.
"""

import imaplib
import logging
import threading

from django.db import DatabaseError, close_old_connections, connection

from .fetch import MailboxError, _close, idle, open_imap, select_for_idle, supports_idle
from .models import Mailbox, Protocol

log = logging.getLogger(__name__)

RENEW = 10 * 60.0  # seconds in one IDLE command (RFC 2177: renew within 29 minutes)
REFRESH = 10.0  # seconds between two looks at the mailbox settings
MAX_BACKOFF = 300.0
BUSY_WAIT = 120.0  # how long a watcher waits for another process's poll to finish before giving up
CONNECTION_FIELDS = ("host", "port", "use_tls", "username", "password", "folder")


def settings_key(mailbox: Mailbox) -> tuple:
    """What a watcher's session depends on: a change of any of these means a new session."""
    return tuple(getattr(mailbox, name) for name in CONNECTION_FIELDS)


class Watcher(threading.Thread):
    """Keeps one mailbox's folder in IDLE and polls it whenever the server announces mail."""

    def __init__(self, mailbox_id: int, key: tuple, *, renew: float = RENEW):
        super().__init__(name=f"imap-idle-{mailbox_id}", daemon=True)
        self.mailbox_id, self.key, self.renew = mailbox_id, key, renew
        self.stopping = threading.Event()
        self.idling = threading.Event()  # set while the server is in IDLE for us (tests wait for it)
        self.without_idle = False  # the server does not offer IDLE: the periodic poll serves this mailbox
        self.polls = 0

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        backoff = 1.0
        try:
            while not self.stopping.is_set():
                try:
                    close_old_connections()
                    mailbox = Mailbox.objects.filter(
                        pk=self.mailbox_id, active=True, protocol=Protocol.IMAP
                    ).first()
                    if mailbox is None or settings_key(mailbox) != self.key:
                        return  # gone or changed: the supervisor starts a watcher with the new settings
                    self._session(mailbox)
                    backoff = 1.0
                except (MailboxError, imaplib.IMAP4.error, OSError, DatabaseError) as exc:
                    log.warning("IMAP IDLE of mailbox %s: %s; again in %.0f s", self.mailbox_id, exc, backoff)
                    self.stopping.wait(backoff)
                    backoff = min(backoff * 2, MAX_BACKOFF)
                if self.without_idle:
                    return
        finally:
            self.idling.clear()
            connection.close()

    def _session(self, mailbox: Mailbox) -> None:
        conn = open_imap(mailbox)
        try:
            if not supports_idle(conn):
                log.info("mailbox %s: the server has no IDLE; it is polled on schedule", mailbox.name)
                self.without_idle = True
                return
            select_for_idle(conn, mailbox)
            self._poll()  # mail that came before this session saw the folder
            while not self.stopping.is_set():
                arrived = idle(conn, self.renew, stop=self.stopping, started=self.idling)
                self.idling.clear()
                if arrived and not self.stopping.is_set():
                    self._poll()
        finally:
            self.idling.clear()
            _close(conn)

    def _poll(self) -> None:
        """Poll through the shared claim; when another process holds it, wait and poll after it."""
        from .tasks import poll_now

        close_old_connections()
        waited = 0.0
        while not self.stopping.is_set():
            result = poll_now(self.mailbox_id)
            if not result.get("busy"):
                self.polls += 1
                if result.get("error"):
                    raise MailboxError(result["error"])
                return
            if waited >= BUSY_WAIT:
                return  # a stuck claim: its lease runs out and the periodic poll takes over
            self.stopping.wait(0.5)
            waited += 0.5


class Watchers:
    """The supervisor: one watcher per active IMAP mailbox, kept in step with the mailbox settings."""

    def __init__(self, *, renew: float = RENEW, only: int | None = None):
        self.renew = renew
        self.only = only  # watch this one mailbox id alone (`kefu fetch_mail --idle --mailbox N`)
        self.running: dict[int, Watcher] = {}
        self.without_idle: dict[int, tuple] = {}  # mailboxes whose server had no IDLE, with those settings

    def sync(self) -> None:
        """Start, restart and stop watchers to match the active IMAP mailboxes (one query)."""
        close_old_connections()
        mailboxes = Mailbox.objects.filter(active=True, protocol=Protocol.IMAP)
        if self.only is not None:
            mailboxes = mailboxes.filter(pk=self.only)
        wanted = {box.pk: settings_key(box) for box in mailboxes.only("pk", *CONNECTION_FIELDS)}
        for pk, watcher in list(self.running.items()):
            if watcher.without_idle and not watcher.is_alive():
                self.without_idle[pk] = watcher.key
            if wanted.get(pk) != watcher.key or not watcher.is_alive():
                watcher.stop()
                del self.running[pk]
        for pk, key in wanted.items():
            if pk not in self.running and self.without_idle.get(pk) != key:
                watcher = Watcher(pk, key, renew=self.renew)
                self.running[pk] = watcher
                watcher.start()

    def stop(self, *, wait: float = 5.0) -> None:
        watchers = list(self.running.values())
        self.running.clear()
        for watcher in watchers:
            watcher.stop()
        for watcher in watchers:
            watcher.join(wait)

    def run(self, stop: threading.Event, *, refresh: float = REFRESH) -> None:
        try:
            while not stop.is_set():
                try:
                    self.sync()
                except Exception:  # a database hiccup must not end the watching for good
                    log.exception("IMAP IDLE supervisor: reading the mailboxes failed")
                stop.wait(refresh)
        finally:
            self.stop()
            connection.close()


def start_watchers(stop: threading.Event) -> threading.Thread:
    """The scheduler's companion: supervise the IDLE watchers until `stop` is set; returns its thread."""
    supervisor = Watchers()
    thread = threading.Thread(target=supervisor.run, args=(stop,), name="imap-idle", daemon=True)
    thread.start()
    return thread
