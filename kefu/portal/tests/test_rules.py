"""How ticket states read to a customer (pure rules, no database)."""

import pytest

from kefu.portal import rules


@pytest.mark.parametrize(
    ("status", "tone"),
    [
        ("new", "info"),
        ("open", "info"),
        ("pending", "warning"),
        ("on_hold", "info"),
        ("solved", "success"),
        ("closed", "muted"),
    ],
)
def test_every_status_has_a_customer_label_and_tone(status, tone):
    label, got_tone = rules.customer_status(status)

    assert label and got_tone == tone


def test_on_hold_reads_as_in_progress_so_agents_workflow_words_stay_internal():
    assert rules.customer_status("on_hold")[0] == rules.customer_status("open")[0]


@pytest.mark.parametrize(
    ("status", "closable"), [("new", True), ("pending", True), ("solved", False), ("closed", False)]
)
def test_only_open_tickets_can_be_closed_by_the_customer(status, closable):
    assert rules.can_close(status) is closable
