"""A call's events read as sentences in the agent's ticket timeline, not as their raw event code."""

import pytest

from kefu.connectors.phone.texts import EVENT_TYPE
from kefu.tickets.models import MessageKind, Ticket
from kefu.workspace.timeline import describe_event

from .conftest import MASKED

pytestmark = pytest.mark.django_db


def test_a_missed_call_reads_as_a_sentence_with_the_masked_number(pbx):
    pbx.send(event="missed")

    event = Ticket.objects.get().messages.get(kind=MessageKind.EVENT, event_type=EVENT_TYPE)
    text = describe_event(event)

    assert MASKED in text and EVENT_TYPE not in text
