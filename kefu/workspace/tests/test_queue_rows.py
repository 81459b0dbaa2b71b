"""What each queue row shows: computed once per page (issue 7's profile), still right for every row."""

import pytest
from django.urls import reverse
from django.utils import translation

from kefu.tests.factories import TicketFactory
from kefu.tickets.models import Status

from .factories import TagFactory

pytestmark = pytest.mark.django_db
URL = reverse("workspace:home")


def _row(html: str, pk: int) -> str:
    start = html.index(f'data-queue-row="{pk}"')
    return html[start : html.index("</tr>", start)]


def test_each_row_links_to_its_own_ticket_with_its_status_and_tags(login, agent, front_line, customer):
    pending = TicketFactory(customer=customer, team=front_line, status=Status.PENDING)
    pending.tags.add(TagFactory(name="退款"), TagFactory(name="vip"))
    solved = TicketFactory(customer=customer, team=front_line, status=Status.SOLVED)

    response = login(agent, "zh-hans").get(URL, {"view": "all"})

    html = response.content.decode()
    with translation.override("zh-hans"):
        pending_label, solved_label = str(Status.PENDING.label), str(Status.SOLVED.label)
    first, second = _row(html, pending.pk), _row(html, solved.pk)
    assert f'href="{reverse("workspace:ticket", args=[pending.pk])}" data-row-link' in first
    assert f'href="{reverse("workspace:ticket", args=[solved.pk])}" data-row-link' in second
    assert f'status-pending">{pending_label}</span>' in first
    assert f'status-solved">{solved_label}</span>' in second
    assert '<span class="tag">退款</span>' in first and '<span class="tag">vip</span>' in first
    assert 'class="tags"' not in second
