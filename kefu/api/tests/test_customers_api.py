"""The customers endpoint: personal data masked by default, revealed only with the permission and audited."""

import pytest

from kefu.audit.models import AuditEntry
from kefu.customers.models import Customer, Organization
from kefu.tests.factories import CustomerFactory, UserFactory, add_identity

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers/"


@pytest.fixture
def chen(customer):
    add_identity(customer, "phone", "13812345678")
    Customer.objects.filter(pk=customer.pk).update(id_number="110101199001011234")
    customer.refresh_from_db()
    return customer


def test_list_masks_phones_and_emails(api, chen):
    row = api.get(URL).json()["results"][0]

    assert row["email"] == "c***@example.com"
    assert row["phone"] == "138****5678"
    assert row["id_number"] == "110***********1234"
    assert {i["value"] for i in row["identities"]} == {"c***@example.com", "138****5678"}
    assert row["revealed"] is False


@pytest.mark.parametrize("rows", [5, 50])
def test_list_runs_a_constant_number_of_queries(rows, api, django_assert_max_num_queries):
    organization = Organization.objects.create(name="华为")
    for _ in range(rows):
        CustomerFactory(organization=organization)

    with django_assert_max_num_queries(5):
        response = api.get(URL, {"page_size": rows})

    assert len(response.json()["results"]) == rows


def test_filter_by_exact_email_finds_the_customer_without_storing_it_in_clear(api, chen, other_customer):
    response = api.get(URL, {"email": " Chen@Example.com "})

    assert [row["id"] for row in response.json()["results"]] == [chen.pk]


def test_retrieve_masks_by_default_and_records_no_look(api_for, supervisor, chen):
    data = api_for(supervisor).get(f"{URL}{chen.pk}/").json()

    assert data["phone"] == "138****5678"
    assert not AuditEntry.objects.filter(action="customer.view_pii").exists()


def test_reveal_shows_full_values_to_a_permitted_user_and_is_audited(api_for, supervisor, chen):
    data = api_for(supervisor).get(f"{URL}{chen.pk}/", {"reveal": "true"}).json()

    assert (data["email"], data["phone"], data["id_number"]) == (
        "chen@example.com",
        "13812345678",
        "110101199001011234",
    )
    assert data["revealed"] is True
    assert AuditEntry.objects.filter(
        action="customer.view_pii", actor=supervisor, object_id=str(chen.pk)
    ).exists()


def test_reveal_without_the_permission_is_403_and_shows_nothing(api, chen):
    response = api.get(f"{URL}{chen.pk}/", {"reveal": "true"})

    assert response.status_code == 403
    assert "138" not in response.content.decode()


def test_reveal_on_the_list_is_refused(api_for, supervisor, api, chen):
    assert api_for(supervisor).get(URL, {"reveal": "true"}).status_code == 400
    assert api.get(URL, {"reveal": "true"}).status_code == 403


def test_reveal_flag_must_be_true_or_false(api_for, supervisor, chen):
    response = api_for(supervisor).get(f"{URL}{chen.pk}/", {"reveal": "perhaps"})

    assert response.status_code == 400
    assert "reveal" in response.json()


def test_agent_adds_a_customer(api, agent):
    organization = Organization.objects.create(name="阿里巴巴")

    response = api.post(
        URL,
        {
            "name": "周先生",
            "email": "zhou@example.com",
            "phone": "139 0000 1111",
            "tier": "vip",
            "organization": organization.pk,
            "tags": ["大客户"],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["name"], data["tier"], data["organization"]["name"]) == ("周先生", "vip", "阿里巴巴")
    assert data["phone"] == "139****1111"
    customer = Customer.objects.get(pk=data["id"])
    assert (customer.email, customer.phone) == ("zhou@example.com", "13900001111")
    assert AuditEntry.objects.filter(
        action="customer.create", actor=agent, object_id=str(customer.pk)
    ).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "a@b.cn"}, "name"),
        ({"name": "x", "email": "not-an-email"}, "email"),
        ({"name": "x", "phone": "12"}, "phone"),
        ({"name": "x", "tier": "gold"}, "tier"),
        ({"name": "x", "organization": 424242}, "organization"),
        ({"name": "x", "language": "klingon"}, "language"),
        ({"name": "x", "email": "chen@example.com"}, "email"),  # belongs to another customer
        ({"name": "x", "tags": [{"a": 1}]}, "tags"),
    ],
)
def test_bad_customer_input_is_400_with_the_field_named(api, customer, body, field):
    before = Customer.objects.count()

    response = api.post(URL, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Customer.objects.count() == before


def test_patch_changes_the_profile_and_is_audited(api, agent, chen):
    response = api.patch(
        f"{URL}{chen.pk}/",
        {"tier": "svip", "notes": "重要", "id_number": "110101199001019999"},
        format="json",
    )

    assert response.status_code == 200
    assert (response.json()["tier"], response.json()["id_number"]) == ("svip", "110***********9999")
    entry = AuditEntry.objects.get(action="customer.update", object_id=str(chen.pk))
    assert entry.changes["id_number"] == ["***", "***"]  # the audit trail does not hold the number either


def test_patch_with_a_blank_name_is_400(api, chen):
    assert api.patch(f"{URL}{chen.pk}/", {"name": "  "}, format="json").status_code == 400


def test_read_only_role_sees_customers_but_cannot_add_or_change_them(api_for, chen):
    analyst = UserFactory(roles=["analyst"])
    client = api_for(analyst)

    assert client.get(f"{URL}{chen.pk}/").status_code == 200
    assert client.post(URL, {"name": "x"}, format="json").status_code == 403
    assert client.patch(f"{URL}{chen.pk}/", {"name": "y"}, format="json").status_code == 403
