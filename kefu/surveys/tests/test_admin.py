"""Surveys in the Django admin: listed and viewable read-only, without the customer's link token."""

import pytest

from .helpers import make_survey

pytestmark = pytest.mark.django_db


def test_admin_lists_and_shows_surveys_read_only_without_the_token(client, admin_user, ticket):
    survey = make_survey(
        ticket, csat=5, nps=10, comment="很好", answered_at=ticket.created_at, token="secret-link"
    )
    client.force_login(admin_user)

    listing = client.get("/admin/surveys/survey/", {"q": str(ticket.pk)})
    detail = client.get(f"/admin/surveys/survey/{survey.pk}/change/")

    assert listing.status_code == 200 and detail.status_code == 200
    assert "很好" in detail.content.decode()
    assert "secret-link" not in listing.content.decode() + detail.content.decode()
    assert client.get("/admin/surveys/survey/add/").status_code == 403
