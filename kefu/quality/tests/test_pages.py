"""The quality pages through the test client: the workbench, drawing, the review form and the reviews list."""

import pytest
from django.urls import reverse

from kefu.accounts import roles
from kefu.quality.models import Review, SampledTicket
from kefu.quality.services import review_ticket
from kefu.tests.factories import TicketFactory, UserFactory

from .conftest import full_marks
from .factories import solved_ticket

pytestmark = pytest.mark.django_db


def review_url(ticket) -> str:
    return reverse("quality:review", args=[ticket.pk])


def form_data(scorecard, criteria, **points) -> dict:
    data = {"scorecard": str(scorecard.pk), "comment": "开场白可以更热情", "agent": ""}
    for name, criterion in criteria.items():
        data[f"points_{criterion.pk}"] = str(points.get(name, criterion.max_points))
        data[f"note_{criterion.pk}"] = ""
    return data


def test_the_nav_links_the_quality_pages_for_agents_and_inspectors(login, agent, inspector):
    for user in (agent, inspector):
        body = login(user).get(reverse("workspace:home")).content.decode()
        assert f'href="{reverse("quality:home")}"' in body


def test_the_workbench_shows_my_queue_and_recent_reviews(login, inspector, handled, scorecard, criteria):
    other = solved_ticket(assignee=handled.assignee)
    SampledTicket.objects.create(ticket=other, reviewer=inspector, drawn_at=other.created_at)
    review_ticket(reviewer=inspector, ticket=handled, scorecard=scorecard, points=full_marks(criteria))

    response = login(inspector).get(reverse("quality:home"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Quality workbench" in body
    queue = body[body.index('id="sample-queue"') : body.index('id="recent-reviews"')]
    assert f"#{other.pk} {other.subject}" in queue
    assert f"#{handled.pk} {handled.subject}" in body[body.index('id="recent-reviews"') :]


def test_agents_are_sent_from_the_workbench_to_their_reviews(login, agent):
    response = login(agent).get(reverse("quality:home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("quality:reviews")


def test_drawing_fills_the_queue(login, inspector, handled):
    response = login(inspector).post(
        reverse("quality:draw"), {"count": "5", "team": "", "since": ""}, follow=True
    )

    assert response.status_code == 200
    assert "Drew 1 ticket." in response.content.decode()
    assert SampledTicket.objects.get().ticket == handled


def test_drawing_with_a_bad_count_shows_the_error(login, inspector, handled):
    response = login(inspector).post(reverse("quality:draw"), {"count": "lots"})

    assert response.status_code == 400
    assert "Enter a whole number." in response.content.decode()
    assert not SampledTicket.objects.exists()


def test_drawing_since_a_date_the_database_cannot_compare_is_a_form_error(login, inspector, handled):
    """Year 1 in Shanghai is before year 1 in UTC: refused in words, not a server error."""
    response = login(inspector).post(reverse("quality:draw"), {"count": "5", "since": "0001-01-01"})

    assert response.status_code == 400
    assert "Choose a date in 2000 or later." in response.content.decode()
    assert not SampledTicket.objects.exists()


def test_agents_may_not_draw(login, agent, handled):
    assert login(agent).post(reverse("quality:draw"), {"count": "5"}).status_code == 403


def test_the_review_form_shows_the_conversation_and_the_criteria(
    login, inspector, handled, scorecard, criteria
):
    response = login(inspector).get(review_url(handled))

    body = response.content.decode()
    assert response.status_code == 200
    assert "我的订单三天了还没有发货" in body  # the customer's message, from the ticket page's own partial
    for criterion in criteria.values():
        assert f'name="points_{criterion.pk}"' in body
    assert "Critical item" in body
    assert "<textarea" in body and 'name="reply"' not in body  # scoring only: no reply box


def test_posting_the_form_saves_the_review(login, inspector, agent, handled, scorecard, criteria):
    data = form_data(scorecard, criteria, Solution=15)
    data[f"note_{criteria['Solution'].pk}"] = "退款时效没讲清楚"

    response = login(inspector).post(review_url(handled), data)

    assert response.status_code == 302
    review = Review.objects.get()
    assert (review.agent, str(review.score_percent), review.comment) == (agent, "78.6", "开场白可以更热情")
    assert review.ratings.get(criterion=criteria["Solution"]).note == "退款时效没讲清楚"


def test_posting_again_updates_the_review_and_the_form_shows_it(
    login, inspector, handled, scorecard, criteria
):
    client = login(inspector)
    client.post(review_url(handled), form_data(scorecard, criteria))

    client.post(review_url(handled), form_data(scorecard, criteria, Privacy=0))
    body = client.get(review_url(handled)).content.decode()

    review = Review.objects.get()
    assert review.critical_failed is True
    assert "Your review: 0.0%" in body
    assert "Update review" in body


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("ten", "Enter a whole number."),
        ("31", "less than or equal to 30"),
        ("-1", "greater than or equal to 0"),
        ("", "This field is required."),
    ],
)
def test_bad_points_show_the_error_and_save_nothing(
    login, inspector, handled, scorecard, criteria, value, error
):
    data = form_data(scorecard, criteria)
    data[f"points_{criteria['Solution'].pk}"] = value

    response = login(inspector).post(review_url(handled), data)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Review.objects.exists()


def test_a_service_refusal_is_shown_on_the_form(login, inspector, scorecard, criteria):
    unassigned = TicketFactory(status="solved")

    response = login(inspector).post(review_url(unassigned), form_data(scorecard, criteria))

    assert response.status_code == 400
    assert "choose the agent you are reviewing" in response.content.decode()


def test_the_review_form_without_any_scorecard_says_so(login, inspector, handled):
    response = login(inspector).get(review_url(handled))

    assert response.status_code == 200
    assert "There is no active scorecard yet." in response.content.decode()


@pytest.mark.parametrize("persona", ["agent", "outsider"])
def test_agents_may_not_open_the_review_form(persona, request, login, handled, scorecard):
    client = login(request.getfixturevalue(persona))

    assert client.get(review_url(handled)).status_code == 403
    assert client.post(review_url(handled), {}).status_code == 403


def test_an_unknown_or_huge_ticket_number_is_a_404(login, inspector, scorecard):
    client = login(inspector)

    assert client.get(reverse("quality:review", args=[987654])).status_code == 404
    assert client.get("/quality/tickets/99999999999999999999999/review/").status_code == 404


def test_an_agent_sees_her_own_reviews_only(login, inspector, agent, teammate, handled, scorecard, criteria):
    mine = review_ticket(
        reviewer=inspector, ticket=handled, scorecard=scorecard, points=full_marks(criteria), comment="很好"
    )
    theirs = review_ticket(
        reviewer=inspector,
        ticket=solved_ticket(assignee=teammate),
        scorecard=scorecard,
        points=full_marks(criteria),
        comment="别人的",
    )

    response = login(agent).get(reverse("quality:reviews"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "My quality reviews" in body
    assert f'id="review-{mine.pk}"' in body and "很好" in body
    assert f'id="review-{theirs.pk}"' not in body and "别人的" not in body
    assert 'data-figure="average">100.0%' in body
    assert 'name="agent"' not in body  # no filter for those who see only their own


def test_an_agent_cannot_widen_her_list_with_the_filter(
    login, inspector, agent, teammate, scorecard, criteria
):
    theirs = review_ticket(
        reviewer=inspector,
        ticket=solved_ticket(assignee=teammate),
        scorecard=scorecard,
        points=full_marks(criteria),
    )

    body = login(agent).get(reverse("quality:reviews"), {"agent": teammate.pk}).content.decode()

    assert f'id="review-{theirs.pk}"' not in body


def test_a_supervisor_sees_everyone_and_filters_by_agent(
    login, inspector, supervisor, agent, teammate, handled, scorecard, criteria
):
    mine = review_ticket(reviewer=inspector, ticket=handled, scorecard=scorecard, points=full_marks(criteria))
    theirs = review_ticket(
        reviewer=inspector,
        ticket=solved_ticket(assignee=teammate),
        scorecard=scorecard,
        points=full_marks(criteria),
    )
    client = login(supervisor)

    everyone = client.get(reverse("quality:reviews")).content.decode()
    filtered = client.get(reverse("quality:reviews"), {"agent": teammate.pk}).content.decode()

    assert f'id="review-{mine.pk}"' in everyone and f'id="review-{theirs.pk}"' in everyone
    assert f'id="review-{theirs.pk}"' in filtered and f'id="review-{mine.pk}"' not in filtered


def test_the_pages_read_in_chinese(login, inspector, handled, scorecard):
    body = login(inspector, language="zh-hans").get(reverse("quality:home")).content.decode()

    assert "质检工作台" in body


def test_the_ticket_page_links_the_review_form_for_inspectors_only(login, inspector, agent, handled):
    link = f'href="{review_url(handled)}"'

    assert link in login(inspector).get(reverse("workspace:ticket", args=[handled.pk])).content.decode()
    assert link not in login(agent).get(reverse("workspace:ticket", args=[handled.pk])).content.decode()


def test_putting_a_drawn_ticket_back_empties_the_queue(login, inspector, handled):
    client = login(inspector)
    client.post(reverse("quality:draw"), {"count": "5"})

    response = client.post(reverse("quality:release", args=[handled.pk]))

    assert response.status_code == 302
    assert not SampledTicket.objects.exists()


def test_the_django_admin_edits_a_scorecard_with_its_criteria(login, admin_user, scorecard):
    client = login(admin_user)

    assert client.get(reverse("admin:quality_scorecard_change", args=[scorecard.pk])).status_code == 200
    assert client.get(reverse("admin:quality_scorecard_add")).status_code == 200


def _statements(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _review_some(inspector, agent, scorecard, criteria, count: int) -> None:
    for _ in range(count):
        ticket = solved_ticket(assignee=agent)
        review_ticket(reviewer=inspector, ticket=ticket, scorecard=scorecard, points=full_marks(criteria))
        SampledTicket.objects.create(
            ticket=solved_ticket(assignee=agent), reviewer=inspector, drawn_at=ticket.created_at
        )


@pytest.mark.parametrize("page", ["quality:home", "quality:reviews"])
def test_list_pages_read_a_fixed_number_of_statements(page, login, inspector, agent, scorecard, criteria):
    client = login(inspector)
    _review_some(inspector, agent, scorecard, criteria, 1)
    few = _statements(client, reverse(page))

    _review_some(inspector, agent, scorecard, criteria, 4)

    assert _statements(client, reverse(page)) == few


def test_the_agents_own_list_reads_a_fixed_number_of_statements(login, inspector, agent, scorecard, criteria):
    client = login(agent)
    _review_some(inspector, agent, scorecard, criteria, 1)
    few = _statements(client, reverse("quality:reviews"))

    _review_some(inspector, agent, scorecard, criteria, 4)

    assert _statements(client, reverse("quality:reviews")) == few


@pytest.mark.parametrize("role", [roles.TRAINER, roles.ANALYST])
def test_trainers_and_analysts_read_every_review_but_do_not_score(
    role, login, inspector, handled, scorecard, criteria
):
    """Trainers coach from the reviews and analysts measure them: both see everyone's, neither may score."""
    review_ticket(reviewer=inspector, ticket=handled, scorecard=scorecard, points=full_marks(criteria))
    reader = UserFactory(roles=[role])

    listing = login(reader).get(reverse("quality:reviews"))
    form = login(reader).get(reverse("quality:review", args=[handled.pk]))

    assert listing.status_code == 200 and f"#{handled.pk}".encode() in listing.content
    assert form.status_code in (403, 302)


@pytest.mark.parametrize("wanted", ["²", "٣x", "9" * 30])
def test_a_malformed_agent_filter_lists_everyone_instead_of_failing(
    login, inspector, supervisor, handled, scorecard, criteria, wanted
):
    """"²" passes `str.isdigit()` but not `int()`: the filter must ignore it, not answer 500."""
    mine = review_ticket(reviewer=inspector, ticket=handled, scorecard=scorecard, points=full_marks(criteria))

    response = login(supervisor).get(reverse("quality:reviews"), {"agent": wanted})

    assert response.status_code == 200
    assert f'id="review-{mine.pk}"' in response.content.decode()


def test_a_malformed_scorecard_choice_falls_back_to_the_active_scorecard(login, inspector, handled, scorecard):
    response = login(inspector).get(review_url(handled), {"scorecard": "²"})

    assert response.status_code == 200
    assert response.context["scorecard"] == scorecard
