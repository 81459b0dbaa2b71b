"""Domain events: services `emit()` them inside their transaction; listeners run after commit.

The table of which listener reacts to which event lives in `kefu.config.listeners`, so domain apps
never import the layers (realtime, delivery, notifications) that react to them.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

log = logging.getLogger(__name__)

Listener = Callable[["Event"], None]
_listeners: dict[type, list[Listener]] = defaultdict(list)


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of all domain events: small, immutable, ids only (listeners re-read what they need)."""


def subscribe(event_type: type[Event], listener: Listener) -> None:
    if listener not in _listeners[event_type]:
        _listeners[event_type].append(listener)


def listeners_for(event: Event) -> list[Listener]:
    found: list[Listener] = []
    for cls in type(event).__mro__:
        found.extend(_listeners.get(cls, []))
    return found


def emit(event: Event) -> None:
    """Run the event's listeners once the surrounding transaction commits (at once outside one)."""
    for listener in listeners_for(event):
        transaction.on_commit(lambda listener=listener: _run(listener, event), robust=True)


def _run(listener: Listener, event: Event) -> None:
    try:
        listener(event)
    except Exception:
        # A failing listener (say a websocket push) must never undo or block the committed change.
        log.exception("listener %s failed for %r", getattr(listener, "__name__", listener), event)
