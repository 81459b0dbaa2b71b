"""The clock markup carries what countdown.js needs: deadline, warning, server time and translated sentences."""

import html
import json
import re
from datetime import timedelta

import pytest
from django.test import Client

from kefu.sla.services import apply_policy
from kefu.sla.tests.factories import SlaPolicyFactory
from kefu.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def _page(user, url: str, language: str) -> str:
    client = Client(headers={"Accept-Language": language})
    client.force_login(user)
    return client.get(url).content.decode()


def _clock(body: str) -> dict[str, str]:
    tag = re.search(r"<span class=\"sla-clock[^>]*>", body).group(0)
    return {name: value for name, value in re.findall(r'(data-sla-[\w-]+)="([^"]*)"', tag)}


@pytest.mark.parametrize(("language", "left"), [("en", "{time} left"), ("zh-hans", "剩余 {time}")])
def test_the_clock_carries_its_deadline_and_translated_sentences(agent, front_line, language, left):
    SlaPolicyFactory(first_response=timedelta(hours=4), warning_percent=50)
    ticket = TicketFactory(team=front_line, assignee=agent, status="open")
    sla = apply_policy(ticket=ticket)

    for url in ("/agent/", f"/agent/tickets/{ticket.pk}/"):
        body = _page(agent, url, language)
        clock = _clock(body)

        assert int(clock["data-sla-due-ms"]) == int(sla.first_response_due.timestamp() * 1000)
        assert int(clock["data-sla-warn-ms"]) == int(sla.first_response_warn_at.timestamp() * 1000)
        assert abs(int(clock["data-sla-now-ms"]) - int(ticket.created_at.timestamp() * 1000)) < 60_000
        texts = json.loads(html.unescape(clock["data-sla-texts"]))
        assert texts["left"] == left
        assert set(texts) == {"left", "breached", "days", "hours", "minutes", "seconds"}
        assert re.search(r'<script src="[^"]*kefu/countdown\.js"', body)


def test_a_paused_clock_is_marked_so_the_browser_leaves_it_alone(agent, front_line):
    SlaPolicyFactory(first_response=timedelta(hours=4))
    ticket = TicketFactory(team=front_line, assignee=agent, status="pending")
    apply_policy(ticket=ticket)

    assert _clock(_page(agent, "/agent/", "en"))["data-sla-state"] == "paused"


def test_a_clock_paused_after_its_deadline_says_it_was_missed(agent, front_line):
    from django.utils import timezone, translation

    from kefu.sla.models import TicketSla
    from kefu.sla.templatetags.sla_tags import sla_clock
    from kefu.tickets.models import Ticket

    SlaPolicyFactory(first_response=timedelta(hours=4), business_time=False)
    ticket = TicketFactory(team=front_line, assignee=agent, created_at=timezone.now() - timedelta(hours=6))
    apply_policy(ticket=ticket, now=ticket.created_at)
    TicketSla.objects.filter(ticket=ticket).update(paused_since=timezone.now())

    with translation.override("en"):
        html = sla_clock(Ticket.objects.select_related("sla").get(pk=ticket.pk))

    assert 'data-sla-state="paused"' in html
    assert "paused, breached by 2h" in html
