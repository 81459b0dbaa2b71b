"""Login throttling: after LOGIN_FAILURE_LIMIT failures for one username or one address within
LOGIN_FAILURE_WINDOW_SECONDS, further attempts are refused without checking the password.

Counters live in the cache (Redis in production, so every process sees them) in fixed windows: the first
failure starts the window, later ones only count. A successful login clears the username's counter.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from kefu.core.throttle import count_hit

log = logging.getLogger(__name__)


def _key(kind: str, value: str) -> str:
    # Hash: usernames may hold characters some cache backends refuse in keys.
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"kefu:login-failures:{kind}:{digest}"


def _keys(*, username: str, ip: str) -> list[str]:
    keys = []
    username = (username or "").strip().lower()
    if username:
        keys.append(_key("user", username))
    if ip:
        keys.append(_key("ip", ip))
    return keys


def client_ip(request: HttpRequest) -> str:
    """The peer address. Behind a proxy, its trusted setup must put the client in REMOTE_ADDR."""
    return request.META.get("REMOTE_ADDR", "") or ""


def is_locked(*, username: str, ip: str) -> bool:
    """True when the username or the address has used up its failures in the current window."""
    limit = settings.LOGIN_FAILURE_LIMIT
    counts = cache.get_many(_keys(username=username, ip=ip))
    return any(int(count) >= limit for count in counts.values())


def record_failure(*, username: str, ip: str) -> None:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for key in _keys(username=username, ip=ip):
        count = count_hit(key, window=window)
        if count == settings.LOGIN_FAILURE_LIMIT:
            log.warning("login throttled after %s failures (%s)", count, key.split(":")[2])


def clear(*, username: str) -> None:
    """A successful login forgives the username's failures (not the address's: others may share it)."""
    cache.delete_many(_keys(username=username, ip=""))
