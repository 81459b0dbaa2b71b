"""Phone lines under /manage/phone/: who manages configuration creates and edits them, sees the webhook
URL and an example, and the secret once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kefu.audit.models import AuditEntry
from kefu.connectors.phone.models import PhoneLine

pytestmark = pytest.mark.django_db


def _form(**overrides) -> dict:
    return {
        "name": "Hotline",
        "number": "400-800-1234",
        "team": "",
        "extensions": "",
        "active": "on",
    } | overrides


@pytest.mark.parametrize("persona", ["agent", "outsider"])
def test_people_without_configuration_rights_get_403(client, persona, request, line):
    client.force_login(request.getfixturevalue(persona))
    for url in (
        reverse("phone_channel:lines"),
        reverse("phone_channel:line_create"),
        reverse("phone_channel:line_edit", args=[line.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("phone_channel:line_create"), _form(name="X")).status_code == 403
    assert client.post(reverse("phone_channel:line_secret", args=[line.pk])).status_code == 403
    assert client.post(reverse("phone_channel:line_delete", args=[line.pk])).status_code == 403
    assert PhoneLine.objects.count() == 1


def test_anonymous_visitors_go_to_the_login_page(client):
    response = client.get(reverse("phone_channel:lines"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_supervisor_creates_a_line_and_sees_its_url_and_secret_once(client, supervisor, agent, front_line):
    client.force_login(supervisor)
    response = client.post(
        reverse("phone_channel:line_create"),
        _form(team=str(front_line.pk), extensions=f"801 = {agent.username}\n\n802={supervisor.username}"),
    )
    line = PhoneLine.objects.get()
    assert response.status_code == 302
    assert line.team == front_line
    assert line.extensions == {"801": agent.pk, "802": supervisor.pk}
    assert AuditEntry.objects.filter(action="phone_line.create").exists()
    page = client.get(response["Location"]).content.decode()
    url = f"http://testserver/connectors/phone/{line.key}/events/"
    assert url in page
    assert "curl -X POST" in page and "X-Kefu-Signature" in page
    assert line.secret in page
    again = client.get(response["Location"]).content.decode()
    assert url in again and line.secret not in again
    assert f"801 = {agent.username}" in again


def test_the_list_shows_each_line_with_its_webhook_url(client, supervisor, line, django_assert_num_queries):
    """Given one line, then three, the list shows each with its webhook URL (never the secret), in the
    same number of queries."""
    client.force_login(supervisor)
    html = client.get(reverse("phone_channel:lines")).content.decode()
    assert f"/connectors/phone/{line.key}/events/" in html
    assert line.secret not in html
    with CaptureQueriesContext(connection) as one_line:
        client.get(reverse("phone_channel:lines"))
    PhoneLine.objects.create(name="Sales", number="400-1")
    PhoneLine.objects.create(name="Support", number="400-2")
    with django_assert_num_queries(len(one_line)):
        html = client.get(reverse("phone_channel:lines")).content.decode()
    assert "Hotline" in html and "Sales" in html and "Support" in html


def test_unknown_agents_and_bad_lines_are_refused(client, supervisor):
    client.force_login(supervisor)
    response = client.post(reverse("phone_channel:line_create"), _form(extensions="801 = nobody"))
    assert response.status_code == 400
    assert "nobody" in response.content.decode()
    response = client.post(reverse("phone_channel:line_create"), _form(extensions="801 nobody"))
    assert response.status_code == 400
    response = client.post(reverse("phone_channel:line_create"), _form(number="call us"))
    assert response.status_code == 400
    assert not PhoneLine.objects.exists()


def test_a_duplicate_name_is_refused_on_the_field(client, supervisor, line):
    client.force_login(supervisor)
    response = client.post(reverse("phone_channel:line_create"), _form(name="Hotline"))
    assert response.status_code == 400
    assert PhoneLine.objects.count() == 1


def test_editing_keeps_the_key_and_secret(client, supervisor, line):
    key, secret = line.key, line.secret
    client.force_login(supervisor)
    response = client.post(reverse("phone_channel:line_edit", args=[line.pk]), _form(name="Hotline 2"))
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.name, line.key, line.secret, line.extensions) == ("Hotline 2", key, secret, {})


def test_a_new_secret_is_shown_once(client, supervisor, line):
    old = line.secret
    client.force_login(supervisor)
    response = client.post(reverse("phone_channel:line_secret", args=[line.pk]))
    line.refresh_from_db()
    assert line.secret != old
    assert line.secret in client.get(response["Location"]).content.decode()


def test_the_manage_menu_links_phone_lines(client, supervisor, agent):
    client.force_login(supervisor)
    assert reverse("phone_channel:lines") in client.get(reverse("administration:home")).content.decode()
