import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.test import Client


@pytest.fixture(autouse=True)
def _fresh_realtime_state():
    """Viewer entries (cache) and group memberships (in-memory layer) must not leak between tests."""
    cache.clear()
    yield
    cache.clear()
    layer = get_channel_layer()
    if hasattr(layer, "flush"):
        async_to_sync(layer.flush)()


@pytest.fixture
def login():
    """`login(user)` -> the value of a real session cookie for `user`, as a browser would send it."""

    def make(user) -> str:
        client = Client()
        client.force_login(user)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    return make
