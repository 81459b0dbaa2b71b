from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def span(value: timedelta | None) -> str:
    """A duration as a person reads it: "45 s", "12 min", "3 h 5 min", "2 d 4 h"."""
    if value is None:
        return "—"
    seconds = max(int(value.total_seconds()), 0)
    if seconds < 60:
        return _("%(n)d s") % {"n": seconds}
    minutes = seconds // 60
    if minutes < 60:
        return _("%(n)d min") % {"n": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    days, hours = divmod(hours, 24)
    return _("%(d)d d %(h)d h") % {"d": days, "h": hours}


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"
