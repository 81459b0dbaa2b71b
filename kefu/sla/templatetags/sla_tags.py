"""`{% sla_clock ticket %}`: a ticket's SLA clock, read from the `sla` row the list query selected."""

from django import template
from django.utils.translation import gettext as _

from kefu.core import clock
from kefu.sla import rules

register = template.Library()


def _duration(seconds: int) -> str:
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
    )


@register.inclusion_tag("sla/_clock.html")
def sla_clock(ticket, detailed: bool = False) -> dict:
    state = clock_for(ticket)
    if state is None:
        return {"state": None, "detailed": detailed}
    labels = {"first_response": _("First response"), "resolution": _("Resolution")}
    if state.state == "breached":
        text = _("breached by %(time)s") % {"time": _duration(state.seconds)}
    elif state.state == "paused":
        text = _("paused, %(time)s left") % {"time": _duration(state.seconds)}
    else:
        text = _("%(time)s left") % {"time": _duration(state.seconds)}
    return {"state": state, "text": text, "target": labels[state.target], "detailed": detailed}
