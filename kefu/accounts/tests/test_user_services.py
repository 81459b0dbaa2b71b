"""Managing staff accounts and teams through the services: permissions, role limits, audit rows."""

import pytest

from kefu.accounts import roles, services
from kefu.accounts.models import Team, User
from kefu.audit.models import AuditEntry
from kefu.core.errors import InvalidInput, NotAllowed
from kefu.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

STRONG = "Blue-sky-over-Hangzhou-42"


def test_supervisor_creates_an_agent_with_roles_teams_and_skills(supervisor, front_line):
    user = services.create_user(
        actor=supervisor,
        username="newbie",
        password=STRONG,
        display_name="新人",
        roles=[roles.AGENT],
        teams=[front_line],
        skills={"categories": ["order"], "languages": ["zh-hans"]},
        max_chats=3,
    )

    user.refresh_from_db()
    assert user.is_staff and user.check_password(STRONG)
    assert roles.roles_of(user) == [roles.AGENT]
    assert list(user.teams.all()) == [front_line]
    assert user.skills == {"categories": ["order"], "languages": ["zh-hans"]}
    entry = AuditEntry.objects.get(action="user.create", object_id=str(user.pk))
    assert entry.actor == supervisor
    assert entry.changes["roles"] == [[], [roles.AGENT]]
    assert entry.changes["display_name"] == [None, "新人"]


def test_a_user_created_without_password_cannot_log_in_yet(supervisor):
    user = services.create_user(actor=supervisor, username="nopass")

    assert not user.has_usable_password()


def test_agents_and_outsiders_cannot_manage_users(agent, outsider):
    for actor in (agent, outsider):
        with pytest.raises(NotAllowed):
            services.create_user(actor=actor, username="x", password=STRONG)


def test_supervisor_cannot_grant_the_admin_role(supervisor, agent):
    with pytest.raises(NotAllowed):
        services.create_user(actor=supervisor, username="boss", password=STRONG, roles=[roles.ADMIN])
    with pytest.raises(NotAllowed):
        services.set_roles(actor=supervisor, user=agent, roles=[roles.AGENT, roles.ADMIN])

    assert not User.objects.filter(username="boss").exists()
    assert roles.roles_of(agent) == [roles.AGENT]


def test_supervisor_cannot_touch_an_administrators_account(supervisor, admin_user):
    other_admin = UserFactory(username="admin2", roles=[roles.ADMIN])

    with pytest.raises(NotAllowed):
        services.update_user(actor=supervisor, user=other_admin, values={"display_name": "hacked"})
    with pytest.raises(NotAllowed):
        services.update_user(actor=supervisor, user=admin_user, values={}, password=STRONG)


def test_admin_grants_the_admin_role_and_it_is_audited(admin_user, agent):
    services.set_roles(actor=admin_user, user=agent, roles=[roles.AGENT, roles.ADMIN])

    assert sorted(roles.roles_of(agent)) == sorted([roles.AGENT, roles.ADMIN])
    entry = AuditEntry.objects.get(action="user.roles", object_id=str(agent.pk))
    assert entry.changes == {"roles": [[roles.AGENT], sorted([roles.ADMIN, roles.AGENT])]}


def test_only_a_superuser_makes_a_superuser(agent, admin_user):
    role_admin = UserFactory(username="roleadmin", roles=[roles.ADMIN])

    with pytest.raises(NotAllowed):
        services.update_user(actor=role_admin, user=agent, values={"is_superuser": True})
    services.update_user(actor=admin_user, user=agent, values={"is_superuser": True})

    agent.refresh_from_db()
    assert agent.is_superuser


def test_update_user_records_old_and_new_values(supervisor, agent, other_team):
    services.update_user(
        actor=supervisor, user=agent, values={"display_name": "王芳 (L2)", "level": "L2"}, teams=[other_team]
    )

    entry = AuditEntry.objects.get(action="user.update", object_id=str(agent.pk))
    assert entry.changes["display_name"] == ["王芳", "王芳 (L2)"]
    assert entry.changes["level"] == ["L1", "L2"]
    assert entry.changes["teams"] == [["接线组"], ["技术支持组"]]


def test_deactivating_stops_logins_but_not_for_oneself(supervisor, agent):
    services.set_user_active(actor=supervisor, user=agent, active=False)

    agent.refresh_from_db()
    assert not agent.is_active
    with pytest.raises(InvalidInput):
        services.set_user_active(actor=supervisor, user=supervisor, active=False)


def test_weak_passwords_and_taken_usernames_are_refused(supervisor, agent):
    with pytest.raises(InvalidInput) as weak:
        services.create_user(actor=supervisor, username="weak", password="123")
    with pytest.raises(InvalidInput) as taken:
        services.create_user(actor=supervisor, username="AGENT", password=STRONG)

    assert weak.value.field == "password"
    assert taken.value.field == "username"


def test_portal_logins_are_not_managed_as_staff(supervisor, customer_user):
    with pytest.raises(NotAllowed):
        services.update_user(actor=supervisor, user=customer_user, values={"display_name": "x"})


def test_supervisor_creates_a_team_with_members_and_it_is_audited(supervisor, agent, teammate):
    team = services.create_team(
        actor=supervisor, name="投诉处理组", name_en="Complaints", lead=supervisor, members=[agent, teammate]
    )

    assert set(team.members.all()) == {agent, teammate}
    entry = AuditEntry.objects.get(action="team.create", object_id=str(team.pk))
    assert entry.changes["members"] == [[], ["agent", "teammate"]]
    assert entry.changes["lead"] == [None, "张主管"]


def test_only_one_team_receives_unrouted_tickets(supervisor):
    first = TeamFactory(is_default=True)

    second = services.create_team(actor=supervisor, name="新组", is_default=True)

    first.refresh_from_db()
    assert second.is_default and not first.is_default
    assert AuditEntry.objects.filter(action="team.update", object_id=str(first.pk)).exists()


def test_update_team_changes_members_and_records_the_diff(supervisor, front_line, agent, teammate):
    services.update_team(actor=supervisor, team=front_line, values={"name_en": "Front desk"}, members=[agent])

    front_line.refresh_from_db()
    assert list(front_line.members.all()) == [agent]
    entry = AuditEntry.objects.get(action="team.update", object_id=str(front_line.pk))
    assert entry.changes["name_en"] == ["Front line", "Front desk"]
    assert entry.changes["members"][1] == ["agent"]


def test_team_members_must_be_staff_and_names_unique(supervisor, customer_user, front_line):
    with pytest.raises(InvalidInput):
        services.create_team(actor=supervisor, name="客户组", members=[customer_user])
    with pytest.raises(InvalidInput):
        services.create_team(actor=supervisor, name="接线组")

    assert Team.objects.count() == 1


def test_set_presence_changes_and_emits_once(agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        services.set_presence(user=agent, presence="online")

    agent.refresh_from_db()
    assert agent.presence == "online"
    with pytest.raises(InvalidInput):
        services.set_presence(user=agent, presence="sleeping")
