"""Domain events: services `emit()` them inside their transaction; listeners run after commit.

The table of which listener reacts to which event lives in `kefu.config.listeners`, so domain apps
never import the layers (realtime, delivery, notifications) that react to them.

A listener runs either in the request that emitted the event (quick ones: live pushes), or in the
background (`subscribe(..., background=True)`: routing, SLA clocks, notifications): the background
listeners of one event run together, in the order they were subscribed, in one job (a Celery task,
run by `kefu worker` with Redis, in-process at once without it). So the web request answers as soon
as its own change is stored, and the order "rules, then the classifier, then assignment" holds.
"""

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

Listener = Callable[["Event"], None]
_listeners: dict[type, list[Listener]] = defaultdict(list)
_background: set[tuple[type, Listener]] = set()


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of all domain events: small, immutable, ids only (listeners re-read what they need)."""


def subscribe(event_type: type[Event], listener: Listener, *, background: bool = False) -> None:
    """Run `listener` after each committed `event_type`; in a background job when `background`."""
    if background and _import_path(listener) is None:
        raise ValueError(f"a background listener must be a module-level function, not {listener!r}")
    if listener not in _listeners[event_type]:
        _listeners[event_type].append(listener)
    if background:
        _background.add((event_type, listener))


def listeners_for(event: Event) -> list[Listener]:
    found: list[Listener] = []
    for cls in type(event).__mro__:
        found.extend(_listeners.get(cls, []))
    return found


def _is_background(event: Event, listener: Listener) -> bool:
    return any((cls, listener) in _background for cls in type(event).__mro__)


def emit(event: Event) -> None:
    """Run the event's listeners once the surrounding transaction commits (at once outside one)."""
    later: list[Listener] = []
    for listener in listeners_for(event):
        if _is_background(event, listener):
            later.append(listener)
        else:
            transaction.on_commit(lambda listener=listener: _run(listener, event), robust=True)
    if later:
        transaction.on_commit(lambda: _run_in_background(event, later), robust=True)


def _import_path(obj) -> str | None:
    """`module.name` when `obj` can be imported back by that path (module-level functions), else None."""
    path = f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', '')}"
    if "<" in path or path.startswith("."):
        return None
    return path


def _run_in_background(event: Event, listeners: list[Listener]) -> None:
    from kefu.core.tasks import run_listeners

    event_path = _import_path(type(event))
    listener_paths = [_import_path(listener) for listener in listeners]
    try:
        run_listeners.delay(event_path, dataclasses.asdict(event), listener_paths)
    except Exception:
        # The broker is unreachable: the change is committed, so do the follow-up work here rather than lose it.
        log.exception("could not queue the listeners of %r; running them in this process", event)
        for listener in listeners:
            _run(listener, event)


def run_queued_listeners(event_path: str, fields: dict, listener_paths: list[str]) -> None:
    """The background job's body: rebuild the event (JSON gave lists for tuples) and run each listener."""
    event_type = import_string(event_path)
    event = event_type(**{key: tuple(value) if isinstance(value, list) else value for key, value in fields.items()})
    for path in listener_paths:
        _run(import_string(path), event)


def _run(listener: Listener, event: Event) -> None:
    try:
        listener(event)
    except Exception:
        # A failing listener (say a websocket push) must never undo or block the committed change.
        log.exception("listener %s failed for %r", getattr(listener, "__name__", listener), event)
