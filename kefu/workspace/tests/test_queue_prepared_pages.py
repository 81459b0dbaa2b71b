"""The queue's page query is compiled once per shape (view, sort, page, which filters are set) and bound with
each request's values (issue 7): every shape gives exactly the rows the queryset built per request gives.
The filter form's fields are built once per language and menus and shared, each form still validating its
own values; the filter bar's menus and the side bar's links are kept per language and choice, and still
show each request's own choice."""

import pytest
from django.urls import reverse

from kefu.tests.factories import CategoryFactory, TicketFactory
from kefu.tickets.models import Status
from kefu.workspace.queue import (
    QueueFilterForm,
    QueueOptions,
    _page_of,
    _prepared_page,
    filtered_tickets,
)

from .factories import TagFactory

pytestmark = pytest.mark.django_db
URL = reverse("workspace:home")


@pytest.fixture
def mixed_tickets(
    supervisor, agent, front_line, other_team, customer, normal_priority, urgent_priority, complaint
):
    """Tickets differing in every column a filter or sort reads."""
    refund = TagFactory(name="退款")
    rows = [
        dict(status=Status.NEW, team=front_line, assignee=None, priority=normal_priority, category=complaint),
        dict(status=Status.OPEN, team=front_line, assignee=agent, priority=urgent_priority, category=None),
        dict(status=Status.PENDING, team=None, assignee=supervisor, priority=None, category=complaint),
        dict(status=Status.SOLVED, team=other_team, assignee=agent, priority=normal_priority, category=None),
        dict(status=Status.CLOSED, team=None, assignee=None, priority=urgent_priority, category=complaint),
        dict(status=Status.OPEN, team=other_team, assignee=supervisor, priority=None, category=None),
    ]
    tickets = []
    for i, fields in enumerate(rows):
        ticket = TicketFactory(customer=customer, channel="email" if i % 2 else "web", **fields)
        if i % 3 == 0:
            ticket.tags.add(refund)
        tickets.append(ticket)
    return tickets


def _cleaned(user, params: dict) -> dict:
    form = QueueFilterForm(params, options=QueueOptions.load(user))
    assert form.is_valid(), form.errors
    return form.cleaned_data


def _filters(agent, supervisor, front_line, other_team, normal_priority, urgent_priority, complaint):
    return [
        {"view": "all"},
        {"view": "mine"},
        {"view": "open"},
        {"view": "all", "status": "open"},
        {"view": "all", "status": "solved"},
        {"view": "open", "status": "pending"},
        {"view": "all", "category": str(complaint.pk)},
        {"view": "all", "priority": str(normal_priority.pk)},
        {"view": "all", "priority": str(urgent_priority.pk), "sort": "priority"},
        {"view": "all", "channel": "email", "sort": "oldest"},
        {"view": "all", "channel": "web", "sort": "status"},
        {"view": "all", "team": "none"},
        {"view": "all", "team": str(front_line.pk)},
        {"view": "all", "team": str(other_team.pk), "assignee": str(agent.pk)},
        {"view": "all", "assignee": "me"},
        {"view": "all", "assignee": "none", "sort": "created"},
        {"view": "all", "assignee": str(supervisor.pk)},
        {"view": "all", "tag": "退款"},
        {"view": "all", "tag": "没有"},
        {"view": "mine", "status": "open", "category": str(complaint.pk), "channel": "web"},
        {"view": "all", "page": "2"},
    ]


def test_every_shape_gives_the_rows_of_the_queryset_built_per_request(
    mixed_tickets, supervisor, agent, front_line, other_team, normal_priority, urgent_priority, complaint
):
    options = QueueOptions.load(supervisor)
    for params in _filters(
        agent, supervisor, front_line, other_team, normal_priority, urgent_priority, complaint
    ):
        data = _cleaned(supervisor, params)
        page = data.get("page") or 1
        built, _capped = filtered_tickets(supervisor, data, options)

        prepared = _prepared_page(supervisor, data, page)

        assert prepared is not None, params
        assert [t.pk for t in prepared] == [t.pk for t in _page_of(built, page)], params


