"""`viewers_among` answers `can_view_ticket` for several people at once: the same answer for each, from
one permission query and at most one team query, whoever they are."""

import pytest

from kefu.accounts.models import User
from kefu.tests.factories import TicketFactory, UserFactory
from kefu.tickets.access import can_view_ticket, viewers_among

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(agent, teammate, outsider, supervisor, customer_user):
    gone = UserFactory(username="gone", is_active=False)
    return [agent, teammate, outsider, supervisor, customer_user, gone]


def _fresh(users):
    return [User.objects.get(pk=u.pk) for u in users]


@pytest.mark.parametrize("case", ["team ticket", "assigned to the outsider", "not routed"])
def test_viewers_are_exactly_those_who_can_view_the_ticket(people, front_line, outsider, customer, case):
    ticket = {
        "team ticket": lambda: TicketFactory(customer=customer, team=front_line),
        "assigned to the outsider": lambda: TicketFactory(customer=customer, team=front_line, assignee=outsider),
        "not routed": lambda: TicketFactory(customer=customer, team=None),
    }[case]()

    seen = {u.username for u in viewers_among(_fresh(people), ticket)}

    assert seen == {u.username for u in _fresh(people) if can_view_ticket(u, ticket)}
    assert ("outsider" in seen) == (case != "team ticket")
    assert {"chen", "gone"}.isdisjoint(seen)


def test_checking_several_people_takes_two_queries(people, ticket, django_assert_num_queries):
    fresh = _fresh(people)

    with django_assert_num_queries(2):  # everyone's permissions, then the teams of those it depends on
        seen = viewers_among(fresh, ticket)

    assert {u.username for u in seen} == {"agent", "teammate", "supervisor"}


def test_the_assignee_needs_no_team_query(agent, customer, other_team, django_assert_num_queries):
    ticket = TicketFactory(customer=customer, team=other_team, assignee=agent)
    fresh = _fresh([agent])

    with django_assert_num_queries(1):
        assert viewers_among(fresh, ticket) == [agent]
