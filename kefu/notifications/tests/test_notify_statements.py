"""`notify` asks the database once for everyone's preferences, once for everyone's permissions and at most
once for their teams, however many recipients; when nobody is left to tell it asks nothing at all."""

import pytest

from kefu.accounts.models import User
from kefu.notifications.models import Kind, Notification
from kefu.notifications.services import notify

pytestmark = pytest.mark.django_db


def _fresh(*users):
    return [User.objects.get(pk=u.pk) for u in users]


def test_telling_only_the_actor_asks_the_database_nothing(ticket, agent, django_assert_num_queries):
    recipients = _fresh(agent)

    with django_assert_num_queries(0):
        created = notify(recipients=recipients, kind=Kind.ASSIGNED, ticket=ticket, actor=agent)

    assert created == [] and not Notification.objects.exists()


def test_several_recipients_cost_three_reads_and_one_insert_each(
    ticket, agent, teammate, supervisor, outsider, lead, django_assert_num_queries
):
    recipients = _fresh(teammate, supervisor, outsider, lead, agent)

    # preferences, permissions, teams; a savepoint around three inserts (the outsider may not see it)
    with django_assert_num_queries(3 + 2 + 3):
        notify(recipients=recipients, kind=Kind.SLA_BREACH, ticket=ticket, actor=agent)

    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"teammate", "supervisor", "lead"}
