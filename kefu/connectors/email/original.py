"""Showing an incoming mail as it arrived: its header lines decoded for reading, its source as text."""

from email import policy
from email.parser import BytesHeaderParser

from .parse import decode_header_value

SOURCE_MAX_CHARS = 2 * 1024 * 1024


def headers_of(raw: bytes) -> list[tuple[str, str]]:
    """Every header in order, encoded-words decoded; never raises."""
    if not raw:
        return []
    try:
        msg = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
        return [(str(name), decode_header_value(str(value))) for name, value in msg.items()]
    except Exception:
        return []


def raw_text(raw: bytes) -> str:
    """The source as text (undecodable bytes shown as replacement marks), capped for the page."""
    text = raw[:SOURCE_MAX_CHARS].decode("utf-8", "replace")
    if len(raw) > SOURCE_MAX_CHARS:
        text += "\n…"
    return text
