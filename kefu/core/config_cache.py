"""Per-process copies of configuration every background job reads (SLA policies, calendars, intake rules …).

Each process keeps what `get(name, load)` loaded until the shared *version* changes. The version is one key
in Django's cache (Redis across processes at scale); `watch(Model, …)` bumps it on every `post_save`,
`post_delete` and `m2m_changed` of those models, so changes from services, /manage forms and the Django
admin all reach every process. Writes that send no signals (`QuerySet.update()`, `bulk_create`) call
`bump()` themselves.

The version is read once per background job (`one_check()`, entered by kefu.core.events) and once per use
outside one. A transaction that changed configuration keeps its own copy (of its uncommitted rows, which no
other thread may see) until it ends, and the version is bumped again when it commits, so a process that
reloaded in between (still seeing the old rows) reloads once more.

With a process-local cache backend (locmem, the embedded set-up) the version cannot reach the other
process (the scheduler): there copies are also dropped after `LOCAL_MAX_AGE` seconds.
"""

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.core.cache import cache, caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

VERSION_KEY = "kefu:config-version"
LOCAL_MAX_AGE = 10.0  # seconds; only with a process-local cache backend
_PROCESS_LOCAL_BACKENDS = ("LocMemCache", "DummyCache")

_lock = threading.Lock()
_values: dict[str, Any] = {}
_state: dict[str, Any] = {"version": None, "loaded_at": 0.0}
_scope = threading.local()  # `one_check()`: the version read once for the whole job


def get[T](name: str, load: Callable[[], T]) -> T:
    """The process's copy of `name`, loaded by `load()` when missing or when the configuration changed.

    `load` must return something callers never mutate (tuples, frozen dataclasses, dicts used read-only).
    """
    connection = transaction.get_connection()
    if getattr(connection, "kefu_config_dirty", False):
        if _change_pending(connection):
            # This transaction changed configuration: its own copy, as only it sees it, until it ends.
            own = connection.kefu_config_own
            if name not in own:
                own[name] = load()
            return own[name]
        connection.kefu_config_dirty, connection.kefu_config_own = False, {}  # rolled back
    version = _current_version()
    with _lock:
        expired = _process_local() and time.monotonic() - _state["loaded_at"] > LOCAL_MAX_AGE
        if _state["version"] != version or expired:
            _values.clear()
            _state.update(version=version, loaded_at=time.monotonic())
        if name in _values:
            return _values[name]
    value = load()
    with _lock:
        if _state["version"] == version:  # not changed meanwhile: keep it
            _values[name] = value
    return value


def bump() -> None:
    """Tell every process that configuration changed (their next job reloads it)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    _scope.version = None
    clear_local()


def clear_local() -> None:
    """Forget this process's copies (not the shared version): the next use loads again."""
    with _lock:
        _values.clear()
        _state.update(version=None, loaded_at=0.0)


@contextmanager
def one_check() -> Iterator[None]:
    """Read the shared version at most once inside (a background job), not at every use."""
    if getattr(_scope, "active", False):
        yield
        return
    _scope.active, _scope.version = True, None
    try:
        yield
    finally:
        _scope.active, _scope.version = False, None


def watch(*models) -> None:
    """Bump the version whenever a row of these models (or their many-to-many links) changes."""
    for model in models:
        uid = f"kefu.config_cache:{model._meta.label}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}:save", weak=False)
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}:delete", weak=False)
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                _changed, sender=field.remote_field.through, dispatch_uid=f"{uid}:{field.name}", weak=False
            )


def _changed(sender, using: str | None = None, **kwargs) -> None:
    changed(using)


def changed(using: str | None = None) -> None:
    """Configuration was written (by a call that sends no signal, such as `QuerySet.update()`): bump now,
    read it fresh until the transaction ends, and bump again when it commits."""
    bump()
    connection = transaction.get_connection(using)
    if connection.in_atomic_block:
        connection.kefu_config_dirty, connection.kefu_config_own = True, {}
        transaction.on_commit(partial(_committed, connection), using=using, robust=True)


def _change_pending(connection) -> bool:
    """Whether a configuration change of this connection's transaction still waits for its commit (a
    rollback, of the transaction or of the savepoint the change was made in, drops the commit hook)."""
    return any(
        isinstance(hook, partial) and hook.func is _committed
        for _sids, hook, *_rest in connection.run_on_commit
    )


def _committed(connection) -> None:
    connection.kefu_config_dirty, connection.kefu_config_own = False, {}
    bump()


def _current_version() -> str:
    if getattr(_scope, "active", False) and _scope.version is not None:
        return _scope.version
    version = cache.get(VERSION_KEY)
    if version is None:  # a fresh (or flushed) cache: start a version every process then agrees on
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY) or ""
    if getattr(_scope, "active", False):
        _scope.version = version
    return version


def _process_local() -> bool:
    return type(caches["default"]).__name__ in _PROCESS_LOCAL_BACKENDS
