"""The supervisor dashboard: right figures, for the roles that see the whole center, in a fixed number of queries."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kefu.analytics.kpis import center_dashboard
from kefu.sla.models import TicketSla
from kefu.tests.factories import CategoryFactory, TicketFactory, UserFactory

SH = ZoneInfo("Asia/Shanghai")
# 10:00 in Shanghai on Monday 30 November 2026
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint():
    return CategoryFactory(code="complaint", name="投诉", name_en="Complaint")


def test_today_is_the_users_day_not_utcs(customer):
    # given one ticket at 07:30 Shanghai time today (23:30 UTC yesterday) and one the evening before
    TicketFactory(customer=customer, created_at=datetime(2026, 11, 29, 23, 30, tzinfo=UTC))
    TicketFactory(customer=customer, created_at=datetime(2026, 11, 29, 15, 30, tzinfo=UTC))
    # when the dashboard is computed for a user in Shanghai
    data = center_dashboard(now=NOW, zone=SH)
    # then only the first counts as today
    assert data.created_today == 1
    assert data.daily[-1].value == 1 and data.daily[-2].value == 1


def test_backlog_counts_open_tickets_by_status(customer):
    for status in ["new", "new", "open", "pending", "solved", "closed"]:
        TicketFactory(customer=customer, status=status, created_at=NOW - timedelta(days=2))

    data = center_dashboard(now=NOW, zone=SH)

    assert data.backlog_total == 4
    assert [bar.value for bar in data.backlog] == [2, 1, 1, 0]


def test_complaints_solved_within_48_hours_and_major_open_complaints(customer, complaint):
    start = NOW - timedelta(days=4)
    TicketFactory(
        customer=customer,
        category=complaint,
        created_at=start,
        status="solved",
        solved_at=start + timedelta(hours=47),
    )
    TicketFactory(
        customer=customer,
        category=complaint,
        created_at=start,
        status="solved",
        solved_at=start + timedelta(hours=49),
    )
    TicketFactory(customer=customer, category=complaint, created_at=start, status="open", severity="major")
    TicketFactory(customer=customer, created_at=start, status="open")

    data = center_dashboard(now=NOW, zone=SH)

    assert (data.complaints_within_48h.part, data.complaints_within_48h.whole) == (1, 3)
    assert data.complaints_within_48h.percent == 33.3
    assert data.open_complaints == 1
    assert data.open_major_complaints == 1


def test_average_first_response_over_the_window(customer):
    created = NOW - timedelta(days=1)
    TicketFactory(customer=customer, created_at=created, first_response_at=created + timedelta(minutes=10))
    TicketFactory(customer=customer, created_at=created, first_response_at=created + timedelta(minutes=30))
    TicketFactory(customer=customer, created_at=created)
    TicketFactory(
        customer=customer, created_at=NOW - timedelta(days=30), first_response_at=NOW - timedelta(days=29)
    )  # outside the 7-day window

    data = center_dashboard(now=NOW, zone=SH)

    assert data.avg_first_response == timedelta(minutes=20)
    assert (data.responded.part, data.responded.whole) == (2, 3)


def test_sla_compliance_counts_met_against_breached(customer):
    for met, breached in [(True, False), (True, False), (False, True)]:
        ticket = TicketFactory(customer=customer, created_at=NOW - timedelta(days=1))
        TicketSla.objects.create(ticket=ticket, first_response_met=met, first_response_breached=breached)

    data = center_dashboard(now=NOW, zone=SH)

    assert (data.first_response_sla.part, data.first_response_sla.whole) == (2, 3)


def test_agents_load_lists_open_tickets_per_agent(customer, agent, teammate):
    for _ in range(3):
        TicketFactory(customer=customer, assignee=agent, status="open", created_at=NOW - timedelta(days=1))
    TicketFactory(customer=customer, assignee=teammate, status="closed", created_at=NOW - timedelta(days=1))

    data = center_dashboard(now=NOW, zone=SH)

    assert [(row.user, row.open_tickets) for row in data.agents] == [(agent, 3)]


def test_solved_today_counts_per_agent_in_the_users_day(customer, agent, teammate):
    # given (as the services write them: solving a ticket also sets updated_at) two tickets solved today in
    # Shanghai, one of them at 07:30 local time (23:30 UTC yesterday), and one solved the evening before
    for assignee, solved in [
        (agent, NOW - timedelta(hours=1)),
        (agent, datetime(2026, 11, 29, 23, 30, tzinfo=UTC)),
        (teammate, datetime(2026, 11, 29, 15, 30, tzinfo=UTC)),
    ]:
        TicketFactory(
            customer=customer,
            assignee=assignee,
            status="solved",
            created_at=NOW - timedelta(days=3),
            solved_at=solved,
            updated_at=solved,
        )

    data = center_dashboard(now=NOW, zone=SH)

    assert data.solved_today == 2
    assert [(row.user, row.open_tickets, row.solved_today) for row in data.agents] == [(agent, 0, 2)]


def test_dashboard_queries_do_not_grow_with_agents_categories_channels_or_days(
    client, supervisor, customer, django_assert_num_queries
):
    # given one agent's ticket in one category, channel and day, count the page's queries
    client.force_login(supervisor)

    def tickets_for_a_new_agent(days_ago: int, channel: str) -> None:
        created = timezone.now() - timedelta(days=days_ago)
        TicketFactory(
            customer=customer,
            assignee=UserFactory(),
            category=CategoryFactory(),
            channel=channel,
            status="open",
            created_at=created,
            first_response_at=created + timedelta(minutes=5),
        )

    tickets_for_a_new_agent(0, "email")
    client.get(reverse("analytics:dashboard"))  # warm caches (session, permissions)
    with CaptureQueriesContext(connection) as few:
        small = client.get(reverse("analytics:dashboard"))
    # when four more agents have tickets in four more categories, other channels and other days
    for days_ago, channel in [(1, "web"), (3, "chat"), (6, "phone"), (10, "email")]:
        tickets_for_a_new_agent(days_ago, channel)

    # then the page runs the same statements and shows all five agents
    with django_assert_num_queries(len(few.captured_queries)):
        big = client.get(reverse("analytics:dashboard"))
    assert small.status_code == big.status_code == 200
    assert small.content.count(b"data-agent=") == 1
    assert big.content.count(b"data-agent=") == 5


def test_supervisor_sees_the_dashboard_in_a_fixed_number_of_queries(
    client, supervisor, customer, django_assert_max_num_queries
):
    client.force_login(supervisor)
    TicketFactory.create_batch(3, customer=customer)
    client.get(reverse("analytics:dashboard"))  # warm caches (session, permissions)
    TicketFactory.create_batch(20, customer=customer, status="open")

    with django_assert_max_num_queries(16):
        response = client.get(reverse("analytics:dashboard"))

    assert response.status_code == 200
    assert b'data-kpi="backlog">23<' in response.content


def test_the_panel_refreshes_alone(client, supervisor):
    client.force_login(supervisor)

    response = client.get(reverse("analytics:dashboard_panel"), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert b'id="dashboard-panel"' in response.content
    assert b"<html" not in response.content


@pytest.mark.parametrize("role", ["analyst", "qa_inspector", "senior_agent", "admin"])
def test_roles_that_see_every_ticket_see_the_dashboard(client, role):
    client.force_login(UserFactory(roles=[role]))

    assert client.get(reverse("analytics:dashboard")).status_code == 200


def test_agents_and_customers_do_not(client, agent, outsider, customer_user):
    for user in (agent, outsider, customer_user):
        client.force_login(user)
        assert client.get(reverse("analytics:dashboard")).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("analytics:dashboard"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("language", "expected", "uncategorized"),
    [("en", "Complaint", "Uncategorized"), ("zh-hans", "投诉", "未分类"), ("ja", "投诉", "未分类")],
)
def test_a_category_bar_is_labelled_as_the_queue_labels_the_category(
    customer, complaint, language, expected, uncategorized
):
    """Given tickets in a category named in both languages, when the dashboard is computed in a language, then
    the category's bar carries the same label as `BilingualName.label` (what the queue shows) in it."""
    from django.utils import translation

    TicketFactory(customer=customer, category=complaint, created_at=NOW - timedelta(days=1))
    TicketFactory(customer=customer, category=None, created_at=NOW - timedelta(days=1))

    with translation.override(language):
        data = center_dashboard(now=NOW, zone=SH)
        labels = [bar.label for bar in data.by_category]
        assert complaint.label == expected and expected in labels
        assert uncategorized in labels  # exactly this language's label, not either one


