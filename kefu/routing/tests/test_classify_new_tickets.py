"""The classifier learns from solved tickets and routes new ones; when unsure, the front line triages."""

import pytest

from kefu.routing import services, tasks
from kefu.routing.models import ClassifierModel, RoutingDecision
from kefu.tests.factories import CategoryFactory, TeamFactory, TicketFactory

from .conftest import make_rule
from .samples import examples

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(customer, default_team):
    """Solved tickets of three kinds, each kind handled by its own team."""
    teams = {label: TeamFactory(name=f"{label}组", name_en=label) for label in ("order", "complaint", "tech")}
    categories = {label: CategoryFactory(code=label, name=label) for label in teams}
    for text, label in examples():
        TicketFactory(customer=customer, subject=text[:20], first_message=text, status="solved",
                      category=categories[label], team=teams[label])
    return teams, categories


def test_retraining_stores_a_new_version_with_its_held_out_scores(history):
    first = tasks.retrain()
    second = tasks.retrain()

    row = ClassifierModel.objects.get(version=second)
    assert (first, second) == (1, 2)
    assert row.n == len(examples())
    assert row.category_test_n == round(len(examples()) * 0.2) and 0 < row.category_accuracy <= 1
    assert row.team_macro_f1 is not None


def test_too_few_solved_tickets_train_no_model(customer, order):
    TicketFactory(customer=customer, status="solved", category=order)

    assert tasks.retrain() is None
    assert not ClassifierModel.objects.exists()


def test_a_new_ticket_gets_the_predicted_category_and_team_with_the_guess_in_the_timeline(history, customer):
    teams, categories = history
    services.retrain_classifier()
    ticket = TicketFactory(customer=customer, subject="投诉", first_message="快递员态度恶劣，我要投诉！")

    services.route_new_ticket(ticket_id=ticket.pk)

    ticket.refresh_from_db()
    assert (ticket.category, ticket.team) == (categories["complaint"], teams["complaint"])
    event = ticket.messages.get(event_type="classified")
    assert event.event_data["triage"] is False and event.event_data["category_confidence"] >= 0.6
    assert not ticket.tags.filter(name=services.TRIAGE_TAG).exists()


def test_below_the_threshold_the_ticket_goes_to_the_default_team_marked_for_triage(
    history, customer, default_team, settings
):
    settings.ROUTING_CLASSIFIER_THRESHOLD = 0.99
    services.retrain_classifier()
    ticket = TicketFactory(customer=customer, subject="你好", first_message="请问一下", team=default_team)

    services.route_new_ticket(ticket_id=ticket.pk)

    ticket.refresh_from_db()
    decision = RoutingDecision.objects.get(ticket=ticket)
    assert decision.needs_triage and decision.category_confidence < 0.99
    assert ticket.team == default_team and ticket.category is None
    assert list(ticket.tags.values_list("name", flat=True)) == [services.TRIAGE_TAG]


def test_what_a_rule_set_is_not_second_guessed_by_the_classifier(history, customer, order):
    teams, categories = history
    services.retrain_classifier()
    make_rule(name="all to orders", set_category=categories["order"])
    ticket = TicketFactory(customer=customer, subject="投诉", first_message="快递员态度恶劣，我要投诉！")

    services.route_new_ticket(ticket_id=ticket.pk)

    ticket.refresh_from_db()
    assert ticket.category == categories["order"]  # the rule's, not the model's complaint
    assert ticket.team == teams["complaint"]  # the rule left the team to the classifier
    assert RoutingDecision.objects.get(ticket=ticket).predicted_category == ""


def test_a_team_given_by_the_channel_is_kept(history, customer):
    teams, _categories = history
    services.retrain_classifier()
    ticket = TicketFactory(customer=customer, subject="投诉", first_message="我要投诉", team=teams["tech"])

    services.route_new_ticket(ticket_id=ticket.pk)

    ticket.refresh_from_db()
    assert ticket.team == teams["tech"]


def test_without_a_trained_model_new_tickets_are_left_as_they_are(customer, default_team):
    ticket = TicketFactory(customer=customer, team=default_team)

    services.route_new_ticket(ticket_id=ticket.pk)

    ticket.refresh_from_db()
    assert ticket.team == default_team and not ticket.tags.exists()
    assert not ticket.messages.filter(kind="event").exists()


def test_a_retried_created_event_classifies_the_ticket_only_once(history, customer):
    """The decision row is written last, with the classifier's guess: a second run of the same event
    is undone by it and leaves one decision and one timeline event."""
    services.retrain_classifier()
    ticket = TicketFactory(customer=customer, subject="投诉", first_message="快递员态度恶劣，我要投诉！")

    first = services.route_new_ticket(ticket_id=ticket.pk)
    again = services.route_new_ticket(ticket_id=ticket.pk)

    assert first is not None and first.model_version is not None and again is None
    assert RoutingDecision.objects.filter(ticket=ticket).count() == 1
    assert ticket.messages.filter(event_type="classified").count() == 1
