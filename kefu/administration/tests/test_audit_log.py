"""The audit log page: newest first, filtered, paged without counting the whole table."""

import pytest

from kefu.accounts import services
from kefu.audit.models import AuditEntry
from kefu.audit.services import record

pytestmark = pytest.mark.django_db


def test_audit_log_lists_changes_newest_first_with_old_and_new_values(client, supervisor, agent):
    services.update_user(actor=supervisor, user=agent, values={"display_name": "王芳芳"})
    client.force_login(supervisor)

    response = client.get("/manage/audit/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "user.update" in html and "王芳芳" in html and "<del>王芳</del>" in html


def test_audit_log_filters_by_object_type_and_actor(client, supervisor, agent, ticket):
    services.update_user(actor=supervisor, user=agent, values={"display_name": "A"})
    record(actor=agent, action="ticket.update", obj=ticket, changes={"status": ["new", "open"]})
    client.force_login(supervisor)

    by_type = client.get("/manage/audit/?type=tickets.ticket").context["rows"]
    by_actor = client.get("/manage/audit/?actor=supervisor").context["rows"]

    assert {e.action for e, _t, _a, _c in by_type} == {"ticket.update"}
    assert {e.actor_id for e, _t, _a, _c in by_actor} == {supervisor.pk}


def test_audit_log_pages_by_id_with_a_fixed_number_of_queries(
    client, supervisor, agent, django_assert_max_num_queries
):
    for n in range(60):
        record(actor=agent, action="user.update", obj=agent, changes={"n": [n, n + 1]})
    client.force_login(supervisor)

    with django_assert_max_num_queries(8):
        first = client.get("/manage/audit/")
    second = client.get(f"/manage/audit/?{first.context['next_query']}")

    assert first.context["has_more"] and len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == AuditEntry.objects.count() - 50
    assert not second.context["has_more"]


def test_odd_changes_do_not_break_the_page(client, supervisor, agent):
    record(actor=None, action="customer.view_pii", obj=agent, changes={"fields": ["phone"], "note": "x"})
    client.force_login(supervisor)

    assert client.get("/manage/audit/").status_code == 200


@pytest.mark.parametrize("before", ["²", "abc", "9" * 30, "-1"])
def test_a_malformed_page_marker_shows_the_newest_entries(client, supervisor, agent, before):
    """"²" passes `str.isdigit()` but not `int()`: a bad `before` is ignored (the first page), never a 500."""
    services.update_user(actor=supervisor, user=agent, values={"display_name": "王芳芳"})
    client.force_login(supervisor)

    response = client.get("/manage/audit/", {"before": before})

    assert response.status_code == 200
    assert [e.action for e, _t, _a, _c in response.context["rows"]] == ["user.update"]
