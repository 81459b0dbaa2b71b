"""Intake-rule matching, without the database: conditions, order, stop, precedence, safe patterns."""

from datetime import time

import pytest

from kefu.routing import rules
from kefu.routing.rules import Actions, Facts, RuleSpec

MAIL = Facts(channel="email", subject="投诉：快递员态度恶劣", body="我要投诉，快递员骂人。Refund please!", tier="vip",
             mailbox="support", mailbox_id="3", local_time=time(23, 30))


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (RuleSpec(), True),  # no conditions: a catch-all
        (RuleSpec(channels=("email", "web")), True),
        (RuleSpec(channels=("chat",)), False),
        (RuleSpec(mailbox="Support"), True),  # names match whatever the case
        (RuleSpec(mailbox="3"), True),  # or the mailbox id
        (RuleSpec(mailbox="sales"), False),
        (RuleSpec(tiers=("vip", "svip")), True),
        (RuleSpec(tiers=("normal",)), False),
        (RuleSpec(words=("投诉",)), True),  # Chinese as a plain substring, no tokenizer
        (RuleSpec(words=("REFUND",)), True),  # English case-insensitively
        (RuleSpec(words=("退款", "发票")), False),
        (RuleSpec(words=("投诉",), match_in="body"), True),
        (RuleSpec(words=("态度",), match_in="body"), False),  # only in the subject
        (RuleSpec(words=("refund",), match_in="subject"), False),
        (RuleSpec(pattern=r"骂.|态度\S+"), True),
        (RuleSpec(pattern=r"^refund"), False),
        (RuleSpec(time_from=time(22), time_to=time(6)), True),  # over midnight
        (RuleSpec(time_from=time(9), time_to=time(18)), False),
        (RuleSpec(time_from=time(23)), True),
        (RuleSpec(time_to=time(23)), False),
        (RuleSpec(channels=("email",), tiers=("vip",), words=("投诉",)), True),
        (RuleSpec(channels=("email",), tiers=("normal",), words=("投诉",)), False),  # every condition must hold
    ],
)
def test_a_rule_matches_when_every_condition_it_gives_holds(rule, expected):
    assert all(rules.check(rule, MAIL).values()) is expected


@pytest.mark.parametrize(
    ("moment", "start", "end", "inside"),
    [
        (time(9), time(9), time(18), True),
        (time(18), time(9), time(18), False),  # the end is not included
        (time(2), time(22), time(6), True),
        (time(12), time(22), time(6), False),
        (None, time(9), time(18), False),
    ],
)
def test_time_windows_include_the_start_and_may_run_over_midnight(moment, start, end, inside):
    assert rules.in_window(moment, start, end) is inside


def test_a_matching_stop_rule_ends_the_run_and_earlier_rules_win_a_field():
    first = RuleSpec(id=1, words=("投诉",), actions=Actions(category_id=7, tags=("投诉",)), stop=False)
    second = RuleSpec(id=2, tiers=("vip",), actions=Actions(category_id=8, team_id=3, tags=("VIP",)), stop=True)
    third = RuleSpec(id=3, actions=Actions(priority_id=1))

    outcomes, actions = rules.plan([first, second, third], MAIL)

    assert [(o.rule.id, o.matched, o.applied) for o in outcomes] == [(1, True, True), (2, True, True), (3, True, False)]
    assert actions == Actions(category_id=7, team_id=3, tags=("投诉", "VIP"))


def test_a_rule_that_does_not_match_does_not_stop_the_run():
    never = RuleSpec(id=1, channels=("phone",), actions=Actions(team_id=1), stop=True)
    later = RuleSpec(id=2, actions=Actions(team_id=2))

    _outcomes, actions = rules.plan([never, later], MAIL)

    assert actions.team_id == 2


@pytest.mark.parametrize(
    ("pattern", "error"),
    [("退款|refund", None), ("(unclosed", "invalid"), ("a" * (rules.PATTERN_MAX_LENGTH + 1), "too_long")],
)
def test_patterns_are_checked_for_length_and_syntax(pattern, error):
    assert rules.pattern_error(pattern) == error


def test_a_catastrophic_pattern_times_out_and_counts_as_no_match():
    facts = Facts(subject="a" * 40 + "!", body="a" * 5000)

    assert rules.check(RuleSpec(pattern=r"(a|aa)+$"), facts) == {"pattern": False}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("投诉\n退款", ["投诉", "退款"]),
        ("投诉，退款、refund; Refund", ["投诉", "退款", "refund"]),
        ("  \n", []),
    ],
)
def test_words_are_one_per_line_or_separated_by_commas(text, words):
    assert rules.parse_words(text) == words