def test_a_category_without_english_name_keeps_its_chinese_name_in_english(customer):
    from django.utils import translation

    TicketFactory(customer=customer, category=CategoryFactory(name="售后", name_en=""), created_at=NOW)

    with translation.override("en"):
        assert [bar.label for bar in center_dashboard(now=NOW, zone=SH).by_category] == ["售后"]


def test_the_dashboard_page_shows_the_category_label_in_both_languages(
    client, supervisor, customer, complaint
):
    """The page follows the reader's language: "Complaint" in English, "投诉" in Chinese."""
    TicketFactory(customer=customer, category=complaint)
    client.force_login(supervisor)

    pages = {}
    for language in ("en", "zh-hans"):
        supervisor.language = language
        supervisor.save()
        pages[language] = client.get(reverse("analytics:dashboard")).content.decode()
    english, chinese = pages["en"], pages["zh-hans"]

    assert "Complaint" in english
    assert "投诉" in chinese and "Complaint" not in chinese


def test_satisfaction_and_quality_of_the_window(customer, agent, supervisor):
    """CSAT counts 4–5 as satisfied, NPS is promoters minus detractors, the quality score is the reviews'
    average; answers and reviews older than the window are left out."""
    from kefu.quality.models import Review
    from kefu.quality.tests.factories import ScorecardFactory
    from kefu.surveys.tests.helpers import make_survey

    inside, before = NOW - timedelta(days=1), NOW - timedelta(days=20)
    for csat, nps, answered in [(5, 10, inside), (4, 8, inside), (2, 3, inside), (1, 0, before)]:
        ticket = TicketFactory(customer=customer, assignee=agent, status="solved")
        make_survey(ticket, solved_at=answered, csat=csat, nps=nps, answered_at=answered)
    card = ScorecardFactory()
    for score, failed, written in [(90, False, inside), (0, True, inside), (10, False, before)]:
        Review.objects.create(
            ticket=TicketFactory(customer=customer, assignee=agent, status="solved"),
            agent=agent,
            reviewer=supervisor,
            scorecard=card,
            score_percent=score,
            critical_failed=failed,
            created_at=written,
            updated_at=written,
        )

    data = center_dashboard(now=NOW, zone=SH)

    assert (data.satisfaction.csat_responses, data.satisfaction.csat_percent) == (3, 66.7)
    assert (data.satisfaction.nps_responses, data.satisfaction.nps) == (3, 0.0)  # 1 promoter, 1 detractor
    assert (data.quality.reviews, data.quality.average_score, data.quality.critical_fails) == (2, 45, 1)


def test_the_dashboard_page_shows_satisfaction_and_quality_tiles(client, supervisor):
    client.force_login(supervisor)

    response = client.get(reverse("analytics:dashboard"))

    assert b'data-kpi="csat">' in response.content and b'data-kpi="nps">' in response.content
    assert b'data-kpi="quality">' in response.content