def test_one_shape_binds_each_requests_own_values(
    mixed_tickets, supervisor, normal_priority, urgent_priority
):
    """Same shape (a priority filter), different priorities: each request gets its own rows."""
    pages = {}
    for priority in (normal_priority, urgent_priority, normal_priority):
        data = _cleaned(supervisor, {"view": "all", "priority": str(priority.pk)})
        pages.setdefault(priority.pk, []).append({t.pk for t in _prepared_page(supervisor, data, 1)})

    assert (
        pages[normal_priority.pk][0]
        == pages[normal_priority.pk][1]
        == {t.pk for t in mixed_tickets if t.priority_id == normal_priority.pk}
    )
    assert pages[urgent_priority.pk][0] == {
        t.pk for t in mixed_tickets if t.priority_id == urgent_priority.pk
    }


def test_a_user_who_sees_some_tickets_a_search_and_the_unassigned_view_are_built_per_request(
    mixed_tickets, agent, supervisor
):
    assert _prepared_page(agent, _cleaned(agent, {"view": "all"}), 1) is None
    assert _prepared_page(supervisor, _cleaned(supervisor, {"view": "unassigned"}), 1) is None
    assert _prepared_page(supervisor, _cleaned(supervisor, {"view": "all", "q": "退款"}), 1) is None


def test_an_agent_sees_only_their_tickets_through_the_queue(login, mixed_tickets, agent, other_team):
    """The agent (who does not see every ticket) still gets the visibility rule: no other team's ticket."""
    html = login(agent).get(URL, {"view": "all"}).content.decode()

    for ticket in mixed_tickets:
        shown = f'data-queue-row="{ticket.pk}"' in html
        assert shown == (ticket.team_id != other_team.pk or ticket.assignee_id == agent.pk), ticket.pk


def test_the_filter_bar_shows_each_requests_choice(
    login, supervisor, normal_priority, urgent_priority, complaint
):
    client = login(supervisor)
    selected = '<option value="{}" selected>'

    first = client.get(URL, {"view": "all", "priority": str(normal_priority.pk)}).content.decode()
    second = client.get(URL, {"view": "all", "priority": str(urgent_priority.pk)}).content.decode()
    again = client.get(URL, {"view": "all", "priority": str(normal_priority.pk)}).content.decode()

    assert selected.format(normal_priority.pk) in first and selected.format(urgent_priority.pk) not in first
    assert selected.format(urgent_priority.pk) in second and selected.format(normal_priority.pk) not in second
    assert _filter_bar(again) == _filter_bar(first) != _filter_bar(second)


def _filter_bar(html: str) -> str:
    start = html.index('<form id="queue-filters"')
    return html[start : html.index("</form>", start)]


def test_the_filter_bar_and_side_bar_follow_the_language_and_the_view(login, supervisor):
    english, chinese = login(supervisor, "en"), login(supervisor, "zh-hans")

    mine_en = english.get(URL, {"view": "mine"}).content.decode()
    all_en = english.get(URL, {"view": "all"}).content.decode()
    solved_zh = chinese.get(URL, {"view": "all", "status": "solved"}).content.decode()

    assert '<option value="" selected>Open statuses</option>' in mine_en
    assert '<option value="" selected>Any status</option>' in all_en
    assert 'href="/agent/?view=mine" aria-current="page">My open tickets</a>' in mine_en
    assert 'href="/agent/?view=all" aria-current="page">All I can see</a>' in all_en
    assert 'status=solved" aria-current="page">已解决</a>' in solved_zh
    assert 'href="/agent/?view=all" aria-current="page">' not in solved_zh  # a status is chosen: not the view


def test_a_new_category_shows_in_a_filter_bar_already_shown(login, supervisor):
    client = login(supervisor)
    client.get(URL, {"view": "all"})

    CategoryFactory(code="fresh", name="新类别", name_en="Fresh kind")

    assert ">Fresh kind</option>" in client.get(URL, {"view": "all"}).content.decode()


def test_forms_sharing_their_fields_each_validate_their_own_values(supervisor, normal_priority):
    options = QueueOptions.load(supervisor)
    good = QueueFilterForm({"view": "all", "priority": str(normal_priority.pk)}, options=options)
    bad = QueueFilterForm({"view": "all", "priority": "999999", "sort": "nope"}, options=options)
    mine = QueueFilterForm({"view": "mine"}, options=options)

    assert good.fields is bad.fields  # built once for the language, the menus and the kind of view
    assert good.is_valid() and good.cleaned_data["priority"] == str(normal_priority.pk)
    assert not bad.is_valid() and set(bad.errors) == {"priority", "sort"}
    assert mine.is_valid() and mine.cleaned_data["priority"] == ""
    assert str(QueueFilterForm({"view": "all"}, options=options)["status"]).count(" selected") == 1
