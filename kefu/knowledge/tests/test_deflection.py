"""Ticket-form suggestions and deflections.

Rule: a customer opens an article suggested on the new-ticket form (link with ?from=suggested). If she
submits a ticket within 30 minutes, it was not deflected; once 30 minutes pass without one, it was."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kefu.knowledge import rules, search, services
from kefu.knowledge.models import SuggestionOpen
from kefu.tests.factories import TicketFactory

OPENED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tickets_after", "minutes_later", "expected"),
    [
        ([], 10, None),  # still within the window: unknown
        ([], 30, "deflected"),
        ([OPENED + timedelta(minutes=5)], 10, "ticket"),
        ([OPENED + timedelta(minutes=45)], 60, "deflected"),  # a ticket much later is another matter
    ],
)
def test_deflection_rule(tickets_after, minutes_later, expected):
    now = OPENED + timedelta(minutes=minutes_later)
    assert rules.deflection_outcome(opened_at=OPENED, tickets_after=tickets_after, now=now) == expected


@pytest.fixture
def refund(editor):
    search.reset_caches()
    article = services.create_article(actor=editor, title="如何申请退款", body="<p>在订单页申请退款。</p>")
    return services.publish_article(actor=editor, article=article)


@pytest.mark.django_db
def test_ticket_form_suggests_public_articles_for_the_subject(client, customer_user, refund, editor):
    internal = services.create_article(
        actor=editor, title="退款内部流程", body="<p>退款</p>", visibility="internal"
    )
    services.publish_article(actor=editor, article=internal)
    client.force_login(customer_user)
    form = client.get(reverse("portal:ticket_new")).content.decode()
    assert 'hx-get="/portal/help/suggest/"' in form
    fragment = client.get(reverse("portal:help:suggest"), {"subject": "我想退款"}).content.decode()
    assert "如何申请退款" in fragment and "?from=suggested" in fragment and "退款内部流程" not in fragment


@pytest.mark.django_db
def test_opening_a_suggestion_and_not_submitting_counts_as_a_deflection(
    client, customer_user, customer, refund
):
    client.force_login(customer_user)
    client.get(reverse("portal:help:article", args=[refund.pk]), {"from": "suggested"})
    client.get(reverse("portal:help:article", args=[refund.pk]))  # an ordinary read is no candidate
    row = SuggestionOpen.objects.get()
    assert row.customer == customer and row.outcome == "pending"
    assert services.settle_deflections(now=row.opened_at + timedelta(minutes=10)) == 0
    assert services.settle_deflections(now=row.opened_at + timedelta(minutes=31)) == 1
    row.refresh_from_db()
    assert row.outcome == "deflected"


@pytest.mark.django_db
def test_submitting_a_ticket_after_reading_is_not_a_deflection(client, customer_user, customer, refund):
    client.force_login(customer_user)
    client.get(reverse("portal:help:article", args=[refund.pk]), {"from": "suggested"})
    row = SuggestionOpen.objects.get()
    TicketFactory(customer=customer, created_at=row.opened_at + timedelta(minutes=3))
    services.settle_deflections(now=row.opened_at + timedelta(minutes=5))
    row.refresh_from_db()
    assert row.outcome == "ticket"


@pytest.mark.django_db
def test_anonymous_readers_of_a_suggested_link_are_not_counted(client, refund):
    assert (
        client.get(reverse("portal:help:article", args=[refund.pk]), {"from": "suggested"}).status_code == 200
    )
    assert not SuggestionOpen.objects.exists()


@pytest.mark.django_db
def test_help_search_logs_zero_result_searches_for_editors(client, refund, editor):
    from kefu.knowledge.models import SearchLog

    client.get(reverse("portal:help:search"), {"q": "发票抬头"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.get(reverse("portal:help:search"), {"q": "申请退款"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert list(SearchLog.objects.order_by("id").values_list("query", "results")) == [
        ("发票抬头", 0),
        ("申请退款", 1),
    ]


@pytest.mark.django_db
def test_portal_header_links_the_help_center(client):
    page = client.get(reverse("portal:login")).content.decode()
    assert 'href="/portal/help/"' in page


@pytest.mark.django_db
def test_the_periodic_job_settles_deflections_without_anyone_opening_the_knowledge_page(
    client, customer_user, refund
):
    from kefu.config.celery import app
    from kefu.knowledge.tasks import settle

    client.force_login(customer_user)
    client.get(reverse("portal:help:article", args=[refund.pk]), {"from": "suggested"})
    SuggestionOpen.objects.update(opened_at=timezone.now() - timedelta(minutes=31))

    assert settle.apply().get() == 1
    assert SuggestionOpen.objects.get().outcome == "deflected"
    assert app.conf.beat_schedule["knowledge-deflections"]["task"] == settle.name
