"""Template helpers of the workspace: times in the user's zone, event sentences, safe colours."""

import re
from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kefu.workspace.timeline import describe_event

register = template.Library()

_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{3,8}$")


def relative_time(value: datetime, now: datetime | None = None) -> str:
    """'just now', '5 minutes ago', '3 hours ago', '2 days ago', then the local date."""
    now = now or timezone.now()
    seconds = (now - value).total_seconds()
    if seconds < -60:
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if seconds < 60:
        return _("just now")
    minutes = int(seconds // 60)
    if minutes < 60:
        return ngettext("%(count)d minute ago", "%(count)d minutes ago", minutes) % {"count": minutes}
    hours = minutes // 60
    if hours < 24:
        return ngettext("%(count)d hour ago", "%(count)d hours ago", hours) % {"count": hours}
    days = hours // 24
    if days < 7:
        return ngettext("%(count)d day ago", "%(count)d days ago", days) % {"count": days}
    local = timezone.localtime(value)
    if local.year == timezone.localtime(now).year:
        return f"{date_format(local, 'MONTH_DAY_FORMAT')} {local:%H:%M}"
    return date_format(local, "DATE_FORMAT")


@register.simple_tag
def when(value: datetime | None) -> str:
    """<time> with the relative time as text and the absolute local time as its tooltip."""
    if not value:
        return ""
    local = timezone.localtime(value)
    absolute = local.strftime("%Y-%m-%d %H:%M")
    return format_html(
        '<time datetime="{}" title="{} {}">{}</time>',
        value.isoformat(),
        absolute,
        local.tzname() or "",
        relative_time(value),
    )


@register.simple_tag
def local_time(value: datetime | None) -> str:
    """The absolute time in the user's zone, e.g. 2026-03-05 14:07."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), local.strftime("%Y-%m-%d %H:%M"))


@register.filter
def event_text(message) -> str:
    return describe_event(message)


@register.filter
def safe_colour(value: str) -> str:
    """Only a plain hex colour reaches a style attribute."""
    return value if isinstance(value, str) and _HEX_COLOUR.match(value) else "#64748b"


@register.filter
def language_name(code: str) -> str:
    """'zh-hans' → '简体中文': the name a language has in the settings' list, else the code itself."""
    from django.conf import settings

    return dict(settings.LANGUAGES).get((code or "").lower(), code or "—")


@register.filter
def initials(name: str) -> str:
    """One or two letters for an avatar: the first Chinese character, or initials of Latin names."""
    name = (name or "?").strip()
    if not name:
        return "?"
    if not name[0].isascii():
        return name[0]
    parts = name.split()
    return "".join(p[0] for p in parts[:2]).upper()
