"""Events the SLA domain emits; listeners are wired in kefu.config.listeners."""

from dataclasses import dataclass

from kefu.core.events import Event


@dataclass(frozen=True, kw_only=True)
class SlaWarned(Event):
    ticket_id: int
    target: str


@dataclass(frozen=True, kw_only=True)
class SlaBreached(Event):
    ticket_id: int
    target: str


@dataclass(frozen=True, kw_only=True)
class TicketEscalated(Event):
    ticket_id: int
    escalation_id: int
