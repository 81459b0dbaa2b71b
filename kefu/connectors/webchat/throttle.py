"""Per-visitor rate limit shared by the widget's socket and its upload endpoint, across processes (cache)."""

import hashlib
import threading

from django.core.cache import BaseCache, caches
from django.core.signals import setting_changed

from kefu.core.throttle import count_hit

WINDOW = 10  # seconds
LIMIT = 20  # messages and files per visitor and window

_store: BaseCache | None = None
_store_lock = threading.Lock()


def _shared_cache() -> BaseCache:
    """One cache client for the whole process. `django.core.cache.cache` is one per async context, so every
    socket would open (and keep) a Redis connection of its own on its first message."""
    global _store
    with _store_lock:
        if _store is None:
            _store = caches.create_connection("default")
        return _store


def _forget_store(*, setting: str, **kwargs) -> None:
    global _store
    if setting == "CACHES":  # tests that switch caches
        _store = None


setting_changed.connect(_forget_store)


def allow(site_key: str, visitor_id: str, *, cost: int = 1) -> bool:
    """Count one more message for this visitor; False once the window's allowance is used up."""
    digest = hashlib.sha256(f"{site_key}:{visitor_id}".encode()).hexdigest()[:32]
    key = f"kefu:chat-rate:{digest}"
    return count_hit(key, window=WINDOW, cost=cost, store=_shared_cache()) <= LIMIT
