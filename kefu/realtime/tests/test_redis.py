"""With Redis, sockets held by different ASGI processes see the same viewers and the same pushes.

Each "process" here has its own channel-layer instance (its own Redis connections), and viewer state
goes through the Redis cache, so nothing is shared in Python memory between the two sockets.
"""

import os
import uuid

import pytest
import redis
from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from django.test import override_settings
from django.urls import path

from kefu.realtime.consumers import AgentConsumer
from kefu.tickets import services

from .sockets import connected, names, next_frame, run, watch

REDIS = os.environ.get("KEFU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# A prefix of this run's own: parallel test workers and other suites may share the Redis server.
PREFIX = f"kefu-test-{uuid.uuid4().hex[:8]}"
LAYER = {
    "BACKEND": "kefu.realtime.layers.RedisPubSubChannelLayer",
    "CONFIG": {"hosts": [REDIS], "prefix": PREFIX},
}


def _redis_is_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not _redis_is_up(), reason="Redis is not running at 127.0.0.1:6379"),
]


@pytest.fixture
def redis_everywhere():
    with override_settings(
        CHANNEL_LAYERS={"default": LAYER, "other_process": LAYER},
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS,
                "KEY_PREFIX": PREFIX,
            }
        },
    ):
        yield  # no cache.clear(): it would flush the whole Redis database; the entries expire on their own


def other_process_app():
    """The same socket stack, on a channel layer instance of its own."""
    consumer = AgentConsumer.as_asgi(channel_layer_alias="other_process")
    return AuthMiddlewareStack(URLRouter([path("ws/agent/", consumer)]))


def test_viewers_typing_and_pushes_cross_processes_over_redis(
    redis_everywhere, agent, teammate, ticket, login
):
    agent_cookie, teammate_cookie = login(agent), login(teammate)

    async def scenario():
        wang = await connected(agent_cookie)
        await watch(wang, ticket.pk)
        li = await connected(teammate_cookie, app=other_process_app())

        seen_by_li = await watch(li, ticket.pk)
        seen_by_wang = await next_frame(wang, "presence")
        await li.send_json_to({"type": "typing", "ticket": ticket.pk, "replying": True})
        typing = await next_frame(wang, "presence")
        await database_sync_to_async(services.add_reply)(ticket=ticket, actor=agent, text="您好")
        changed = await next_frame(li, "ticket.changed")
        await li.disconnect()
        after = await next_frame(wang, "presence")

        assert names(seen_by_li) == names(seen_by_wang) == ["王芳", "李娜"]
        assert [v["replying"] for v in typing["viewers"]] == [False, True]
        assert (changed["ticket"], changed["actor"]) == (ticket.pk, agent.pk)
        assert names(after) == ["王芳"]
        await wang.disconnect()

    run(scenario)
