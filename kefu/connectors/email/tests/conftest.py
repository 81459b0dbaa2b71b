import shutil
import tempfile
from pathlib import Path

import pytest

from .servers import DOVECOT, SKIP_DOVECOT, CapturingHandler, Dovecot, free_port


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
    server = Dovecot(root=root, port=free_port())
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
def smtp_server():
    """An aiosmtpd SMTP server on loopback that records what it receives."""
    from aiosmtpd.controller import Controller

    handler = CapturingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()
