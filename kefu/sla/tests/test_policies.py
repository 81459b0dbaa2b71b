"""Writing SLA policies through kefu.sla.policies: validation, audit, order, on/off and delete."""

from datetime import timedelta

import pytest

from kefu.audit.models import AuditEntry
from kefu.core.errors import InvalidInput, NotAllowed
from kefu.sla import policies
from kefu.sla.models import SlaPolicy
from kefu.sla.services import apply_policy
from kefu.sla.tests.factories import BusinessCalendarFactory, SlaPolicyFactory
from kefu.tests.factories import CategoryFactory, TicketFactory

pytestmark = pytest.mark.django_db


def _values(**overrides) -> dict:
    values = {
        "name": "投诉 Complaints",
        "is_active": True,
        "categories": ["complaint"],
        "priorities": [],
        "severities": ["major"],
        "tiers": ["vip"],
        "channels": ["email", "phone"],
        "first_response": timedelta(hours=2),
        "resolution": timedelta(days=2),
        "escalate_after": None,
        "warning_percent": 75,
        "business_time": False,
        "calendar": None,
        "escalate_on_warning": True,
        "escalate_on_breach": False,
    }
    values.update(overrides)
    return values


@pytest.fixture
def complaint(db):
    return CategoryFactory(code="complaint", name="投诉", name_en="Complaint")


def test_save_policy_creates_a_policy_last_in_the_order_and_audits_it(supervisor, complaint):
    """A new policy goes after the existing ones; its values are stored and the creation is audited."""
    SlaPolicyFactory(position=30)

    policy = policies.save_policy(actor=supervisor, values=_values())

    policy.refresh_from_db()
    assert policy.position == 40
    assert policy.categories == ["complaint"] and policy.channels == ["email", "phone"]
    assert policy.resolution == timedelta(days=2) and policy.warning_percent == 75
    assert AuditEntry.objects.filter(action="slapolicy.create", object_id=str(policy.pk)).exists()


def test_editing_a_policy_records_only_the_changed_fields(supervisor, complaint):
    """The audit diff of an edit names what changed, durations in seconds."""
    policy = policies.save_policy(actor=supervisor, values=_values())

    policies.save_policy(actor=supervisor, values=_values(resolution=timedelta(days=3)), policy=policy)

    entry = AuditEntry.objects.get(action="slapolicy.update")
    assert entry.changes == {"resolution": [2 * 86400, 3 * 86400]}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"resolution": timedelta(days=-5)}, "resolution"),
        ({"first_response": timedelta(0)}, "first_response"),
        ({"escalate_after": timedelta(days=366)}, "escalate_after"),
        ({"first_response": None, "resolution": None, "escalate_after": None}, "first_response"),
        ({"warning_percent": 250}, "warning_percent"),
        ({"warning_percent": 0}, "warning_percent"),
        ({"warning_percent": "80"}, "warning_percent"),
        ({"categories": ["no-such-category"]}, "categories"),
        ({"channels": ["fax"]}, "channels"),
        ({"tiers": "vip"}, "tiers"),
        ({"name": "   "}, "name"),
        ({"business_time": True, "calendar": None}, "calendar"),
    ],
)
def test_impossible_values_are_refused_on_their_field(supervisor, complaint, overrides, field):
    """Negative, zero or year-plus targets, no target at all, a warning outside 1–99%, unknown condition
    codes and business time without a calendar are each an InvalidInput on the field, and nothing is stored."""
    with pytest.raises(InvalidInput) as refused:
        policies.save_policy(actor=supervisor, values=_values(**overrides))

    assert refused.value.field == field
    assert not SlaPolicy.objects.exists()


def test_conditions_are_kept_once_each(supervisor, complaint):
    """A code ticked twice (a crafted post) is stored once."""
    policy = policies.save_policy(actor=supervisor, values=_values(channels=["email", "email"]))

    assert policy.channels == ["email"]


def test_agents_may_not_write_policies(agent, complaint):
    with pytest.raises(NotAllowed):
        policies.save_policy(actor=agent, values=_values())


def test_move_policy_swaps_neighbours_and_renumbers(supervisor):
    """Moving the last policy up puts it second; positions become 10, 20, 30, and the move is audited."""
    first, second, third = (SlaPolicyFactory(position=n) for n in (5, 6, 7))

    policies.move_policy(actor=supervisor, policy=third, up=True)

    assert list(SlaPolicy.objects.values_list("pk", "position")) == [
        (first.pk, 10),
        (third.pk, 20),
        (second.pk, 30),
    ]
    assert AuditEntry.objects.filter(action="slapolicy.move").count() == 1


def test_moving_the_first_policy_up_changes_nothing(supervisor):
    top = SlaPolicyFactory(position=1)
    SlaPolicyFactory(position=2)

    policies.move_policy(actor=supervisor, policy=top, up=True)

    assert SlaPolicy.objects.first() == top
    assert not AuditEntry.objects.filter(action="slapolicy.move").exists()


def test_a_switched_off_policy_no_longer_matches_new_tickets(supervisor, customer):
    """Switching off goes through the policy cache: the next ticket gets the next policy."""
    first = SlaPolicyFactory(position=1, resolution=timedelta(hours=1))
    fallback = SlaPolicyFactory(position=2)
    assert apply_policy(ticket=TicketFactory(customer=customer)).policy == first

    policies.set_active(actor=supervisor, policy=first, active=False)

    assert apply_policy(ticket=TicketFactory(customer=customer)).policy == fallback
    assert AuditEntry.objects.get(action="slapolicy.update").changes == {"is_active": [True, False]}


def test_a_policy_open_tickets_run_on_cannot_be_deleted(supervisor, customer):
    """Deleting would drop their clocks' policy: refused; once the ticket is solved it may go."""
    policy = SlaPolicyFactory()
    ticket = TicketFactory(customer=customer)
    apply_policy(ticket=ticket)
    assert policies.open_tickets_by_policy([policy.pk]) == {policy.pk: 1}

    with pytest.raises(InvalidInput):
        policies.delete_policy(actor=supervisor, policy=policy)

    ticket.status = "solved"
    ticket.save()
    policies.delete_policy(actor=supervisor, policy=policy)
    assert not SlaPolicy.objects.exists()
    assert AuditEntry.objects.filter(action="slapolicy.delete").exists()


def test_business_time_with_a_calendar_is_accepted(supervisor, complaint):
    calendar = BusinessCalendarFactory()

    policy = policies.save_policy(actor=supervisor, values=_values(business_time=True, calendar=calendar))

    assert policy.business_time and policy.calendar == calendar
