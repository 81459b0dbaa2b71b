"""The timeline tells which rule or model version routed a ticket, in the reader's language."""

from django.utils import translation

from kefu.routing.texts import classified_text, rule_applied_text


def test_a_rule_event_names_the_rule():
    with translation.override("en"):
        assert rule_applied_text({"rule_id": 3, "rule": "VIP 投诉"}) == "Intake rule “VIP 投诉” matched"
    with translation.override("zh-hans"):
        assert rule_applied_text({"rule": "VIP 投诉"}) == "接入规则“VIP 投诉”已命中"


def test_a_classifier_event_gives_its_guesses_with_confidence_and_says_when_it_left_the_ticket_for_triage():
    data = {"version": 2, "category": "投诉", "category_confidence": 0.912, "team": "7", "team_name": "投诉处理组",
            "team_confidence": 0.41, "triage": True}

    with translation.override("en"):
        text = classified_text(data)

    assert text == "Classifier v2 was unsure (category 投诉 (91%), team 投诉处理组 (41%)): left for manual triage"
    with translation.override("en"):
        assert classified_text({**data, "triage": False}).startswith("Classifier v2 routed the ticket: ")
