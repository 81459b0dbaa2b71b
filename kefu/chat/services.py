"""Every write of live chat: start, messages both ways, queueing, claiming, transfer, end."""

import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from kefu.core import clock
from kefu.core.errors import Conflict, InvalidInput, NotAllowed
from kefu.core.events import emit
from kefu.intake.services import InboundMessage, ingest
from kefu.tickets import services as ticket_services
from kefu.tickets.access import can_work_ticket

from . import rules
from .events import ChatAccepted, ChatEnded, ChatMessagePosted
from .models import OPEN_STATUSES, AuthorKind, ChatMessage, ChatSite, Conversation, ConversationStatus


@dataclass(frozen=True)
class Posted:
    message: ChatMessage
    duplicate: bool  # this client id was stored before: nothing new was written


@dataclass(frozen=True)
class Offer:
    conversation: Conversation
    agent: object


def open_conversation(*, site: ChatSite, visitor_id: str) -> Conversation | None:
    """The visitor's open conversation on this site, if any (the only way a visitor reaches a chat)."""
    return (
        Conversation.objects.filter(site=site, visitor_id=visitor_id, status__in=OPEN_STATUSES)
        .order_by("-pk")
        .first()
    )


def start_conversation(
    *, site: ChatSite, visitor_id: str, text: str, client_id: str = "", name: str = "", language: str = ""
) -> Conversation:
    """Open a chat with its first visitor message: a chat ticket through intake, then the queued conversation."""
    clean = rules.clean_text(text)
    if clean is None:
        raise InvalidInput(_("A chat message must be 1 to 2000 characters long."))
    if not site.is_active:
        raise NotAllowed(_("This chat is not available."))
    result = ingest(
        InboundMessage(
            channel="chat",
            identity_kind="chat",
            identity_value=f"{site.key}:{visitor_id}",
            name=name,
            language=language,
            text=clean,
            thread_id=f"chat:{uuid.uuid4().hex}",
        )
    )
    now = clock.now()
    with transaction.atomic():
        conversation = Conversation.objects.create(
            site=site,
            customer=result.ticket.customer,
            visitor_id=visitor_id,
            team=site.team,
            ticket=result.ticket,
            status=ConversationStatus.QUEUED,
            queued_at=now,
        )
        message = ChatMessage.objects.create(
            conversation=conversation, client_id=client_id, author_kind=AuthorKind.VISITOR, text=clean
        )
        emit(ChatMessagePosted(conversation_id=conversation.pk, message_id=message.pk))
    return conversation


def post_visitor_message(*, conversation: Conversation, text: str, client_id: str = "") -> Posted:
    """Store a visitor's message once: the same client id again returns the stored message."""
    if client_id:
        previous = ChatMessage.objects.filter(conversation=conversation, client_id=client_id).first()
        if previous:
            return Posted(previous, duplicate=True)
    return _post(
        conversation=conversation, text=text, client_id=client_id, kind=AuthorKind.VISITOR, author=None
    )


def post_agent_message(*, conversation: Conversation, actor, text: str, client_id: str = "") -> Posted:
    """An agent's message; only the agent the chat is with may write."""
    if conversation.agent_id != actor.pk or conversation.status != ConversationStatus.ACTIVE:
        raise NotAllowed(_("This chat is not yours."))
    if client_id:
        previous = ChatMessage.objects.filter(conversation=conversation, client_id=client_id).first()
        if previous:
            return Posted(previous, duplicate=True)
    return _post(
        conversation=conversation, text=text, client_id=client_id, kind=AuthorKind.AGENT, author=actor
    )


def _post(*, conversation: Conversation, text: str, client_id: str, kind: str, author) -> Posted:
    clean = rules.clean_text(text)
    if clean is None:
        raise InvalidInput(_("A chat message must be 1 to 2000 characters long."))
    if not conversation.is_open:
        raise Conflict(_("This chat has ended."))
    try:
        with transaction.atomic():
            message = ChatMessage.objects.create(
                conversation=conversation, client_id=client_id, author_kind=kind, author=author, text=clean
            )
            emit(ChatMessagePosted(conversation_id=conversation.pk, message_id=message.pk))
    except IntegrityError:  # a concurrent re-send of the same client id won
        return Posted(ChatMessage.objects.get(conversation=conversation, client_id=client_id), duplicate=True)
    return Posted(message, duplicate=False)


