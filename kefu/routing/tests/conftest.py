"""Routing fixtures: categories and teams rules and the classifier route to, and a rule builder."""

import pytest

from kefu.routing.models import IntakeRule
from kefu.tests.factories import CategoryFactory, PriorityFactory, TeamFactory


@pytest.fixture
def complaint(db):
    return CategoryFactory(code="complaint", name="投诉", name_en="Complaint")


@pytest.fixture
def order(db):
    return CategoryFactory(code="order", name="订单", name_en="Orders")


@pytest.fixture
def urgent(db):
    PriorityFactory()  # the default "normal" one new tickets get
    return PriorityFactory(code="urgent", name="紧急", name_en="Urgent", rank=40, is_default=False)


@pytest.fixture
def complaints_team(db):
    return TeamFactory(name="投诉处理组", name_en="Complaints")


@pytest.fixture
def default_team(front_line):
    front_line.is_default = True
    front_line.save()
    return front_line


def make_rule(**values) -> IntakeRule:
    values.setdefault("name", "规则")
    values.setdefault("position", IntakeRule.objects.count() * 10 + 10)
    return IntakeRule.objects.create(**values)
