"""The demo's quality inspection: the standard scorecard and a few reviews qa1 has made of solved tickets."""

import random

from kefu.accounts.models import User
from kefu.quality.models import Criterion, Review, Scorecard
from kefu.quality.services import review_ticket
from kefu.tickets.models import Status, Ticket

from . import data


def ensure_quality(inspector: User, *, seed: int = 2026) -> dict[str, int]:
    """The scorecard (created once) and, while the inspector has reviewed nothing, a few reviews made through
    the review service (so scores, ratings and the audit trail are what the product itself writes)."""
    scorecard = _ensure_scorecard()
    if Review.objects.filter(reviewer=inspector).exists():
        return {}
    rng = random.Random(seed)
    criteria = list(scorecard.criteria.all())
    tickets = Ticket.objects.filter(status__in=[Status.SOLVED, Status.CLOSED], assignee__isnull=False)
    tickets = (
        tickets.exclude(assignee=inspector).select_related("assignee").order_by("pk")[: data.QUALITY_REVIEWS]
    )
    count = 0
    for index, ticket in enumerate(tickets):
        # One review in eight finds the critical item failed; the others score well with a little spread.
        critical_fail = index == data.QUALITY_REVIEWS - 1
        points = {
            c.pk: 0
            if c.is_critical and critical_fail
            else rng.choice([c.max_points, c.max_points, c.max_points - 2])
            for c in criteria
        }
        review_ticket(
            reviewer=inspector,
            ticket=ticket,
            scorecard=scorecard,
            points=points,
            comment="客服在回复中透露了客户的完整手机号。"
            if critical_fail
            else rng.choice(data.QUALITY_COMMENTS),
        )
        count += 1
    return {"quality_reviews": count}


def _ensure_scorecard() -> Scorecard:
    name, name_en = data.QUALITY_SCORECARD
    scorecard = Scorecard.objects.filter(name=name).first()
    if scorecard is None:
        scorecard = Scorecard.objects.create(name=name, name_en=name_en)
        Criterion.objects.bulk_create(
            Criterion(
                scorecard=scorecard,
                name=zh,
                name_en=en,
                description=description,
                max_points=max_points,
                is_critical=critical,
                position=position,
            )
            for position, (zh, en, description, max_points, critical) in enumerate(data.QUALITY_CRITERIA)
        )
    return scorecard
