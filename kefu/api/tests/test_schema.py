"""The OpenAPI schema is valid and complete; the docs page works offline and under the site's CSP."""

import io
import re

import pytest
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api) -> dict:
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_schema_is_valid_openapi_3(schema):
    validate_schema(schema)  # raises on any violation of the OpenAPI 3 JSON schema

    assert schema["openapi"].startswith("3.")


def test_schema_generates_without_warnings():
    """Every view tells drf-spectacular what it takes and returns: no guessing, no fallbacks."""
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=io.StringIO())


def test_schema_documents_every_resource_of_version_1(schema):
    paths = set(schema["paths"])

    assert {
        "/api/v1/tickets/",
        "/api/v1/tickets/{id}/",
        "/api/v1/tickets/{ticket_pk}/messages/",
        "/api/v1/customers/",
        "/api/v1/customers/{id}/",
        "/api/v1/users/",
        "/api/v1/teams/",
        "/api/v1/attachments/{id}/download/",
    } <= paths
    assert "put" not in schema["paths"]["/api/v1/tickets/{id}/"]


def test_schema_documents_token_auth_and_the_idempotency_key_on_every_post(schema):
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
    posts = [op for item in schema["paths"].values() for method, op in item.items() if method == "post"]
    assert len(posts) >= 3
    for op in posts:
        assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in op.get("parameters", []))


def test_schema_is_for_staff_only(api_for, customer_user):
    assert api_for(None).get("/api/schema/").status_code == 401
    assert api_for(customer_user).get("/api/schema/").status_code == 403


def test_docs_page_serves_swagger_ui_from_our_static_files_with_csp_nonces(client, agent):
    client.force_login(agent)

    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    scripts = re.findall(r"<script([^>]*)>", html)
    assert len(scripts) == 3
    assert all(f'nonce="{nonce}"' in attrs for attrs in scripts)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "googleapis" not in html
    assert "/api/schema/" in html


def test_swagger_ui_assets_are_served_locally(client):
    for name in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        response = client.get(f"/static/drf_spectacular_sidecar/swagger-ui-dist/{name}")
        assert response.status_code == 200, name


def test_docs_page_sends_a_signed_out_visitor_to_log_in_and_refuses_customers(client, customer_user):
    signed_out = client.get("/api/docs/")
    client.force_login(customer_user)
    customer = client.get("/api/docs/")

    assert signed_out.status_code in (302, 401)
    if signed_out.status_code == 302:
        assert "next=/api/docs/" in signed_out["Location"]
    assert customer.status_code == 403
