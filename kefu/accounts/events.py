"""Events the accounts domain emits; listeners are wired in kefu.config.listeners."""

from dataclasses import dataclass

from kefu.core.events import Event


@dataclass(frozen=True, kw_only=True)
class PresenceChanged(Event):
    user_id: int
    presence: str


@dataclass(frozen=True, kw_only=True)
class UserDeactivated(Event):
    user_id: int
