"""The satisfaction survey shown in the chat window when a live chat ends.

Which chats: one a person answered (an agent's message: a bot-only chat or one left in the queue gets none),
on a site that asks (`ChatSite.survey_enabled`), whose end solved its ticket (a chat kept as a ticket is
asked about when that ticket is solved, by the usual link). The survey is the one of that solve
(`services.open_survey`, keyed on the ticket and its `solved_at`), linked to the chat: one per chat, found
again by a second end, a re-sent frame or a retried job, and counted by every report of surveys.
Who answers: only the visitor of the chat (the widget's signed visitor id, on that site).
"""

from datetime import datetime

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from kefu.chat.models import AuthorKind, ChatMessage, ChatSite, Conversation, ConversationStatus
from kefu.core import clock
from kefu.core.errors import NotFound
from kefu.tickets.rules import FINAL_STATUSES

from . import rules, services
from .models import Survey, SurveySource

# The chat site's switch, as the chat site form shows it (its msgid is translated in this app's catalog).
SITE_SWITCH_LABEL = _("Ask for a rating when a chat ends")
SITE_SWITCH_HELP = _(
    "After a chat a person answered, the visitor may rate it (1–5) in the chat window. "
    "It counts with the other satisfaction surveys."
)


def _chats():
    agent_wrote = ChatMessage.objects.filter(conversation=OuterRef("pk"), author_kind=AuthorKind.AGENT)
    return Conversation.objects.select_related("site", "ticket").annotate(human_answered=Exists(agent_wrote))


def _offered(conversation: Conversation) -> bool:
    """The ended chat asks for a rating (see the module's docstring); `conversation` comes from `_chats`."""
    ticket = conversation.ticket
    return (
        conversation.status == ConversationStatus.ENDED
        and conversation.site.survey_enabled
        and conversation.human_answered
        and not conversation.follow_up
        and ticket.status in FINAL_STATUSES
        and ticket.solved_at is not None
    )


def survey_offer(conversation_id: int) -> dict | None:
    """What the widget's `ended` frame says about the rating: `{"conversation": id}` when the chat asks for
    one, else None. One query; the survey row itself is opened by the ChatEnded listener."""
    conversation = _chats().filter(pk=conversation_id).first()
    if conversation is None or not _offered(conversation):
        return None
    return {"conversation": conversation.pk}


def open_chat_survey(conversation_id: int) -> Survey | None:
    """The chat's survey, opened (and linked to the chat) the first time it is asked for; None when the chat
    asks for none. Idempotent: the chat's link and the solve's unique key find the same row again."""
    existing = Survey.objects.filter(conversation_id=conversation_id).select_related("ticket").first()
    if existing is not None:
        return existing
    conversation = _chats().filter(pk=conversation_id).first()
    if conversation is None or not _offered(conversation):
        return None
    survey = services.open_survey(ticket=conversation.ticket, in_chat=True)
    if survey is None:
        return None
    # Only a survey not yet linked: a ticket's solve is asked about in one chat at most.
    Survey.objects.filter(pk=survey.pk, conversation__isnull=True).update(conversation=conversation)
    return Survey.objects.filter(pk=survey.pk, conversation=conversation).select_related("ticket").first()


def _visitors_chat(site: ChatSite, visitor_id: str, conversation_id: int | None) -> Conversation:
    """The visitor's own ended chat on this site; NotFound for anyone else's (or an id that is no chat)."""
    if not visitor_id or conversation_id is None:
        raise NotFound()
    conversation = Conversation.objects.filter(
        pk=conversation_id, site=site, visitor_id=visitor_id, status=ConversationStatus.ENDED
    ).first()
    if conversation is None:
        raise NotFound()
    return conversation


def answer_chat_survey(
    *, site: ChatSite, visitor_id: str, conversation_id: object, csat: object, comment: object
) -> Survey:
    """The visitor's rating of their ended chat (a later one replaces it while the survey is open).

    NotFound: not the visitor's ended chat, or the chat asks for no rating; SurveyClosed: too late;
    InvalidInput: the score is not 1–5 or the comment is too long."""
    conversation = _visitors_chat(site, visitor_id, _id(conversation_id))
    survey = open_chat_survey(conversation.pk)
    if survey is None:
        raise NotFound()
    return services.answer_survey(
        survey=survey,
        csat=rules.parse_score(csat),
        nps=survey.nps,  # not asked in the chat window: an answer given by the link keeps its NPS
        comment=comment if isinstance(comment, str) else "",
        source=SurveySource.CHAT,
    )


def _id(value: object) -> int | None:
    """A database id sent as text or a number; None for anything else."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63:
        return value
    if isinstance(value, str) and value.isdecimal() and len(value) < 19:
        return int(value)
    return None


def pending_chat_survey(*, site: ChatSite, visitor_id: str, now: datetime | None = None) -> dict | None:
    """The rating the visitor's latest chat still waits for (a widget that reloads or reconnects after the
    chat ended shows it again): `{"conversation": id}`, or None when answered, closed or never asked."""
    latest = (
        _chats()
        .filter(site=site, visitor_id=visitor_id, status=ConversationStatus.ENDED)
        .order_by("-pk")
        .first()
    )
    if latest is None or not _offered(latest):
        return None
    survey = Survey.objects.filter(conversation=latest).first()
    now = now or clock.now()
    if survey is not None and (survey.is_answered or not rules.is_open(survey.expires_at, now)):
        return None
    if survey is None and not rules.is_open(rules.expiry_for(latest.ticket.solved_at), now):
        return None
    return {"conversation": latest.pk}
