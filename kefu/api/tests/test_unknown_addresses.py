"""Addresses under /api/ that match no resource answer with the API's JSON 404, never the site's HTML page."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/v1/tickets/abc/", "/api/v1/tickets/²/", "/api/v1/nothing-here/", "/api/v2/tickets/"]
)
def test_an_unknown_address_or_a_non_numeric_id_is_a_json_404(api_for, agent, path):
    response = api_for(agent).get(path, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not found."}


@pytest.mark.django_db
def test_the_json_404_is_in_the_requests_language_and_answers_every_method(client):
    response = client.post(
        "/api/v1/tickets/abc/", data="{}", content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert response.status_code == 404
    assert response.json()["detail"] == "未找到。"


@pytest.mark.django_db
def test_a_missing_trailing_slash_is_still_redirected_to_the_resource(api_for, agent):
    response = api_for(agent).get("/api/v1/tickets", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 301 and response["Location"].endswith("/api/v1/tickets/")
