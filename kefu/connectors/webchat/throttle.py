"""Per-visitor rate limit shared by the widget's socket and its upload endpoint, across processes (cache)."""

import hashlib

from django.core.cache import cache

WINDOW = 10  # seconds
LIMIT = 20  # messages and files per visitor and window


def allow(site_key: str, visitor_id: str, *, cost: int = 1) -> bool:
    """Count one more message for this visitor; False once the window's allowance is used up."""
    digest = hashlib.sha256(f"{site_key}:{visitor_id}".encode()).hexdigest()[:32]
    key = f"kefu:chat-rate:{digest}"
    if cache.add(key, cost, timeout=WINDOW):
        return True
    try:
        count = cache.incr(key, cost)
    except ValueError:  # the window expired between add and incr
        cache.add(key, cost, timeout=WINDOW)
        return True
    return count <= LIMIT
