"""Sentences about routing, in the active language (the ticket timeline tells them)."""

from django.utils.translation import gettext as _


def rule_applied_text(data: dict) -> str:
    return _("Intake rule “%(rule)s” matched") % {"rule": data.get("rule") or "?"}


def _percent(value) -> str:
    return "?" if value is None else f"{round(float(value) * 100)}%"


def classified_text(data: dict) -> str:
    """The classifier's guesses with their confidence, and whether the ticket was left for manual triage."""
    parts = []
    if data.get("category"):
        parts.append(_("category %(label)s (%(confidence)s)") % {
            "label": data["category"], "confidence": _percent(data.get("category_confidence"))})
    if data.get("team"):
        parts.append(_("team %(label)s (%(confidence)s)") % {
            "label": data.get("team_name") or data["team"], "confidence": _percent(data.get("team_confidence"))})
    values = {"version": data.get("version") or "?", "guesses": ", ".join(parts) or "—"}
    if data.get("triage"):
        return _("Classifier v%(version)s was unsure (%(guesses)s): left for manual triage") % values
    return _("Classifier v%(version)s routed the ticket: %(guesses)s") % values
