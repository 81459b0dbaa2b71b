"""An agent whose workspace sockets are all gone, and stay gone past the grace period, is set offline (so
routing stops offering them chats); a reload or a short drop changes nothing; coming back restores them.
Sockets are counted in the cache, which every process shares (Redis in production)."""

import uuid

import pytest
import redis
from django.test import override_settings

from kefu.accounts.models import Presence
from kefu.realtime import connections

from .sockets import connected, run

GRACE = 60


@pytest.fixture
def clock(monkeypatch, settings):
    """Seconds on a clock the test moves (the sweep compares socket times against it)."""
    settings.CHAT_PRESENCE_GRACE_SECONDS = GRACE
    now = [1_000_000.0]
    monkeypatch.setattr(connections, "_now", lambda: now[0])

    def advance(seconds: float) -> None:
        now[0] += seconds

    return advance


@pytest.fixture
def online_agent(agent):
    agent.presence = Presence.ONLINE
    agent.save(update_fields=["presence"])
    return agent


def _presence(user) -> str:
    user.refresh_from_db(fields=["presence"])
    return user.presence


@pytest.mark.django_db(transaction=True)
def test_an_agent_whose_socket_closed_goes_offline_after_the_grace_and_back_online_on_return(
    online_agent, login, clock
):
    cookie = login(online_agent)

    async def leave():
        socket = await connected(cookie)
        await socket.disconnect()

    run(leave)
    clock(GRACE - 1)
    assert connections.sweep() == []  # a reload or a short drop: still online
    clock(2)
    assert connections.sweep() == [online_agent.pk]
    assert _presence(online_agent) == Presence.OFFLINE
    assert connections.sweep() == []  # once

    async def come_back():
        socket = await connected(cookie)
        await socket.disconnect()

    run(come_back)
    assert _presence(online_agent) == Presence.ONLINE


@pytest.mark.django_db
def test_one_tab_closing_while_another_stays_open_changes_nothing(online_agent, clock):
    connections.connected(user_id=online_agent.pk, connection="tab-1")
    connections.connected(user_id=online_agent.pk, connection="tab-2")
    connections.disconnected(user_id=online_agent.pk, connection="tab-1")
    for _ in range(5):  # the open tab keeps sending its heartbeat
        clock(20)
        connections.connected(user_id=online_agent.pk, connection="tab-2")
        assert connections.sweep() == []
    assert _presence(online_agent) == Presence.ONLINE


@pytest.mark.django_db
def test_sockets_of_a_crashed_process_stop_counting_when_their_heartbeat_stops(online_agent, clock):
    connections.connected(user_id=online_agent.pk, connection="on-a-dead-process")  # never disconnects
    clock(connections.ENTRY_TTL + GRACE - 1)
    assert connections.sweep() == []
    clock(2)
    assert connections.sweep() == [online_agent.pk]


@pytest.mark.django_db
def test_away_agents_go_offline_too_but_someone_who_never_had_a_socket_is_left_alone(
    agent, teammate, clock, django_capture_on_commit_callbacks
):
    agent.presence = Presence.AWAY
    agent.save(update_fields=["presence"])
    teammate.presence = Presence.ONLINE  # set online through the API, no workspace open
    teammate.save(update_fields=["presence"])
    connections.connected(user_id=agent.pk, connection="tab")
    connections.disconnected(user_id=agent.pk, connection="tab")
    clock(GRACE + 1)

    with django_capture_on_commit_callbacks() as callbacks:  # PresenceChanged: routing gives work back
        assert connections.sweep() == [agent.pk]
    assert callbacks
    assert (_presence(agent), _presence(teammate)) == (Presence.OFFLINE, Presence.ONLINE)
    connections.connected(user_id=agent.pk, connection="tab-again")
    connections.came_back(agent)
    assert _presence(agent) == Presence.AWAY


def _redis_db4_is_up() -> bool:
    try:
        return bool(redis.Redis.from_url("redis://127.0.0.1:6379/4", socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.mark.django_db
@pytest.mark.skipif(not _redis_db4_is_up(), reason="Redis is not running at 127.0.0.1:6379")
def test_with_redis_a_socket_on_one_process_keeps_the_agent_present_while_another_processs_closes(
    online_agent, clock
):
    cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/4",
        "KEY_PREFIX": f"kefu-test-{uuid.uuid4().hex[:8]}",
    }
    with override_settings(CACHES={"default": cache}):
        connections.connected(user_id=online_agent.pk, connection="process-a!tab")
        connections.connected(user_id=online_agent.pk, connection="process-b!tab")
        connections.disconnected(user_id=online_agent.pk, connection="process-b!tab")
        clock(GRACE + 1)
        connections.connected(user_id=online_agent.pk, connection="process-a!tab")  # heartbeat
        assert connections.sweep() == []
        connections.disconnected(user_id=online_agent.pk, connection="process-a!tab")
        clock(GRACE + 1)
        assert connections.sweep() == [online_agent.pk]
