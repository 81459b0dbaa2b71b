"""When a mail that failed to go out is tried again, and when Kefu gives up: one policy for every mail it sends
(staff notification copies here, and the e-mail channel's agent replies and customer notices).

A 5xx refusal of the recipients or of this message (the mailbox does not exist, the content is refused) will
not change by trying again: give up at once. Anything else is temporary: a 4xx answer (greylisting, a full
mailbox), and every failure of our own server set-up — 535 authentication failed, a 5xx greeting or HELO, a
dropped or refused connection, a timeout — which fixing the set-up cures for every mail waiting. Mails tracked per attempt (the e-mail channel's `DeliveryRetry`) wait `retry_delay`
between tries and stop after MAX_ATTEMPTS; staff copies are re-queued by a periodic sweep until GIVE_UP_AFTER.

It lives in this domain app, not in the e-mail connector, because domain apps never import connectors.
"""

import smtplib
from datetime import timedelta

MAX_ATTEMPTS = 7  # the first try and six retries, about an hour and a half in all
GIVE_UP_AFTER = timedelta(hours=24)  # the sweep re-queues staff copies only this long
FIRST_DELAY = timedelta(seconds=30)
LONGEST_DELAY = timedelta(hours=1)
FAILURES = (smtplib.SMTPException, OSError)  # what a send can fail with (OSError: connection, timeout, DNS)


def is_permanent(exc: BaseException) -> bool:
    """A 5xx refusal of every recipient, or of the sender or message: trying again cannot help.

    Other 5xx answers (SMTPAuthenticationError, SMTPConnectError, SMTPHeloError) are about our connection
    to the server, not this mail: a wrong password must not drop every mail for good."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(code >= 500 for code, _text in exc.recipients.values())
    return isinstance(exc, (smtplib.SMTPDataError, smtplib.SMTPSenderRefused)) and exc.smtp_code >= 500


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: 30 s, 1 min, 2 min … up to an hour."""
    return min(LONGEST_DELAY, FIRST_DELAY * 2 ** max(0, attempts - 1))


def gives_up(exc: BaseException, *, attempts: int = 1) -> bool:
    """After the `attempts`-th failure (with `exc`), whether to stop trying and call the mail failed."""
    return is_permanent(exc) or attempts >= MAX_ATTEMPTS
