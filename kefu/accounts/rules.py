"""Pure rules about staff accounts: who may grant which role, the time zones offered, skill lists."""

import unicodedata
from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from . import roles

# Offered in the profile and user forms; any IANA zone is accepted by the services.
COMMON_TIMEZONES: list[tuple[str, str]] = [
    ("Asia/Shanghai", _("China (Beijing, Shanghai)")),
    ("Asia/Hong_Kong", _("Hong Kong")),
    ("Asia/Taipei", _("Taipei")),
    ("Asia/Tokyo", _("Tokyo")),
    ("Asia/Seoul", _("Seoul")),
    ("Asia/Singapore", _("Singapore")),
    ("Asia/Bangkok", _("Bangkok")),
    ("Asia/Kolkata", _("India")),
    ("Asia/Dubai", _("Dubai")),
    ("Europe/Moscow", _("Moscow")),
    ("Europe/Berlin", _("Central Europe (Berlin, Paris)")),
    ("Europe/London", _("London")),
    ("America/New_York", _("US Eastern (New York)")),
    ("America/Chicago", _("US Central (Chicago)")),
    ("America/Denver", _("US Mountain (Denver)")),
    ("America/Los_Angeles", _("US Pacific (Los Angeles)")),
    ("America/Sao_Paulo", _("São Paulo")),
    ("Australia/Sydney", _("Sydney")),
    ("UTC", _("UTC")),
]

SKILL_KEYS = ("categories", "languages", "channels")

# Roles only an administrator may hand out (or take away).
ADMIN_ONLY_ROLES = frozenset({roles.ADMIN})


def is_admin(*, is_superuser: bool, role_codes: Iterable[str]) -> bool:
    """An administrator: a superuser or a holder of the admin role."""
    return is_superuser or roles.ADMIN in set(role_codes)


def role_change_allowed(*, actor_is_admin: bool, old: Iterable[str], new: Iterable[str]) -> bool:
    """Non-admins may change any role except the admin-only ones, which they may neither grant nor revoke."""
    if actor_is_admin:
        return True
    changed = set(old) ^ set(new)
    return not (changed & ADMIN_ONLY_ROLES)


def unknown_roles(codes: Iterable[str]) -> list[str]:
    return sorted(set(codes) - roles.ROLE_LABELS.keys())


def clean_skills(raw: dict | None) -> dict[str, list[str]]:
    """Skills as stored on the user: the three known lists, de-duplicated, empty lists left out."""
    raw = raw if isinstance(raw, dict) else {}
    cleaned: dict[str, list[str]] = {}
    for key in SKILL_KEYS:
        values = raw.get(key) or []
        if isinstance(values, str):
            values = [values]
        items = sorted({str(v).strip() for v in values if str(v).strip()})
        if items:
            cleaned[key] = items
    return cleaned


def login_redirect_kind(*, is_staff: bool) -> str:
    """Where a fresh login lands: staff in the workspace, customers in the portal."""
    return "workspace" if is_staff else "portal"


# Letters and symbols that render as blank space: Hangul fillers and the blank Braille pattern. They are not
# format characters, so the category test alone would let a name of nothing but these through.
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Zero-width (non-)joiners shape emoji sequences and Persian or Indic words between two visible characters.
_JOINERS = frozenset("\u200c\u200d")


def _invisible(ch: str) -> bool:
    return ch in _BLANK_LOOKING or (unicodedata.category(ch) in ("Cf", "Cc") and ch not in "\t\n\r")


def clean_display_name(value: str | None, *, max_length: int = 100) -> str:
    """A person's name as shown to others: format and control characters (zero-width spaces, RTL overrides,
    Unicode categories Cf/Cc) and blank-looking fillers removed, runs of whitespace made one space; "" when
    nothing visible is left. A zero-width (non-)joiner stays when it sits between two visible characters."""
    value = value or ""
    kept: list[str] = []
    for index, ch in enumerate(value):
        if ch in _JOINERS:
            following = value[index + 1 : index + 2]
            if kept and not kept[-1].isspace() and following and not following.isspace():
                if not _invisible(following):
                    kept.append(ch)
            continue
        if not _invisible(ch):
            kept.append(ch)
    name = " ".join("".join(kept).split())[:max_length].strip()
    # Combining marks alone (e.g. a lone U+0301) render as nothing: a name needs a letter, digit or symbol.
    return name if any(unicodedata.category(ch)[0] in "LNSP" for ch in name) else ""
