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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Dovecot:
    root: Path
    port: int
    user: str = "support"
    password: str = "secret"
    pid: int | None = None
    _users: ClassVar[int] = 0

    def start(self) -> None:
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
protocols = imap
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
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""
        )
        with open(self.root / "start.log", "wb") as log:
            subprocess.run([DOVECOT, "-c", str(conf)], check=True, stdout=log, stderr=log, timeout=20)
        pid_file = self.root / "run" / "master.pid"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if pid_file.exists() and self._listening():
                self.pid = int(pid_file.read_text().strip())
                return
            time.sleep(0.02)
        raise RuntimeError(
            f"dovecot did not start: {(self.root / 'dovecot.log').read_text(errors='replace')}"
        )

    def _listening(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                return
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                try:
                    os.kill(self.pid, 0)
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

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        if self.refuse:
            return "451 4.3.0 try again later"
        self.received.append(envelope)
        return "250 OK"
