"""Fixed-window counters in the shared cache: one count per key, seen alike by every process."""

from django.core.cache import cache


def count_hit(key: str, *, window: int, cost: int = 1) -> int:
    """Add `cost` to `key`'s count in its current `window` (seconds); return the window's total so far."""
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key, cost)
    except ValueError:  # the window expired between add and incr: start a new one
        cache.set(key, cost, timeout=window)
        return cost
