"""Pure chat rules (no ORM)."""

import math
import re

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


# --- pre-chat form ---------------------------------------------------------------------------------

PRECHAT_FIELDS = ("name", "email", "phone", "topic")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{5,20}$")


def prechat_form(config: object) -> dict:
    """The site's form as the widget shows it: known fields only, `required` a subset of `fields`."""
    config = config if isinstance(config, dict) else {}
    fields = [f for f in config.get("fields", []) if f in PRECHAT_FIELDS]
    required = [f for f in config.get("required", []) if f in fields]
    return {"fields": fields, "required": required}


def clean_prechat(config: object, answers: object, topic_ids: set[int]) -> dict | None:
    """The visitor's answers to keep, or None when a required answer is missing or one is malformed.

    With both "email" and "phone" asked, "required" on either means one of the two is enough.
    """
    form = prechat_form(config)
    answers = answers if isinstance(answers, dict) else {}
    clean: dict = {}
    for name in form["fields"]:
        value = answers.get(name)
        if name == "topic":
            if isinstance(value, str) and value.isdecimal() and len(value) < 18:
                value = int(value)
            if isinstance(value, int) and not isinstance(value, bool) and value in topic_ids:
                clean["topic"] = value
            continue
        if not isinstance(value, str):
            continue
        value = value.replace("\x00", "").strip()[:100]
        if not value:
            continue
        if (name == "email" and not _EMAIL.match(value)) or (name == "phone" and not _PHONE.match(value)):
            return None
        clean[name] = value
    contact = {"email", "phone"} & set(form["fields"])
    for name in form["required"]:
        if name in contact and len(contact) == 2:
            if not contact & set(clean):
                return None
        elif name not in clean:
            return None
    return clean


def is_email(value: object) -> bool:
    return isinstance(value, str) and len(value) <= 254 and bool(_EMAIL.match(value.strip()))


# --- the queue -------------------------------------------------------------------------------------

DEFAULT_HANDLE_SECONDS = 300  # a chat's length before any chat has ended


def estimated_wait_minutes(position: int, agents: int, handle_seconds: float | None) -> int:
    """About how many minutes until number `position` in the queue is served (at least 1).

    Each present agent frees a place every average chat length; `position` places must free up.
    """
    if position <= 0:
        return 0
    handle = handle_seconds if handle_seconds and handle_seconds > 0 else DEFAULT_HANDLE_SECONDS
    return max(1, math.ceil(position * handle / max(1, agents) / 60))


def may_serve(
    *, chat_team_id: int | None, senior_only: bool, agent_team_ids: set[int], agent_level: str
) -> bool:
    """Whether an agent may be offered a chat: one of its team (or any team) and senior enough."""
    if chat_team_id is not None and chat_team_id not in agent_team_ids:
        return False
    return not senior_only or agent_level in ("L2", "L3")


# --- uploads ---------------------------------------------------------------------------------------

MAX_UPLOAD = 5 * 1024 * 1024
UPLOAD_TYPES = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
}
_SIGNATURES = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/pdf": (b"%PDF-",),
}


def sniff_type(head: bytes, declared: str) -> str | None:
    """The file's type from its first bytes (the declared type is only trusted for plain text), or None."""
    for kind, signatures in _SIGNATURES.items():
        if head.startswith(signatures):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if declared == "text/plain" and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            if error.start < len(head) - 4:  # a multi-byte character cut at the end of the sample is fine
                return None
        return "text/plain"
    return None


def safe_file_name(name: object, kind: str) -> str:
    """A display name without paths or control characters, ending in the extension of its real type."""
    raw = name if isinstance(name, str) else ""
    raw = raw.replace("\\", "/").rsplit("/", 1)[-1]
    stem = "".join(ch for ch in raw.rsplit(".", 1)[0] if ch.isprintable() and ch not in '<>:"|?*')[
        :80
    ].strip()
    return (stem or "file") + UPLOAD_TYPES[kind]
