"""The queue at /agent/: views, filters, search, sorting, paging, htmx partials and a flat query count."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kefu.tests.factories import CustomerFactory, TicketFactory

from .conftest import HTMX
from .factories import TagFactory

pytestmark = pytest.mark.django_db
URL = reverse("workspace:home")


def numbers(response) -> list[int]:
    """Ticket numbers of the rows, in order."""
    return [int(n) for n in re.findall(r'name="ticket" value="(\d+)"', response.content.decode())] or [
        int(n) for n in re.findall(r'href="/agent/tickets/(\d+)/" data-row-link', response.content.decode())
    ]


def test_my_open_tickets_lists_only_open_tickets_assigned_to_me(login, agent, teammate, front_line, customer):
    # given
    mine = TicketFactory(customer=customer, team=front_line, assignee=agent, status="open")
    TicketFactory(customer=customer, team=front_line, assignee=agent, status="solved")
    TicketFactory(customer=customer, team=front_line, assignee=teammate, status="open")

    # when
    response = login(agent).get(URL)

    # then
    assert response.status_code == 200
    assert numbers(response) == [mine.pk]


def test_unassigned_view_shows_open_unassigned_tickets_of_my_teams(
    login, agent, front_line, other_team, customer, teammate
):
    waiting = TicketFactory(customer=customer, team=front_line)
    TicketFactory(customer=customer, team=front_line, assignee=teammate)
    TicketFactory(customer=customer, team=other_team)

    response = login(agent).get(URL, {"view": "unassigned"})

    assert numbers(response) == [waiting.pk]


def test_all_view_shows_every_visible_ticket_of_any_status(login, agent, front_line, customer):
    open_ticket = TicketFactory(customer=customer, team=front_line)
    closed = TicketFactory(customer=customer, team=front_line, status="closed")

    response = login(agent).get(URL, {"view": "all"})

    assert set(numbers(response)) == {open_ticket.pk, closed.pk}


def test_status_view_narrows_to_one_status(login, agent, front_line, customer):
    TicketFactory(customer=customer, team=front_line, status="open")
    pending = TicketFactory(customer=customer, team=front_line, status="pending")

    response = login(agent).get(URL, {"view": "all", "status": "pending"})

    assert numbers(response) == [pending.pk]


def test_outsider_sees_none_of_the_front_lines_tickets(login, outsider, ticket, other_team_ticket):
    response = login(outsider).get(URL, {"view": "all"})

    assert numbers(response) == [other_team_ticket.pk]
    assert ticket.subject not in response.content.decode()


def test_supervisor_sees_tickets_of_every_team(login, supervisor, ticket, other_team_ticket):
    response = login(supervisor).get(URL, {"view": "all"})

    assert set(numbers(response)) == {ticket.pk, other_team_ticket.pk}


def test_filters_by_category_priority_channel_team_assignee_and_tag(
    login, agent, front_line, customer, complaint, urgent_priority
):
    target = TicketFactory(
        customer=customer,
        team=front_line,
        category=complaint,
        priority=urgent_priority,
        channel="email",
        assignee=agent,
    )
    target.tags.add(TagFactory(name="退款"))
    TicketFactory(customer=customer, team=front_line, channel="email", assignee=agent)
    TicketFactory(customer=customer, team=front_line, category=complaint, priority=urgent_priority)
    client = login(agent)

    for params in (
        {"category": complaint.pk, "assignee": "me"},
        {"priority": urgent_priority.pk, "channel": "email"},
        {"tag": "退款"},
        {"channel": "email", "category": complaint.pk},
        {"assignee": "me", "priority": urgent_priority.pk},
        {"assignee": agent.pk, "tag": "退款"},
        {"team": front_line.pk, "tag": "退款"},
    ):
        response = client.get(URL, {"view": "all", **params})
        assert numbers(response) == [target.pk], params


def test_unassigned_and_no_team_filters(login, supervisor, customer, front_line):
    nobody = TicketFactory(customer=customer, team=None)
    TicketFactory(customer=customer, team=front_line, assignee=supervisor)

    response = login(supervisor).get(URL, {"view": "all", "team": "none", "assignee": "none"})

    assert numbers(response) == [nobody.pk]


def test_search_finds_chinese_substrings_in_subject_and_message_text(login, agent, front_line, customer):
    by_subject = TicketFactory(customer=customer, team=front_line, subject="发票抬头写错了")
    by_message = TicketFactory(
        customer=customer, team=front_line, subject="Question", first_message="快递一直没有更新物流信息"
    )
    TicketFactory(customer=customer, team=front_line, subject="其他问题")
    client = login(agent)

    assert numbers(client.get(URL, {"view": "all", "q": "抬头"})) == [by_subject.pk]
    assert numbers(client.get(URL, {"view": "all", "q": "物流"})) == [by_message.pk]
    assert numbers(client.get(URL, {"view": "all", "q": f"#{by_message.pk}"})) == [by_message.pk]


def test_search_does_not_reveal_tickets_the_user_may_not_see(login, outsider, ticket):
    response = login(outsider).get(URL, {"view": "all", "q": ticket.subject})

    assert numbers(response) == []


def test_sort_by_priority_puts_urgent_first(
    login, agent, front_line, customer, normal_priority, urgent_priority
):
    now = timezone.now()
    normal = TicketFactory(customer=customer, team=front_line, priority=normal_priority, updated_at=now)
    urgent = TicketFactory(
        customer=customer, team=front_line, priority=urgent_priority, updated_at=now - timedelta(days=1)
    )

    by_update = numbers(login(agent).get(URL, {"view": "all"}))
    by_priority = numbers(login(agent).get(URL, {"view": "all", "sort": "priority"}))

    assert by_update == [normal.pk, urgent.pk]
    assert by_priority == [urgent.pk, normal.pk]


def test_pages_are_cut_without_counting(login, agent, front_line, customer, monkeypatch):
    monkeypatch.setattr("kefu.workspace.queue.PAGE_SIZE", 2)
    tickets = [TicketFactory(customer=customer, team=front_line) for _ in range(3)]
    client = login(agent)

    first = client.get(URL, {"view": "all", "sort": "oldest"})
    second = client.get(URL, {"view": "all", "sort": "oldest", "page": 2})

    assert numbers(first) == [tickets[0].pk, tickets[1].pk]
    assert 'rel="next"' in first.content.decode()
    assert numbers(second) == [tickets[2].pk]
    assert 'rel="next"' not in second.content.decode()


def test_htmx_filter_change_returns_only_the_results_partial(login, agent, front_line, customer):
    TicketFactory(customer=customer, team=front_line)

    response = login(agent).get(URL, {"view": "all"}, **HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="queue-results"')
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "0"},
        {"assignee": "x"},
        {"assignee": "999999"},
        {"team": "abc"},
        {"category": "1; DROP TABLE"},
        {"status": "lost"},
        {"view": "everything"},
        {"sort": "random"},
        {"channel": "fax"},
        {"q": "x" * 500},
    ],
)
def test_malformed_query_parameters_answer_400_with_the_reason(login, agent, params):
    response = login(agent).get(URL, params)

    assert response.status_code == 400
    assert "Some filters are not valid" in response.content.decode()


def test_malformed_filter_over_htmx_shows_the_error_in_the_flash_area(login, agent):
    response = login(agent).get(URL, {"page": "abc"}, **HTMX)

    assert response.status_code == 400
    assert response["HX-Retarget"] == "#flash"
    assert response["HX-Push-Url"] == "false"
    assert "Page" in response.content.decode()


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302


def test_portal_customer_may_not_enter_the_workspace(login, customer_user):
    response = login(customer_user).get(URL)

    assert response.status_code == 403


def _make_tickets(count: int, team, assignee, customer) -> None:
    for i in range(count):
        ticket = TicketFactory(customer=customer, team=team, assignee=assignee if i % 2 else None)
        ticket.tags.add(TagFactory(name=f"tag{i % 4}"))


@pytest.mark.parametrize("view", ["mine", "unassigned", "all"])
def test_queue_runs_the_same_number_of_queries_for_3_and_30_tickets(
    login, agent, front_line, django_assert_num_queries, view
):
    # given 3 tickets, count the queries; then 27 more tickets of other customers and categories
    client = login(agent)
    _make_tickets(3, front_line, agent, CustomerFactory())
    client.get(URL, {"view": view})  # warm the session and permission caches of this client
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        small = client.get(URL, {"view": view})
    for _ in range(9):
        _make_tickets(3, front_line, agent, CustomerFactory())

    # when / then
    with django_assert_num_queries(len(few.captured_queries)):
        big = client.get(URL, {"view": view})
    assert small.status_code == big.status_code == 200
    assert len(numbers(big)) > len(numbers(small))


def test_search_runs_the_same_number_of_queries_for_3_and_30_matching_tickets(
    monkeypatch, login, agent, front_line, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext


    # given 3 matching tickets, count the search page's queries
    client = login(agent)
    for i in range(3):
        TicketFactory(customer=CustomerFactory(), team=front_line, subject=f"退款 {i}")
    params = {"view": "all", "q": "退款"}
    client.get(URL, params)  # warm: session and permissions (the product dictionary is held off: kefu/conftest.py)
    with CaptureQueriesContext(connection) as few:
        small = client.get(URL, params)
    # when 27 more tickets of other customers match, with tags
    for i in range(27):
        ticket = TicketFactory(customer=CustomerFactory(), team=front_line, subject=f"退款 {i + 3}")
        ticket.tags.add(TagFactory(name=f"tag{i % 4}"))

    # then the search runs the same statements and shows every match
    with django_assert_num_queries(len(few.captured_queries)):
        big = client.get(URL, params)
    assert len(numbers(small)) == 3
    assert len(numbers(big)) == 30


@pytest.mark.django_db(transaction=True)  # committed configuration, read from the process's copy as in production
def test_queue_query_count_is_small(
    login, agent, front_line, customer, django_assert_max_num_queries, monkeypatch
):
    _make_tickets(30, front_line, agent, customer)
    client = login(agent)
    client.get(URL)  # the process's copy of the menus (kefu.workspace.menus) is loaded once, not per request

    # A search adds two queries: its ids, then those the filters keep.
    with django_assert_max_num_queries(9):
        response = client.get(URL, {"view": "all", "q": "订单"})
    assert len(numbers(response)) == 30


def test_rows_refresh_on_live_hints_with_the_filters_on_screen(login, agent):
    body = login(agent).get(URL, {"view": "unassigned", "sort": "oldest"}).content.decode()

    assert 'hx-get="/agent/?view=unassigned&amp;sort=oldest" hx-trigger="queue-changed from:body"' in body
    assert "kefu/live.js" in body


def test_htmx_request_after_the_session_ended_sends_the_page_to_the_login_form(client):
    response = client.get(
        URL, {"view": "all"}, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/agent/?view=all"
    )

    assert response["HX-Redirect"].startswith("/accounts/login/?next=")
    assert "view%3Dall" in response["HX-Redirect"]


def test_search_for_a_very_common_word_says_only_recent_tickets_were_searched(
    monkeypatch, login, agent, front_line, customer
):
    from kefu.tickets import search

    monkeypatch.setattr(search, "CANDIDATES", 1)
    monkeypatch.setattr(search, "RECENT", 1)
    TicketFactory(customer=customer, team=front_line, subject="发票 一")
    TicketFactory(customer=customer, team=front_line, subject="发票 二")
    newest = TicketFactory(customer=customer, team=front_line, subject="发票 三")
    client = login(agent)

    capped = client.get(URL, {"view": "all", "q": "发票"})
    narrow = client.get(URL, {"view": "all", "q": "发票 三"})

    assert newest.pk in numbers(capped)  # the most recently active match is always searched
    assert len(numbers(capped)) <= 2
    assert "data-search-capped" in capped.content.decode()
    assert numbers(narrow) == [newest.pk]
    assert "data-search-capped" not in narrow.content.decode()


def test_search_results_follow_the_chosen_sort(login, agent, front_line, customer):
    now = timezone.now()
    old = TicketFactory(customer=customer, team=front_line, subject="退款 甲", created_at=now - timedelta(days=3))
    new = TicketFactory(customer=customer, team=front_line, subject="退款 乙", created_at=now - timedelta(days=1))
    mid = TicketFactory(customer=customer, team=front_line, subject="退款 丙", created_at=now - timedelta(days=2))
    client = login(agent)

    assert numbers(client.get(URL, {"view": "all", "q": "退款"})) == [new.pk, mid.pk, old.pk]
    assert numbers(client.get(URL, {"view": "all", "q": "退款", "sort": "oldest"})) == [old.pk, mid.pk, new.pk]
