"""Events the notifications domain emits; listeners are wired in kefu.config.listeners."""

from dataclasses import dataclass

from kefu.core.events import Event


@dataclass(frozen=True, kw_only=True)
class NotificationCreated(Event):
    notification_id: int
    recipient_id: int


@dataclass(frozen=True, kw_only=True)
class NotificationsRead(Event):
    recipient_id: int