def accept(*, conversation: Conversation, actor) -> Conversation:
    """Claim a queued chat for `actor`. A conditional UPDATE: of two agents accepting at once, one wins."""
    if not (actor.is_active and actor.is_staff):
        raise NotAllowed(_("Only staff may take chats."))
    claimed = Conversation.objects.filter(pk=conversation.pk, status=ConversationStatus.QUEUED).update(
        status=ConversationStatus.ACTIVE, agent=actor, accepted_at=clock.now()
    )
    if not claimed:
        raise Conflict(_("Someone else has already taken this chat, or it has ended."))
    conversation.refresh_from_db()
    ticket = conversation.ticket
    if ticket.assignee_id is None and can_work_ticket(actor, ticket):
        ticket_services.assign_ticket(ticket=ticket, actor=actor, assignee=actor)
    emit(ChatAccepted(conversation_id=conversation.pk, agent_id=actor.pk))
    return conversation


def queued() -> "list[Conversation]":
    """Waiting chats in serving order: higher priority first, then the longest wait."""
    return list(
        Conversation.objects.filter(status=ConversationStatus.QUEUED)
        .select_related("site", "customer")
        .order_by("-priority", "queued_at", "pk")
    )


def queue_position(*, conversation: Conversation) -> int:
    """1 for the next chat to be served; 0 when it is not waiting."""
    if conversation.status != ConversationStatus.QUEUED:
        return 0
    ahead = Conversation.objects.filter(status=ConversationStatus.QUEUED).filter(
        Q(priority__gt=conversation.priority)
        | Q(priority=conversation.priority, queued_at__lt=conversation.queued_at)
        | Q(priority=conversation.priority, queued_at=conversation.queued_at, pk__lt=conversation.pk)
    )
    return ahead.count() + 1


def available_agents() -> list:
    """Online active staff with room for another chat, least busy first."""
    User = get_user_model()
    agents = (
        User.objects.filter(is_active=True, is_staff=True, presence="online", max_chats__gt=0)
        .annotate(active=Count("chats", filter=Q(chats__status=ConversationStatus.ACTIVE)))
        .order_by("active", "pk")
    )
    return [agent for agent in agents if agent.active < agent.max_chats]


def offer_next() -> Offer | None:
    """The oldest eligible queued chat for the least busy present agent with room (None: nothing to offer).

    An offer writes nothing; the agent claims it with `accept`. Eligible: the chat has no team, or the
    agent is a member of its team.
    """
    waiting = queued()
    if not waiting:
        return None
    agents = available_agents()
    if not agents:
        return None
    team_ids = {agent.pk: None for agent in agents}
    for agent in agents:
        team_ids[agent.pk] = set(agent.teams.values_list("pk", flat=True))
    for conversation in waiting:
        for agent in agents:
            if conversation.team_id is None or conversation.team_id in team_ids[agent.pk]:
                return Offer(conversation, agent)
    return None


def transfer(*, conversation: Conversation, actor, to_agent=None, to_team=None) -> Conversation:
    """Hand the chat to another agent, or back to the queue (of another team)."""
    if conversation.agent_id != actor.pk or conversation.status != ConversationStatus.ACTIVE:
        raise NotAllowed(_("This chat is not yours."))
    if to_agent is not None:
        if not (to_agent.is_active and to_agent.is_staff):
            raise InvalidInput(_("Chats can only be transferred to staff."))
        Conversation.objects.filter(pk=conversation.pk).update(agent=to_agent, accepted_at=clock.now())
    else:
        Conversation.objects.filter(pk=conversation.pk).update(
            agent=None,
            status=ConversationStatus.QUEUED,
            queued_at=clock.now(),
            team=to_team if to_team is not None else conversation.team,
        )
    conversation.refresh_from_db()
    return conversation


def end(*, conversation: Conversation, actor=None) -> Conversation:
    """End the chat (the agent, or the visitor when `actor` is None) and store the transcript on its ticket."""
    if actor is not None and conversation.agent_id != actor.pk:
        raise NotAllowed(_("This chat is not yours."))
    with transaction.atomic():
        ended = Conversation.objects.filter(pk=conversation.pk, status__in=OPEN_STATUSES).update(
            status=ConversationStatus.ENDED, ended_at=clock.now()
        )
        conversation.refresh_from_db()
        if not ended:
            return conversation
        lines = [
            (
                m.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                m.author.name if m.author_id else str(AuthorKind(m.author_kind).label),
                m.text,
            )
            for m in conversation.messages.select_related("author")
        ]
        note_author = actor or conversation.agent
        if note_author is not None and can_work_ticket(note_author, conversation.ticket):
            ticket_services.add_note(
                ticket=conversation.ticket,
                actor=note_author,
                text=_("Chat transcript") + "\n\n" + rules.transcript(lines),
            )
        emit(ChatEnded(conversation_id=conversation.pk))
    return conversation
