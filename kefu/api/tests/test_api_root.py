"""`/api/v1/` answers with where each resource lives, for staff; others get the API's usual refusal."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_root_lists_every_resource_the_schema_and_the_docs(api_for, agent):
    response = api_for(agent).get("/api/v1/")

    assert response.status_code == 200
    listed = response.json()
    assert listed["tickets"] == "http://testserver/api/v1/tickets/"
    assert listed["quality/reviews"] == "http://testserver/api/v1/quality/reviews/"
    assert listed["schema"] == "http://testserver/api/schema/" and listed["docs"] == "http://testserver/api/docs/"
    for url in listed.values():  # every address it names answers
        assert api_for(agent).get(url).status_code == 200


def test_the_root_is_refused_to_a_signed_out_client_and_a_customer(client, api_for, customer_user):
    assert client.get("/api/v1/").status_code in (401, 403)
    assert api_for(customer_user).get("/api/v1/").status_code == 403
