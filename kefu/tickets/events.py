"""Events the tickets domain emits; listeners are wired in kefu.config.listeners."""

from dataclasses import dataclass

from kefu.core.events import Event


@dataclass(frozen=True, kw_only=True)
class TicketCreated(Event):
    ticket_id: int


@dataclass(frozen=True, kw_only=True)
class MessageAdded(Event):
    ticket_id: int
    message_id: int
    kind: str
    actor_id: int | None = None  # the staff author; None for customers, bots and the system
    opens_ticket: bool = False  # the first message of a new ticket (emitted right after its TicketCreated)


@dataclass(frozen=True, kw_only=True)
class TicketUpdated(Event):
    ticket_id: int
    fields: tuple[str, ...]
    actor_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class TicketAssigned(Event):
    ticket_id: int
    assignee_id: int | None
    actor_id: int | None = None
