"""Chat domain events (ids only); which listener reacts to which is in kefu.config.listeners."""

from dataclasses import dataclass

from kefu.core.events import Event


@dataclass(frozen=True, kw_only=True)
class ChatMessagePosted(Event):
    conversation_id: int
    message_id: int


@dataclass(frozen=True, kw_only=True)
class ChatAccepted(Event):
    conversation_id: int
    agent_id: int


@dataclass(frozen=True, kw_only=True)
class ChatEnded(Event):
    conversation_id: int
    actor_id: int | None = None  # the staff user who ended it; None: the visitor or the idle-chat job
    idle: bool = False  # ended by the idle-chat job


@dataclass(frozen=True, kw_only=True)
class ChatTransferred(Event):
    conversation_id: int
    from_agent_id: int | None
    to_agent_id: int | None  # None: back to the queue of `to_team_id`
    to_team_id: int | None
