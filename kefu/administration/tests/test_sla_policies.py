"""Managing SLA policies on /manage/sla/: list in order, create, edit, refuse bad input, switch, move, delete."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kefu.audit.models import AuditEntry
from kefu.sla.models import SlaPolicy
from kefu.sla.services import apply_policy
from kefu.sla.tests.factories import BusinessCalendarFactory, SlaPolicyFactory
from kefu.tests.factories import CategoryFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    """Pages read in English here (the Chinese wording has its own test)."""
    return Client(headers={"Accept-Language": "en"})


@pytest.fixture
def complaint(db):
    return CategoryFactory(code="complaint", name="投诉", name_en="Complaint")


def _post(**overrides) -> dict:
    data = {
        "name": "重大投诉",
        "is_active": "on",
        "categories": ["complaint"],
        "severities": ["major"],
        "channels": ["phone", "wechat"],
        "first_response": "30",
        "first_response_unit": "minutes",
        "resolution": "2",
        "resolution_unit": "days",
        "escalate_after": "",
        "escalate_after_unit": "hours",
        "warning_percent": "75",
        "escalate_on_warning": "on",
    }
    data.update(overrides)
    return data


def test_list_shows_policies_in_order_with_targets_clock_and_open_tickets(client, supervisor, customer):
    """Rows follow the evaluation order; each shows its conditions, targets, clock and open tickets."""
    calendar = BusinessCalendarFactory(name="工作日")
    second = SlaPolicyFactory(name="标准", position=20, business_time=True, calendar=calendar)
    first = SlaPolicyFactory(
        name="VIP", position=10, tiers=["vip"], first_response=timedelta(minutes=90), resolution=None
    )
    customer.tier = "vip"
    customer.save()
    apply_policy(ticket=TicketFactory(customer=customer))
    client.force_login(supervisor)

    response = client.get("/manage/sla/")

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["policy"] for row in rows] == [first, second]
    assert [row["open_tickets"] for row in rows] == [1, 0]
    html = response.content.decode()
    assert "first active policy whose conditions all match" in html
    assert "Customer tier: VIP" in html
    assert "First response: 90 minutes" in html and "Resolution: 1 day" in html
    assert "Business hours: 工作日" in html


def test_list_runs_a_fixed_number_of_queries(client, supervisor):
    """More policies do not mean more queries."""
    SlaPolicyFactory()
    client.force_login(supervisor)
    with CaptureQueriesContext(connection) as few:
        client.get("/manage/sla/")
    for _n in range(5):
        SlaPolicyFactory(business_time=True, calendar=BusinessCalendarFactory())
    with CaptureQueriesContext(connection) as many:
        client.get("/manage/sla/")

    assert len(many.captured_queries) == len(few.captured_queries)


def test_supervisor_creates_a_policy_from_checkboxes_and_units(client, supervisor, complaint):
    """Ticked codes become the conditions; amounts with units become durations; it is audited."""
    client.force_login(supervisor)

    response = client.post("/manage/sla/new/", _post())

    assert response.status_code == 302 and response["Location"] == "/manage/sla/"
    policy = SlaPolicy.objects.get(name="重大投诉")
    assert policy.categories == ["complaint"] and policy.severities == ["major"]
    assert policy.channels == ["phone", "wechat"]
    assert policy.first_response == timedelta(minutes=30) and policy.resolution == timedelta(days=2)
    assert policy.escalate_after is None and policy.warning_percent == 75
    assert policy.escalate_on_warning and not policy.escalate_on_breach
    assert AuditEntry.objects.filter(action="slapolicy.create", actor=supervisor).exists()


def test_the_form_offers_the_real_choices_in_the_active_language(supervisor, complaint):
    """Categories show their Chinese name on a Chinese page, channels their translated label."""
    client = Client(headers={"Accept-Language": "zh-hans"})
    client.force_login(supervisor)

    html = client.get("/manage/sla/new/").content.decode()

    assert 'value="complaint"' in html and "投诉" in html
    assert 'value="wechat"' in html and "微信" in html


def test_editing_shows_stored_durations_in_their_largest_unit(client, supervisor):
    policy = SlaPolicyFactory(first_response=timedelta(hours=4), resolution=timedelta(days=3))
    client.force_login(supervisor)

    form = client.get(f"/manage/sla/{policy.pk}/").context["form"]

    assert (form.initial["first_response"], form.initial["first_response_unit"]) == (4, "hours")
    assert (form.initial["resolution"], form.initial["resolution_unit"]) == (3, "days")
    assert form.initial["escalate_after"] is None


def test_a_chat_target_of_30_seconds_is_shown_and_kept_in_seconds(client, supervisor):
    """Live chat answers within seconds: a 30 s target is not shown as "0 minutes", and saving the form
    unchanged keeps it (it used to round to 0 and fail the "more than zero" check)."""
    policy = SlaPolicyFactory(name="在线聊天", first_response=timedelta(seconds=30), resolution=timedelta(days=3))
    client.force_login(supervisor)

    listing = client.get("/manage/sla/", headers={"Accept-Language": "en"}).content.decode()
    form = client.get(f"/manage/sla/{policy.pk}/").context["form"]

    assert "30 seconds" in listing and "0 minutes" not in listing
    assert (form.initial["first_response"], form.initial["first_response_unit"]) == (30, "seconds")
    assert (form.initial["resolution"], form.initial["resolution_unit"]) == (3, "days")


def test_supervisor_edits_a_policy(client, supervisor, complaint):
    policy = SlaPolicyFactory(name="旧")
    client.force_login(supervisor)

    response = client.post(
        f"/manage/sla/{policy.pk}/", _post(name="新", resolution="12", resolution_unit="hours")
    )

    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.name == "新" and policy.resolution == timedelta(hours=12)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"resolution": "-5"}, "resolution"),
        ({"first_response": "0"}, "first_response"),
        ({"resolution": "366"}, "resolution"),
        ({"resolution": "abc"}, "resolution"),
        ({"resolution_unit": "weeks"}, "resolution_unit"),
        ({"first_response": "", "resolution": ""}, "first_response"),
        ({"warning_percent": "250"}, "warning_percent"),
        ({"warning_percent": ""}, "warning_percent"),
        ({"categories": ["nonsense"]}, "categories"),
        ({"business_time": "on"}, "calendar"),
        ({"calendar": "999999"}, "calendar"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_input_is_a_form_error_and_stores_nothing(client, supervisor, complaint, overrides, field):
    """Negative, zero or year-plus targets, no target, a warning outside 1–99, unknown codes, business time
    without a calendar: a 400 with the error next to its field, never a 500."""
    client.force_login(supervisor)

    response = client.post("/manage/sla/new/", _post(**overrides))

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not SlaPolicy.objects.exists()


def test_switching_a_policy_off_with_htmx_returns_its_row(client, supervisor):
    policy = SlaPolicyFactory(name="标准")
    client.force_login(supervisor)

    response = client.post(
        f"/manage/sla/{policy.pk}/active/", {"active": "0"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith(f'<tr id="sla-policy-{policy.pk}"') and "Switch on" in html
    policy.refresh_from_db()
    assert not policy.is_active


def test_switching_a_policy_on_without_htmx_goes_back_to_the_list(client, supervisor):
    policy = SlaPolicyFactory(is_active=False)
    client.force_login(supervisor)

    response = client.post(f"/manage/sla/{policy.pk}/active/", {"active": "1"})

    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.is_active


def test_moving_a_policy_down_changes_the_order(client, supervisor):
    first = SlaPolicyFactory(position=10)
    second = SlaPolicyFactory(position=20)
    client.force_login(supervisor)

    response = client.post(f"/manage/sla/{first.pk}/move/", {"direction": "down"})

    assert response.status_code == 302
    assert list(SlaPolicy.objects.all()) == [second, first]


def test_deleting_an_unused_policy(client, supervisor):
    policy = SlaPolicyFactory()
    client.force_login(supervisor)

    response = client.post(f"/manage/sla/{policy.pk}/delete/")

    assert response.status_code == 302 and response["Location"] == "/manage/sla/"
    assert not SlaPolicy.objects.exists()


def test_deleting_a_policy_in_use_is_refused_with_a_message(client, supervisor, customer):
    policy = SlaPolicyFactory()
    apply_policy(ticket=TicketFactory(customer=customer))
    client.force_login(supervisor)

    response = client.post(f"/manage/sla/{policy.pk}/delete/", follow=True)

    assert SlaPolicy.objects.filter(pk=policy.pk).exists()
    assert "switch it off instead" in response.content.decode()


@pytest.mark.parametrize("action", ["active", "move", "delete"])
def test_agents_may_not_change_policies(client, agent, action):
    """The write endpoints refuse anyone without manage_configuration, and change nothing."""
    policy = SlaPolicyFactory(position=5)
    client.force_login(agent)

    response = client.post(f"/manage/sla/{policy.pk}/{action}/", {"active": "0", "direction": "down"})

    assert response.status_code == 403
    policy.refresh_from_db()
    assert policy.is_active and policy.position == 5


def test_the_chinese_page_is_translated(supervisor):
    SlaPolicyFactory()
    client = Client(headers={"Accept-Language": "zh-hans"})
    client.force_login(supervisor)

    html = client.get("/manage/sla/").content.decode()

    assert "SLA 策略" in html and "首次响应" in html
