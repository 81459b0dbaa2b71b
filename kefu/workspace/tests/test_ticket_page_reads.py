"""The ticket page's prepared reads (kefu.workspace.ticket_reads) give what the page showed before: each
message's own files, the customer's newest other tickets, the latest survey answer, and a 404 for any ticket
one may not see."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kefu.surveys.services import latest_answer_of
from kefu.surveys.tests.helpers import make_survey
from kefu.tests.factories import TicketFactory
from kefu.workspace.ticket_reads import latest_answer

pytestmark = pytest.mark.django_db


def page(ticket) -> str:
    return reverse("workspace:ticket", args=[ticket.pk])


def reply_with_file(client, ticket, text: str, filename: str) -> None:
    upload = SimpleUploadedFile(filename, b"hello", content_type="text/plain")
    response = client.post(
        reverse("workspace:reply", args=[ticket.pk]), {"kind": "note", "text": text, "attachments": [upload]}
    )
    assert response.status_code == 302


def test_each_message_lists_its_own_files(login, agent, ticket):
    client = login(agent)
    reply_with_file(client, ticket, "第一条备注", "first.txt")
    reply_with_file(client, ticket, "第二条备注", "second.txt")

    body = client.get(page(ticket)).content.decode()

    first_note = body[body.index("第一条备注") : body.index("第二条备注")]
    second_note = body[body.index("第二条备注") :]
    assert "first.txt" in first_note and "second.txt" not in first_note
    assert "second.txt" in second_note and "first.txt" not in second_note


def test_the_side_list_shows_the_customers_ten_newest_other_tickets(login, supervisor, customer, ticket):
    others = [TicketFactory(customer=customer, subject=f"其他工单 {i:02d}") for i in range(12)]
    for i, other in enumerate(others):  # the later in the list, the newer
        type(other).objects.filter(pk=other.pk).update(
            created_at=ticket.created_at.replace(year=2020, day=i + 1)
        )

    body = login(supervisor).get(page(ticket)).content.decode()
    side = body[body.index('class="list-plain other-tickets"') :]
    side = side[: side.index("</ul>")]

    shown = re.findall(r"其他工单 (\d\d)", side)
    assert shown == [f"{i:02d}" for i in range(11, 1, -1)]
    assert f"#{ticket.pk} " not in side


def test_a_ticket_another_team_works_is_404_and_so_is_an_id_past_every_ticket(login, outsider, agent, ticket):
    assert login(outsider).get(page(ticket)).status_code == 404
    assert login(agent).get("/agent/tickets/999999999999999999/").status_code == 404


def test_the_latest_survey_answer_is_that_of_the_ticket_and_the_newest_answered_one(customer, front_line):
    """`ticket_reads.latest_answer` gives what `surveys.services.latest_answer_of` gives, for each ticket."""
    now = timezone.now()
    solved, other, never = (TicketFactory(customer=customer, team=front_line) for _ in range(3))
    for ticket in (solved, other):
        ticket.solved_at = now
        ticket.save(update_fields=["solved_at"])
    make_survey(solved, solved_at=now - timedelta(days=2), csat=2, answered_at=now - timedelta(days=2))
    newest = make_survey(solved, solved_at=now - timedelta(days=1), csat=5, answered_at=now)
    make_survey(solved, solved_at=now, token="unanswered")  # asked again, not answered yet
    of_other = make_survey(other, solved_at=now, csat=4, answered_at=now)

    assert latest_answer(solved) == latest_answer_of(solved) == newest
    assert latest_answer(other) == latest_answer_of(other) == of_other
    assert latest_answer(never) is None
