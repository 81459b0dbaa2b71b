"""Per-visitor rate limit shared by the widget's socket and its upload endpoint, across processes (cache)."""

import hashlib
import threading

from django.core.cache import BaseCache, caches
from django.core.cache.backends.redis import RedisCache
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
    store = _shared_cache()
    if isinstance(store, RedisCache):
        return _count_in_redis(store, key, cost) <= LIMIT
    return count_hit(key, window=WINDOW, cost=cost, store=store) <= LIMIT


def _count_in_redis(store: RedisCache, key: str, cost: int) -> int:
    """`count_hit` (start the window's count at 0 unless it exists, then add) in one Redis round trip
    instead of two: every visitor message passes here."""
    full_key = store.make_and_validate_key(key)
    with store._cache.get_client(full_key, write=True).pipeline(transaction=False) as pipe:
        pipe.set(full_key, 0, ex=WINDOW, nx=True)
        pipe.incrby(full_key, cost)
        return pipe.execute()[1]
