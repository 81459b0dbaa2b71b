"""Domain events: services `emit()` them inside their transaction; listeners run after commit.

The table of which listener reacts to which event lives in `kefu.config.listeners`, so domain apps
never import the layers (realtime, delivery, notifications) that react to them.

A listener runs either in the request that emitted the event (quick ones: live pushes), or in the
background (`subscribe(..., background=True)`: routing, SLA clocks, notifications): the background
listeners run in the order they were subscribed, in one job per transaction (with Redis, queued on a list
that `kefu worker` drains many jobs at a time: kefu.core.job_queue; without it, in-process at once): a new
ticket's TicketCreated and MessageAdded make one job, not two. So the
web request answers as soon as its own change is stored, events are handled in the order they were
emitted, and the order "rules, then the classifier, then assignment" holds.
"""

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

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
        _queue_after_commit(event, later)


@dataclass(eq=False)
class _Batch:
    """The background work of consecutive emits in one transaction and savepoint: queued as one job."""

    savepoints: frozenset[str]
    items: list[tuple[Event, list[Listener]]] = field(default_factory=list)
    hook: Callable[[], None] | None = None
    hooks: list | None = None  # the connection's list of commit hooks the newest hook went into …
    position: int = -1  # … and its place there
    sent: bool = False


def _queue_after_commit(event: Event, listeners: list[Listener]) -> None:
    """Add the event's background listeners to this transaction's job, queued once, after the commit.

    Every emit registers its own commit hook, so Django's rules decide what runs (a rolled-back savepoint
    drops its hooks); only the newest hook of a batch sends it, with everything emitted before it. A batch
    only grows while the savepoints stay the same, so its hooks are kept or dropped together, and a new
    one starts after a commit, a rollback, or an emit in another savepoint (which keeps events in order).
    """
    connection = transaction.get_connection()
    batch: _Batch | None = getattr(connection, "kefu_listener_batch", None)
    savepoints = frozenset(connection.savepoint_ids)
    if batch is None or not _still_open(batch, connection, savepoints):
        batch = _Batch(savepoints=savepoints)
        connection.kefu_listener_batch = batch
    batch.items.append((event, listeners))
    batch.hook = partial(_send_batch, batch, len(batch.items))
    transaction.on_commit(batch.hook, robust=True)
    if connection.in_atomic_block:
        batch.hooks, batch.position = connection.run_on_commit, len(connection.run_on_commit) - 1


def _still_open(batch: _Batch, connection, savepoints: frozenset[str]) -> bool:
    """True when an event emitted now may join `batch`: same transaction and savepoints, not yet sent."""
    if batch.sent or batch.savepoints != savepoints or not connection.in_atomic_block:
        return False
    # Django replaces its list of commit hooks when a transaction ends and when a savepoint rolls back:
    # the batch's newest hook still in its place in the same list means neither happened since.
    hooks = connection.run_on_commit
    return hooks is batch.hooks and len(hooks) > batch.position and hooks[batch.position][1] is batch.hook


def _send_batch(batch: _Batch, size: int) -> None:
    if batch.sent or size != len(batch.items):
        return  # a newer hook of the batch sends it, with this event
    batch.sent = True
    # The hook (a partial holding the batch) and the list of hooks made reference cycles: left alone, only the
    # cyclic garbage collector frees every request's batch, which lengthens its pauses under load.
    batch.hook = batch.hooks = None
    _run_in_background(batch.items)


def _import_path(obj) -> str | None:
    """`module.name` when `obj` can be imported back by that path (module-level functions), else None."""
    path = f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', '')}"
    if "<" in path or path.startswith("."):
        return None
    return path


def _run_in_background(items: list[tuple[Event, list[Listener]]]) -> None:
    from kefu.core import job_queue
    from kefu.core.tasks import run_listener_batch

    jobs = [
        [
            _import_path(type(event)),
            dataclasses.asdict(event),
            [_import_path(listener) for listener in listeners],
        ]
        for event, listeners in items
    ]
    try:
        if job_queue.enabled():
            job_queue.push(jobs)  # a worker drains the queued jobs many at a time
        else:
            run_listener_batch.delay(jobs)
    except Exception:
        # The broker is unreachable: the change is committed, so do the follow-up work here rather than lose it.
        log.exception(
            "could not queue the listeners of %r; running them in this process", [e for e, _ in items]
        )
        for event, listeners in items:
            for listener in listeners:
                _run(listener, event)


