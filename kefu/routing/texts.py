"""Sentences about routing, in the active language (the ticket timeline tells them)."""

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kefu.sla.texts import level_label


def pick_name(value) -> str:
    """A name stored in an event, in the active language: `{"zh": …, "en": …}` (what events store now,
    from `kefu.tickets.services.names_of`) or a plain string (older events, kept as written)."""
    if isinstance(value, dict):
        english = (get_language() or "").startswith("en")
        return str((value.get("en") if english else None) or value.get("zh") or value.get("en") or "")
    return "" if value is None else str(value)


def rule_applied_text(data: dict) -> str:
    return _("Intake rule “%(rule)s” matched") % {"rule": data.get("rule") or "?"}


def _percent(value) -> str:
    return "?" if value is None else f"{round(float(value) * 100)}%"


def classified_text(data: dict) -> str:
    """The classifier's guesses with their confidence, and whether the ticket was left for manual triage."""
    parts = []
    if data.get("category"):
        parts.append(
            _("category %(label)s (%(confidence)s)")
            % {"label": pick_name(data["category"]), "confidence": _percent(data.get("category_confidence"))}
        )
    if data.get("team"):
        parts.append(
            _("team %(label)s (%(confidence)s)")
            % {
                "label": pick_name(data.get("team_name") or data["team"]),
                "confidence": _percent(data.get("team_confidence")),
            }
        )
    values = {"version": data.get("version") or "?", "guesses": ", ".join(parts) or "—"}
    if data.get("triage"):
        return _("Classifier v%(version)s was unsure (%(guesses)s): left for manual triage") % values
    return _("Classifier v%(version)s routed the ticket: %(guesses)s") % values


def escalation_routed_text(data: dict) -> str:
    """Where an escalation took the ticket: the new level's person, another team, or nowhere yet."""
    values = {
        "level": level_label(data.get("level")),
        "name": data.get("assignee_name") or "",
        "previous": data.get("previous_name") or _("nobody"),
        "team": pick_name(data.get("team")),
    }
    if values["name"] and values["team"]:
        return (
            _("Escalated to %(level)s: moved to team %(team)s and handed to %(name)s (was with %(previous)s)")
            % values
        )
    if values["name"]:
        return _("Escalated to %(level)s: handed to %(name)s (was with %(previous)s)") % values
    if values["team"]:
        return (
            _("Escalated to %(level)s: moved to team %(team)s, waiting for someone on shift there") % values
        )
    return (
        _("Escalated to %(level)s: nobody at that level is on shift, the ticket stays with %(previous)s")
        % values
    )
