"""System events in a ticket's timeline, told as translated sentences.

Services store an event as a code and its data (`event_type`, `event_data`) rather than prose, so each
reader sees it in their own language. Names of priorities, categories and teams are stored in both
languages as they were at the time of the change (older events: in the writer's language) and picked here.
"""

from collections.abc import Callable
from functools import lru_cache

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kefu.accounts.models import AssignmentStrategy
from kefu.connectors.phone.texts import call_event_text
from kefu.routing.texts import classified_text, escalation_routed_text, pick_name, rule_applied_text
from kefu.sla.texts import level_label, reason_text
from kefu.tickets.models import Message, Severity, Status


def _actor(message: Message) -> str:
    if message.author_id and message.author is not None:
        return message.author.name
    return _("System")


def _choice(choices, value) -> str:
    if value in (None, ""):
        return _("none")
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _label(value) -> str:
    return _("none") if value in (None, "", {}) else pick_name(value)


def _status(message: Message, data: dict) -> str:
    values = {
        "actor": _actor(message),
        "old": _choice(Status, data.get("old")),
        "new": _choice(Status, data.get("new")),
    }
    if data.get("by_customer"):
        return _("The customer marked the ticket %(new)s") % values
    return _("%(actor)s changed the status from %(old)s to %(new)s") % values


def _field(sentence: str) -> Callable[[Message, dict], str]:
    def describe(message: Message, data: dict) -> str:
        return sentence % {
            "actor": _actor(message),
            "old": _label(data.get("old")),
            "new": _label(data.get("new")),
        }

    return describe


def _severity(message: Message, data: dict) -> str:
    values = {
        "actor": _actor(message),
        "old": _choice(Severity, data.get("old")),
        "new": _choice(Severity, data.get("new")),
    }
    return _("%(actor)s changed the complaint severity from %(old)s to %(new)s") % values


def _assigned(message: Message, data: dict) -> str:
    if message.author_id and data.get("assignee_id") == message.author_id:
        return _("%(actor)s took the ticket") % {"actor": _actor(message)}
    values = {"actor": _actor(message), "name": data.get("assignee_name") or _("someone")}
    if data.get("reason"):  # automatic assignment names the team's strategy that chose the agent
        values["reason"] = _choice(AssignmentStrategy, data["reason"])
        return _("%(actor)s assigned the ticket to %(name)s (%(reason)s)") % values
    return _("%(actor)s assigned the ticket to %(name)s") % values


def _unassigned(message: Message, data: dict) -> str:
    reasons = {
        "offline": _("%(actor)s returned the ticket to the team's queue: %(name)s went offline"),
        "deactivated": _("%(actor)s returned the ticket to the team's queue: %(name)s was deactivated"),
        "overloaded": _(
            "%(actor)s returned the ticket to the team's queue: %(name)s has too many open tickets"
        ),
    }
    sentence = reasons.get(data.get("reason") or "")
    if sentence:
        return sentence % {"actor": _actor(message), "name": data.get("previous_name") or _("the agent")}
    return _("%(actor)s unassigned the ticket") % {"actor": _actor(message)}


def _tags(message: Message, data: dict) -> str:
    added = ", ".join(str(t) for t in data.get("added") or [])
    removed = ", ".join(str(t) for t in data.get("removed") or [])
    values = {"actor": _actor(message), "added": added, "removed": removed}
    if added and removed:
        return _("%(actor)s added the tags %(added)s and removed %(removed)s") % values
    if removed:
        return _("%(actor)s removed the tags %(removed)s") % values
    return _("%(actor)s added the tags %(added)s") % values


def _escalated(message: Message, data: dict) -> str:
    values = {
        "actor": data.get("actor_name") or _actor(message),
        "old": level_label(data.get("from")),
        "new": level_label(data.get("to")),
        "reason": reason_text(data.get("reason")),
    }
    if not values["reason"]:
        return _("%(actor)s escalated the ticket from %(old)s to %(new)s") % values
    return _("%(actor)s escalated the ticket from %(old)s to %(new)s: %(reason)s") % values


def _linked(message: Message, data: dict) -> str:
    values = {"actor": _actor(message), "other": data.get("other") or "?"}
    if message.event_type == "unlinked":
        return _("%(actor)s removed the link to ticket #%(other)s") % values
    if data.get("kind") == "follow_up":
        if data.get("direction") == "in":
            return _("%(actor)s opened ticket #%(other)s as a follow-up of this one") % values
        return _("%(actor)s opened this ticket as a follow-up of ticket #%(other)s") % values
    return _("%(actor)s linked this ticket to ticket #%(other)s") % values


def _describers() -> dict[str, Callable[[Message, dict], str]]:
    return _describers_in(get_language())


@lru_cache(maxsize=32)
def _describers_in(language: str | None) -> dict[str, Callable[[Message, dict], str]]:
    # Built once per language (not per event of a timeline): the sentences are translated in the language
    # active at rendering time, and the catalogs do not change while the process runs.
    return {
        "status_changed": _status,
        "priority_changed": _field(_("%(actor)s changed the priority from %(old)s to %(new)s")),
        "category_changed": _field(_("%(actor)s changed the category from %(old)s to %(new)s")),
        "team_changed": _field(_("%(actor)s moved the ticket from team %(old)s to %(new)s")),
        "severity_changed": _severity,
        "assigned": _assigned,
        "unassigned": _unassigned,
        "tags_changed": _tags,
        "escalated": _escalated,
        "linked": _linked,
        "unlinked": _linked,
        "routing_rule": lambda message, data: rule_applied_text(data),
        "classified": lambda message, data: classified_text(data),
        "escalation_routed": lambda message, data: escalation_routed_text(data),
        "phone_call": lambda message, data: call_event_text(data),
    }


def describe_event(message: Message) -> str:
    """One sentence for a system event, in the active language; unknown events still say who and what."""
    data = message.event_data if isinstance(message.event_data, dict) else {}
    describe = _describers().get(message.event_type)
    if describe is None:
        return _("%(actor)s: %(event)s") % {
            "actor": _actor(message),
            "event": message.event_type or _("event"),
        }
    return describe(message, data)
