"""A new ticket without a priority or team gets the default ones as they are when it is opened."""

import pytest

from kefu.accounts.models import Team
from kefu.tests.factories import PriorityFactory, TeamFactory
from kefu.tickets import services
from kefu.tickets.models import Priority

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_defaults_yet(db):
    Priority.objects.update(is_default=False)
    Team.objects.update(is_default=False)


def test_the_defaults_are_read_afresh_for_every_new_ticket(customer):
    """Another process may change the defaults at any time (here a bulk update, which no signal reports)."""
    normal = PriorityFactory(code="p-normal", is_default=True)
    urgent = PriorityFactory(code="p-urgent", rank=30, is_default=False)
    first_team, second_team = TeamFactory(is_default=True), TeamFactory()
    before = services.create_ticket(customer=customer, subject="第一单", text="……", channel="web")

    Priority.objects.filter(pk=normal.pk).update(is_default=False)
    Priority.objects.filter(pk=urgent.pk).update(is_default=True)
    Team.objects.filter(pk=first_team.pk).update(is_default=False)
    Team.objects.filter(pk=second_team.pk).update(is_default=True)
    after = services.create_ticket(customer=customer, subject="第二单", text="……", channel="web")

    assert (before.priority, before.team) == (normal, first_team)
    assert (after.priority, after.team) == (urgent, second_team)
    assert after.priority.code == "p-urgent" and after.team.name == second_team.name


def test_several_defaults_pick_the_first_in_each_models_order_and_none_gives_none(customer):
    """The same row `.filter(is_default=True).first()` would give: highest rank first, teams by name."""
    PriorityFactory(code="p-low", rank=1, is_default=True)
    high = PriorityFactory(code="p-high", rank=20, is_default=True)
    TeamFactory(name="B 组", is_default=True)
    first_by_name = TeamFactory(name="A 组", is_default=True)

    ticket = services.create_ticket(customer=customer, subject="订单", text="……", channel="web")

    assert ticket.priority == high
    assert ticket.team == Team.objects.filter(is_default=True).first() == first_by_name

    Priority.objects.update(is_default=False)
    Team.objects.update(is_default=False)
    plain = services.create_ticket(customer=customer, subject="订单", text="……", channel="web")
    assert (plain.priority, plain.team) == (None, None)
