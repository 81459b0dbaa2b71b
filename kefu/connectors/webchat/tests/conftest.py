import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from kefu.chat.tests.factories import ChatSiteFactory


@pytest.fixture(autouse=True)
def _fresh_realtime_state():
    cache.clear()
    yield
    cache.clear()
    layer = get_channel_layer()
    if hasattr(layer, "flush"):
        async_to_sync(layer.flush)()


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
