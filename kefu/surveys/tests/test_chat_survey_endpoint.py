"""/chat/survey/<site_key>/: the widget's rating of an ended chat, authenticated by the visitor's signed token
like the upload endpoint; refusals are JSON with a status (400, 403, 404, 429), never a 500."""

import pytest
from django.urls import reverse

from kefu.chat.tests.factories import ChatSiteFactory
from kefu.connectors.webchat import throttle
from kefu.connectors.webchat.consumers import make_token
from kefu.surveys.models import Survey, SurveySource

from .chats import answered_chat, end

pytestmark = pytest.mark.django_db

ORIGIN = "https://shop.example.com"


@pytest.fixture
def site(db):
    return ChatSiteFactory(allowed_origins=[ORIGIN])


@pytest.fixture
def ended(site, agent):
    return end(answered_chat(site, agent, visitor_id="v1"), actor=agent)


def rate(client, site, *, origin: str = ORIGIN, **data):
    return client.post(reverse("webchat:survey", args=[site.key]), data, headers={"origin": origin})


def test_the_visitor_rates_the_chat_with_a_comment(client, site, ended, agent):
    response = rate(
        client, site, token=make_token(site, "v1"), conversation=ended.pk, csat="5", comment="很专业"
    )

    assert response.status_code == 200 and response.json() == {"answered": True}
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    survey = Survey.objects.get()
    assert (survey.csat, survey.comment, survey.source, survey.agent_id) == (
        5,
        "很专业",
        SurveySource.CHAT,
        agent.pk,
    )


def test_another_visitors_token_is_refused(client, site, ended):
    response = rate(client, site, token=make_token(site, "someone-else"), conversation=ended.pk, csat="1")

    assert response.status_code == 404 and response.json()["error"] == "not_found"
    assert not Survey.objects.answered().exists()


def test_a_forged_or_missing_token_and_a_foreign_origin_are_refused(client, site, ended):
    forged = make_token(site, "v1")[:-2] + "xx"
    assert rate(client, site, token=forged, conversation=ended.pk, csat="5").status_code == 403
    assert rate(client, site, conversation=ended.pk, csat="5").status_code == 403
    foreign = rate(client, site, origin="https://evil.example", token=make_token(site, "v1"), csat="5")
    assert foreign.status_code == 403
    assert not Survey.objects.answered().exists()


@pytest.mark.parametrize(
    "data",
    [
        {"csat": "9"},
        {"csat": "abc"},
        {"csat": ""},
        {},
        {"csat": "4", "comment": "x" * 2001},
    ],
)
def test_bad_input_is_a_400_with_a_message(client, site, ended, data):
    response = rate(client, site, token=make_token(site, "v1"), conversation=ended.pk, lang="en", **data)

    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid" and body["message"] and body["field"] in {"csat", "comment"}


def test_a_conversation_that_is_no_number_is_a_404_not_a_500(client, site, ended):
    for conversation in ("abc", "-1", "9" * 40, ""):
        response = rate(client, site, token=make_token(site, "v1"), conversation=conversation, csat="5")
        assert response.status_code == 404


def test_ratings_count_against_the_visitors_rate_limit(client, site, ended, monkeypatch):
    monkeypatch.setattr(throttle, "LIMIT", 2)
    token = make_token(site, "v1")

    statuses = [
        rate(client, site, token=token, conversation=ended.pk, csat="4").status_code for _ in range(3)
    ]

    assert statuses == [200, 200, 429]
    assert (
        rate(client, site, token=make_token(site, "v2"), conversation=ended.pk, csat="4").status_code == 404
    )


def test_the_preflight_is_answered_for_an_allowed_origin(client, site):
    response = client.options(reverse("webchat:survey", args=[site.key]), headers={"origin": ORIGIN})

    assert response.status_code == 204 and response["Access-Control-Allow-Origin"] == ORIGIN
