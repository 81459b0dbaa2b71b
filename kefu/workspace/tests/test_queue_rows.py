"""What each queue row shows: computed once per page (issue 7's profile), still right for every row."""

import pytest
from django.urls import reverse
from django.utils import translation

from kefu.tests.factories import CustomerFactory, TicketFactory
from kefu.tickets.models import Severity, Status

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


def test_row_text_is_escaped_as_the_template_escaped_it(login, agent, front_line):
    """Rows are written in Python (rows.queue_rows_html): subject, customer and tag names stay inert text."""
    customer = CustomerFactory(name='<b>Bold</b> & "Co"')
    ticket = TicketFactory(customer=customer, team=front_line, subject="<script>alert('x')</script>")
    ticket.tags.add(TagFactory(name="<i>vip</i>"))

    row = _row(login(agent).get(URL, {"view": "all"}).content.decode(), ticket.pk)

    assert "<script>" not in row and "<b>" not in row and "<i>" not in row
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;</a>" in row
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;Co&quot;</td>" in row
    assert '<span class="tag">&lt;i&gt;vip&lt;/i&gt;</span>' in row


def test_row_shows_major_severity_priority_and_unassigned(login, supervisor, front_line, customer, normal_priority):
    major = TicketFactory(customer=customer, team=front_line, severity=Severity.MAJOR, priority=normal_priority)
    mine = TicketFactory(customer=customer, team=front_line, assignee=supervisor)

    html = login(supervisor).get(URL, {"view": "all"}).content.decode()

    first, second = _row(html, major.pk), _row(html, mine.pk)
    assert f'<span class="badge severity-major">{Severity.MAJOR.label}</span>' in first
    assert f">{normal_priority.label}</span></td>" in first and "--tone: #" in first
    assert '<span class="muted">Unassigned</span>' in first
    assert "severity-major" not in second and '<td><span class="muted">—</span></td>' in second
    assert f"<td class=\"col-optional\">{supervisor.name}</td>" in second
    assert f'name="ticket" value="{major.pk}" data-row-check aria-label="Select ticket #{major.pk}"' in first
