"""The bell counts unread notifications; the page lists them, newest first, and opening it reads them."""

import pytest
from django.urls import reverse

from kefu.notifications.models import Kind, Notification
from kefu.notifications.services import notify
from kefu.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def bell(client) -> str:
    return client.get(reverse("workspace:notification_bell"), HTTP_HX_REQUEST="true").content.decode()


def test_the_bell_shows_the_unread_count(login, agent, ticket, supervisor):
    client = login(agent)
    assert "bell-count" not in bell(client)

    notify(recipients=[agent], kind=Kind.ESCALATED, ticket=ticket, actor=supervisor)
    notify(recipients=[agent], kind=Kind.ASSIGNED, ticket=ticket, actor=supervisor)

    assert 'data-unread="2"' in bell(client)


def test_every_staff_page_loads_the_bell(login, agent):
    body = login(agent).get(reverse("workspace:home")).content.decode()

    assert 'id="notification-bell"' in body
    assert reverse("workspace:notification_bell") in body


def test_opening_the_page_lists_them_as_sentences_and_marks_them_read(login, agent, ticket, supervisor):
    notify(recipients=[agent], kind=Kind.ESCALATED, ticket=ticket, actor=supervisor,
           params={"from": "L1", "to": "L2", "reason": "VIP"})
    client = login(agent)

    body = client.get(reverse("workspace:notifications")).content.decode()

    assert f"张主管 escalated ticket #{ticket.pk} “{ticket.subject}” to Level 2 (senior agents): VIP" in body
    assert 'class="notification unread"' in body  # shown as new this once
    assert not Notification.objects.unread().exists()
    assert "bell-count" not in bell(client)


def test_nobody_sees_anyone_elses_notifications(login, agent, outsider, ticket, supervisor):
    notify(recipients=[agent], kind=Kind.ESCALATED, ticket=ticket, actor=supervisor)

    body = login(outsider).get(reverse("workspace:notifications")).content.decode()

    assert ticket.subject not in body
    assert Notification.objects.unread().count() == 1


def test_mark_all_as_read(login, agent, ticket, supervisor):
    notify(recipients=[agent], kind=Kind.ESCALATED, ticket=ticket, actor=supervisor)

    response = login(agent).post(reverse("workspace:notifications_read_all"))

    assert response.status_code == 302
    assert not Notification.objects.unread().exists()


def test_the_page_costs_the_same_queries_for_three_or_thirty(
    login, agent, supervisor, customer, front_line, django_assert_num_queries
):
    client = login(agent)
    for _ in range(3):
        notify(recipients=[agent], kind=Kind.ASSIGNED, ticket=TicketFactory(customer=customer, team=front_line),
               actor=supervisor)
    client.get(reverse("workspace:notifications"))  # warm the session and permission caches
    for _ in range(3):
        notify(recipients=[agent], kind=Kind.ASSIGNED, ticket=TicketFactory(customer=customer, team=front_line),
               actor=supervisor)
    with django_assert_num_queries(7) as few:  # the session comes from the cache
        client.get(reverse("workspace:notifications"))
    for _ in range(27):
        notify(recipients=[agent], kind=Kind.ASSIGNED, ticket=TicketFactory(customer=customer, team=front_line),
               actor=supervisor)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("workspace:notifications"))


def test_the_bell_costs_a_fixed_number_of_queries(login, agent, ticket, supervisor, django_assert_num_queries):
    client = login(agent)
    for _ in range(5):
        notify(recipients=[agent], kind=Kind.ASSIGNED, ticket=ticket, actor=supervisor)
    with django_assert_num_queries(2):  # the user and the unread count (the session comes from the cache)
        bell(client)
