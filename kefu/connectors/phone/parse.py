"""A CTI call event: the JSON body checked field by field, and its signature. Pure: no database.

The PBX signs `<timestamp>.<raw body>` with HMAC-SHA256 and the line's secret, and sends
`X-Kefu-Timestamp: <unix seconds>` and `X-Kefu-Signature: sha256=<hex digest>`. Signing the timestamp
with the body means an old event cannot be replayed with a fresh timestamp.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_naive, make_aware
from django.utils.translation import gettext as _

from .models import CallEventKind, Direction

SIGNATURE_HEADER = "X-Kefu-Signature"
TIMESTAMP_HEADER = "X-Kefu-Timestamp"
MAX_SKEW = timedelta(minutes=5)
MAX_DURATION = 7 * 24 * 3600


class BadEvent(ValueError):
    """The body is not a call event we understand; `field` names the culprit when there is one."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True, kw_only=True)
class CallEvent:
    call_id: str
    event: str
    direction: str
    from_number: str
    to_number: str
    extension: str = ""
    started_at: datetime | None = None
    duration: int | None = None
    recording_url: str = ""
    voicemail_transcript: str = ""

    @property
    def customer_number(self) -> str:
        """The other party: the caller of an inbound call, the called number of an outbound one."""
        return self.from_number if self.direction == Direction.INBOUND else self.to_number


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for this body sent at this time."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signature_problem(*, secret: str, timestamp: str, signature: str, body: bytes, now: datetime) -> str:
    """Why the request must be refused ("" when it is authentic and fresh)."""
    if not timestamp or not signature:
        return _("The signature or timestamp header is missing.")
    try:
        sent = datetime.fromtimestamp(int(timestamp), tz=now.tzinfo)
    except (ValueError, OverflowError, OSError):
        return _("The timestamp header is not a Unix time in seconds.")
    if abs(now - sent) > MAX_SKEW:
        return _("The timestamp is more than 5 minutes away from our clock.")
    if not hmac.compare_digest(sign(secret, timestamp, body), signature.strip()):
        return _("The signature does not match.")
    return ""


def parse_event(body: bytes) -> CallEvent:
    """The call event in `body`, or BadEvent saying clearly what is wrong."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadEvent(_("The body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise BadEvent(_("The body must be a JSON object."))
    event = _text(data, "event", required=True)
    if event not in CallEventKind.values:
        raise BadEvent(
            _("Unknown event; expected one of: %(kinds)s.") % {"kinds": ", ".join(CallEventKind.values)},
            "event",
        )
    direction = _text(data, "direction", required=True)
    if direction not in Direction.values:
        raise BadEvent(_("direction must be inbound or outbound."), "direction")
    parsed = CallEvent(
        call_id=_text(data, "call_id", required=True, limit=255),
        event=event,
        direction=direction,
        # An inbound call's number may be withheld ("anonymous", "private", empty or left out): still a call.
        from_number=_text(data, "from", limit=40),
        to_number=_text(data, "to", required=direction == Direction.OUTBOUND, limit=40),
        extension=_text(data, "extension", limit=20),
        started_at=_when(data.get("started_at")),
        duration=_duration(data.get("duration")),
        recording_url=_url(data.get("recording_url")),
        voicemail_transcript=_text(data, "voicemail_transcript", limit=20000),
    )
    if not any(ch.isdigit() for ch in parsed.customer_number):
        if direction == Direction.OUTBOUND:
            raise BadEvent(_("%(field)s must be a phone number.") % {"field": "to"}, "to")
        parsed = replace(parsed, from_number="")  # withheld: the call is kept, from an unknown caller
    return parsed


def _text(data: dict, name: str, *, required: bool = False, limit: int = 255) -> str:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise BadEvent(_("%(field)s is required.") % {"field": name}, name)
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # an extension or a number sent as a JSON number
    if not isinstance(value, str):
        raise BadEvent(_("%(field)s must be a string.") % {"field": name}, name)
    value = value.strip()
    if len(value) > limit:
        raise BadEvent(_("%(field)s is too long.") % {"field": name}, name)
    if required and not value:
        raise BadEvent(_("%(field)s is required.") % {"field": name}, name)
    return value


def _when(value) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise BadEvent(_("started_at must be an ISO 8601 date and time."), "started_at")
    return make_aware(parsed) if is_naive(parsed) else parsed


def _duration(value) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= MAX_DURATION:
        raise BadEvent(_("duration must be a number of seconds."), "duration")
    return int(value)


def _url(value) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or not value.startswith(("https://", "http://")) or len(value) > 1000:
        raise BadEvent(_("recording_url must be an http(s) URL."), "recording_url")
    return value
