"""Who may open the /manage/ pages: supervisors and admins; agents and outsiders get 403."""

import pytest

from kefu.accounts import roles
from kefu.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/manage/",
    "/manage/users/",
    "/manage/users/new/",
    "/manage/teams/",
    "/manage/teams/new/",
    "/manage/categories/",
    "/manage/priorities/new/",
    "/manage/tags/",
    "/manage/macros/",
    "/manage/macros/new/",
    "/manage/fields/",
    "/manage/fields/new/",
    "/manage/audit/",
    "/manage/calendars/",
    "/manage/calendars/new/",
    "/manage/sla/",
    "/manage/sla/new/",
]


@pytest.mark.parametrize("url", PAGES)
def test_supervisor_opens_every_manage_page(client, supervisor, url):
    client.force_login(supervisor)

    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_agents_and_outsiders_are_refused_every_manage_page(client, agent, outsider, url):
    for user in (agent, outsider):
        client.force_login(user)

        assert client.get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.get("/manage/users/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/manage/users/")


def test_customers_are_refused(client, customer_user):
    client.force_login(customer_user)

    assert client.get("/manage/").status_code == 403


def test_tech_support_supervisor_reads_the_audit_log_but_manages_nothing(client, db):
    lead = UserFactory(roles=[roles.TECH_SUPPORT_SUPERVISOR])
    client.force_login(lead)

    assert client.get("/manage/audit/").status_code == 200
    assert client.get("/manage/users/").status_code == 403
    assert client.get("/manage/categories/").status_code == 403


def test_unknown_sections_are_404(client, supervisor):
    client.force_login(supervisor)

    assert client.get("/manage/nonsense/").status_code == 404


def test_manage_link_shows_only_for_managers(client, supervisor, agent):
    client.force_login(agent)
    agent_page = client.get("/accounts/profile/").content.decode()
    client.force_login(supervisor)
    supervisor_page = client.get("/accounts/profile/").content.decode()

    assert 'href="/manage/"' not in agent_page
    assert 'href="/manage/"' in supervisor_page
