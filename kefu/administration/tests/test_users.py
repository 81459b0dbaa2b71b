"""Managing staff on /manage/users/: create with roles and teams, edit, deactivate; limits and bad input."""

import pytest

from kefu.accounts import roles
from kefu.accounts.models import User
from kefu.audit.models import AuditEntry
from kefu.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STRONG = "Blue-sky-over-Hangzhou-42"


def _user_data(**overrides) -> dict:
    data = {
        "username": "xiaoli",
        "display_name": "小李",
        "email": "xiaoli@example.com",
        "roles": [roles.AGENT],
        "level": "L1",
        "hire_date": "2024-03-01",
        "skill_categories": [],
        "skill_languages": ["zh-hans", "en"],
        "skill_channels": ["email", "chat"],
        "max_chats": "4",
        "language": "",
        "timezone": "",
        "is_active": "on",
        "password": STRONG,
    }
    data.update(overrides)
    return data


def test_supervisor_creates_a_user_with_roles_and_team(client, supervisor, front_line):
    client.force_login(supervisor)

    response = client.post("/manage/users/new/", _user_data(teams=[front_line.pk]))

    assert response.status_code == 302
    user = User.objects.get(username="xiaoli")
    assert user.is_staff and user.is_active and user.check_password(STRONG)
    assert roles.roles_of(user) == [roles.AGENT]
    assert list(user.teams.all()) == [front_line]
    assert user.skills == {"languages": ["en", "zh-hans"], "channels": ["chat", "email"]}
    assert user.max_chats == 4 and str(user.hire_date) == "2024-03-01"
    assert AuditEntry.objects.filter(action="user.create", object_id=str(user.pk), actor=supervisor).exists()


def test_supervisor_cannot_grant_admin_through_the_form(client, supervisor):
    client.force_login(supervisor)

    response = client.post("/manage/users/new/", _user_data(roles=[roles.AGENT, roles.ADMIN]))

    assert response.status_code == 400
    assert not User.objects.filter(username="xiaoli").exists()


def test_supervisor_is_not_offered_the_admin_role_nor_superuser(client, supervisor):
    client.force_login(supervisor)

    html = client.get("/manage/users/new/").content.decode()

    assert f'value="{roles.SUPERVISOR}"' in html
    assert f'value="{roles.ADMIN}"' not in html
    assert 'name="is_superuser"' not in html


def test_supervisor_cannot_open_an_administrators_account(client, supervisor):
    boss = UserFactory(username="boss", roles=[roles.ADMIN])
    client.force_login(supervisor)

    assert client.get(f"/manage/users/{boss.pk}/").status_code == 403
    assert client.post(f"/manage/users/{boss.pk}/active/", {"active": "0"}).status_code == 403
    boss.refresh_from_db()
    assert boss.is_active


def test_admin_may_grant_admin(client, admin_user):
    client.force_login(admin_user)

    response = client.post("/manage/users/new/", _user_data(roles=[roles.ADMIN]))

    assert response.status_code == 302
    assert roles.roles_of(User.objects.get(username="xiaoli")) == [roles.ADMIN]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"username": ""}, "username"),
        ({"username": "agent"}, "username"),
        ({"username": "has space"}, "username"),
        ({"email": "not-an-email"}, "email"),
        ({"password": "123"}, "password"),
        ({"password": ""}, "password"),
        ({"max_chats": "999"}, "max_chats"),
        ({"hire_date": "yesterday"}, "hire_date"),
        ({"roles": ["pirate"]}, "roles"),
        ({"timezone": "Mars/Base"}, "timezone"),
        ({"level": "L9"}, "level"),
    ],
)
def test_bad_input_shows_errors_not_a_500(client, supervisor, agent, overrides, field):
    client.force_login(supervisor)

    response = client.post("/manage/users/new/", _user_data(**overrides))

    assert response.status_code == 400
    assert response.context["form"].errors.get(field)
    assert not User.objects.filter(username="xiaoli").exists()


def test_editing_a_user_changes_roles_and_keeps_the_password_when_empty(client, supervisor, agent, password):
    client.force_login(supervisor)

    response = client.post(
        f"/manage/users/{agent.pk}/",
        _user_data(
            username="agent", display_name="王芳", roles=[roles.SENIOR_AGENT], level="L2", password=""
        ),
    )

    agent.refresh_from_db()
    assert response.status_code == 302
    assert roles.roles_of(agent) == [roles.SENIOR_AGENT]
    assert agent.level == "L2"
    assert agent.check_password(password)
    entry = AuditEntry.objects.get(action="user.update", object_id=str(agent.pk))
    assert entry.changes["roles"] == [[roles.AGENT], [roles.SENIOR_AGENT]]


def test_edit_form_is_prefilled(client, supervisor, agent):
    client.force_login(supervisor)

    form = client.get(f"/manage/users/{agent.pk}/").context["form"]

    assert form.initial["username"] == "agent"
    assert form.initial["roles"] == [roles.AGENT]


def test_deactivating_and_reactivating_a_user(client, supervisor, agent):
    client.force_login(supervisor)

    client.post(f"/manage/users/{agent.pk}/active/", {"active": "0"})
    agent.refresh_from_db()
    deactivated = agent.is_active
    client.post(f"/manage/users/{agent.pk}/active/", {"active": "1"})
    agent.refresh_from_db()

    assert deactivated is False
    assert agent.is_active is True
    assert AuditEntry.objects.filter(action="user.update", object_id=str(agent.pk)).count() == 2


def test_user_list_filters_and_runs_a_fixed_number_of_queries(
    client, supervisor, front_line, django_assert_max_num_queries
):
    for n in range(15):
        UserFactory(username=f"agent{n:02}", roles=[roles.AGENT], teams=[front_line])
    client.force_login(supervisor)

    with django_assert_max_num_queries(12):
        response = client.get("/manage/users/?role=agent")

    usernames = [u.username for u, _roles, _manageable in response.context["rows"]]
    assert response.status_code == 200
    assert "agent07" in usernames and "supervisor" not in usernames


def test_user_list_does_not_show_customers(client, supervisor, customer_user):
    client.force_login(supervisor)

    response = client.get("/manage/users/?state=all")

    assert customer_user not in [row[0] for row in response.context["rows"]]


def test_administrators_rows_are_not_editable_for_a_supervisor(client, supervisor):
    boss = UserFactory(username="boss", roles=[roles.ADMIN])
    client.force_login(supervisor)

    rows = {u.username: manageable for u, _roles, manageable in client.get("/manage/users/").context["rows"]}

    assert rows["boss"] is False
    assert rows["supervisor"] is True
    assert boss.pk
