"""Supervisors choose a team's assignment strategy, cap and shift hours on /manage/teams/<id>/."""

import pytest

from kefu.accounts.models import AssignmentStrategy
from kefu.sla.tests.factories import BusinessCalendarFactory

pytestmark = pytest.mark.django_db


def test_supervisor_sets_strategy_cap_and_shift_hours(client, supervisor, front_line, agent):
    calendar = BusinessCalendarFactory(name="早班")
    client.force_login(supervisor)

    page = client.get(f"/manage/teams/{front_line.pk}/")
    response = client.post(
        f"/manage/teams/{front_line.pk}/",
        {
            "name": "接线组",
            "members": [agent.pk],
            "assignment_strategy": AssignmentStrategy.SKILLS,
            "max_open_per_agent": "8",
            "shift_calendar": calendar.pk,
        },
    )

    assert 'name="assignment_strategy"' in page.content.decode()
    assert response.status_code == 302
    front_line.refresh_from_db()
    assert (front_line.assignment_strategy, front_line.max_open_per_agent, front_line.shift_calendar) == (
        AssignmentStrategy.SKILLS,
        8,
        calendar,
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("assignment_strategy", "lottery"), ("max_open_per_agent", "-1"), ("max_open_per_agent", "x")],
)
def test_bad_assignment_settings_are_form_errors(client, supervisor, front_line, field, value):
    client.force_login(supervisor)

    response = client.post(f"/manage/teams/{front_line.pk}/", {"name": "接线组", field: value})

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    front_line.refresh_from_db()
    assert front_line.assignment_strategy == AssignmentStrategy.MANUAL


def test_the_service_refuses_an_unknown_strategy(supervisor, front_line):
    from kefu.accounts.services import update_team
    from kefu.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        update_team(actor=supervisor, team=front_line, values={"assignment_strategy": "lottery"})
    with pytest.raises(InvalidInput):
        update_team(actor=supervisor, team=front_line, values={"max_open_per_agent": 10_000})
