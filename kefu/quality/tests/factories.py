"""Factories for quality inspection: a scorecard with criteria, and tickets ready to be sampled or reviewed."""

import factory
from django.utils import timezone

from kefu.quality.models import Criterion, Scorecard
from kefu.tests.factories import TicketFactory


class ScorecardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scorecard

    name = factory.Sequence(lambda n: f"质检标准{n}")
    name_en = factory.Sequence(lambda n: f"Scorecard {n}")


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    scorecard = factory.SubFactory(ScorecardFactory)
    name = factory.Sequence(lambda n: f"评分项{n}")
    name_en = factory.Sequence(lambda n: f"Criterion {n}")
    max_points = 10
    position = factory.Sequence(lambda n: n)


def scorecard_with(*items: tuple[str, int, bool]) -> Scorecard:
    """A scorecard with criteria given as (English name, max points, critical?), in that order."""
    card = ScorecardFactory()
    for position, (name, max_points, critical) in enumerate(items):
        CriterionFactory(
            scorecard=card,
            name=name,
            name_en=name,
            max_points=max_points,
            is_critical=critical,
            position=position,
        )
    return card


def solved_ticket(*, assignee, status: str = "solved", **kwargs):
    """A ticket an agent handled to the end, as sampling looks for."""
    now = timezone.now()
    return TicketFactory(assignee=assignee, status=status, solved_at=now, **kwargs)
