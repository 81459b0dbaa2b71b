import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from kefu.chat.tests.factories import ChatSiteFactory
from kefu.realtime import chat_work


@pytest.fixture(autouse=True)
def _fresh_realtime_state():
    cache.clear()
    yield
    cache.clear()
    layer = get_channel_layer()
    if hasattr(layer, "flush"):
        async_to_sync(layer.flush)()
    # The chat threads' own connections would keep the test database open (PostgreSQL refuses to drop it).
    chat_work.close_connections()
    assert chat_work.busy_chats() == 0  # every chat's turn was given back


@pytest.fixture
def site(db):
    return ChatSiteFactory(allowed_origins=["https://shop.example.com"])


@pytest.fixture
def login():
    def make(user) -> str:
        client = Client()
        client.force_login(user)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    return make


@pytest.fixture
def online_agent(agent):
    agent.presence = "online"
    agent.save(update_fields=["presence"])
    return agent


@pytest.fixture(autouse=True)
def _deterministic_sockets(monkeypatch):
    """Socket tests that do not depend on the machine's speed or on wall-clock connection ages.

    - A frame a test waits for may take seconds on a busy two-core box: wait up to 10 s (a deadline, not a
      timing assertion); tests prove delivery by waiting for the frames they expect, and use quiet
      windows only to prove that nothing more arrives.
    - `database_sync_to_async` calls `close_old_connections()` around every call, and with a CONN_MAX_AGE
      of 60 s it closed the test thread's own PostgreSQL connection at whatever point the test had reached
      a minute after it opened ("connection is closed"). Persistent for the test: closed only on errors.
    """
    from django.db import connections

    from kefu.realtime.tests import sockets

    monkeypatch.setattr(sockets, "TIMEOUT", 10)
    monkeypatch.setitem(connections["default"].settings_dict, "CONN_MAX_AGE", None)
    connections["default"].close_at = None  # an already open connection keeps the deadline it opened with
