"""The ChatEnded listener pushes every ending of a chat, wherever it happened (a socket, a job, a view)."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

from kefu.chat import services
from kefu.chat.tests.factories import ChatSiteFactory
from kefu.realtime import groups
from kefu.realtime.tests.frames import frames_on


def listen(group: str, channel: str) -> str:
    async_to_sync(get_channel_layer().group_add)(group, channel)
    return channel


@pytest.fixture
def chat(db, agent):
    site = ChatSiteFactory()
    conversation = services.start_conversation(site=site, visitor_id="v1", text="在吗", language="zh-hans")
    return services.accept(conversation=conversation, actor=agent)


def test_an_ending_made_outside_any_socket_reaches_the_widget_and_the_agent(
    chat, agent, django_capture_on_commit_callbacks
):
    """An agent's end from anywhere but her socket (another process, a page) is still pushed to both sides."""
    widget = listen(groups.chat(chat.pk), "widget-test")
    console = listen(groups.user(agent.pk), "console-test")

    with django_capture_on_commit_callbacks(execute=True):
        services.end(conversation=chat, actor=agent)

    assert frames_on(widget, until="ended")[-1] == {"type": "ended"}
    assert frames_on(console, until="chat.ended")[-1] == {"type": "chat.ended", "conversation": chat.pk}


def test_the_idle_jobs_ending_reaches_the_agent_and_a_joined_supervisor(
    chat, agent, django_capture_on_commit_callbacks
):
    """The idle job's end goes to the chat's agent and to supervisors following it, not just the widget."""
    console = listen(groups.user(agent.pk), "console-test")
    watcher = listen(groups.chat_staff(chat.pk), "supervisor-test")

    with django_capture_on_commit_callbacks(execute=True):
        services.end_idle_conversations(now=timezone.now() + timedelta(days=1))

    assert frames_on(console, until="chat.ended")[-1]["conversation"] == chat.pk
    assert frames_on(watcher, until="chat.ended")[-1]["conversation"] == chat.pk


def test_a_visitor_leaving_frees_the_agents_place_for_the_next_waiting_chat(
    chat, agent, django_capture_on_commit_callbacks
):
    """The agent was full; when her visitor ends the chat, the oldest waiting chat is offered to her."""
    agent.presence, agent.max_chats = "online", 1
    agent.save(update_fields=["presence", "max_chats"])
    waiting = services.start_conversation(site=chat.site, visitor_id="v2", text="有人吗")
    assert services.offer_next() is None  # no room while her one chat goes on
    console = listen(groups.user(agent.pk), "console-test")

    with django_capture_on_commit_callbacks(execute=True):
        services.end(conversation=chat)  # the visitor leaves

    offer = frames_on(console, until="chat.offer")[-1]
    assert offer["type"] == "chat.offer" and offer["conversation"] == waiting.pk
