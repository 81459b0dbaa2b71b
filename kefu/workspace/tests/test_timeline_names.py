"""Names of teams, categories and priorities in the timeline follow the reader's language, not the writer's."""

import pytest
from django.utils import translation

from kefu.core import clock
from kefu.tickets.models import Message, MessageKind
from kefu.tickets.services import TicketChanges, update_ticket
from kefu.workspace.timeline import describe_event

pytestmark = pytest.mark.django_db


def _described(event, language: str) -> str:
    with translation.override(language):
        return describe_event(event)


def test_a_team_change_made_on_a_chinese_page_reads_in_english_for_an_english_reader(
    agent, ticket, other_team, urgent_priority
):
    """The event stores both names; each reader gets theirs."""
    with translation.override("zh-hans"):
        update_ticket(
            ticket=ticket, actor=agent, changes=TicketChanges(team=other_team, priority=urgent_priority)
        )
    moved = ticket.messages.get(event_type="team_changed")
    raised = ticket.messages.get(event_type="priority_changed")

    assert _described(moved, "en") == "王芳 moved the ticket from team Front line to Tech support"
    assert "接线组" in _described(moved, "zh-hans") and "技术支持组" in _described(moved, "zh-hans")
    assert _described(raised, "en").endswith("to Urgent")
    assert "紧急" in _described(raised, "zh-hans")


def test_an_older_event_with_plain_names_still_reads_as_written(agent, ticket):
    """Events stored before both names were kept show the single name they have, in any language."""
    old = Message.objects.create(
        ticket=ticket,
        kind=MessageKind.EVENT,
        author=agent,
        event_type="team_changed",
        event_data={"old": "接线组", "new": "Tech support"},
        created_at=clock.now(),
    )

    assert _described(old, "en") == "王芳 moved the ticket from team 接线组 to Tech support"
    assert "Tech support" in _described(old, "zh-hans")
