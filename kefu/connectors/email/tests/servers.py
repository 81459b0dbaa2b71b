"""Real mail servers on loopback for the integration tests: a private Dovecot (IMAP) and aiosmtpd (SMTP)."""

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import ClassVar

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
SKIP_DOVECOT = "dovecot is not installed (apt-get install -y dovecot-imapd); IMAP integration tests skipped"
# Debian's dovecot-pop3d installs the pop3 binary next to the imap one.
HAS_POP3 = any(Path(d, "pop3").exists() for d in ("/usr/lib/dovecot", "/usr/libexec/dovecot"))
SKIP_POP3 = "dovecot-pop3d is not installed (apt-get install -y dovecot-pop3d); POP3 tests skipped"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Dovecot:
    root: Path
    port: int
    pop3_port: int = 0
    user: str = "support"
    password: str = "secret"
    pid: int | None = None
    _users: ClassVar[int] = 0

    def start(self, attempts: int = 3) -> None:
        """Start on the given ports; a port taken meanwhile by someone else means new ports and a retry."""
        for attempt in range(attempts):
            try:
                self._start()
                return
            except RuntimeError:
                self.stop()
                if attempt == attempts - 1:
                    raise
                self.port, self.pop3_port = free_port(), (free_port() if self.pop3_port else 0)

    def _start(self) -> None:
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(self.root / "mail", 0o777)
        if os.geteuid() == 0:
            ids = "uid=nobody gid=nogroup"
            users = ""
        else:
            import grp
            import pwd

            me = pwd.getpwuid(os.geteuid()).pw_name
            ids = f"uid={os.geteuid()} gid={os.getegid()}"
            users = (
                f"default_login_user = {me}\ndefault_internal_user = {me}\n"
                f"default_internal_group = {grp.getgrgid(os.getegid()).gr_name}\n"
            )
        # Users are created up front: Dovecot notices a changed password file only a second later.
        lines = [self.user] + [f"user{n}" for n in range(1, 501)]
        (self.root / "passwd").write_text("".join(f"{u}:{{PLAIN}}{self.password}::::::\n" for u in lines))
        conf = self.root / "dovecot.conf"
        conf.write_text(
            f"""base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
protocols = imap{" pop3" if self.pop3_port else ""}
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
shutdown_clients = yes
{users}passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/passwd
}}
userdb {{
  driver = static
  args = {ids} home={self.root}/mail/%u
}}
mail_location = maildir:{self.root}/mail/%u
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
{self._pop3_conf()}service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""
        )
        with open(self.root / "start.log", "wb") as log:
            done = subprocess.run([DOVECOT, "-c", str(conf)], stdout=log, stderr=log, timeout=20)
        pid_file = self.root / "run" / "master.pid"
        deadline = time.monotonic() + 10
        while done.returncode == 0 and time.monotonic() < deadline:
            if pid_file.exists() and not self.pid:
                self.pid = int(pid_file.read_text().strip() or 0) or None
            if (
                self.pid
                and self._listening(self.port)
                and (not self.pop3_port or self._listening(self.pop3_port))
            ):
                return
            time.sleep(0.02)
        raise RuntimeError(
            f"dovecot did not start: {(self.root / 'dovecot.log').read_text(errors='replace')}"
        )

    def _pop3_conf(self) -> str:
        if not self.pop3_port:
            return ""
        return f"""pop3_uidl_format = %08Xu%08Xv
service pop3-login {{
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {self.pop3_port}
  }}
  inet_listener pop3s {{
    port = 0
  }}
  chroot =
}}
"""

    @staticmethod
    def _listening(port: int) -> bool:
        """A greeting, not just an accepted connection: the login process is really serving."""
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.settimeout(2)
                return sock.recv(64).startswith((b"* OK", b"+OK"))
        except OSError:
            return False

    def stop(self) -> None:
        """SIGTERM the master and wait for it; SIGKILL it if it lingers, so no server outlives the run."""
        if not self.pid:
            return
        pid, self.pid = self.pid, None
        for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 2.0)):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                return
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    return
                time.sleep(0.02)

    def new_user(self) -> "Dovecot":
        """Another of the server's users: an empty maildir of its own."""
        Dovecot._users += 1
        return replace(self, user=f"user{Dovecot._users}")

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        import imaplib

        conn = imaplib.IMAP4("127.0.0.1", self.port)
        try:
            conn.login(self.user, self.password)
            typ, data = conn.append(folder, None, None, raw)
            assert typ == "OK", data
        finally:
            conn.logout()

    def seen_flags(self) -> list[bool]:
        import imaplib

        conn = imaplib.IMAP4("127.0.0.1", self.port)
        try:
            conn.login(self.user, self.password)
            conn.select("INBOX", readonly=True)
            typ, data = conn.uid("FETCH", "1:*", "(FLAGS)")
            return [b"\\Seen" in item for item in data if item]
        finally:
            conn.logout()


@dataclass
class CapturingHandler:
    """aiosmtpd handler that keeps every received envelope."""

    received: list = field(default_factory=list)
    refuse: bool = False
    refuse_recipient: str = ""  # an SMTP answer to every RCPT TO, e.g. "450 4.2.1 mailbox busy"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refuse_recipient:
            return self.refuse_recipient
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        if self.refuse:
            return "451 4.3.0 try again later"
        self.received.append(envelope)
        return "250 OK"
