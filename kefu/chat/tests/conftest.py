import pytest
from django.core.cache import cache

from kefu.chat.tests.factories import ChatSiteFactory


@pytest.fixture(autouse=True)
def _no_cached_queue_figures():
    """The queue's shared figures are cached for all processes: no test sees another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site(db):
    return ChatSiteFactory()


@pytest.fixture
def online(agent, teammate):
    """The two front-line agents, online with room for chats."""
    for user in (agent, teammate):
        user.presence = "online"
        user.save(update_fields=["presence"])
    return agent, teammate
