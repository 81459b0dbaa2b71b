"""Call events told as sentences in the reader's language. Timeline events store codes and the masked
number (`call_event_data`), never prose, so each agent reads them in their own language."""

from django.utils.translation import gettext as _

from .models import CallEventKind, Direction

EVENT_TYPE = "phone_call"  # the `event_type` of a call's timeline events


def duration_text(seconds: int | None) -> str:
    """3 min 12 s; 45 s; 1 h 2 min."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)s min %(s)s s") % {"m": minutes, "s": secs}
    return _("%(s)s s") % {"s": secs}


def call_event_text(data: dict) -> str:
    """One timeline sentence for a call event (kefu.workspace.timeline shows it for EVENT_TYPE)."""
    values = {
        "number": data.get("number") or _("an unknown number"),
        "agent": data.get("agent") or _agent_fallback(data.get("extension")),
        "duration": duration_text(data.get("duration")),
    }
    sentence = _sentence(
        data.get("event"),
        data.get("direction"),
        bool(data.get("agent") or data.get("extension")),
        bool(values["duration"]),
    )
    text = sentence % values
    if data.get("recording_url"):
        text += " · " + _("recording: %(url)s") % {"url": data["recording_url"]}
    return text


def _agent_fallback(extension) -> str:
    if extension:
        return _("extension %(extension)s") % {"extension": extension}
    return _("an agent")


def _sentence(event, direction, has_agent: bool, has_duration: bool) -> str:
    inbound = direction != Direction.OUTBOUND
    if event == CallEventKind.MISSED:
        return (
            _("Missed call from %(number)s: call back")
            if inbound
            else _("Outbound call to %(number)s was not answered")
        )
    if event == CallEventKind.VOICEMAIL:
        return _("Voicemail from %(number)s: call back")
    if event == CallEventKind.ANSWERED:
        if inbound:
            return _("Inbound call from %(number)s answered by %(agent)s")
        return _("Outbound call to %(number)s by %(agent)s answered")
    if event == CallEventKind.ENDED:
        if inbound and has_agent and has_duration:
            return _("Inbound call from %(number)s answered by %(agent)s, %(duration)s")
        if inbound and has_duration:
            return _("Inbound call from %(number)s ended after %(duration)s")
        if has_agent and has_duration:
            return _("Outbound call to %(number)s by %(agent)s, %(duration)s")
        if has_duration:
            return _("Outbound call to %(number)s ended after %(duration)s")
        return _("Call with %(number)s ended")
    return _("Call with %(number)s is ringing")


def opening_text(*, direction: str, number: str, line_name: str, line_number: str) -> str:
    """The first message of a call's ticket (stored: the number is masked already)."""
    values = {"number": number, "line": line_name, "line_number": line_number}
    if direction == Direction.OUTBOUND:
        return _("Outbound call to %(number)s from line %(line)s (%(line_number)s)") % values
    return _("Inbound call from %(number)s to line %(line)s (%(line_number)s)") % values


def withheld_number() -> str:
    """What stands for a number the caller withheld (stored in the site's language, like the rest)."""
    return _("withheld number")


def withheld_caller() -> str:
    """The name of the one customer every withheld-number call belongs to."""
    return _("Caller with a withheld number")


def subject_text(*, direction: str, number: str) -> str:
    if direction == Direction.OUTBOUND:
        return _("Phone call to %(number)s") % {"number": number}
    return _("Phone call from %(number)s") % {"number": number}
