"""Chats a visitor silently left are ended by a periodic job; an agent coming online is offered a waiting chat."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

from kefu.accounts.models import Presence
from kefu.accounts.services import update_profile
from kefu.chat import services
from kefu.chat.models import AuthorKind, ConversationStatus
from kefu.chat.tasks import end_idle
from kefu.config.celery import app
from kefu.realtime import groups
from kefu.realtime.tests.frames import frames_on


@pytest.fixture
def chat(site, agent):
    conversation = services.start_conversation(site=site, visitor_id="v1", text="在吗", language="zh-hans")
    return services.accept(conversation=conversation, actor=agent)


def test_a_chat_without_a_message_for_the_idle_time_is_ended_with_a_line_saying_why(chat, settings):
    settings.CHAT_IDLE_MINUTES = 30
    # given the last message is 31 minutes old
    later = timezone.now() + timedelta(minutes=31)
    # when the idle job runs
    ended = services.end_idle_conversations(now=later)
    # then the chat is ended, says why, and its transcript reached the ticket
    chat.refresh_from_db()
    assert ended == [chat.pk]
    assert chat.status == ConversationStatus.ENDED
    assert "30" in chat.messages.filter(author_kind=AuthorKind.SYSTEM).last().text
    assert chat.ticket.messages.filter(body_text__contains="在吗").exists()


def test_a_chat_with_a_recent_message_is_left_alone(chat, settings):
    settings.CHAT_IDLE_MINUTES = 30
    later = timezone.now() + timedelta(minutes=31)
    services.post_visitor_message(conversation=chat, text="还在")
    chat.messages.filter(text="还在").update(created_at=later - timedelta(minutes=5))

    assert services.end_idle_conversations(now=later) == []
    chat.refresh_from_db()
    assert chat.status == ConversationStatus.ACTIVE


def test_the_idle_job_is_on_the_schedule_and_ends_nothing_twice(chat):
    assert app.conf.beat_schedule["chat-end-idle"]["task"] == end_idle.name
    services.end_idle_conversations(now=timezone.now() + timedelta(days=1))

    assert services.end_idle_conversations(now=timezone.now() + timedelta(days=1)) == []


def test_the_widget_is_told_when_the_idle_job_ends_its_chat(chat, django_capture_on_commit_callbacks):
    layer = get_channel_layer()
    async_to_sync(layer.group_add)(groups.chat(chat.pk), "widget-test")

    with django_capture_on_commit_callbacks(execute=True):
        services.end_idle_conversations(now=timezone.now() + timedelta(days=1))

    assert frames_on("widget-test", until="ended")[-1]["type"] == "ended"


def test_an_agent_coming_online_is_offered_the_oldest_waiting_chat(
    site, agent, django_capture_on_commit_callbacks
):
    # given a visitor waiting and the only agent away
    update_profile(
        user=agent,
        actor=agent,
        display_name=agent.display_name,
        language="",
        timezone="",
        presence=Presence.AWAY,
    )
    waiting = services.start_conversation(site=site, visitor_id="v7", text="有人吗")
    layer = get_channel_layer()
    async_to_sync(layer.group_add)(groups.user(agent.pk), "agent-test")
    # when she comes online
    with django_capture_on_commit_callbacks(execute=True):
        update_profile(
            user=agent,
            actor=agent,
            display_name=agent.display_name,
            language="",
            timezone="",
            presence=Presence.ONLINE,
        )
    # then the waiting chat is offered to her
    offer = frames_on("agent-test", until="chat.offer")[-1]
    assert offer["type"] == "chat.offer" and offer["conversation"] == waiting.pk
