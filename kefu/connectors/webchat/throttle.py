"""Per-visitor rate limit shared by the widget's socket and its upload endpoint, across processes (cache)."""

import hashlib

from kefu.core.throttle import count_hit

WINDOW = 10  # seconds
LIMIT = 20  # messages and files per visitor and window


def allow(site_key: str, visitor_id: str, *, cost: int = 1) -> bool:
    """Count one more message for this visitor; False once the window's allowance is used up."""
    digest = hashlib.sha256(f"{site_key}:{visitor_id}".encode()).hexdigest()[:32]
    key = f"kefu:chat-rate:{digest}"
    return count_hit(key, window=WINDOW, cost=cost) <= LIMIT
