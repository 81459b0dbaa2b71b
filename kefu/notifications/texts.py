"""A notification told as a sentence, in the active language (pages and e-mails both use this)."""

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from kefu.sla.texts import level_label, reason_text, target_label

from .models import Kind, Notification


def describe(note: Notification) -> str:
    """One sentence: who did what to which ticket. Reads `ticket` and `actor` (select them with the list)."""
    params = note.params if isinstance(note.params, dict) else {}
    values = {
        "ticket": f"#{note.ticket_id}" if note.ticket_id else "",
        "subject": note.ticket.subject if note.ticket_id and note.ticket else "",
        "actor": note.actor.name if note.actor_id and note.actor else _("The system"),
        "target": target_label(params.get("target")),
        "from": level_label(params.get("from")),
        "to": level_label(params.get("to")),
        "reason": reason_text(params.get("reason")),
        "author": params.get("author") or _("the customer"),
        "score": params.get("score", ""),
    }
    if note.kind == Kind.ASSIGNED:
        return _("%(actor)s assigned ticket %(ticket)s “%(subject)s” to you") % values
    if note.kind == Kind.SLA_WARNING:
        return _("Ticket %(ticket)s “%(subject)s” is about to miss its %(target)s target") % values
    if note.kind == Kind.SLA_BREACH:
        return _("Ticket %(ticket)s “%(subject)s” missed its %(target)s target") % values
    if note.kind == Kind.INCOMING_CALL:
        return _incoming_call(params)
    if note.kind == Kind.ESCALATED and params.get("handover"):
        return _handover(note, params)
    if note.kind == Kind.ESCALATED:
        if values["reason"]:
            return _("%(actor)s escalated ticket %(ticket)s “%(subject)s” to %(to)s: %(reason)s") % values
        return _("%(actor)s escalated ticket %(ticket)s “%(subject)s” to %(to)s") % values
    if note.kind == Kind.REPLIED:
        return _("%(author)s wrote on ticket %(ticket)s “%(subject)s”") % values
    if note.kind == Kind.REVIEWED and params.get("critical_failed"):
        return (
            _(
                "%(actor)s reviewed your work on ticket %(ticket)s “%(subject)s”: %(score)s%%, a critical item failed"
            )
            % values
        )
    if note.kind == Kind.REVIEWED:
        return _("%(actor)s reviewed your work on ticket %(ticket)s “%(subject)s”: %(score)s%%") % values
    return _("Ticket %(ticket)s “%(subject)s” changed") % values


def _handover(note: Notification, params: dict) -> str:
    """To the agent who had an escalated ticket: where it went, by number and names only (they may have lost
    access to it; kefu.routing.services.escalation.handover_params)."""
    english = (get_language() or "").startswith("en")
    values = {
        "ticket": f"#{note.ticket_id or params.get('number') or ''}",
        "to": level_label(params.get("to")),
        "team": (english and params.get("team_en")) or params.get("team") or "",
        "assignee": params.get("assignee") or "",
    }
    if values["assignee"] and values["team"]:
        return _("Ticket %(ticket)s you had went to %(to)s: now with %(assignee)s in team %(team)s") % values
    if values["assignee"]:
        return _("Ticket %(ticket)s you had went to %(to)s: now with %(assignee)s") % values
    return _("Ticket %(ticket)s you had went to %(to)s: waiting in the queue of team %(team)s") % values


def _incoming_call(params: dict) -> str:
    """The screen pop (kefu.connectors.phone): who is calling, masked number, their other open tickets."""
    values = {
        "caller": params.get("caller") or params.get("number") or "?",
        "number": params.get("number") or "",
        "line": params.get("line") or "",
        "count": params.get("open_tickets") or 0,
    }
    if not values["count"]:
        return _("%(caller)s (%(number)s) is calling on line %(line)s") % values
    opened = ngettext("%(count)s other open ticket", "%(count)s other open tickets", values["count"]) % values
    return _("%(caller)s (%(number)s) is calling on line %(line)s: %(open)s") % (values | {"open": opened})
