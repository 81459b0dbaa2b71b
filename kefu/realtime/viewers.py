"""Who is looking at which ticket right now (collision detection), shared by every ASGI process.

State lives in the Django cache (Redis in production, locmem in the single-process demo), one key per
ticket holding one entry per socket: `{channel_name: {"u": user id, "n": name, "r": replying, "j": joined,
"t": last seen}}`. Sockets refresh their entries with the client's heartbeat; an entry not refreshed for
`ENTRY_TTL` seconds belongs to a dead process or a lost socket and is dropped. Read-modify-write cycles
take a short lock (`cache.add`, atomic on Redis and locmem) so two processes do not overwrite each other;
should the lock stay busy, the write goes ahead anyway and the next heartbeat repairs any loss.

Sync functions: the consumer calls them in a worker thread. Viewers are counted per user, so a user
with two tabs open counts once, and is "replying" if any of their tabs is.
"""

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.cache import cache

HEARTBEAT = 20  # seconds between client pings (presence.js sends them)
ENTRY_TTL = 3 * HEARTBEAT  # an entry survives two lost heartbeats
KEY_TTL = 2 * ENTRY_TTL
LOCK_TTL = 2
LOCK_WAIT = 0.5

Entries = dict[str, dict]


@dataclass(frozen=True)
class Viewer:
    """One user looking at a ticket, however many tabs they have open."""

    id: int
    name: str
    replying: bool

    def as_json(self) -> dict:
        return {"id": self.id, "name": self.name, "replying": self.replying}


@dataclass(frozen=True)
class Change:
    """The viewers after a write, and whether they differ from before (then the group must be told)."""

    viewers: list[Viewer]
    changed: bool


def _now() -> float:
    return time.time()


def _key(ticket_id: int) -> str:
    return f"kefu:viewers:ticket:{int(ticket_id)}"


def viewers(ticket_id: int) -> list[Viewer]:
    """The live viewers of a ticket, in the order they arrived."""
    return _aggregate(_alive(cache.get(_key(ticket_id)) or {}))


def join(ticket_id: int, *, connection: str, user_id: int, name: str, replying: bool = False) -> Change:
    """Add (or refresh) one socket's entry; also the heartbeat, so a lost entry comes back."""

    def put(entries: Entries) -> None:
        now = _now()
        joined = entries.get(connection, {}).get("j", now)
        entries[connection] = {"u": user_id, "n": name, "r": bool(replying), "j": joined, "t": now}

    return _update(ticket_id, put)


def leave(ticket_id: int, *, connection: str) -> Change:
    """Remove one socket's entry (unwatch, disconnect, lost access)."""
    return _update(ticket_id, lambda entries: entries.pop(connection, None))


def _update(ticket_id: int, mutate: Callable[[Entries], object]) -> Change:
    key = _key(ticket_id)
    with _lock(key):
        stored = cache.get(key) or {}
        before = _aggregate(stored)  # expired entries included: dropping them is a change to announce
        entries = _alive(stored)
        mutate(entries)
        if entries:
            cache.set(key, entries, KEY_TTL)
        else:
            cache.delete(key)
    after = _aggregate(entries)
    return Change(viewers=after, changed=after != before)


def _alive(entries: Entries) -> Entries:
    oldest = _now() - ENTRY_TTL
    return {conn: entry for conn, entry in entries.items() if entry.get("t", 0) >= oldest}


def _aggregate(entries: Entries) -> list[Viewer]:
    users: dict[int, dict] = {}
    for entry in sorted(entries.values(), key=lambda e: e["j"]):
        seen = users.setdefault(entry["u"], {"name": entry["n"], "replying": False})
        seen["replying"] = seen["replying"] or entry["r"]
    return [Viewer(id=uid, name=v["name"], replying=v["replying"]) for uid, v in users.items()]


@contextmanager
def _lock(key: str) -> Iterator[None]:
    lock_key, token = f"{key}:lock", uuid.uuid4().hex
    deadline = _now() + LOCK_WAIT
    held = cache.add(lock_key, token, LOCK_TTL)
    while not held and _now() < deadline:
        time.sleep(0.01)
        held = cache.add(lock_key, token, LOCK_TTL)
    try:
        yield
    finally:
        # Only release our own lock: a stale one may have expired and been taken by someone else.
        if held and cache.get(lock_key) == token:
            cache.delete(lock_key)
