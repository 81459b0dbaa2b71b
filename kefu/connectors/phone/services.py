"""Writes of the phone channel: managing phone lines, and turning CTI call events into tickets.

A call is one ticket (its external id is the PBX's call id) for the customer found by phone number.
Each event of a call is handled once: the call's row is locked while one is handled, and a unique
(call, event) row makes a retried or repeated delivery a no-op, whatever order the events arrive in.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kefu.accounts.models import User
from kefu.accounts.permissions import is_active_staff
from kefu.audit.services import record
from kefu.core import clock
from kefu.core.errors import InvalidInput, NotAllowed
from kefu.customers.models import IdentityKind
from kefu.customers.rules import mask_identity, normalize_identity
from kefu.intake.services import InboundMessage, ingest
from kefu.notifications.models import Kind
from kefu.notifications.services import notify
from kefu.tickets import services as ticket_services
from kefu.tickets.access import viewers_among
from kefu.tickets.models import Channel, Ticket

from . import texts
from .models import CallEventKind, HandledCallEvent, PhoneCall, PhoneLine, new_secret
from .parse import CallEvent

MANAGE_PERMISSION = "accounts.manage_configuration"
LINE_FIELDS = ("name", "number", "team", "active")
MISSED_TAG = "missed-call"
VOICEMAIL_TAG = "voicemail"


# --- phone lines ---------------------------------------------------------------------------------


def can_manage_lines(user) -> bool:
    return is_active_staff(user, MANAGE_PERMISSION)


def save_line(
    *, actor, values: dict, extensions: dict[str, User], line: PhoneLine | None = None
) -> PhoneLine:
    """Create (no `line`) or change a phone line; a new line gets its key and secret here."""
    if not can_manage_lines(actor):
        raise NotAllowed()
    line = line or PhoneLine()
    created = line.pk is None
    before = {name: str(getattr(line, name) or "") for name in LINE_FIELDS} if not created else {}
    for name in LINE_FIELDS:
        if name in values:
            setattr(line, name, values[name])
    line.name = (line.name or "").strip()
    if not line.name:
        raise InvalidInput(_("A name is required."), field="name")
    line.extensions = {str(ext): user.pk for ext, user in extensions.items()}
    try:
        with transaction.atomic():
            line.save()
            after = {name: str(getattr(line, name) or "") for name in LINE_FIELDS}
            changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
            changes["extensions"] = [None, sorted(line.extensions)]
            record(
                actor=actor,
                action="phone_line.create" if created else "phone_line.update",
                obj=line,
                changes=changes,
            )
    except IntegrityError:
        raise InvalidInput(_("There is already a phone line with this name."), field="name") from None
    return line


def regenerate_secret(*, actor, line: PhoneLine) -> str:
    """A new webhook secret; the old one stops working at once. Returns it (to show it once)."""
    if not can_manage_lines(actor):
        raise NotAllowed()
    secret = new_secret()
    with transaction.atomic():
        PhoneLine.objects.filter(pk=line.pk).update(secret=secret)
        record(actor=actor, action="phone_line.new_secret", obj=line)
    line.secret = secret
    return secret


def delete_line(*, actor, line: PhoneLine) -> None:
    if not can_manage_lines(actor):
        raise NotAllowed()
    with transaction.atomic():
        record(actor=actor, action="phone_line.delete", obj=line)
        line.delete()


def agents_of(line: PhoneLine) -> dict[str, User]:
    """Extension → its agent, for the agents that still exist (one query)."""
    users = User.objects.in_bulk(list(line.extensions.values()))
    return {ext: users[pk] for ext, pk in line.extensions.items() if pk in users}


def _agent_for(line: PhoneLine, extension: str) -> User | None:
    pk = line.extensions.get(extension) if extension else None
    if pk is None:
        return None
    return User.objects.filter(pk=pk, is_active=True, is_staff=True).first()


# --- call events ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallResult:
    call: PhoneCall
    ticket: Ticket | None
    duplicate: bool = False  # this event of this call was handled before: nothing changed


def handle_call_event(*, line: PhoneLine, event: CallEvent) -> CallResult:
    """Record one CTI event on its call's ticket (opening it on the call's first event), exactly once."""
    call = _call_for(line, event)
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        call = PhoneCall.objects.select_for_update().get(pk=call.pk)
        try:
            with transaction.atomic():
                ringing_at = event.extension if event.event == CallEventKind.RINGING else ""
                HandledCallEvent.objects.create(call=call, event=event.event, extension=ringing_at)
        except IntegrityError:
            return CallResult(call, call.ticket, duplicate=True)
        agent = _agent_for(line, event.extension)
        _remember(call, event, agent)
        if call.ticket_id is None:
            _open_ticket(line, call, event)
        ticket = call.ticket
        if event.event == CallEventKind.RINGING:
            if agent is not None and not (call.answered or call.missed):
                _screen_pop(line, call, agent)
        elif event.event == CallEventKind.VOICEMAIL:
            _voicemail(call, event)
        else:
            _record(call, event, agent)
        call.save()
    # After the call's transaction: inside it, the line's row stayed locked until commit, so every call on a
    # busy line waited for the others' events.
    PhoneLine.objects.filter(pk=line.pk).update(last_event_at=clock.now())
    return CallResult(call, ticket)


def _call_for(line: PhoneLine, event: CallEvent) -> PhoneCall:
    call = PhoneCall.objects.filter(call_id=event.call_id).first()
    if call is None:
        try:
            with transaction.atomic():
                call = PhoneCall.objects.create(
                    line=line,
                    call_id=event.call_id,
                    direction=event.direction,
                    from_number=normalize_identity(IdentityKind.PHONE, event.from_number),
                    to_number=normalize_identity(IdentityKind.PHONE, event.to_number),
                )
        except IntegrityError:  # the same call's other event won the race
            call = PhoneCall.objects.get(call_id=event.call_id)
    if call.line_id != line.pk:
        raise InvalidInput(_("This call id belongs to another phone line."), field="call_id")
    return call


def _remember(call: PhoneCall, event: CallEvent, agent: User | None) -> None:
    """What this event tells about the call, whatever order the events come in."""
    if event.started_at and call.started_at is None:
        call.started_at = event.started_at
    if agent is not None and (call.agent_id is None or event.event == CallEventKind.ANSWERED):
        call.agent = agent
    if event.duration is not None:
        call.duration = event.duration
    if event.recording_url:
        call.recording_url = event.recording_url
    if event.event == CallEventKind.ANSWERED:
        call.answered = True
    if event.event in (CallEventKind.MISSED, CallEventKind.VOICEMAIL):
        call.missed = True


def _customer_number(call: PhoneCall) -> str:
    """The other party's number ("" when the caller withheld it)."""
    return call.from_number if call.direction == "inbound" else call.to_number


