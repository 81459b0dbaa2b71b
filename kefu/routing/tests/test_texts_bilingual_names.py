"""Routing events keep team and category names in both languages; the timeline picks the reader's."""

from django.utils import translation

from kefu.routing.texts import classified_text, escalation_routed_text, pick_name

BOTH = {"zh": "二线专家组", "en": "Experts"}


def test_a_name_is_picked_by_the_active_language_and_plain_strings_stay_as_written():
    with translation.override("en"):
        assert pick_name(BOTH) == "Experts"
        assert pick_name("旧名字") == "旧名字"
        assert pick_name({"zh": "只有中文", "en": ""}) == "只有中文"
    with translation.override("zh-hans"):
        assert pick_name(BOTH) == "二线专家组"


def test_an_escalation_to_another_team_names_it_in_the_readers_language():
    data = {"level": "l2", "assignee_name": "", "previous_name": "王芳", "team": BOTH}

    with translation.override("en"):
        assert "moved to team Experts" in escalation_routed_text(data)
    with translation.override("zh-hans"):
        assert "二线专家组" in escalation_routed_text(data)


def test_a_classifier_event_names_its_guesses_in_the_readers_language():
    data = {
        "version": 3,
        "category": {"zh": "投诉", "en": "Complaint"},
        "category_confidence": 0.9,
        "team": "7",
        "team_name": BOTH,
        "team_confidence": 0.8,
    }

    with translation.override("en"):
        assert (
            classified_text(data)
            == "Classifier v3 routed the ticket: category Complaint (90%), team Experts (80%)"
        )
    with translation.override("zh-hans"):
        text = classified_text(data)
    assert "投诉" in text and "二线专家组" in text
