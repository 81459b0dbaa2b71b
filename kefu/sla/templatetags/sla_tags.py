"""`{% sla_clock ticket %}`: a ticket's SLA clock, read from the `sla` row the list query selected.

The clock carries its deadline (epoch milliseconds), the server's time and its sentences in data
attributes; kefu/static/kefu/countdown.js counts it down every second ("12m left" → "breached by 3m").

Rendered inline in Python (the queue shows one per row): an inclusion template per row and the
sentences' JSON rebuilt per row were a quarter of a queue request (var/bench/PROFILE.md, issue 7).
"""

import json
from datetime import datetime
from functools import lru_cache
from html import escape as html_escape

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kefu.core import clock
from kefu.sla import rules
from kefu.sla.models import Level

register = template.Library()


def _duration(seconds: int) -> str:
    if seconds < 60:
        return _("%(seconds)ss") % {"seconds": max(seconds, 0)}
    days, hours, minutes = rules.short_duration(seconds)
    if days:
        return _("%(days)sd %(hours)sh") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)sh %(minutes)sm") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)sm") % {"minutes": max(minutes, 1)}


def clock_for(ticket) -> rules.ClockState | None:
    """The ticket's clock state; no query when the `sla` relation was selected with the ticket."""
    try:
        sla = ticket.sla
    except ticket.__class__.sla.RelatedObjectDoesNotExist:
        return None
    if sla is None or sla.resolution_met:
        return None
    return rules.clock_state(
        first=(sla.first_response_warn_at, sla.first_response_due, sla.first_response_met),
        resolution=(sla.resolution_warn_at, sla.resolution_due, sla.resolution_met),
        paused=sla.paused_since is not None,
        now=clock.now(),
        paused_since=sla.paused_since,
    )


def live_texts() -> str:
    """The clock's sentences for countdown.js, as JSON: {time}, {d}, {h}, {m}, {s} are filled in the browser."""
    return _live_texts(get_language())


@lru_cache(maxsize=32)
def _live_texts(language: str | None) -> str:
    # Built once per language (the catalogs do not change while the process runs), not once per row.
    return json.dumps(
        {
            "left": _("%(time)s left") % {"time": "{time}"},
            "breached": _("breached by %(time)s") % {"time": "{time}"},
            "days": _("%(days)sd %(hours)sh") % {"days": "{d}", "hours": "{h}"},
            "hours": _("%(hours)sh %(minutes)sm") % {"hours": "{h}", "minutes": "{m}"},
            "minutes": _("%(minutes)sm") % {"minutes": "{m}"},
            "seconds": _("%(seconds)ss") % {"seconds": "{s}"},
        },
        ensure_ascii=False,
    )


def _epoch_ms(moment: datetime | None) -> int | str:
    return int(moment.timestamp() * 1000) if moment else ""


_NO_CLOCK = mark_safe('<span class="muted">—</span>\n')
_CLOCK = (
    '<span class="sla-clock sla-{state}" data-sla-clock data-sla-state="{state}" data-sla-due="{due}" '
    'data-sla-due-ms="{due_ms}" data-sla-warn-ms="{warn_ms}" data-sla-now-ms="{now_ms}" data-sla-texts="{texts}" '
    'title="{target}: {due_local}">{prefix}<span data-sla-text>{text}</span></span>\n'
)


@register.simple_tag
def sla_clock(ticket, detailed: bool = False) -> SafeString:
    """The clock's <span> (countdown.js moves it); in a list, a dash for a ticket without a running clock."""
    state = clock_for(ticket)
    if state is None:
        return mark_safe("\n") if detailed else _NO_CLOCK
    if state.state == "breached":
        text = _("breached by %(time)s") % {"time": _duration(state.seconds)}
    elif state.state == "paused" and state.seconds < 0:
        text = _("paused, breached by %(time)s") % {"time": _duration(-state.seconds)}
    elif state.state == "paused":
        text = _("paused, %(time)s left") % {"time": _duration(state.seconds)}
    else:
        text = _("%(time)s left") % {"time": _duration(state.seconds)}
    target = _("First response") if state.target == "first_response" else _("Resolution")
    sla = ticket.sla
    warn_at = sla.first_response_warn_at if state.target == "first_response" else sla.resolution_warn_at
    # What format_html gives, with html.escape called directly: format_html's per-argument escaping (each
    # through Django's lazy-string check) was most of a queue row's clock (issue 7).
    return mark_safe(
        _CLOCK.format(
            state=_escape(state.state),
            due=_escape(state.due.isoformat()),
            due_ms=_epoch_ms(state.due),
            warn_ms=_epoch_ms(warn_at),
            now_ms=_epoch_ms(clock.now()),
            texts=_escape(live_texts()),
            target=_escape(target),
            due_local=_escape(timezone.localtime(state.due).strftime("%Y-%m-%d %H:%M")),
            prefix=f"{_escape(target)} · " if detailed else "",
            text=_escape(text),
        )
    )


def _escape(text: str) -> str:
    """django.utils.html.escape for a plain str (what format_html does to each argument)."""
    return html_escape(str(text))


@register.simple_tag
def escalation_level(timeline) -> Level | None:
    """The ticket's current service level, read from the escalation events of its loaded timeline
    (no query); None while it is still at level 1."""
    level = None
    for message in timeline or ():
        if getattr(message, "event_type", "") == "escalated":
            data = message.event_data if isinstance(message.event_data, dict) else {}
            if data.get("to") in Level.values:
                level = Level(data["to"])
    return level