def _number(call: PhoneCall) -> str:
    """The customer's number as every agent sees it in the timeline: masked ("" when it was withheld)."""
    number = _customer_number(call)
    return mask_identity(IdentityKind.PHONE, number) if number else ""


# Callers who withhold their number are all one customer: a ticket per call, no made-up identities.
WITHHELD_IDENTITY = "phone:withheld"


def _caller(event: CallEvent) -> dict:
    """Who the call is from, as intake finds the customer: their number, or the withheld-number customer."""
    if event.customer_number:
        return {"identity_kind": IdentityKind.PHONE, "identity_value": event.customer_number}
    return {
        "identity_kind": IdentityKind.API,
        "identity_value": WITHHELD_IDENTITY,
        "name": texts.withheld_caller(),
    }


def _open_ticket(line: PhoneLine, call: PhoneCall, event: CallEvent) -> None:
    """The call's ticket: a voicemail's transcript is its first message, else a line saying who called."""
    masked = _number(call) or texts.withheld_number()
    first_is_voicemail = event.event == CallEventKind.VOICEMAIL and event.voicemail_transcript
    text = (
        event.voicemail_transcript
        if first_is_voicemail
        else texts.opening_text(
            direction=call.direction, number=masked, line_name=line.name, line_number=line.number
        )
    )
    result = ingest(
        InboundMessage(
            channel=Channel.PHONE,
            **_caller(event),
            subject=texts.subject_text(direction=call.direction, number=masked),
            text=text,
            thread_id=call.call_id,
            external_id=f"{call.call_id}:{'voicemail' if first_is_voicemail else 'call'}",
            team=line.team,
        )
    )
    call.ticket = result.ticket
    call.customer_id = result.ticket.customer_id


