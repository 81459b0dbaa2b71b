"""Opening tickets one after another validates and answers each request on its own: the serializers a
thread reuses (`kefu.api.fields.validated` / `represented`) keep nothing of the previous request."""

import pytest
from rest_framework.exceptions import ValidationError

from kefu.api import fields
from kefu.api.fields import represented, validated
from kefu.tickets.api.serializers import TicketCreateSerializer, TicketDetailSerializer
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/"


def test_errors_and_data_of_one_request_never_reach_the_next(api, customer):
    """valid → invalid → valid → empty body: each answer is about its own body only."""
    first = api.post(URL, {"subject": "第一单", "customer_email": "chen@example.com"}, format="json")
    refused = api.post(URL, {"subject": "  ", "customer_email": "not-an-address"}, format="json")
    second = api.post(URL, {"subject": "第二单", "customer": customer.pk, "severity": "major"}, format="json")
    empty = api.post(URL, None, format="json")

    assert first.status_code == 201 and second.status_code == 201
    assert refused.status_code == 400
    assert set(refused.json()) >= {"subject", "customer_email"}
    assert second.json()["subject"] == "第二单" and second.json()["severity"] == "major"
    assert first.json()["severity"] == "normal"
    assert empty.status_code == 400
    assert "subject" in empty.json()


def test_validated_gives_what_is_valid_gives_and_raises_what_it_raises(customer):
    """The same data and the same errors as a serializer built for the one request."""
    good = {"subject": "订单", "customer": customer.pk, "tags": ["vip"]}
    bad = {"subject": "", "stauts": "open"}

    fresh = TicketCreateSerializer(data=good)
    fresh.is_valid(raise_exception=True)
    assert validated(TicketCreateSerializer, good) == fresh.validated_data

    refused = TicketCreateSerializer(data=bad)
    assert not refused.is_valid()
    with pytest.raises(ValidationError) as error:
        validated(TicketCreateSerializer, bad)
    assert error.value.detail == refused.errors
    assert validated(TicketCreateSerializer, good) == fresh.validated_data


def test_represented_is_the_serializers_data_and_keeps_no_context(ticket):
    """The body is what a serializer built for it gives; the request in the context is not held on to."""
    shown = Ticket.objects.for_list().get(pk=ticket.pk)
    shown.shown_links = []
    context = {"request": object()}

    body = represented(TicketDetailSerializer, shown, context=context)

    assert body == TicketDetailSerializer(shown, context=context).data
    assert fields._reused_serializer(TicketDetailSerializer)._context == {}


def test_a_reused_serializer_answers_each_request_in_its_own_language(api):
    """DRF formats a length message once and keeps it: one serializer per language, so a Chinese answer
    is not repeated to the English request that follows (nor the other way round)."""
    too_long = {"subject": "长" * 300, "customer_email": "chen@example.com"}

    chinese = api.post(URL, too_long, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = api.post(URL, too_long, format="json", HTTP_ACCEPT_LANGUAGE="en")
    chinese_again = api.post(URL, too_long, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert english.status_code == chinese.status_code == 400
    assert english.json()["subject"][0].startswith("Ensure this field has no more than")
    assert "不能超过" in chinese.json()["subject"][0]
    assert chinese_again.json() == chinese.json()
