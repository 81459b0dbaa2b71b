"""Assigning a ticket by hand: only to someone whose role may work it."""

import pytest
from django.utils import translation

from kefu.accounts import roles
from kefu.core.errors import InvalidInput
from kefu.tests.factories import UserFactory
from kefu.tickets.services import assign_ticket

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [roles.ANALYST, roles.QA_INSPECTOR, roles.TRAINER])
def test_a_read_only_role_cannot_be_given_a_ticket(supervisor, ticket, front_line, role):
    """The service refuses with a translated reason naming the person; nothing is stored."""
    reader = UserFactory(roles=[role], teams=[front_line], display_name="只读")

    with translation.override("zh-hans"), pytest.raises(InvalidInput) as refused:
        assign_ticket(ticket=ticket, actor=supervisor, assignee=reader)

    assert "只读" in str(refused.value) and "客服" in str(refused.value)
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert not ticket.messages.filter(event_type="assigned").exists()


def test_a_working_role_can_still_be_given_a_ticket(supervisor, teammate, ticket):
    assign_ticket(ticket=ticket, actor=supervisor, assignee=teammate)

    ticket.refresh_from_db()
    assert ticket.assignee == teammate
