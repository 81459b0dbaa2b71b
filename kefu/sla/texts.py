"""Sentences about escalations, in the active language (the timeline and notifications both tell them)."""

from django.utils.translation import gettext as _

from kefu.sla.models import Level, SlaTarget


def level_label(code: str | None) -> str:
    try:
        return str(Level(code).label)
    except ValueError:
        return str(code or "")


def target_label(code: str | None) -> str:
    try:
        return str(SlaTarget(code).label)
    except ValueError:
        return str(code or "")


def reason_text(reason: str | None) -> str:
    """Automatic reasons are codes (`sla:first_response`, `sla_warning:resolution`, `reopened`,
    `rule:<intake rule name>`); agents'
    reasons are their own words and are shown as written."""
    reason = reason or ""
    kind, _sep, target = reason.partition(":")
    if kind == "sla" and target == SlaTarget.ESCALATION:
        return _("unsolved past the escalation time")
    if kind == "sla" and target in SlaTarget.values:
        return _("%(target)s target missed") % {"target": target_label(target)}
    if kind == "sla_warning" and target in SlaTarget.values:
        return _("%(target)s target about to be missed") % {"target": target_label(target)}
    if reason == "reopened":
        return _("reopened a second time")
    if kind == "rule":
        return _("intake rule “%(rule)s”") % {"rule": target}
    return reason
