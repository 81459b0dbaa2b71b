"""A queue move costs one query per waiting visitor (their place); the figures all estimates share (average
chat length, agents present) are computed once and cached for every process."""

from kefu.chat import services


def test_a_waiting_visitors_place_is_one_query_on_the_chat_as_stored(site, django_assert_num_queries):
    first = services.start_conversation(site=site, visitor_id="v1", text="a")
    second = services.start_conversation(site=site, visitor_id="v2", text="b")
    services.Conversation.objects.filter(pk=second.pk).update(priority=1)  # changed by someone else

    with django_assert_num_queries(1):
        assert services.queue_position(conversation=second) == 1
    with django_assert_num_queries(1):
        assert services.queue_position(conversation=first) == 2


def test_a_chat_no_longer_waiting_has_no_place(site, agent):
    conversation = services.start_conversation(site=site, visitor_id="v1", text="a")
    services.accept(conversation=conversation, actor=agent)

    assert services.queue_estimate(conversation=conversation) == (0, 0)


def test_the_shared_figures_are_computed_once_then_read_from_the_cache(
    site, online, django_assert_num_queries
):
    conversation = services.start_conversation(site=site, visitor_id="v1", text="a")

    with django_assert_num_queries(2):
        figures = services.queue_figures()
    assert figures == services.QueueFigures(handle_seconds=None, agents=2)
    with django_assert_num_queries(1):  # only the place: the figures come from the cache
        assert services.queue_estimate(conversation=conversation) == (1, 3)  # 1 chat × 5 min default / 2


def test_figures_handed_in_by_a_queue_move_cost_no_query(site, django_assert_num_queries):
    conversation = services.start_conversation(site=site, visitor_id="v1", text="a")
    figures = services.QueueFigures(handle_seconds=600.0, agents=1)

    with django_assert_num_queries(1):
        assert services.queue_estimate(conversation=conversation, figures=figures) == (1, 10)


def test_every_waiting_chats_place_is_one_query_in_serving_order(site, agent, django_assert_num_queries):
    """Higher priority first, then the longest wait; chats no longer waiting have no place."""
    first = services.start_conversation(site=site, visitor_id="v1", text="a")
    second = services.start_conversation(site=site, visitor_id="v2", text="b")
    taken = services.start_conversation(site=site, visitor_id="v3", text="c")
    urgent = services.start_conversation(site=site, visitor_id="v4", text="d")
    services.Conversation.objects.filter(pk=urgent.pk).update(priority=1)
    services.accept(conversation=taken, actor=agent)

    with django_assert_num_queries(1):
        places = services.queue_positions()
    assert places == {urgent.pk: 1, first.pk: 2, second.pk: 3}
    assert [services.queue_position(conversation=c) for c in (urgent, first, second)] == [1, 2, 3]
