"""Pure chat rules (no ORM)."""

from .models import MAX_TEXT

MAX_CLIENT_ID = 64


def clean_text(text: object) -> str | None:
    """The message text to store, or None when it is not acceptable (not text, empty, too long)."""
    if not isinstance(text, str):
        return None
    text = text.replace("\x00", "").strip()
    if not text or len(text) > MAX_TEXT:
        return None
    return text


def clean_client_id(value: object) -> str | None:
    if value in (None, ""):
        return ""
    if isinstance(value, str) and len(value) <= MAX_CLIENT_ID and value.isprintable():
        return value
    return None


def transcript(lines: list[tuple[str, str, str]]) -> str:
    """A plain-text transcript from (time, who, text) lines."""
    return "\n".join(f"[{at}] {who}: {text}" for at, who, text in lines)
