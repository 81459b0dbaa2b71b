"""`review_ticket`: who may score a ticket, how the score is computed and checked, one review per reviewer."""

from decimal import Decimal

import pytest

from kefu.accounts import roles
from kefu.audit.models import AuditEntry
from kefu.core.errors import InvalidInput, NotAllowed, NotFound
from kefu.quality.models import Rating, Review, SampledTicket
from kefu.quality.services import review_ticket, sample_for_review
from kefu.tests.factories import TicketFactory, UserFactory

from .conftest import full_marks
from .factories import CriterionFactory, ScorecardFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_inspector_scores_the_assignee_and_the_score_is_stored(
    inspector, agent, handled, scorecard, criteria
):
    points = full_marks(criteria) | {criteria["Solution"].pk: 15}  # 55 of 70

    review = review_ticket(
        reviewer=inspector,
        ticket=handled,
        scorecard=scorecard,
        points=points,
        notes={criteria["Solution"].pk: "  没有说明退款时间  "},
        comment="整体不错",
    )

    assert review.agent == agent
    assert review.score_percent == Decimal("78.6")
    assert review.critical_failed is False
    assert review.comment == "整体不错"
    solution = Rating.objects.get(review=review, criterion=criteria["Solution"])
    assert (solution.points, solution.note) == (15, "没有说明退款时间")
    assert review.ratings.count() == 4


def test_critical_item_scored_zero_makes_the_review_zero(inspector, handled, scorecard, criteria):
    points = full_marks(criteria) | {criteria["Privacy"].pk: 0}

    review = review_ticket(reviewer=inspector, ticket=handled, scorecard=scorecard, points=points)

    assert review.score_percent == Decimal("0.0")
    assert review.critical_failed is True


def test_submitting_again_updates_the_same_review(inspector, handled, scorecard, criteria):
    first = review_ticket(
        reviewer=inspector, ticket=handled, scorecard=scorecard, points=full_marks(criteria)
    )

    second = review_ticket(
        reviewer=inspector,
        ticket=handled,
        scorecard=scorecard,
        points=full_marks(criteria) | {criteria["Greeting"].pk: 3},
        comment="改过了",
    )

    assert second.pk == first.pk
    assert Review.objects.count() == 1
    assert Rating.objects.filter(review=second).count() == 4
    assert Rating.objects.get(review=second, criterion=criteria["Greeting"]).points == 3
    assert second.score_percent == Decimal("90.0")
    actions = list(
        AuditEntry.objects.filter(object_type="quality.review", object_id=str(first.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["review.create", "review.update"]
    update = AuditEntry.objects.get(action="review.update")
    assert update.changes["score_percent"] == ["100.0", "90.0"]
    assert update.actor == inspector


def test_two_inspectors_each_keep_their_own_review(inspector, supervisor, handled, scorecard, criteria):
    review_ticket(reviewer=inspector, ticket=handled, scorecard=scorecard, points=full_marks(criteria))
    review_ticket(reviewer=supervisor, ticket=handled, scorecard=scorecard, points=full_marks(criteria))

    assert Review.objects.filter(ticket=handled).count() == 2


@pytest.mark.parametrize("role", [roles.SUPERVISOR, roles.ADMIN, roles.QA_INSPECTOR])
def test_inspectors_supervisors_and_admins_may_review(role, handled, scorecard, criteria):
    reviewer = UserFactory(roles=[role])

    review = review_ticket(
        reviewer=reviewer, ticket=handled, scorecard=scorecard, points=full_marks(criteria)
    )

    assert review.reviewer == reviewer


@pytest.mark.parametrize("persona", ["teammate", "outsider"])
def test_agents_may_not_review(persona, request, handled, scorecard, criteria):
    reviewer = request.getfixturevalue(persona)

    with pytest.raises(NotAllowed):
        review_ticket(reviewer=reviewer, ticket=handled, scorecard=scorecard, points=full_marks(criteria))

    assert not Review.objects.exists()


def test_a_supervisor_cannot_review_their_own_work(supervisor, scorecard, criteria):
    own = TicketFactory(assignee=supervisor, status="solved")

    with pytest.raises(InvalidInput) as refused:
        review_ticket(reviewer=supervisor, ticket=own, scorecard=scorecard, points=full_marks(criteria))

    assert refused.value.field == "agent"


def test_a_ticket_the_reviewer_cannot_see_is_not_found(handled, other_team, scorecard, criteria):
    # Someone given the review permission by hand, but who sees only their own team's tickets.
    reviewer = UserFactory(roles=[roles.AGENT], teams=[other_team])
    reviewer.user_permissions.add(*_permissions("quality.add_review"))

    with pytest.raises(NotFound):
        review_ticket(
            reviewer=_fresh(reviewer), ticket=handled, scorecard=scorecard, points=full_marks(criteria)
        )


def _permissions(*names):
    from django.contrib.auth.models import Permission

    found = []
    for name in names:
        app_label, codename = name.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


def _fresh(user):
    return type(user).objects.get(pk=user.pk)  # without the permission cache of the object above


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"Solution": 31}, "Solution", "between 0 and 30"),
        ({"Solution": -1}, "Solution", "between 0 and 30"),
        ({"Solution": "20"}, "Solution", "whole number"),
        ({"Solution": None}, "Solution", "Give points"),
    ],
)
def test_points_outside_a_criterion_are_refused_by_name(
    inspector, handled, scorecard, criteria, change, field, message
):
    points = full_marks(criteria)
    for name, value in change.items():
        points[criteria[name].pk] = value

    with pytest.raises(InvalidInput) as refused:
        review_ticket(reviewer=inspector, ticket=handled, scorecard=scorecard, points=points)

    assert refused.value.field == f"points_{criteria[field].pk}"
    assert message in str(refused.value.message)
    assert not Review.objects.exists()


