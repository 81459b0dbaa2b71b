"""Per-process copies of configuration every background job reads (SLA policies, calendars, intake rules …).

Each process keeps what `get(name, load)` loaded until the shared *version* changes. The version is one
integer key in Django's cache (Redis across processes at scale); `watch(Model, …)` bumps it after every
`post_save`, `post_delete` and `m2m_changed` of those models, so changes from services, /manage forms and the
Django admin all reach every process. Writes that send no signals (`QuerySet.update()`, `bulk_create`) call
`changed()` themselves.

The version only grows (`cache.incr`; a fresh or flushed cache starts at the clock in nanoseconds, above any
version handed out before), and a process never goes back to an older one: a thread still holding the version
its job started with uses the newer copies instead of dropping them.

The version is read once per background job (`one_check()`, entered by kefu.core.events) and once per use
outside one. A change inside a transaction writes nothing to the cache at once: the connection is marked and
one after-commit hook bumps the version. Until the transaction ends, that transaction reads configuration
fresh from the database at every use and keeps no copy (its uncommitted rows are for nobody else, and a
rolled-back savepoint must not leave them behind). Tests, whose transaction never commits, call `settle()`
after their set-up to use the copies again.

With a process-local cache backend (locmem, the embedded set-up) the version cannot reach the other
process (the scheduler): there copies are also dropped after `LOCAL_MAX_AGE` seconds.
"""

import threading
import time
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
    if getattr(connection, "kefu_config_hook", None) is not None:
        if connection.in_atomic_block and _change_pending(connection):
            return load()  # this transaction changed configuration: only it sees that, and only until it ends
        connection.kefu_config_hook = None  # rolled back
    version = _current_version()
    with _lock:
        expired = _process_local() and time.monotonic() - _state["loaded_at"] > LOCAL_MAX_AGE
        if _state["version"] is None or version > _state["version"] or expired:
            _values.clear()
            _state.update(version=max(version, _state["version"] or version), loaded_at=time.monotonic())
        # An older `version` (a job that started before the last change) uses the newer copies.
        seen = _state["version"]
        if name in _values:
            return _values[name]
    value = load()
    with _lock:
        if _state["version"] == seen:  # not changed meanwhile: keep it
            _values[name] = value
    return value


def bump() -> None:
    """Tell every process that configuration changed (their next use reloads it)."""
    try:
        _read_version()  # a missing key, or one of an older release, is (re)started first
        version = cache.incr(VERSION_KEY)
    except ValueError:  # the key vanished meanwhile (or DummyCache): a restart is a new version too
        version = _read_version()
    _scope.version = None
    with _lock:
        _values.clear()
        _state.update(version=max(version, _state["version"] or version), loaded_at=time.monotonic())


def settle(using: str | None = None) -> None:
    """Count this transaction's configuration changes as committed: bump now and use the process's copies
    again. For tests, whose transaction never commits, once their set-up is done."""
    connection = transaction.get_connection(using)
    if _change_pending(connection):
        connection.kefu_config_hook = None  # its hook, if it ever runs, only bumps once more
        bump()


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
    """Configuration was written (also by a call that sends no signal, such as `QuerySet.update()`).

    Outside a transaction the version is bumped at once. Inside one, nothing is written to the cache yet:
    the connection reads configuration fresh until the transaction ends, and one hook bumps after the commit
    (however many rows the transaction saves).
    """
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        bump()
        return
    if not _change_pending(connection):
        connection.kefu_config_hook = hook = partial(_committed, connection)
        transaction.on_commit(hook, using=using, robust=True)


def _change_pending(connection) -> bool:
    """Whether a configuration change of this connection's transaction still waits for its commit (a
    rollback, of the transaction or of the savepoint the hook was added in, drops the hook)."""
    hook = getattr(connection, "kefu_config_hook", None)
    return hook is not None and any(pending is hook for _sids, pending, *_rest in connection.run_on_commit)


def _committed(connection) -> None:
    connection.kefu_config_hook = None
    bump()


def _current_version() -> int:
    if getattr(_scope, "active", False) and _scope.version is not None:
        return _scope.version
    version = _read_version()
    if getattr(_scope, "active", False):
        _scope.version = version
    return version


def _read_version() -> int:
    version = cache.get(VERSION_KEY)
    if isinstance(version, int):
        return version
    # A fresh or flushed cache (or a version left by an older release): start above every version handed out
    # so far, which every process then agrees on.
    start = time.time_ns()
    if version is None:
        cache.add(VERSION_KEY, start, timeout=None)
    else:
        cache.set(VERSION_KEY, start, timeout=None)
    version = cache.get(VERSION_KEY)
    return version if isinstance(version, int) else start


def _process_local() -> bool:
    return type(caches["default"]).__name__ in _PROCESS_LOCAL_BACKENDS
