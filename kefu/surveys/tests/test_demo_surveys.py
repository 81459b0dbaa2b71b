"""`make demo` gives a share of the solved demo tickets an answered survey, once."""

from datetime import timedelta

import pytest

from kefu.core import clock
from kefu.surveys.demo import ensure_demo_surveys
from kefu.surveys.models import Survey
from kefu.tests.factories import TicketFactory
from kefu.tickets.models import Status

pytestmark = pytest.mark.django_db


def test_demo_surveys_are_answered_surveys_of_solved_tickets_created_once(front_line):
    solved_at = clock.now() - timedelta(days=3)
    solved = [TicketFactory(team=front_line, status=Status.SOLVED, solved_at=solved_at) for _ in range(30)]
    open_tickets = [TicketFactory(team=front_line, status=Status.OPEN) for _ in range(5)]

    created = ensure_demo_surveys()
    again = ensure_demo_surveys()

    surveys = list(Survey.objects.all())
    assert 0 < created == len(surveys) < len(solved)
    assert again == 0 and Survey.objects.count() == created
    assert all(s.is_answered and 1 <= s.csat <= 5 and s.answered_at <= clock.now() for s in surveys)
    assert not Survey.objects.filter(ticket__in=open_tickets).exists()
