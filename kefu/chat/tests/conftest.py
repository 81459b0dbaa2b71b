import pytest

from kefu.chat.tests.factories import ChatSiteFactory


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
