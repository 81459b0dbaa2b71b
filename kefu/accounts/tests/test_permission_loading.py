"""`load_permissions` reads a user's permissions in one query and leaves exactly what Django's
ModelBackend would have read in two, so every later check is answered without the database."""

import pytest
from django.contrib.auth.models import Permission

from kefu.accounts import roles
from kefu.accounts.models import User
from kefu.accounts.permissions import load_permissions, load_permissions_of, load_team_ids, team_ids
from kefu.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _as_model_backend_reads(user) -> tuple[set[str], set[str], set[str]]:
    fresh = User.objects.get(pk=user.pk)
    return fresh.get_user_permissions(), fresh.get_group_permissions(), fresh.get_all_permissions()


def test_loaded_permissions_are_those_model_backend_reads_in_one_query(
    agent, django_assert_num_queries
):
    agent.user_permissions.add(Permission.objects.get(codename="view_all_tickets"))
    user = User.objects.get(pk=agent.pk)

    with django_assert_num_queries(1):
        load_permissions(user)
    with django_assert_num_queries(0):
        own, from_roles, everything = user.get_user_permissions(), user.get_group_permissions(), user.get_all_permissions()
        assert user.has_perms(("tickets.add_ticket", "tickets.view_all_tickets"))
        assert not user.has_perm("accounts.add_user")

    assert (own, from_roles, everything) == _as_model_backend_reads(agent)
    assert own == {"tickets.view_all_tickets"}
    assert "tickets.add_ticket" in from_roles


def test_a_user_without_any_permission_gets_empty_sets(django_assert_num_queries):
    user = User.objects.get(pk=UserFactory().pk)

    load_permissions(user)

    with django_assert_num_queries(0):
        assert not user.has_perm("tickets.add_ticket")
    assert (user.get_user_permissions(), user.get_group_permissions()) == (set(), set())


def test_superusers_and_inactive_users_are_left_to_model_backend(django_assert_num_queries):
    superuser = User.objects.get(pk=UserFactory(is_superuser=True).pk)
    inactive = User.objects.get(pk=UserFactory(roles=[roles.AGENT], is_active=False).pk)

    with django_assert_num_queries(0):
        load_permissions(superuser)
        load_permissions(inactive)

    assert superuser.has_perm("accounts.add_user")
    assert not inactive.has_perm("tickets.add_ticket")


def test_several_users_permissions_are_read_in_one_query_as_model_backend_reads_them(
    agent, teammate, outsider, supervisor, django_assert_num_queries
):
    teammate.user_permissions.add(Permission.objects.get(codename="view_all_tickets"))
    people = [User.objects.get(pk=u.pk) for u in (agent, teammate, outsider, supervisor)]

    with django_assert_num_queries(1):
        load_permissions_of(people)
    with django_assert_num_queries(0):
        loaded = [(u.get_user_permissions(), u.get_group_permissions(), u.get_all_permissions()) for u in people]

    assert loaded == [_as_model_backend_reads(u) for u in people]


def test_the_reused_query_reads_each_new_users_own_permissions(agent, outsider, django_assert_num_queries):
    """The statement is built once and re-run: a second pair of users gets their own rows, not the first's."""
    load_permissions_of([User.objects.get(pk=agent.pk), User.objects.get(pk=outsider.pk)])
    other = UserFactory(username="qa", roles=[roles.QA_INSPECTOR])
    again = [User.objects.get(pk=outsider.pk), User.objects.get(pk=other.pk)]

    with django_assert_num_queries(1):
        load_permissions_of(again)

    assert [u.get_all_permissions() for u in again] == [_as_model_backend_reads(u)[2] for u in again]
    assert again[0].get_all_permissions() != again[1].get_all_permissions()


def test_team_ids_of_several_users_are_read_in_one_query(agent, outsider, front_line, other_team, django_assert_num_queries):
    people = [User.objects.get(pk=agent.pk), User.objects.get(pk=outsider.pk), UserFactory(username="loner")]

    with django_assert_num_queries(1):
        load_team_ids(people)
    with django_assert_num_queries(0):
        assert [team_ids(u) for u in people] == [[front_line.pk], [other_team.pk], []]
