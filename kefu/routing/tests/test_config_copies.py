"""Intake rules and the classifier's teams and categories a worker keeps (kefu.core.config_cache) follow
every change, including rule moves written with QuerySet.update().

A write in this process also bumps (and so clears) this process's copies; the tests that prove a copy follows
the shared version write without signals and change the version in the cache directly, as another process
would, so they fail if the version were never read."""

import threading

import pytest
from django.core.cache import cache
from django.db import connection

from kefu.core import config_cache
from kefu.routing import services
from kefu.routing.models import IntakeRule
from kefu.tests.factories import CategoryFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_local_copies():
    config_cache.clear_local()
    yield
    config_cache.clear_local()


def _another_process_bumps() -> None:
    cache.incr(config_cache.VERSION_KEY)


def _names() -> list[str]:
    return [spec.name for spec in services.active_rules()]


def test_a_rule_added_or_switched_off_later_is_seen(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        IntakeRule.objects.create(name="first", position=10, words=["退款"])
    assert _names() == ["first"]
    with django_capture_on_commit_callbacks(execute=True):
        second = IntakeRule.objects.create(name="second", position=20, words=["发票"])
    assert _names() == ["first", "second"]
    with django_capture_on_commit_callbacks(execute=True):
        second.is_active = False
        second.save()
    assert _names() == ["first"]


def test_moving_a_rule_reorders_the_workers_copy(admin_user, django_capture_on_commit_callbacks):
    """move_rule renumbers with QuerySet.update() (no signal) and tells the workers itself."""
    with django_capture_on_commit_callbacks(execute=True):
        IntakeRule.objects.create(name="first", position=10, words=["退款"])
        second = IntakeRule.objects.create(name="second", position=20, words=["发票"])
    assert _names() == ["first", "second"]
    with django_capture_on_commit_callbacks(execute=True):
        services.move_rule(actor=admin_user, rule=second, up=True)
    assert _names() == ["second", "first"]


def test_guess_targets_name_teams_and_categories_as_they_are_now(django_capture_on_commit_callbacks):
    """One lookup for what the classifier's labels name: renamed, deactivated and new rows are seen."""
    with django_capture_on_commit_callbacks(execute=True):
        team = TeamFactory(name="订单组")
        CategoryFactory(code="order", name="订单")
    targets = services.guess_targets()
    assert targets.team(str(team.pk)).name == "订单组"
    assert targets.category("order").name == "订单"
    assert targets.team("nope") is None and targets.default_team is None
    with django_capture_on_commit_callbacks(execute=True):
        team.name, team.is_default = "订单处理组", True
        team.save()
        CategoryFactory(code="complaint", name="投诉", is_active=False)
    targets = services.guess_targets()
    assert targets.team(str(team.pk)).name == "订单处理组"
    assert targets.default_team.pk == team.pk
    assert targets.category("complaint") is None  # an inactive category takes no tickets …
    assert targets.category("complaint", active_only=False).name == "投诉"  # … but is still named


def test_guess_targets_give_copies_callers_may_change(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        team = TeamFactory(name="订单组")
    services.guess_targets().team(str(team.pk)).name = "changed by a caller"
    assert services.guess_targets().team(str(team.pk)).name == "订单组"


def test_the_rules_copy_is_kept_until_the_shared_version_changes(django_capture_on_commit_callbacks):
    """A rule switched off elsewhere (no signal here) is still in the copy, and gone once the version moves."""
    with django_capture_on_commit_callbacks(execute=True):
        first = IntakeRule.objects.create(name="first", position=10, words=["退款"])
    assert _names() == ["first"]
    IntakeRule.objects.filter(pk=first.pk).update(is_active=False)  # the other process's write
    assert _names() == ["first"]  # the copy, not a query
    _another_process_bumps()
    assert _names() == []


def test_guess_targets_follow_the_shared_version(django_capture_on_commit_callbacks):
    """A team renamed by another process is named anew once that process bumps the version."""
    with django_capture_on_commit_callbacks(execute=True):
        team = TeamFactory(name="订单组")
    assert services.guess_targets().team(str(team.pk)).name == "订单组"
    type(team).objects.filter(pk=team.pk).update(name="订单处理组")
    assert services.guess_targets().team(str(team.pk)).name == "订单组"
    _another_process_bumps()
    assert services.guess_targets().team(str(team.pk)).name == "订单处理组"


@pytest.mark.django_db(transaction=True)
def test_a_rule_committed_by_another_connection_is_seen_after_the_version_changes():
    """The other process's own connection commits a rule (bulk_create: no signal reaches this process)."""
    IntakeRule.objects.create(name="first", position=10, words=["退款"])
    assert _names() == ["first"]

    def other_process() -> None:
        try:
            IntakeRule.objects.bulk_create([IntakeRule(name="second", position=20, words=["发票"])])
        finally:
            connection.close()  # this thread's own connection

    writer = threading.Thread(target=other_process)
    writer.start()
    writer.join()
    assert IntakeRule.objects.count() == 2  # committed and visible to this connection …
    assert _names() == ["first"]  # … but this process keeps its copy until told
    _another_process_bumps()
    assert _names() == ["first", "second"]
