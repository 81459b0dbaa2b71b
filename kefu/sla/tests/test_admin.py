"""The Django admin's SLA policy form follows the same rules as /manage/sla/."""

import pytest

from kefu.sla.models import SlaPolicy
from kefu.sla.tests.factories import SlaPolicyFactory

pytestmark = pytest.mark.django_db


def _post(**overrides) -> dict:
    data = {
        "name": "投诉",
        "position": "0",
        "is_active": "on",
        "categories": "[]",
        "priorities": "[]",
        "severities": "[]",
        "tiers": "[]",
        "channels": "[]",
        "first_response": "04:00:00",
        "next_response": "",
        "resolution": "2 00:00:00",
        "escalate_after": "",
        "warning_percent": "80",
        "calendar": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"resolution": "-5 00:00:00"}, "resolution"),
        ({"warning_percent": "250"}, "warning_percent"),
        ({"categories": '["nonsense"]'}, "categories"),
    ],
)
def test_admin_refuses_impossible_policy_values(client, admin_user, overrides, field):
    """A negative target, a warning of 250% or an unknown condition code is a form error, not a stored policy."""
    policy = SlaPolicyFactory(name="标准")
    client.force_login(admin_user)

    response = client.post(f"/admin/sla/slapolicy/{policy.pk}/change/", _post(**overrides))

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    policy.refresh_from_db()
    assert policy.name == "标准" and policy.resolution.total_seconds() > 0


def test_admin_still_saves_a_valid_policy(client, admin_user):
    client.force_login(admin_user)

    response = client.post("/admin/sla/slapolicy/add/", _post())

    assert response.status_code == 302
    assert SlaPolicy.objects.get().resolution.days == 2
