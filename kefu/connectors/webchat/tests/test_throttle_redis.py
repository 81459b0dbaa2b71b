"""With the Redis cache (several processes), the visitor rate limit counts in one round trip and still
allows LIMIT messages per window, refuses the next, and lets the window expire."""

import os
import uuid

import pytest
import redis
from django.test import override_settings

from kefu.connectors.webchat import throttle

REDIS = os.environ.get("KEFU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_is_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(not _redis_is_up(), reason="Redis is not running at 127.0.0.1:6379")


@pytest.fixture
def redis_cache():
    prefix = f"kefu-test-{uuid.uuid4().hex[:8]}"
    cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS,
        "KEY_PREFIX": prefix,
    }
    with override_settings(CACHES={"default": cache}):
        yield throttle._shared_cache()


def test_a_visitor_gets_limit_messages_per_window_over_redis_and_the_window_expires(redis_cache):
    visitor = uuid.uuid4().hex
    allowed = [throttle.allow("site", visitor) for _ in range(throttle.LIMIT + 1)]
    assert allowed == [True] * throttle.LIMIT + [False]
    assert throttle.allow("site", "someone-else")  # counted per visitor

    key = redis_cache.make_and_validate_key(
        "kefu:chat-rate:" + throttle.hashlib.sha256(f"site:{visitor}".encode()).hexdigest()[:32]
    )
    client = redis.Redis.from_url(REDIS)
    assert 0 < client.ttl(key) <= throttle.WINDOW  # a fixed window, not a counter that lives forever
    client.delete(key)  # the window ends
    assert throttle.allow("site", visitor)


def test_a_hit_costing_the_whole_allowance_leaves_nothing_in_the_window_over_redis(redis_cache):
    visitor = uuid.uuid4().hex
    assert throttle.allow("site", visitor, cost=throttle.LIMIT)
    assert not throttle.allow("site", visitor)
