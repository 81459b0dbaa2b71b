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


def clean_display_name(value: str | None, *, max_length: int = 100) -> str:
    """A person's name as shown to others: format and control characters (zero-width spaces, RTL overrides,
    Unicode categories Cf/Cc) removed, runs of whitespace made one space; "" when nothing visible is left."""
    kept = "".join(
        ch for ch in (value or "") if unicodedata.category(ch) not in ("Cf", "Cc") or ch in "\t\n\r"
    )
    name = " ".join(kept.split())[:max_length].strip()
    # Combining marks alone (e.g. a lone U+0301) render as nothing: a name needs a letter, digit or symbol.
    return name if any(unicodedata.category(ch)[0] in "LNSP" for ch in name) else ""
