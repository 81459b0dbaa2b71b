"""质检抽样: drawing random handled tickets nobody has reviewed or drawn yet into one inspector's queue."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.accounts import roles
from kefu.core.errors import InvalidInput, NotAllowed
from kefu.quality.models import SampledTicket
from kefu.quality.services import MAX_SAMPLE, release_sample, review_ticket, sample_for_review, sample_queue
from kefu.tests.factories import TicketFactory, UserFactory

from .conftest import full_marks
from .factories import solved_ticket

pytestmark = pytest.mark.django_db


def test_only_solved_or_closed_assigned_unreviewed_tickets_are_drawn(
    inspector, supervisor, agent, front_line, scorecard, criteria
):
    solved = solved_ticket(assignee=agent, team=front_line)
    closed = solved_ticket(assignee=agent, team=front_line, status="closed")
    reviewed = solved_ticket(assignee=agent, team=front_line)
    review_ticket(reviewer=supervisor, ticket=reviewed, scorecard=scorecard, points=full_marks(criteria))
    TicketFactory(assignee=agent, status="open")  # not finished
    TicketFactory(status="solved")  # nobody handled it

    drawn = sample_for_review(reviewer=inspector, count=MAX_SAMPLE)

    assert {t.pk for t in drawn} == {solved.pk, closed.pk}
    assert {item.ticket_id for item in sample_queue(inspector)} == {solved.pk, closed.pk}


def test_a_drawn_ticket_is_not_drawn_again_by_anyone(inspector, agent):
    solved_ticket(assignee=agent)
    colleague = UserFactory(roles=[roles.QA_INSPECTOR])

    first = sample_for_review(reviewer=inspector, count=5)
    second = sample_for_review(reviewer=colleague, count=5)

    assert len(first) == 1
    assert second == []


def test_the_sample_is_random_and_limited_to_the_count(inspector, agent):
    tickets = [solved_ticket(assignee=agent) for _ in range(6)]

    drawn = sample_for_review(reviewer=inspector, count=3, rng=random.Random(7))

    assert len(drawn) == 3
    assert {t.pk for t in drawn} <= {t.pk for t in tickets}
    expected = random.Random(7).sample(sorted(t.pk for t in tickets), 3)
    assert sorted(t.pk for t in drawn) == sorted(expected)


def test_team_and_since_narrow_the_sample(inspector, agent, front_line, other_team):
    recent = solved_ticket(assignee=agent, team=front_line)
    old = solved_ticket(assignee=agent, team=front_line)
    old.solved_at = timezone.now() - timedelta(days=30)
    old.save()
    solved_ticket(assignee=agent, team=other_team)

    drawn = sample_for_review(
        reviewer=inspector, count=10, team=front_line, since=timezone.now() - timedelta(days=7)
    )

    assert [t.pk for t in drawn] == [recent.pk]


@pytest.mark.parametrize("count", [0, -3, MAX_SAMPLE + 1, "5", True])
def test_count_must_be_between_one_and_the_maximum(inspector, count):
    with pytest.raises(InvalidInput) as refused:
        sample_for_review(reviewer=inspector, count=count)

    assert refused.value.field == "count"


@pytest.mark.parametrize("persona", ["agent", "outsider"])
def test_agents_may_not_draw(persona, request, handled):
    with pytest.raises(NotAllowed):
        sample_for_review(reviewer=request.getfixturevalue(persona), count=5)

    assert not SampledTicket.objects.exists()


def test_a_released_ticket_can_be_drawn_again(inspector, handled):
    sample_for_review(reviewer=inspector, count=5)

    release_sample(reviewer=inspector, ticket_id=handled.pk)

    assert sample_queue(inspector) == []
    assert [t.pk for t in sample_for_review(reviewer=inspector, count=5)] == [handled.pk]


def test_with_very_many_candidates_a_draw_probes_the_id_range_instead_of_reading_every_id(
    inspector, agent, monkeypatch, django_assert_max_num_queries
):
    """Past EXACT_SAMPLE_UP_TO candidates (a million handled tickets in a big center), the draw's statements
    do not grow with the candidates: it still draws `count` distinct candidates."""
    from kefu.quality import services

    monkeypatch.setattr(services, "EXACT_SAMPLE_UP_TO", 5)
    tickets = [solved_ticket(assignee=agent) for _ in range(12)]
    TicketFactory(assignee=agent, status="open")  # never a candidate

    with django_assert_max_num_queries(4 * 2 * 3 + 10):
        drawn = sample_for_review(reviewer=inspector, count=3, rng=random.Random(3))

    assert len({t.pk for t in drawn}) == 3 and {t.pk for t in drawn} <= {t.pk for t in tickets}
    again = sample_for_review(reviewer=inspector, count=20, rng=random.Random(4))
    assert {t.pk for t in again} == {t.pk for t in tickets} - {t.pk for t in drawn}  # the rest, none twice
