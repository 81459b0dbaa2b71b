"""The pre-chat form, routing by topic, VIP customers to senior agents, the queue's order and estimate."""

from datetime import timedelta

import pytest

from kefu.accounts import roles
from kefu.chat import services
from kefu.chat.models import Conversation, ConversationStatus
from kefu.core import clock
from kefu.core.errors import InvalidInput
from kefu.customers.models import Tier
from kefu.tests.factories import CustomerFactory, UserFactory

from .factories import ChatTopicFactory


def test_the_prechat_answers_are_kept_and_the_topic_routes_to_its_team(site, other_team):
    site.prechat_form = {"fields": ["name", "email", "topic"], "required": ["name"]}
    site.save()
    topic = ChatTopicFactory(site=site, name="技术问题", team=other_team)

    conversation = services.start_conversation(
        site=site,
        visitor_id="v1",
        text="登录不了",
        prechat={"name": "陈小姐", "email": "chen@example.com", "topic": topic.pk},
        page_url="https://shop.example.com/cart",
    )

    assert conversation.team == other_team and conversation.topic == topic
    assert conversation.prechat == {"name": "陈小姐", "email": "chen@example.com", "topic": topic.pk}
    assert conversation.customer.name == "陈小姐"
    assert conversation.page_url == "https://shop.example.com/cart"


def test_a_required_prechat_answer_missing_refuses_the_chat(site):
    site.prechat_form = {"fields": ["name", "email", "phone"], "required": ["name", "email"]}
    site.save()

    with pytest.raises(InvalidInput):
        services.start_conversation(site=site, visitor_id="v1", text="hi", prechat={"name": "陈"})

    assert not Conversation.objects.exists()


def test_a_known_customers_email_finds_their_record_and_a_vip_goes_to_senior_agents(site, online, front_line):
    agent, teammate = online
    site.prechat_form = {"fields": ["email"], "required": ["email"]}
    site.vip_to_senior = True
    site.save()
    vip = CustomerFactory(name="大客户", email="boss@example.com", tier=Tier.VIP)
    normal = services.start_conversation(
        site=site, visitor_id="v0", text="普通", prechat={"email": "a@example.com"}
    )

    conversation = services.start_conversation(
        site=site, visitor_id="v1", text="我是VIP", prechat={"email": "boss@example.com"}
    )

    assert conversation.customer == vip
    assert conversation.senior_only and conversation.priority == 1
    assert services.queue_position(conversation=conversation) == 1  # ahead of the earlier normal chat
    assert services.queue_position(conversation=normal) == 2
    offer = services.offer_next()
    assert offer.conversation == normal  # no senior agent is online: the front line gets the next chat

    senior = UserFactory(level="L2", presence="online", roles=[roles.AGENT], teams=[front_line])
    offer = services.offer_next()
    assert offer.conversation == conversation and offer.agent == senior


def test_offer_next_skips_chats_no_present_agent_may_take(site, online, other_team):
    ChatTopicFactory(site=site, team=other_team)
    elsewhere = services.start_conversation(site=site, visitor_id="v1", text="a")
    Conversation.objects.filter(pk=elsewhere.pk).update(team=other_team)
    ours = services.start_conversation(site=site, visitor_id="v2", text="b")

    offer = services.offer_next()

    assert offer.conversation == ours  # the older chat is for a team nobody online is in


def test_queue_estimate_uses_recent_chat_lengths_and_present_agents(site, online):
    agent, _ = online
    done = services.start_conversation(site=site, visitor_id="v0", text="x")
    services.accept(conversation=done, actor=agent)
    now = clock.now()
    Conversation.objects.filter(pk=done.pk).update(
        status=ConversationStatus.ENDED, accepted_at=now - timedelta(minutes=8), ended_at=now
    )
    services.start_conversation(site=site, visitor_id="v1", text="a")
    second = services.start_conversation(site=site, visitor_id="v2", text="b")

    assert services.queue_estimate(conversation=second) == (2, 8)  # 2 chats × 8 min / 2 agents