def _event_data(call: PhoneCall, event: CallEvent, agent: User | None) -> dict:
    agent = agent or call.agent
    data = {
        "event": event.event,
        "direction": call.direction,
        "number": _number(call),
        "call_id": call.call_id,
    }
    if agent is not None and event.event in (CallEventKind.ANSWERED, CallEventKind.ENDED) and not call.missed:
        data["agent"] = agent.name
    elif event.extension and event.event == CallEventKind.ANSWERED:
        data["extension"] = event.extension
    if event.event == CallEventKind.ENDED and call.duration is not None:
        data["duration"] = call.duration
    if event.recording_url:
        data["recording_url"] = event.recording_url
    return data


def _record(call: PhoneCall, event: CallEvent, agent: User | None) -> None:
    """The timeline event; an answered call (or one that ended with its agent known) goes to that agent,
    a missed one stays for routing, tagged to be called back."""
    missed = event.event == CallEventKind.MISSED
    ticket_services.record_system_event(
        ticket=call.ticket,
        event_type=texts.EVENT_TYPE,
        data=_event_data(call, event, agent),
        add_tags=[MISSED_TAG] if missed else (),
    )
    talked = event.event == CallEventKind.ANSWERED or (event.event == CallEventKind.ENDED and call.answered)
    if talked and call.agent is not None and not missed:
        _assign(call.ticket, call.agent)
        _answered(call)
    elif (
        event.event == CallEventKind.ENDED
        and agent is not None
        and not call.missed
        and (event.duration or 0) > 0
    ):
        _assign(call.ticket, agent)  # "ended" came before "answered": it names who talked
        _answered(call)


def _answered(call: PhoneCall) -> None:
    """An agent talking with the caller is the ticket's first response (its SLA clock stops), once."""
    ticket_services.record_first_response(ticket_id=call.ticket_id, at=clock.now())


def _assign(ticket: Ticket, agent: User) -> None:
    current = Ticket.objects.filter(pk=ticket.pk).values_list("assignee_id", flat=True).first()
    if current != agent.pk:
        ticket_services.assign_ticket(ticket=ticket, actor=None, assignee=agent)


def _voicemail(call: PhoneCall, event: CallEvent) -> None:
    """The transcript is the customer's message on the ticket; the recording and "call back" an event."""
    if event.voicemail_transcript:
        ingest(
            InboundMessage(
                channel=Channel.PHONE,
                **_caller(event),
                text=event.voicemail_transcript,
                thread_id=call.call_id,
                ticket_id=call.ticket_id,
                external_id=f"{call.call_id}:voicemail",
            )
        )
    ticket_services.record_system_event(
        ticket=call.ticket,
        event_type=texts.EVENT_TYPE,
        data=_event_data(call, event, None),
        add_tags=[MISSED_TAG, VOICEMAIL_TAG],
    )


def _screen_pop(line: PhoneLine, call: PhoneCall, agent: User) -> None:
    """Tell the agent whose extension rings who is calling: name, masked number, their other open tickets.
    The notification links the call's ticket when the agent may see it."""
    ticket = call.ticket
    customer = ticket.customer
    # The withheld-number customer's other tickets are other people's calls: not "theirs" to mention.
    others = (
        Ticket.objects.open().filter(customer_id=customer.pk).exclude(pk=ticket.pk).count()
        if _customer_number(call)
        else 0
    )
    shown = ticket if viewers_among([agent], ticket) else None
    notify(
        recipients=[agent],
        kind=Kind.INCOMING_CALL,
        ticket=shown,
        params={
            "caller": customer.name,
            "number": _number(call) or texts.withheld_number(),
            "line": line.name,
            "open_tickets": others,
            "customer_id": customer.pk,
        },
    )
