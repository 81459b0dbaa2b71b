"""`GET /api/v1/tickets/?q=`: the ticket search index (subject and messages), within what the user may see."""

import pytest

from kefu.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_q_finds_words_of_the_messages_in_chinese_and_english(api, customer, front_line):
    parcel = TicketFactory(customer=customer, team=front_line, subject="咨询", first_message="包裹 tracking 丢失")
    TicketFactory(customer=customer, team=front_line, subject="咨询", first_message="修改地址")

    assert ids(api.get(URL, {"q": "丢失"})) == [parcel.pk]
    assert ids(api.get(URL, {"q": "Tracking 包裹"})) == [parcel.pk]


def test_q_never_reaches_tickets_of_other_teams(api_for, outsider, customer, front_line, other_team_ticket):
    TicketFactory(customer=customer, team=front_line, subject="Server invoice", first_message="发票")

    assert ids(api_for(outsider).get(URL, {"q": "发票"})) == []
    assert ids(api_for(outsider).get(URL, {"q": "server"})) == [other_team_ticket.pk]
