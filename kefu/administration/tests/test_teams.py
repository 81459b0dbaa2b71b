"""Managing teams on /manage/teams/."""

import pytest

from kefu.accounts.models import Team
from kefu.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_supervisor_creates_a_team_with_members(client, supervisor, agent, teammate):
    client.force_login(supervisor)

    response = client.post(
        "/manage/teams/new/",
        {
            "name": "投诉处理组",
            "name_en": "Complaints",
            "description": "",
            "lead": supervisor.pk,
            "members": [agent.pk, teammate.pk],
            "is_default": "on",
        },
    )

    assert response.status_code == 302
    team = Team.objects.get(name="投诉处理组")
    assert set(team.members.all()) == {agent, teammate}
    assert team.lead == supervisor and team.is_default
    assert AuditEntry.objects.filter(action="team.create", object_id=str(team.pk), actor=supervisor).exists()


def test_editing_a_team_changes_its_members(client, supervisor, front_line, agent):
    client.force_login(supervisor)

    response = client.post(
        f"/manage/teams/{front_line.pk}/",
        {
            "name": "接线组",
            "name_en": "Front line",
            "members": [agent.pk],
        },
    )

    assert response.status_code == 302
    assert list(front_line.members.all()) == [agent]
    assert AuditEntry.objects.filter(action="team.update", object_id=str(front_line.pk)).exists()


def test_a_duplicate_team_name_is_an_error(client, supervisor, front_line):
    client.force_login(supervisor)

    response = client.post("/manage/teams/new/", {"name": "接线组"})

    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert Team.objects.filter(name="接线组").count() == 1


def test_team_list_counts_members_in_one_query(
    client, supervisor, front_line, other_team, agent, teammate, django_assert_max_num_queries
):
    client.force_login(supervisor)

    with django_assert_max_num_queries(8):
        response = client.get("/manage/teams/")

    counts = {t.name: t.member_count for t in response.context["teams"]}
    assert counts["接线组"] == 3
