"""The one mail delivery policy: what is temporary (retried with backoff) and what is permanent (given up)."""

import smtplib
from datetime import timedelta

import pytest

from kefu.notifications import delivery


@pytest.mark.parametrize(
    ("exc", "permanent"),
    [
        (smtplib.SMTPDataError(550, b"5.7.1 refused"), True),
        (smtplib.SMTPDataError(451, b"4.3.0 try later"), False),
        (smtplib.SMTPSenderRefused(553, b"bad sender", "kefu@example.com"), True),
        (smtplib.SMTPResponseException(451, b"4.3.0 try later"), False),
        (smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"no such user")}), True),
        (
            smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"no"), "b@example.com": (450, b"busy")}),
            False,
        ),
        (smtplib.SMTPServerDisconnected("gone"), False),
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 authentication failed"), False),
        (smtplib.SMTPResponseException(530, b"5.7.0 authentication required"), False),
        (smtplib.SMTPConnectError(554, b"no SMTP service here"), False),
        (smtplib.SMTPHeloError(501, b"bad HELO"), False),
        (ConnectionRefusedError("smtp down"), False),
        (TimeoutError("timed out"), False),
    ],
)
def test_refusing_the_mail_is_permanent_and_set_up_or_connection_errors_are_temporary(exc, permanent):
    """A 5xx refusal of every recipient, the sender or the message is given up at once; a 4xx, a broken
    connection or a 5xx about our own connection (authentication, greeting, HELO) is not."""
    assert delivery.is_permanent(exc) is permanent
    assert delivery.gives_up(exc, attempts=1) is permanent


def test_temporary_failures_give_up_after_the_last_attempt():
    """Temporary failures are tried MAX_ATTEMPTS times in all."""
    busy = smtplib.SMTPResponseException(451, b"busy")
    assert not delivery.gives_up(busy, attempts=delivery.MAX_ATTEMPTS - 1)
    assert delivery.gives_up(busy, attempts=delivery.MAX_ATTEMPTS)


def test_the_wait_doubles_from_thirty_seconds_up_to_an_hour():
    assert [delivery.retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert delivery.retry_delay(20) == timedelta(hours=1)