def run_queued_listeners(event_path: str, fields: dict, listener_paths: list[str]) -> None:
    """One event of a background job: rebuild the event (JSON gave lists for tuples), run each listener."""
    event = _event_from(import_string(event_path), fields)
    for path in listener_paths:
        _run(import_string(path), event)


def run_queued_batch(jobs: list) -> None:
    """The background job's body: each event's listeners, events in the order they were emitted."""
    from kefu.core import config_cache

    with config_cache.one_check():  # the configuration's shared version is read once per job
        for event_path, fields, listener_paths in jobs:
            run_queued_listeners(event_path, fields, listener_paths)


def handles_many(bulk: Callable[[list], None]) -> Callable[[Listener], Listener]:
    """Mark a background listener as able to take many events at once: `bulk(events)` does for all of them
    what the listener does for each. When it fails, the listener runs for each event alone instead, so it
    must be all or nothing (one transaction) or safe to repeat (idempotent, like every background listener)."""

    def mark(listener: Listener) -> Listener:
        listener.bulk = bulk  # type: ignore[attr-defined]
        return listener

    return mark


def run_queued_batches(jobs: list[list]) -> None:
    """Many background jobs at once (kefu.core.job_queue): the same work as each job alone, in bulk.

    Jobs of the same shape (the same events with the same listeners, like every new ticket's) about
    tickets no earlier job here touches run together, step by step: each listener once over all their
    events (`handles_many`), or for each in turn. A ticket's events still meet its listeners in the order
    they were emitted; only the order between different tickets changes. The other jobs follow, in order.
    """
    from kefu.core import config_cache

    with config_cache.one_check():  # the configuration's shared version is read once per batch
        groups, rest = _groups_of_independent_jobs(jobs)
        for steps in groups:
            _run_steps(steps)
        for job in rest:
            for event_path, fields, listener_paths in job:
                run_queued_listeners(event_path, fields, listener_paths)


def _groups_of_independent_jobs(jobs: list[list]) -> tuple[list[list[list]], list[list]]:
    """Jobs of one shape whose tickets no earlier job names, grouped by shape; the others, in order."""
    groups: dict[tuple, list[list]] = {}
    rest: list[list] = []
    seen: set[int] = set()
    for job in jobs:
        tickets = {fields.get("ticket_id") for _path, fields, _listeners in job}
        shape = tuple((path, tuple(listeners)) for path, _fields, listeners in job)
        if None in tickets or tickets & seen:
            rest.append(job)
        else:
            groups.setdefault(shape, []).append(job)
        seen |= tickets - {None}
    together = [group for group in groups.values() if len(group) > 1]
    alone = [group[0] for group in groups.values() if len(group) == 1]
    # A job left to run alone keeps its place before later jobs about the same tickets (`rest`).
    keep = {id(job) for job in alone + rest}
    return together, [job for job in jobs if id(job) in keep]


def _run_steps(group: list[list]) -> None:
    """Jobs of one shape: for each of their events in turn, each listener over that event of every job."""
    for position, (event_path, _fields, listener_paths) in enumerate(group[0]):
        event_type = import_string(event_path)
        events = [_event_from(event_type, job[position][1]) for job in group]
        for path in listener_paths:
            listener = import_string(path)
            bulk = getattr(listener, "bulk", None)
            if bulk is not None:
                try:
                    bulk(events)
                    continue
                except Exception:
                    log.exception(
                        "listener %s failed for %d events together; one by one now", path, len(events)
                    )
            for event in events:
                _run(listener, event)


def _event_from(event_type: type, fields: dict) -> Event:
    """The event as emitted (JSON gave lists for tuples)."""
    return event_type(
        **{key: tuple(value) if isinstance(value, list) else value for key, value in fields.items()}
    )


def _run(listener: Listener, event: Event) -> None:
    try:
        listener(event)
    except Exception:
        # A failing listener (say a websocket push) must never undo or block the committed change.
        log.exception("listener %s failed for %r", getattr(listener, "__name__", listener), event)
