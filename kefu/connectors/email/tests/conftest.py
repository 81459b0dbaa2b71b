import shutil
import tempfile
from pathlib import Path

import pytest

from .servers import DOVECOT, HAS_POP3, SKIP_DOVECOT, SKIP_POP3, CapturingHandler, Dovecot, free_port


@pytest.fixture(scope="session")
def dovecot_server():
    """A private Dovecot IMAP server on loopback for the whole run (it takes 3 s to shut down).

    Its directory is made under the system temp dir (not pytest's 0700 tmp_path), because Dovecot's
    unprivileged processes must be able to reach the password file and the maildir.
    """
    if DOVECOT is None:
        pytest.skip(SKIP_DOVECOT)
    root = Path(tempfile.mkdtemp(prefix="kefu-dovecot-"))
    root.chmod(0o755)
    server = Dovecot(root=root, port=free_port(), pop3_port=free_port() if HAS_POP3 else 0)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def dovecot(dovecot_server):
    """The Dovecot server seen through a fresh user of its own: an empty INBOX for every test."""
    return dovecot_server.new_user()


@pytest.fixture
def pop3(dovecot):
    """The same fresh Dovecot user, to be read over POP3."""
    if not dovecot.pop3_port:
        pytest.skip(SKIP_POP3)
    return dovecot


@pytest.fixture
def smtp_server():
    """An aiosmtpd SMTP server on loopback that records what it receives."""
    from aiosmtpd.controller import Controller

    handler = CapturingHandler()
    for attempt in range(3):  # a free port can be taken by another process before we bind it
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        try:
            controller.start()
            break
        except (OSError, RuntimeError):
            if attempt == 2:
                raise
    yield controller, handler
    controller.stop()
