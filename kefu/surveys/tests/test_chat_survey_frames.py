"""What the widget hears about the rating: the `ended` frame of a chat a person answered asks for it, and a
widget that comes back later (reload, reconnect) is asked again in its welcome until the visitor answers."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from kefu.chat import services as chat
from kefu.chat.tests.factories import ChatSiteFactory
from kefu.connectors.webchat.consumers import make_token
from kefu.connectors.webchat.tests.test_visitor_socket import greeted
from kefu.realtime import chat_work, groups
from kefu.realtime.tests.frames import frames_on
from kefu.surveys import chat_surveys

from .chats import answered_chat, end


@pytest.fixture
def site(db):
    return ChatSiteFactory(allowed_origins=["https://shop.example.com"])


def _listen_to_widget(conversation) -> str:
    async_to_sync(get_channel_layer().group_add)(groups.chat(conversation.pk), "widget-test")
    return "widget-test"


@pytest.mark.django_db
def test_the_ended_frame_asks_for_a_rating_only_after_a_person_answered(site, agent):
    answered = answered_chat(site, agent, visitor_id="v1")
    widget = _listen_to_widget(answered)
    end(answered, actor=agent)
    assert frames_on(widget, until="ended")[-1] == {"type": "ended", "survey": {"conversation": answered.pk}}

    queued = chat.start_conversation(site=site, visitor_id="v2", text="有人吗")
    widget = _listen_to_widget(queued)
    end(queued)
    assert frames_on(widget, until="ended")[-1] == {"type": "ended"}


@pytest.mark.django_db(transaction=True)
def test_a_widget_coming_back_after_the_end_is_asked_again_until_it_answers(site, agent):
    conversation = end(answered_chat(site, agent, visitor_id="v1"), actor=agent)
    token = make_token(site, "v1")

    async def hello(**fields) -> dict:
        visitor, welcome = await greeted(site, token=token, **fields)
        await visitor.disconnect()
        return welcome

    try:
        reloaded = async_to_sync(hello)(last_seen=0, survey=conversation.pk)
        reconnected = async_to_sync(hello)(last_seen=7)
        fresh = async_to_sync(hello)(last_seen=0)  # a widget that remembers nothing: no look-up at all
        chat_surveys.answer_chat_survey(
            site=site, visitor_id="v1", conversation_id=conversation.pk, csat=4, comment=""
        )
        answered = async_to_sync(hello)(last_seen=0, survey=conversation.pk)
    finally:
        chat_work.close_connections()

    assert reloaded["survey"] == {"conversation": conversation.pk} and reloaded["conversation"] is None
    assert reconnected["survey"] == {"conversation": conversation.pk}
    assert "survey" not in fresh and "survey" not in answered
