"""Each user picks which notifications they get in the app and by e-mail."""

import pytest
from django.urls import reverse

from kefu.core.errors import NotAllowed
from kefu.notifications.models import DEFAULTS, Kind, Notification, Preference
from kefu.notifications.services import notify, preferences_of, set_preferences

pytestmark = pytest.mark.django_db


def test_without_a_choice_the_defaults_apply(agent):
    assert preferences_of(agent) == {kind: DEFAULTS[kind] for kind in Kind.values}


def test_a_kind_switched_off_creates_nothing(ticket, agent, supervisor, mailoutbox, django_capture_on_commit_callbacks):
    set_preferences(user=agent, actor=agent, choices={Kind.ESCALATED: (False, False)})

    with django_capture_on_commit_callbacks(execute=True):
        created = notify(recipients=[agent], kind=Kind.ESCALATED, ticket=ticket, actor=supervisor)

    assert created == [] and not Notification.objects.exists() and mailoutbox == []


def test_e_mail_only_is_not_counted_in_the_bell(ticket, agent, supervisor, django_capture_on_commit_callbacks):
    set_preferences(user=agent, actor=agent, choices={Kind.ASSIGNED: (False, True)})

    with django_capture_on_commit_callbacks(execute=True):
        [note] = notify(recipients=[agent], kind=Kind.ASSIGNED, ticket=ticket, actor=supervisor)

    assert not note.in_app and note.by_email
    assert not Notification.objects.for_user(agent).exists()


def test_nobody_sets_someone_elses_preferences(agent, teammate):
    with pytest.raises(NotAllowed):
        set_preferences(user=agent, actor=teammate, choices={Kind.ASSIGNED: (False, False)})


def test_the_preferences_page_saves_the_check_boxes(login, agent):
    client = login(agent)
    page = reverse("workspace:notification_preferences")
    assert "A ticket is assigned to me" in client.get(page).content.decode()

    response = client.post(page, {"assigned-email": "on", "sla_breach-app": "on"})

    assert response.status_code == 302
    assert preferences_of(agent)[Kind.ASSIGNED] == (False, True)
    assert preferences_of(agent)[Kind.SLA_BREACH] == (True, False)
    assert preferences_of(agent)[Kind.ESCALATED] == (False, False)
    assert Preference.objects.filter(user=agent).count() == len(Kind.values)


def test_customers_cannot_open_the_preferences_page(client, customer_user):
    client.force_login(customer_user)

    assert client.get(reverse("workspace:notification_preferences")).status_code == 403
