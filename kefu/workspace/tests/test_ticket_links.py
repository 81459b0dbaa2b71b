"""Linked tickets on the ticket page: follow-ups and related tickets in both directions, never a hidden one."""

import pytest
from django.urls import reverse

from kefu.tests.factories import TicketFactory
from kefu.tickets.models import LinkKind, TicketLink
from kefu.tickets.services import link_tickets

pytestmark = pytest.mark.django_db


def page(ticket) -> str:
    return reverse("workspace:ticket", args=[ticket.pk])


def test_a_follow_up_is_shown_on_both_tickets_with_its_direction(login, agent, ticket, customer, front_line):
    follow_up = TicketFactory(customer=customer, team=front_line, subject="发票又错了")
    link_tickets(ticket=follow_up, other=ticket, kind=LinkKind.FOLLOW_UP, actor=None)
    client = login(agent)

    on_follow_up = client.get(page(follow_up)).content.decode()
    on_original = client.get(page(ticket)).content.decode()

    assert "Follow-up of" in on_follow_up and f"#{ticket.pk} {ticket.subject}" in on_follow_up
    assert "Followed up by" in on_original and f"#{follow_up.pk} 发票又错了" in on_original
    assert f"System opened this ticket as a follow-up of ticket #{ticket.pk}" in on_follow_up
    assert f"System opened ticket #{follow_up.pk} as a follow-up of this one" in on_original


def test_an_agent_links_two_tickets_as_related_and_removes_the_link(
    login, agent, ticket, customer, front_line
):
    other = TicketFactory(customer=customer, team=front_line, subject="另一个问题")
    client = login(agent)

    response = client.post(reverse("workspace:link", args=[ticket.pk]), {"number": f"#{other.pk}"})

    assert response.status_code == 302
    link = TicketLink.objects.get(source=ticket, target=other, kind=LinkKind.RELATED)
    assert f"#{ticket.pk} {ticket.subject}" in client.get(page(other)).content.decode()

    response = client.post(reverse("workspace:unlink", args=[other.pk, link.pk]))

    assert response.status_code == 302 and not TicketLink.objects.exists()
    assert "removed the link to ticket" in client.get(page(ticket)).content.decode()


def test_a_linked_ticket_the_agent_may_not_see_stays_hidden(login, agent, ticket, other_team_ticket):
    link_tickets(ticket=ticket, other=other_team_ticket, kind=LinkKind.RELATED, actor=None)

    body = login(agent).get(page(ticket)).content.decode()

    assert other_team_ticket.subject not in body
    assert f'href="{page(other_team_ticket)}"' not in body


def test_an_outsider_can_neither_see_nor_link_the_front_lines_ticket(
    login, outsider, ticket, other_team_ticket
):
    client = login(outsider)

    assert client.get(page(ticket)).status_code == 404
    response = client.post(reverse("workspace:link", args=[other_team_ticket.pk]), {"number": str(ticket.pk)})

    assert response.status_code == 404
    assert not TicketLink.objects.exists()


def test_a_ticket_cannot_be_linked_to_itself(login, agent, ticket):
    response = login(agent).post(reverse("workspace:link", args=[ticket.pk]), {"number": str(ticket.pk)})

    assert response.status_code == 400
    assert not TicketLink.objects.exists()


def test_from_the_page_an_unknown_number_is_refused_in_the_pages_notice_area(login, agent, ticket):
    """The link form posts through htmx: a refusal lands in the page's #flash slot (the page and its reply
    draft stay), and a success reloads the ticket page."""
    client = login(agent)

    refused = client.post(
        reverse("workspace:link", args=[ticket.pk]), {"number": "999999"}, HTTP_HX_REQUEST="true"
    )

    assert refused.status_code == 404 and refused["HX-Retarget"] == "#flash"
    assert "There is no ticket #999999 that you may see." in refused.content.decode()
    assert not TicketLink.objects.exists()
    page_html = client.get(page(ticket)).content.decode()
    assert f'hx-post="{reverse("workspace:link", args=[ticket.pk])}"' in page_html


def test_from_the_page_a_link_made_reloads_the_ticket_page(login, agent, ticket, customer, front_line):
    other = TicketFactory(customer=customer, team=front_line)

    response = login(agent).post(
        reverse("workspace:link", args=[ticket.pk]), {"number": str(other.pk)}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200 and response["HX-Redirect"] == page(ticket)
    assert TicketLink.objects.filter(source=ticket, target=other).exists()
