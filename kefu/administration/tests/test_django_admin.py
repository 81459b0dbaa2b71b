"""The Django admin: superusers only, masked personal data, audited edits, lists that stay fast."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.audit.models import AuditEntry
from kefu.tests.factories import CustomerFactory, TicketFactory, add_identity

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/admin/tickets/ticket/", "/admin/customers/customer/"])
def test_big_changelists_run_a_constant_number_of_queries(client, admin_user, front_line, agent, url):
    TicketFactory(team=front_line, assignee=agent)
    client.force_login(admin_user)
    few = _queries(client, url)

    for _n in range(20):
        TicketFactory(team=front_line, assignee=agent)
    many = _queries(client, url)

    assert many == few


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/team/",
        "/admin/tickets/message/",
        "/admin/tickets/macro/",
        "/admin/tickets/category/",
        "/admin/audit/auditentry/",
        "/admin/api/idempotencykey/",
        "/admin/customers/organization/",
        "/admin/tickets/customfield/",
        "/admin/tickets/priority/",
        "/admin/tickets/tag/",
        "/admin/accounts/user/add/",
        "/admin/tickets/ticket/add/",
        "/admin/customers/customer/add/",
        "/admin/authtoken/tokenproxy/",
    ],
)
def test_every_admin_list_loads_for_a_superuser(client, admin_user, ticket, url):
    client.force_login(admin_user)

    assert client.get(url).status_code == 200


def test_ticket_and_customer_change_pages_load(client, admin_user, ticket):
    client.force_login(admin_user)

    assert client.get(f"/admin/tickets/ticket/{ticket.pk}/change/").status_code == 200
    assert client.get(f"/admin/customers/customer/{ticket.customer.pk}/change/").status_code == 200
    assert client.get(f"/admin/accounts/user/{admin_user.pk}/change/").status_code == 200


def test_staff_without_superuser_cannot_enter_the_django_admin(client, supervisor, agent):
    for user in (supervisor, agent):
        client.force_login(user)

        response = client.get("/admin/tickets/ticket/")

        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_customer_personal_data_is_masked_in_the_admin(client, admin_user):
    customer = CustomerFactory(name="周先生", email="zhou.xiansheng@example.com")
    add_identity(customer, "phone", "13812345678")
    customer.id_number = "110101199003071234"
    customer.save()
    client.force_login(admin_user)

    html = client.get(f"/admin/customers/customer/{customer.pk}/change/").content.decode()
    listing = client.get("/admin/customers/customer/").content.decode()

    for page in (html, listing):
        assert "13812345678" not in page and "zhou.xiansheng@example.com" not in page
    assert "138****5678" in html and "z***@example.com" in html
    assert "110101199003071234" not in html and "110***********1234" in html


def test_admin_edits_are_written_to_the_audit_log(client, admin_user, ticket, other_team):
    client.force_login(admin_user)
    url = f"/admin/accounts/team/{other_team.pk}/change/"

    response = client.post(
        url,
        {
            "name": "技术支持二组",
            "name_en": "Tech support",
            "description": "",
            "lead": "",
            "members": "",
            "is_default": "",
        },
    )

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="team.admin_change", object_id=str(other_team.pk))
    assert entry.actor == admin_user
    assert entry.changes["name"] == ["技术支持组", "技术支持二组"]


def test_audit_entries_cannot_be_changed_in_the_admin(client, admin_user, ticket):
    entry = AuditEntry.objects.create(action="x", object_type="tickets.ticket", object_id=str(ticket.pk))
    client.force_login(admin_user)

    response = client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"action": "y"})
    deleted = client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"})

    entry.refresh_from_db()
    assert entry.action == "x"
    assert response.status_code == 403
    assert deleted.status_code == 403
