"""The agent chat console page: my active chats with their messages, and the waiting queue."""

from kefu.chat import services
from kefu.chat.tests.factories import ChatSiteFactory


def test_the_console_lists_my_active_chats_and_the_queue(client, agent):
    site = ChatSiteFactory()
    mine = services.start_conversation(site=site, visitor_id="v1", text="我的订单")
    services.accept(conversation=mine, actor=agent)
    services.post_agent_message(conversation=mine, actor=agent, text="请稍等")
    services.start_conversation(site=site, visitor_id="v2", text="还在排队")
    client.force_login(agent)

    response = client.get("/agent/chats/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "我的订单" in page and "请稍等" in page
    assert f'data-accept="{mine.pk + 1}"' in page


def test_the_console_query_count_does_not_grow_with_chats(client, agent, django_assert_max_num_queries):
    site = ChatSiteFactory()
    for n in range(4):
        conversation = services.start_conversation(site=site, visitor_id=f"v{n}", text="hi")
        services.accept(conversation=conversation, actor=agent)
        services.post_agent_message(conversation=conversation, actor=agent, text="hello")
        services.start_conversation(site=site, visitor_id=f"w{n}", text="waiting")
    client.force_login(agent)

    with django_assert_max_num_queries(12):
        assert client.get("/agent/chats/").status_code == 200


def test_customers_cannot_open_the_console(client, customer_user):
    client.force_login(customer_user)

    assert client.get("/agent/chats/").status_code == 403


def test_a_supervisor_sees_every_live_chat_the_queue_length_and_can_join_or_take_over(
    client, agent, supervisor, django_assert_max_num_queries
):
    site = ChatSiteFactory()
    services.accept(
        conversation=services.start_conversation(site=site, visitor_id="v1", text="a"), actor=agent
    )
    services.start_conversation(site=site, visitor_id="v2", text="b")
    client.force_login(supervisor)

    with django_assert_max_num_queries(16):
        response = client.get("/agent/chats/")

    page = response.content.decode()
    assert 'id="chat-overview-queue">1<' in page
    assert page.count("data-take=") == 2 and page.count("data-join=") == 2


def test_agents_do_not_get_the_supervisor_overview(client, agent):
    client.force_login(agent)

    assert 'id="chat-overview"' not in client.get("/agent/chats/").content.decode()


def test_the_chat_window_offers_shared_canned_responses_but_not_other_peoples_own(client, agent, teammate):
    from kefu.tickets.models import Macro

    site = ChatSiteFactory()
    services.accept(
        conversation=services.start_conversation(site=site, visitor_id="v1", text="a"), actor=agent
    )
    Macro.objects.create(name="问候", body="{{ customer.name }}您好，请问有什么可以帮您？")
    Macro.objects.create(name="李娜的私人模板", body="x", is_shared=False, owner=teammate)
    client.force_login(agent)

    page = client.get("/agent/chats/").content.decode()

    assert "问候" in page and "李娜的私人模板" not in page
