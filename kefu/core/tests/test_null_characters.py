"""An address with a null character is refused with a clear 400 (PostgreSQL cannot compare text holding one)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/portal/help/search/?q=a%00b",
        "/manage/users/?q=%00",
        "/survey/abc%00def/",
        "/chat/demo/?site=%00",
        "/agent/?q%00=x",
    ],
)
def test_a_null_character_in_the_path_or_query_is_a_clear_400(client, url):
    response = client.get(url, headers={"Accept-Language": "en"})

    assert response.status_code == 400
    assert "null character" in response.content.decode()


def test_the_refusal_reads_in_the_visitors_language(client):
    response = client.get("/portal/help/search/?q=%00", headers={"Accept-Language": "zh-hans"})

    assert response.status_code == 400
    assert "空字符" in response.content.decode()


def test_the_api_refuses_it_as_json(client):
    response = client.get("/api/v1/tickets/?q=%00", headers={"Accept-Language": "en"})

    assert response.status_code == 400
    assert "null character" in response.json()["detail"]


def test_an_htmx_request_gets_the_message_in_the_flash_area(client, agent):
    client.force_login(agent)

    response = client.get("/agent/?q=%00", headers={"HX-Request": "true"})

    assert response.status_code == 400
    assert response["HX-Retarget"] == "#flash"


def test_an_ordinary_percent_sign_is_no_null_character(client):
    assert client.get("/portal/help/search/?q=100%25").status_code == 200
