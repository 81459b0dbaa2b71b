"""The public survey page: no login, the link's token only; shows the ticket's number and subject and
nothing else of the customer; answers are range-checked, may be changed for 7 days, then the link closes."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client

from kefu.core import clock
from kefu.surveys.models import Survey

from .helpers import solve

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(ticket, agent) -> Survey:
    solve(ticket, agent)
    return Survey.objects.get(ticket=ticket)


def url(survey: Survey) -> str:
    return f"/survey/{survey.token}/"


def test_the_page_asks_both_questions_and_shows_only_number_and_subject(client, survey, ticket, customer):
    response = client.get(url(survey))

    page = response.content.decode()
    assert response.status_code == 200
    assert f"#{ticket.pk}" in page and ticket.subject in page
    assert "您对本次服务满意吗？" in page and "您向朋友推荐我们的可能性有多大？" in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert customer.name not in page and "chen@example.com" not in page  # no other customer data
    assert "王芳" not in page  # nor who worked the ticket


def test_an_english_customer_gets_the_page_in_english(client, survey, customer):
    Survey.objects.filter(pk=survey.pk).update(language="en")

    page = client.get(url(survey), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()

    assert "How satisfied are you with the service?" in page
    assert "How likely are you to recommend us to a friend?" in page
    assert "5 · Very satisfied" in page and "非常满意" not in page  # the score labels follow too


def test_a_language_the_visitor_picked_wins_over_the_customers(client, survey):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(url(survey)).content.decode()

    assert "How satisfied are you with the service?" in page


def test_without_a_customer_language_the_browser_language_is_used(client, survey):
    Survey.objects.filter(pk=survey.pk).update(language="")

    english = client.get(url(survey), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()

    assert "How satisfied are you with the service?" in english


def test_answering_stores_the_scores_and_thanks_the_customer(client, survey):
    response = client.post(url(survey), {"csat": "5", "nps": "9", "comment": "  很快就解决了  "}, follow=True)

    survey.refresh_from_db()
    assert (survey.csat, survey.nps, survey.comment) == (5, 9, "很快就解决了")
    assert survey.answered_at is not None
    assert response.redirect_chain == [(url(survey), 302)]
    assert "感谢您的反馈" in response.content.decode()


def test_a_second_answer_replaces_the_first_while_the_survey_is_open(client, survey):
    client.post(url(survey), {"csat": "2", "nps": "3"})

    page = client.get(url(survey)).content.decode()
    client.post(url(survey), {"csat": "4", "comment": "后来又联系我了，谢谢"})

    survey.refresh_from_db()
    assert "您可以在" in page  # "we have your answer, you may change it until …"
    assert (survey.csat, survey.nps, survey.comment) == (4, None, "后来又联系我了，谢谢")
    assert Survey.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"csat": "6"},
        {"csat": "0"},
        {"csat": "abc"},
        {"csat": "5", "nps": "11"},
        {"csat": "5", "nps": "-1"},
        {"nps": "9"},  # CSAT is the one required question
        {"csat": "5", "comment": "长" * 2001},
    ],
)
def test_scores_out_of_range_are_a_form_error_not_a_crash(client, survey, data):
    response = client.post(url(survey), data)

    survey.refresh_from_db()
    assert response.status_code == 400
    assert 'class="error' in response.content.decode()
    assert survey.answered_at is None and survey.csat is None


@pytest.mark.parametrize("token", ["nope", "x" * 65, "a" * 32])
def test_a_bad_token_gets_a_clear_404_page(client, survey, token):
    response = client.get(f"/survey/{token}/")

    assert response.status_code == 404
    assert "找不到此调查" in response.content.decode()


def test_after_seven_days_the_link_expires_with_a_clear_page_and_stores_nothing(client, survey):
    Survey.objects.filter(pk=survey.pk).update(expires_at=clock.now() - timedelta(seconds=1))

    shown = client.get(url(survey))
    posted = client.post(url(survey), {"csat": "1"})

    survey.refresh_from_db()
    assert shown.status_code == 410 and posted.status_code == 410
    assert "此调查已关闭" in shown.content.decode()
    assert survey.csat is None


def test_the_expiry_is_seven_days_after_the_solve(survey):
    assert survey.expires_at == survey.solved_at + timedelta(days=7)


def test_the_form_is_csrf_protected(survey):
    browser = Client(enforce_csrf_checks=True)

    refused = browser.post(url(survey), {"csat": "5"})
    page = browser.get(url(survey))
    token = page.cookies["csrftoken"].value
    accepted = browser.post(url(survey), {"csat": "5", "csrfmiddlewaretoken": token})

    assert refused.status_code == 403
    assert accepted.status_code == 302


def test_a_reopened_tickets_link_closes_and_stores_nothing(client, survey, ticket):
    """The customer wrote again, so the ticket is open again: rating the fix that did not hold would credit
    the agent wrongly, so the link closes (a solve again brings a new survey)."""
    from kefu.tickets.services import add_customer_message

    add_customer_message(ticket=ticket, text="还是不行")

    shown = client.get(url(survey))
    posted = client.post(url(survey), {"csat": "5"})

    assert shown.status_code == posted.status_code == 410
    survey.refresh_from_db()
    assert survey.csat is None and survey.answered_at is None
