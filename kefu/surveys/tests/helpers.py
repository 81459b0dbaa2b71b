"""Building blocks for survey tests: a solved ticket with its survey, answered or not."""

from datetime import datetime, timedelta

from django.test import TestCase

from kefu.core import clock
from kefu.surveys.models import Survey
from kefu.tickets.models import Status
from kefu.tickets.services import change_status


def committed():
    """Run what would run after commit (the events' listeners) as the block ends, inside the test's transaction."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def solve(ticket, agent):
    """Solve the ticket through the ticket service (its events open the survey), and read it back."""
    with committed():
        change_status(ticket=ticket, actor=agent, status=Status.SOLVED)
    ticket.refresh_from_db()
    return ticket


def make_survey(ticket, *, solved_at: datetime | None = None, token: str = "", **answer) -> Survey:
    """A survey row as `open_survey` writes it, for data the summary and the API read."""
    solved_at = solved_at or clock.now()
    return Survey.objects.create(
        ticket=ticket,
        solved_at=solved_at,
        token=token or f"t-{ticket.pk}-{solved_at.timestamp()}",
        team_id=ticket.team_id,
        agent_id=ticket.assignee_id,
        created_at=solved_at,
        expires_at=solved_at + timedelta(days=7),
        **answer,
    )
