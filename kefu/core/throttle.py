"""Fixed-window counters in the shared cache: one count per key, seen alike by every process."""

from django.core.cache import cache


def count_hit(key: str, *, window: int, cost: int = 1, store=None) -> int:
    """Add `cost` to `key`'s count in its current `window` (seconds); return the window's total so far.

    `store`: a cache to use instead of the default one (e.g. one shared by a process's sockets)."""
    store = store if store is not None else cache
    store.add(key, 0, timeout=window)
    try:
        return store.incr(key, cost)
    except ValueError:  # the window expired between add and incr: start a new one
        store.set(key, cost, timeout=window)
        return cost