def test_a_missing_criterion_is_refused(inspector, handled, scorecard, criteria):
    points = full_marks(criteria)
    del points[criteria["Greeting"].pk]

    with pytest.raises(InvalidInput, match="Give points"):
        review_ticket(reviewer=inspector, ticket=handled, scorecard=scorecard, points=points)


def test_points_for_another_scorecards_criterion_are_refused(inspector, handled, scorecard, criteria):
    stranger = CriterionFactory()

    with pytest.raises(InvalidInput):
        review_ticket(
            reviewer=inspector,
            ticket=handled,
            scorecard=scorecard,
            points=full_marks(criteria) | {stranger.pk: 1},
        )


def test_a_retired_scorecard_takes_no_new_reviews(inspector, handled, scorecard, criteria):
    scorecard.is_active = False
    scorecard.save()

    with pytest.raises(InvalidInput, match="retired"):
        review_ticket(reviewer=inspector, ticket=handled, scorecard=scorecard, points=full_marks(criteria))


def test_a_scorecard_without_criteria_is_refused(inspector, handled):
    with pytest.raises(InvalidInput, match="no criteria"):
        review_ticket(reviewer=inspector, ticket=handled, scorecard=ScorecardFactory(), points={})


def test_an_unassigned_ticket_needs_the_agent_named(inspector, agent, ticket, scorecard, criteria):
    with pytest.raises(InvalidInput) as refused:
        review_ticket(reviewer=inspector, ticket=ticket, scorecard=scorecard, points=full_marks(criteria))
    assert refused.value.field == "agent"

    review = review_ticket(
        reviewer=inspector, ticket=ticket, scorecard=scorecard, points=full_marks(criteria), agent=agent
    )

    assert review.agent == agent


def test_a_reviewed_ticket_leaves_the_sample_queue(inspector, handled, scorecard, criteria):
    sample_for_review(reviewer=inspector, count=5)
    assert SampledTicket.objects.filter(ticket=handled).exists()

    review_ticket(reviewer=inspector, ticket=handled, scorecard=scorecard, points=full_marks(criteria))

    assert not SampledTicket.objects.filter(ticket=handled).exists()


def test_the_agent_reviewed_is_told_their_score(inspector, agent, handled, scorecard, criteria):
    """The reviewed agent gets an in-app notification naming the ticket and the score (and a failed critical
    item); the inspector who reviewed gets none."""
    from kefu.notifications.models import Kind, Notification
    from kefu.notifications.texts import describe

    review_ticket(
        reviewer=inspector,
        ticket=handled,
        scorecard=scorecard,
        points=full_marks(criteria) | {criteria["Privacy"].pk: 0},
    )

    [note] = Notification.objects.filter(kind=Kind.REVIEWED)
    assert note.recipient == agent and note.ticket == handled
    assert (
        describe(note)
        == f"吴婷 reviewed your work on ticket #{handled.pk} “{handled.subject}”: 0.0%, a critical item failed"
    )
