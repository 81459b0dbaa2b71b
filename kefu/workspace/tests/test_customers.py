"""Customer pages: search, profile with masked contact data, audited reveal, notes and creation."""

import pytest
from django.urls import reverse

from kefu.audit.models import AuditEntry
from kefu.customers.models import Customer
from kefu.tests.factories import CustomerFactory, TicketFactory
from kefu.tests.factories import add_identity as add_identity_row

from .conftest import HTMX

pytestmark = pytest.mark.django_db
LIST = reverse("workspace:customers")


def detail(customer) -> str:
    return reverse("workspace:customer", args=[customer.pk])


def test_list_searches_names_and_masks_contacts(login, agent, customer, other_customer):
    response = login(agent).get(LIST, {"q": "陈"})

    body = response.content.decode()
    assert customer.name in body
    assert other_customer.name not in body
    assert "c***@example.com" in body
    assert "chen@example.com" not in body


def test_exact_email_or_phone_finds_the_customer(login, agent, customer, other_customer):
    add_identity_row(customer, "phone", "13812345678")
    client = login(agent)

    by_email = client.get(LIST, {"q": "CHEN@example.com"}).content.decode()
    by_phone = client.get(LIST, {"q": "+86 138-1234-5678"}).content.decode()
    partial = client.get(LIST, {"q": "chen@"}).content.decode()

    assert customer.name in by_email and other_customer.name not in by_email
    assert customer.name in by_phone and "138****5678" in by_phone
    assert customer.name not in partial


def test_list_over_htmx_returns_the_results_partial(login, agent, customer):
    response = login(agent).get(LIST, {"q": "陈"}, **HTMX)

    assert response.content.decode().lstrip().startswith('<div id="customer-results"')


def test_bad_list_params_are_400(login, agent):
    assert login(agent).get(LIST, {"page": "abc"}).status_code == 400


def test_list_query_count_is_flat(login, agent, django_assert_max_num_queries):
    for _ in range(30):
        CustomerFactory()
    client = login(agent)

    with django_assert_max_num_queries(8):
        response = client.get(LIST)
    assert response.content.decode().count("data-queue-row") == 30


def test_detail_masks_pii_for_an_agent_and_lists_only_visible_tickets(
    login, agent, customer, front_line, other_team
):
    visible = TicketFactory(customer=customer, team=front_line, subject="能看到的工单")
    hidden = TicketFactory(customer=customer, team=other_team, subject="看不到的工单")

    body = login(agent).get(detail(customer)).content.decode()

    assert "c***@example.com" in body and "chen@example.com" not in body
    assert "Reveal contact data" not in body
    assert visible.subject in body and hidden.subject not in body


def test_agent_may_not_reveal_pii(login, agent, customer):
    response = login(agent).post(reverse("workspace:customer_reveal", args=[customer.pk]), **HTMX)

    assert response.status_code == 403
    assert "chen@example.com" not in response.content.decode()
    assert not AuditEntry.objects.filter(action="customer.view_pii").exists()


def test_supervisor_reveal_shows_full_values_and_is_audited(login, supervisor, customer):
    response = login(supervisor).post(reverse("workspace:customer_reveal", args=[customer.pk]), **HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<div id="identities-{customer.pk}"')
    assert "chen@example.com" in body
    entry = AuditEntry.objects.get(action="customer.view_pii")
    assert (entry.actor, entry.object_id) == (supervisor, str(customer.pk))


def test_reveal_without_htmx_renders_the_profile_in_full(login, supervisor, customer):
    response = login(supervisor).post(reverse("workspace:customer_reveal", args=[customer.pk]))

    assert response.status_code == 200
    assert "chen@example.com" in response.content.decode()


def test_notes_and_profile_are_saved_and_audited(login, agent, customer):
    response = login(agent).post(
        reverse("workspace:customer_edit", args=[customer.pk]),
        {
            "name": "陈女士",
            "tier": "vip",
            "language": "zh-hans",
            "tags": "老客户, 回购",
            "notes": "喜欢电话联系",
        },
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.tier, customer.tags, customer.notes) == (
        "陈女士",
        "vip",
        ["老客户", "回购"],
        "喜欢电话联系",
    )
    assert AuditEntry.objects.filter(action="customer.update", object_id=str(customer.pk)).exists()


def test_bad_profile_input_is_shown_next_to_the_field(login, agent, customer):
    response = login(agent).post(
        reverse("workspace:customer_edit", args=[customer.pk]),
        {"name": "", "tier": "platinum", "language": "zh-hans"},
    )

    assert response.status_code == 400
    customer.refresh_from_db()
    assert customer.name == "陈小姐"


def test_create_customer(login, agent):
    response = login(agent).post(
        reverse("workspace:customer_new"),
        {
            "name": "刘先生",
            "email": "liu@example.com",
            "phone": "13900001111",
            "tier": "normal",
            "language": "zh-hans",
        },
    )

    created = Customer.objects.get(name="刘先生")
    assert response.status_code == 302
    assert response["Location"] == detail(created)
    assert sorted(created.identities.values_list("kind", flat=True)) == ["email", "phone"]


def test_create_customer_with_someone_elses_email_says_so(login, agent, customer):
    response = login(agent).post(
        reverse("workspace:customer_new"),
        {"name": "冒名", "email": "chen@example.com", "tier": "normal", "language": "zh-hans"},
    )

    assert response.status_code == 400
    assert "already belongs to another customer" in response.content.decode()
    assert not Customer.objects.filter(name="冒名").exists()


def test_unknown_customer_is_404(login, agent):
    assert login(agent).get("/agent/customers/987654/").status_code == 404


def test_roles_without_customer_access_get_403(login, db):
    from kefu.tests.factories import UserFactory

    nobody = UserFactory(roles=[])

    assert login(nobody).get(LIST).status_code == 403
