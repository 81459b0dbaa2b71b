"""Which staff users have a live socket, counted across every ASGI process; agents whose sockets are gone go offline.

State lives in the Django cache (Redis in production, so every process and the scheduler see the same),
one key per user: `{"s": {channel_name: last seen}, "g": when the last socket closed or None}`. A socket
adds its entry on connect, refreshes it with the client's heartbeat and removes it on disconnect; an entry
not refreshed for `ENTRY_TTL` belongs to a crashed process or a dead network and no longer counts.

`sweep()` (the scheduler, every few seconds) sets present agents (online or away) whose last socket went
away more than `CHAT_PRESENCE_GRACE_SECONDS` ago to offline through the accounts presence service, so
routing stops offering them chats and gives back their unstarted work. A reload or a short network loss
reconnects within the grace and changes nothing; when they do come back later, their presence from
before is restored.
"""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction

from kefu.accounts import services as accounts
from kefu.accounts.models import Presence

from .viewers import ENTRY_TTL, _lock

KEY_TTL = 24 * 60 * 60
AUTO_TTL = 7 * 24 * 60 * 60
PRESENT = (Presence.ONLINE, Presence.AWAY)


def _now() -> float:
    return time.time()


def _key(user_id: int) -> str:
    return f"kefu:sockets:user:{int(user_id)}"


def _auto_key(user_id: int) -> str:
    """Set when `sweep` took the user offline: the presence to give back when a socket of theirs returns."""
    return f"kefu:sockets:auto-offline:{int(user_id)}"


def _alive(sockets: dict[str, float], now: float) -> dict[str, float]:
    return {name: seen for name, seen in sockets.items() if seen >= now - ENTRY_TTL}


def connected(*, user_id: int, connection: str) -> None:
    """A socket of the user opened (or sent its heartbeat)."""
    key = _key(user_id)
    with _lock(key):
        now = _now()
        state = cache.get(key) or {}
        sockets = _alive(state.get("s", {}), now)
        sockets[connection] = now
        cache.set(key, {"s": sockets, "g": None}, KEY_TTL)


def disconnected(*, user_id: int, connection: str) -> None:
    """A socket of the user closed; when it was their last, the grace period starts now."""
    key = _key(user_id)
    with _lock(key):
        now = _now()
        state = cache.get(key) or {}
        sockets = _alive(state.get("s", {}), now)
        sockets.pop(connection, None)
        cache.set(key, {"s": sockets, "g": state.get("g") if sockets else now}, KEY_TTL)


def gone_since(user_id: int, state: dict | None = None) -> float | None:
    """Since when the user has had no live socket; None while one is alive or when none was ever seen."""
    state = cache.get(_key(user_id)) if state is None else state
    if not state:
        return None
    now = _now()
    sockets = state.get("s", {})
    if _alive(sockets, now):
        return None
    if state.get("g") is not None:
        return state["g"]
    # No clean close (a crashed process): gone since the last heartbeat's entry expired.
    return max(sockets.values()) + ENTRY_TTL if sockets else None


def came_back(user) -> None:
    """A socket of a user whom `sweep` took offline opened: give them back the presence they had."""
    previous = cache.get(_auto_key(user.pk))
    if previous is None:
        return
    cache.delete(_auto_key(user.pk))
    user.refresh_from_db(fields=["presence"])
    if user.presence == Presence.OFFLINE and previous in PRESENT:
        with transaction.atomic():
            accounts.set_presence(user=user, presence=previous)


def sweep() -> list[int]:
    """Take present agents whose sockets have all been gone for the grace period offline; their ids."""
    grace = settings.CHAT_PRESENCE_GRACE_SECONDS
    people = list(get_user_model().objects.filter(is_active=True, is_staff=True, presence__in=PRESENT))
    if not people:
        return []
    states = cache.get_many([_key(user.pk) for user in people])
    now, gone = _now(), []
    for user in people:
        since = gone_since(user.pk, states.get(_key(user.pk)) or {})
        if since is None or now - since < grace or gone_since(user.pk) is None:  # (re-read: just back?)
            continue
        cache.set(_auto_key(user.pk), user.presence, AUTO_TTL)
        with transaction.atomic():
            accounts.set_presence(user=user, presence=Presence.OFFLINE)
        gone.append(user.pk)
        if gone_since(user.pk) is None:  # a socket opened meanwhile and found no mark to undo: undo it here
            came_back(user)
    return gone
