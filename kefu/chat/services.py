"""Every write of live chat: start, messages both ways, the bot phase, queueing, claiming, transfer, end.

These functions only change the database and emit events: every stored message emits ChatMessagePosted,
whose listener pushes it to the sockets; other pushes are the consumers' business.
"""

import logging
import threading
import uuid
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Min, Q, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kefu.accounts.permissions import is_active_staff, load_team_ids, team_ids
from kefu.core import clock
from kefu.core.errors import Conflict, InvalidInput, NotAllowed
from kefu.core.events import emit
from kefu.core.tasks import enqueue_on_commit
from kefu.intake.services import InboundMessage, ingest
from kefu.knowledge import bot
from kefu.sla.rules import is_open_at
from kefu.sla.services import readable_calendar_rules
from kefu.tickets import services as ticket_services
from kefu.tickets.access import can_work_ticket
from kefu.tickets.models import Status, Ticket

from . import rules
from .events import ChatAccepted, ChatEnded, ChatMessagePosted, ChatTransferred
from .models import (
    OPEN_STATUSES,
    AuthorKind,
    ChatMessage,
    ChatSite,
    ChatTopic,
    Conversation,
    ConversationStatus,
    Phase,
)

log = logging.getLogger(__name__)
SUPERVISE = "tickets.assign_ticket"  # supervisors and team leads see every live chat and may take one over
HANDLE_SAMPLE = 50  # ended chats averaged for the queue's time estimate


class ChatUnavailable(Conflict):
    """No one can chat now: outside the site's business hours ("closed") or the queue is full ("busy")."""

    def __init__(self, reason: str) -> None:
        super().__init__(_("No one can answer right now. Please leave a message."))
        self.reason = reason


@dataclass(frozen=True)
class Posted:
    message: ChatMessage
    duplicate: bool  # this client id was stored before: nothing new was written


@dataclass(frozen=True)
class Offer:
    conversation: Conversation
    agent: object


@dataclass(frozen=True)
class BotTurn:
    replies: list[ChatMessage] = field(default_factory=list)  # what the bot (or the system) said
    handed_over: bool = False  # the chat now waits for a person
    unavailable: str = ""  # the hand-over found no one: "closed" or "busy"


def is_supervisor(user) -> bool:
    return is_active_staff(user, SUPERVISE)


def open_conversation(*, site: ChatSite, visitor_id: str) -> Conversation | None:
    """The visitor's open conversation on this site, if any (the only way a visitor reaches a chat), with its
    agent (the fields of their name; the rest loads when read). One raw query: every widget's hello asks
    this (after a restart, all of them at once), and it costs a third of the ORM's CPU while converting the
    chat's columns the same way."""
    quote, chat, users = connection.ops.quote_name, Conversation._meta, get_user_model()._meta
    name_columns = [users.get_field(name).column for name in AGENT_NAME_FIELDS]
    query = (
        f"SELECT c.*, {', '.join(f'u.{quote(column)} AS kefu_agent_{column}' for column in name_columns)}"
        f" FROM {quote(chat.db_table)} c LEFT JOIN {quote(users.db_table)} u"
        f" ON u.{quote(users.pk.column)} = c.{quote(chat.get_field('agent').column)}"
        f" WHERE c.{quote(chat.get_field('site').column)} = %s"
        f" AND c.{quote(chat.get_field('visitor_id').column)} = %s"
        f" AND c.{quote(chat.get_field('status').column)} IN ({', '.join(['%s'] * len(OPEN_STATUSES))})"
        f" ORDER BY c.{quote(chat.pk.column)} DESC LIMIT 1"
    )
    params = [site.pk, visitor_id, *(status.value for status in OPEN_STATUSES)]
    conversation = next(iter(Conversation.objects.raw(query, params)), None)
    if conversation is not None and conversation.agent_id is not None:
        names = [getattr(conversation, f"kefu_agent_{column}") for column in name_columns]
        if names[0] is not None:  # (the agent's row exists)
            attnames = [users.pk.attname, *(users.get_field(name).attname for name in AGENT_NAME_FIELDS)]
            conversation.agent = users.model.from_db(
                conversation._state.db, attnames, [conversation.agent_id, *names]
            )
    return conversation


AGENT_NAME_FIELDS = ("username", "first_name", "last_name", "display_name")  # what `User.name` reads


def visitor_missed(conversation: Conversation, last_seen: int) -> bool:
    """Whether the chat has messages for the visitor after id `last_seen` (one indexed look-up in plain SQL:
    a reconnecting widget has usually missed nothing, and then needs no query of the messages)."""
    if last_seen >= MAX_ID:
        return False
    quote, meta = connection.ops.quote_name, ChatMessage._meta
    query = (
        f"SELECT 1 FROM {quote(meta.db_table)} WHERE {quote(meta.get_field('conversation').column)} = %s"
        f" AND {quote(meta.pk.column)} > %s AND {quote(meta.get_field('author_kind').column)} <> %s LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [conversation.pk, last_seen, AuthorKind.NOTE.value])
        return cursor.fetchone() is not None


MAX_ID = 2**63 - 1


# --- the widget's view of a site -------------------------------------------------------------------


def unavailable_reason(*, site: ChatSite) -> str:
    """Why no person can chat now: "closed" (outside business hours), "busy" (the queue is full) or ""."""
    if site.calendar_id is not None and not is_open_at(readable_calendar_rules(site.calendar), clock.now()):
        return "closed"
    if (
        site.max_queue
        and Conversation.objects.filter(status=ConversationStatus.QUEUED).count() >= site.max_queue
    ):
        return "busy"
    return ""


def widget_config(*, site: ChatSite, language: str) -> dict:
    """What the widget needs before a chat: the pre-chat form with its topics, and whether anyone is there."""
    form = rules.prechat_form(site.prechat_form)
    topics = (
        [{"id": t.pk, "name": t.label(language)} for t in site.topics.all()]
        if "topic" in form["fields"]
        else []
    )
    return {**form, "topics": topics, "offline": "" if site.bot_enabled else unavailable_reason(site=site)}


# --- starting and writing --------------------------------------------------------------------------


def start_conversation(
    *,
    site: ChatSite,
    visitor_id: str,
    text: str,
    client_id: str = "",
    name: str = "",
    language: str = "",
    prechat: dict | None = None,
    page_url: str = "",
) -> Conversation:
    """Open a chat with its first visitor message: a chat ticket through intake, then the chat itself.

    It waits in the queue, or talks to the FAQ bot first when the site has the bot on (then call
    `bot_turn`). Raises ChatUnavailable when no person can chat and there is no bot.
    """
    clean = rules.clean_text(text)
    if clean is None:
        raise InvalidInput(_("A chat message must be 1 to 2000 characters long."))
    if not site.is_active:
        raise NotAllowed(_("This chat is not available."))
    topic_ids = set(site.topics.values_list("pk", flat=True))
    answers = rules.clean_prechat(site.prechat_form, prechat or {}, topic_ids)
    if answers is None:
        raise InvalidInput(_("Please fill in the form: a valid e-mail address or phone number is needed."))
    if not site.bot_enabled and (reason := unavailable_reason(site=site)):
        raise ChatUnavailable(reason)
    kind, value = _identity(site, visitor_id, answers)
    topic = ChatTopic.objects.filter(pk=answers["topic"]).first() if "topic" in answers else None
    with_bot = site.bot_enabled
    with transaction.atomic():  # the chat's ticket and the chat itself: both or neither
        result = ingest(
            InboundMessage(
                channel="chat",
                identity_kind=kind,
                identity_value=value,
                name=answers.get("name", name),
                language=language,
                text=clean,
                thread_id=f"chat:{uuid.uuid4().hex}",
            )
        )
        customer = result.ticket.customer
        conversation = Conversation.objects.create(
            site=site,
            customer=customer,
            visitor_id=visitor_id,
            team=(topic.team if topic and topic.team_id else None) or site.team,
            topic=topic,
            prechat=answers,
            page_url=page_url[:500],
            language=language[:10],
            ticket=result.ticket,
            senior_only=site.vip_to_senior and customer.is_vip,
            priority=1 if customer.is_vip else 0,
            status=ConversationStatus.BOT if with_bot else ConversationStatus.QUEUED,
            phase=Phase.BOT if with_bot else Phase.HUMAN,
            queued_at=None if with_bot else clock.now(),
        )
        message = ChatMessage.objects.create(
            conversation=conversation, client_id=client_id, author_kind=AuthorKind.VISITOR, text=clean
        )
        emit(ChatMessagePosted(conversation_id=conversation.pk, message_id=message.pk))
    return conversation


def _identity(site: ChatSite, visitor_id: str, answers: dict) -> tuple[str, str]:
    """The customer identity of a visitor: the e-mail or phone they gave, else the widget's visitor id."""
    if answers.get("email"):
        return "email", answers["email"]
    if answers.get("phone"):
        return "phone", answers["phone"]
    return "chat", f"{site.key}:{visitor_id}"


def post_visitor_message(*, conversation: Conversation, text: str, client_id: str = "") -> Posted:
    """Store a visitor's message once: the same client id again returns the stored message."""
    return _post(
        conversation=conversation, text=text, client_id=client_id, kind=AuthorKind.VISITOR, author=None
    )


def post_visitor_file(*, conversation: Conversation, upload: UploadedFile, client_id: str = "") -> Posted:
    """Store an image or file the visitor sent, after checking its size and its real type."""
    previous = _previous(conversation, client_id)
    if previous:
        return previous
    return _post_file(conversation=conversation, upload=upload, client_id=client_id, kind=AuthorKind.VISITOR)


def post_agent_message(
    *, conversation: Conversation, actor, text: str, client_id: str = "", first_response: bool = True
) -> Posted:
    """An agent's message; only the agent the chat is with may write.

    `first_response=False`: the caller records the chat's first response itself (`record_first_response`)
    once the message is on its way (a socket does, after its pushes: a first answer's ticket update, SLA
    clock and hints no longer delay the answer itself); `first_response_pending` tells whether it must."""
    if conversation.agent_id != actor.pk or conversation.status != ConversationStatus.ACTIVE:
        raise NotAllowed(_("This chat is not yours."))
    posted = _post(
        conversation=conversation, text=text, client_id=client_id, kind=AuthorKind.AGENT, author=actor
    )
    if not posted.duplicate and first_response:
        record_first_response(conversation, posted.message)
    return posted


def first_response_pending(conversation: Conversation) -> bool:
    """Whether an agent's message in this chat may still be its ticket's first response (no statement)."""
    if getattr(conversation, "_first_response_known", False):
        return False
    if getattr(conversation, ANSWERED_COLUMN, None) is not None:  # loaded with the chat (load_conversation)
        conversation._first_response_known = True
        return False
    ticket = conversation._state.fields_cache.get("ticket")
    return ticket is None or ticket.first_response_at is None


def record_first_response(conversation: Conversation, message: ChatMessage) -> None:
    """An agent's first chat message is the chat ticket's first response (its SLA clock stops); the bot's
    answers are not. Known once per loaded conversation, so later messages cost no statement."""
    if first_response_pending(conversation):
        ticket_services.record_first_response(ticket_id=conversation.ticket_id, at=message.created_at)
        if (ticket := conversation._state.fields_cache.get("ticket")) is not None:
            ticket.first_response_at = message.created_at
    conversation._first_response_known = True


def record_first_responses(answers: "list[tuple[Conversation, ChatMessage]]") -> list[Exception | None]:
    """`record_first_response` for several chats' first answers at once (a socket process's answers that
    waited while others were recorded): one transaction, so their tickets' follow-up work (the SLA clocks)
    is one background job, not one each. Tickets are updated in id order (no deadlock between processes).

    Returns, for each answer in order, None or the error that kept it from being recorded: when the shared
    transaction fails, each answer is recorded again on its own and only the failing ones fail."""
    if len(answers) > 1:
        ordered = sorted(answers, key=lambda answer: answer[0].ticket_id or 0)
        try:
            with transaction.atomic():
                for conversation, message in ordered:
                    record_first_response(conversation, message)
            return [None] * len(answers)
        except Exception:
            log.warning(
                "first responses of %d chats could not be recorded together", len(answers), exc_info=True
            )
            for conversation, _message in answers:  # rolled back: none is known any more
                _forget_first_response(conversation)
    failures: list[Exception | None] = []
    for conversation, message in answers:
        try:
            record_first_response(conversation, message)
            failures.append(None)
        except Exception as error:
            _forget_first_response(conversation)
            failures.append(error)
    return failures


def _forget_first_response(conversation: Conversation) -> None:
    conversation._first_response_known = False
    setattr(conversation, ANSWERED_COLUMN, None)
    if (ticket := conversation._state.fields_cache.get("ticket")) is not None:
        ticket.first_response_at = None


def post_note(*, conversation: Conversation, actor, text: str, client_id: str = "") -> Posted:
    """An internal note in the chat (the visitor never sees it): by its agent or a supervisor."""
    if conversation.agent_id != actor.pk and not is_supervisor(actor):
        raise NotAllowed(_("This chat is not yours."))
    return _post(
        conversation=conversation, text=text, client_id=client_id, kind=AuthorKind.NOTE, author=actor
    )


def _previous(conversation: Conversation, client_id: str) -> Posted | None:
    if not client_id:
        return None
    previous = ChatMessage.objects.filter(conversation=conversation, client_id=client_id).first()
    return Posted(previous, duplicate=True) if previous else None


def _post(*, conversation: Conversation, text: str, client_id: str, kind: str, author) -> Posted:
    clean = rules.clean_text(text)
    if clean is None:
        raise InvalidInput(_("A chat message must be 1 to 2000 characters long."))
    return _store(conversation, client_id, dict(author_kind=kind, author=author, text=clean))


def _post_file(*, conversation: Conversation, upload: UploadedFile, client_id: str, kind: str) -> Posted:
    if upload.size is None or upload.size > rules.MAX_UPLOAD or upload.size == 0:
        raise InvalidInput(_("Files may be at most 5 MB."))
    head = upload.read(2048)
    upload.seek(0)
    real = rules.sniff_type(head, (upload.content_type or "").split(";")[0].strip().lower())
    if real is None:
        raise InvalidInput(_("Only images (PNG, JPEG, GIF, WebP), PDF and plain text files can be sent."))
    name = rules.safe_file_name(upload.name, real)
    # the stored name says nothing the visitor chose
    upload.name = uuid.uuid4().hex + rules.UPLOAD_TYPES[real]
    fields = dict(
        author_kind=kind,
        text="",
        attachment=upload,
        attachment_name=name,
        attachment_type=real,
        attachment_size=upload.size,
    )
    return _store(conversation, client_id, fields)


def _store(conversation: Conversation, client_id: str, fields: dict) -> Posted:
    """Insert the message; a client id stored before (a re-send) is caught by the unique constraint, so
    the usual case costs no look-up first."""
    if not conversation.is_open:
        previous = _previous(conversation, client_id)  # a re-send of a message stored before the end
        if previous:
            return previous
        raise Conflict(_("This chat has ended."))
    # Alone, the INSERT is its own transaction (autocommit): no BEGIN and COMMIT round trips around it, and
    # the listener runs once it is stored. Inside a caller's transaction a savepoint keeps that usable.
    in_transaction = transaction.get_connection().in_atomic_block
    try:
        with transaction.atomic() if in_transaction else nullcontext():
            message = ChatMessage.objects.create(conversation=conversation, client_id=client_id, **fields)
            _emit_posted(message)
    except IntegrityError:  # a concurrent re-send of the same client id won
        return Posted(ChatMessage.objects.get(conversation=conversation, client_id=client_id), duplicate=True)
    return Posted(message, duplicate=False)


def _system(conversation: Conversation, text: str, kind: str = AuthorKind.SYSTEM) -> ChatMessage:
    message = ChatMessage.objects.create(
        conversation=conversation, author_kind=kind, text=text[: rules.MAX_TEXT]
    )
    _emit_posted(message)
    return message


# The messages this thread stored whose ChatMessagePosted listeners have not run yet. The push listener runs
# on the storing thread after the commit (at once in autocommit) and takes the row from here instead of
# reading it back: that SELECT was the largest database cost of a chat message. A rolled-back message is
# never taken, so only the newest few are kept.
_stored = threading.local()
STORED_KEPT = 32


def _emit_posted(message: ChatMessage) -> None:
    kept = _stored.__dict__.setdefault("messages", {})
    kept[message.pk] = message
    if len(kept) > STORED_KEPT:
        del kept[next(iter(kept))]
    emit(ChatMessagePosted(conversation_id=message.conversation_id, message_id=message.pk))


def stored_message(message_id: int) -> ChatMessage | None:
    """The message with this id that this thread just stored and announced (once; None otherwise)."""
    return _stored.__dict__.get("messages", {}).pop(message_id, None)


def current_agent_id(conversation_id: int) -> int | None:
    """The chat's agent as stored now. One column by primary key in plain SQL: every chat message asks it
    (the agent may have changed since the sender loaded the chat), and the ORM's query building costs ~15
    times the statement itself."""
    quote, meta = connection.ops.quote_name, Conversation._meta
    table, column, key = quote(meta.db_table), quote(meta.get_field("agent").column), quote(meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {key} = %s", [conversation_id])
        row = cursor.fetchone()
    return row[0] if row else None


def load_conversation(conversation_id: int) -> Conversation | None:
    """The chat's row by primary key (the busiest read of live chat: every message frame's chat), and whether
    its ticket has its first response (an agent's message then needs no UPDATE of the ticket). A raw query
    still converts the chat's columns like the ORM, at a third of its CPU."""
    quote, chat, ticket = connection.ops.quote_name, Conversation._meta, Ticket._meta
    query = (
        f"SELECT c.*, t.{quote(ticket.get_field('first_response_at').column)} AS {ANSWERED_COLUMN}"
        f" FROM {quote(chat.db_table)} c LEFT JOIN {quote(ticket.db_table)} t"
        f" ON t.{quote(ticket.pk.column)} = c.{quote(chat.get_field('ticket').column)}"
        f" WHERE c.{quote(chat.pk.column)} = %s"
    )
    return next(iter(Conversation.objects.raw(query, [conversation_id])), None)


# Set on the chats load_conversation returns: the raw column value (only whether it is None matters).
ANSWERED_COLUMN = "kefu_ticket_first_response_at"


def mark_read(*, conversation: Conversation, by_visitor: bool, up_to: int) -> bool:
    """Record that the visitor (or the agent) has read the chat up to message `up_to`; False if nothing new."""
    column = "visitor_read" if by_visitor else "agent_read"
    last = conversation.messages.order_by("-pk").values_list("pk", flat=True).first() or 0
    up_to = min(up_to, last)
    return bool(
        Conversation.objects.filter(pk=conversation.pk, **{f"{column}__lt": up_to}).update(**{column: up_to})
    )


# --- the bot phase ---------------------------------------------------------------------------------


def bot_turn(*, conversation: Conversation, message: ChatMessage) -> BotTurn:
    """Let the FAQ bot answer a visitor message in the bot phase, or hand the chat over to a person.

    It hands over when the visitor asks for a person ("转人工", "human" …), when it is unsure, or when the
    visitor asks the same again. Every answer is a chat message of kind "bot", so the agent sees it.
    """
    if conversation.phase != Phase.BOT or conversation.status != ConversationStatus.BOT:
        return BotTurn()
    earlier = list(
        conversation.messages.filter(author_kind=AuthorKind.VISITOR, pk__lt=message.pk)
        .order_by("-pk")
        .values_list("text", flat=True)[:5]
    )
    reply = bot.answer(message.text, conversation.language or None, previous_questions=tuple(earlier))
    if not reply.handover:
        with transaction.atomic():
            said = _system(conversation, reply.entry.answer, kind=AuthorKind.BOT)
        return BotTurn(replies=[said])
    return hand_over(conversation=conversation)


def hand_over(*, conversation: Conversation) -> BotTurn:
    """From the bot to the queue (a person); when no one can chat, the bot stays and says so."""
    with translation.override(conversation.language or None):
        reason = unavailable_reason(site=conversation.site)
        if reason:
            with transaction.atomic():
                said = _system(conversation, _("No one can answer right now. Please leave a message."))
            return BotTurn(replies=[said], unavailable=reason)
        with transaction.atomic():
            moved = Conversation.objects.filter(pk=conversation.pk, status=ConversationStatus.BOT).update(
                status=ConversationStatus.QUEUED, phase=Phase.HUMAN, queued_at=clock.now()
            )
            if not moved:
                return BotTurn()
            said = _system(conversation, _("Connecting you to an agent…"))
    conversation.refresh_from_db()
    return BotTurn(replies=[said], handed_over=True)


# --- the queue and claiming ------------------------------------------------------------------------


def accept(*, conversation: Conversation, actor) -> Conversation:
    """Claim a queued chat for `actor`. A conditional UPDATE: of two agents accepting at once, one wins."""
    if not (actor.is_active and actor.is_staff):
        raise NotAllowed(_("Only staff may take chats."))
    with transaction.atomic():  # the claim and the ticket's assignment stand or fall together
        claimed = Conversation.objects.filter(pk=conversation.pk, status=ConversationStatus.QUEUED).update(
            status=ConversationStatus.ACTIVE, agent=actor, accepted_at=clock.now()
        )
        if not claimed:
            raise Conflict(_("Someone else has already taken this chat, or it has ended."))
        conversation.refresh_from_db()
        _assign_ticket(conversation, actor)
        emit(ChatAccepted(conversation_id=conversation.pk, agent_id=actor.pk))
    return conversation


def _fresh_ticket(conversation: Conversation) -> Ticket:
    """The chat's ticket as stored now (a service may have changed it since the conversation was loaded)."""
    conversation.ticket = Ticket.objects.get(pk=conversation.ticket_id)
    return conversation.ticket


def _assign_ticket(conversation: Conversation, agent) -> None:
    ticket = _fresh_ticket(conversation)
    if (
        ticket.assignee_id != agent.pk
        and ticket.status in (Status.NEW, Status.OPEN)
        and can_work_ticket(agent, ticket)
    ):
        conversation.ticket = ticket_services.assign_ticket(ticket=ticket, actor=agent, assignee=agent)


def queued() -> "list[Conversation]":
    """Waiting chats in serving order: higher priority first, then the longest wait."""
    return list(
        Conversation.objects.filter(status=ConversationStatus.QUEUED)
        .select_related("site", "customer", "team", "topic")
        .order_by("-priority", "queued_at", "pk")
    )


def queue_position(*, conversation: Conversation) -> int:
    """1 for the next chat to be served; 0 when it is not waiting. One query, on the chat as stored now."""
    me = Conversation.objects.filter(pk=conversation.pk)
    priority = Subquery(me.values("priority")[:1])
    queued_at = Subquery(me.values("queued_at")[:1])
    ahead = (
        Q(priority__gt=priority)
        | Q(priority=priority, queued_at__lt=queued_at)
        | Q(priority=priority, queued_at=queued_at, pk__lt=conversation.pk)
    )
    counts = Conversation.objects.filter(status=ConversationStatus.QUEUED).aggregate(
        me=Count("pk", filter=Q(pk=conversation.pk)), ahead=Count("pk", filter=ahead)
    )
    return counts["ahead"] + 1 if counts["me"] else 0


def queue_positions() -> dict[int, int]:
    """Every waiting chat's place (1 for the next to be served), in one query: when the queue moves, a
    process tells all its waiting visitors their place from this instead of one query each."""
    waiting = (
        Conversation.objects.filter(status=ConversationStatus.QUEUED)
        .order_by("-priority", "queued_at", "pk")
        .values_list("pk", flat=True)
    )
    return {pk: place for place, pk in enumerate(waiting, start=1)}


@dataclass(frozen=True)
class QueueFigures:
    """What every waiting visitor's estimate shares: the average chat length and the agents present."""

    handle_seconds: float | None
    agents: int


QUEUE_FIGURES_KEY = "kefu:chat:queue-figures"
QUEUE_FIGURES_TTL = 30  # seconds: an estimate is "about M minutes", a little staleness costs nothing


def queue_figures() -> QueueFigures:
    """The shared queue figures, computed at most once per `QUEUE_FIGURES_TTL` for all processes (cache)."""
    cached = cache.get(QUEUE_FIGURES_KEY)
    if cached is not None:
        return QueueFigures(*cached)
    spans = (
        Conversation.objects.filter(status=ConversationStatus.ENDED, accepted_at__isnull=False)
        .order_by("-ended_at")
        .values_list("accepted_at", "ended_at")[:HANDLE_SAMPLE]
    )
    lengths = [(ended - accepted).total_seconds() for accepted, ended in spans if ended and ended > accepted]
    agents = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, presence="online", max_chats__gt=0)
        .count()
    )
    figures = QueueFigures(sum(lengths) / len(lengths) if lengths else None, agents)
    cache.set(QUEUE_FIGURES_KEY, (figures.handle_seconds, figures.agents), QUEUE_FIGURES_TTL)
    return figures


def queue_estimate(
    *,
    conversation: Conversation,
    figures: QueueFigures | None = None,
    positions: dict[int, int] | None = None,
) -> tuple[int, int]:
    """(position in the queue, about how many minutes until an agent takes it); (0, 0) when not waiting.

    The position from `positions` (`queue_positions`, shared by a queue move's visitors) or, for a chat not
    there (queued since), one query; the shared figures come with a queue move (`figures`) or from the cache.
    """
    position = (positions or {}).get(conversation.pk) or queue_position(conversation=conversation)
    if not position:
        return 0, 0
    figures = figures or queue_figures()
    return position, rules.estimated_wait_minutes(position, figures.agents, figures.handle_seconds)


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
    """The first eligible queued chat for the least busy present agent with room (None: nothing to offer).

    An offer writes nothing; the agent claims it with `accept`. Eligible: the chat has no team or the
    agent is in it, and a chat for senior agents only (VIP customers) goes to L2/L3 agents.
    """
    waiting = queued()
    if not waiting:
        return None
    agents = available_agents()
    if not agents:
        return None
    load_team_ids(agents)  # one query for every agent's teams
    for conversation in waiting:
        for agent in agents:
            if rules.may_serve(
                chat_team_id=conversation.team_id,
                senior_only=conversation.senior_only,
                agent_team_ids=set(team_ids(agent)),
                agent_level=agent.level,
            ):
                return Offer(conversation, agent)
    return None


# --- working a chat --------------------------------------------------------------------------------


def _require_handler(conversation: Conversation, actor) -> None:
    """The chat's agent, or a supervisor, may transfer, convert, link and end it."""
    if conversation.agent_id != actor.pk and not is_supervisor(actor):
        raise NotAllowed(_("This chat is not yours."))


def transfer(
    *, conversation: Conversation, actor, to_agent=None, to_team=None, note: str = ""
) -> Conversation:
    """Hand the chat to another agent, or back to the queue (of another team), with a note for the next one."""
    if conversation.status != ConversationStatus.ACTIVE:
        raise Conflict(_("Only an active chat can be transferred."))
    _require_handler(conversation, actor)
    if to_agent is not None and not (to_agent.is_active and to_agent.is_staff):
        raise InvalidInput(_("Chats can only be transferred to staff."))
    if to_agent is not None and to_agent.pk == conversation.agent_id:
        raise InvalidInput(_("The chat is already with this agent."))
    note = (note or "").strip()[: rules.MAX_TEXT]
    previous_agent_id = conversation.agent_id
    with transaction.atomic():
        if to_agent is not None:
            moved = Conversation.objects.filter(pk=conversation.pk, status=ConversationStatus.ACTIVE).update(
                agent=to_agent, accepted_at=clock.now()
            )
        else:
            moved = Conversation.objects.filter(pk=conversation.pk, status=ConversationStatus.ACTIVE).update(
                agent=None,
                status=ConversationStatus.QUEUED,
                queued_at=clock.now(),
                team=to_team if to_team is not None else conversation.team,
            )
        if not moved:
            raise Conflict(_("Only an active chat can be transferred."))
        if note:
            message = ChatMessage.objects.create(
                conversation=conversation, author_kind=AuthorKind.NOTE, author=actor, text=note
            )
            emit(ChatMessagePosted(conversation_id=conversation.pk, message_id=message.pk))
        with translation.override(conversation.language or None):
            _system(conversation, _("You are being transferred to a colleague."))
        conversation.refresh_from_db()
        if to_agent is not None:
            _assign_ticket(conversation, to_agent)
        emit(
            ChatTransferred(
                conversation_id=conversation.pk,
                from_agent_id=previous_agent_id,
                to_agent_id=to_agent.pk if to_agent is not None else None,
                to_team_id=conversation.team_id if to_agent is None else None,
            )
        )
    return conversation


def take_over(*, conversation: Conversation, actor) -> tuple[Conversation, int | None]:
    """A supervisor takes an open chat for themselves; returns it and the agent it was taken from."""
    if not is_supervisor(actor):
        raise NotAllowed(_("Only supervisors may take over a chat."))
    previous = conversation.agent_id
    if previous == actor.pk:
        return conversation, None
    with transaction.atomic():
        moved = Conversation.objects.filter(pk=conversation.pk, status__in=OPEN_STATUSES).update(
            agent=actor, status=ConversationStatus.ACTIVE, phase=Phase.HUMAN, accepted_at=clock.now()
        )
        if not moved:
            raise Conflict(_("This chat has ended."))
        conversation.refresh_from_db()
        _assign_ticket(conversation, actor)
        emit(ChatAccepted(conversation_id=conversation.pk, agent_id=actor.pk))
    return conversation, previous


def convert_to_ticket(*, conversation: Conversation, actor, subject: str = "") -> Conversation:
    """Keep the chat's ticket open for follow-up after the chat ends (optionally with a new subject)."""
    _require_handler(conversation, actor)
    subject = (subject or "").strip()
    if subject and subject != _fresh_ticket(conversation).subject:
        ticket_services.update_ticket(
            ticket=conversation.ticket, actor=actor, changes=ticket_services.TicketChanges(subject=subject)
        )
    Conversation.objects.filter(pk=conversation.pk).update(follow_up=True)
    conversation.refresh_from_db()
    _fresh_ticket(conversation)
    return conversation


def link_ticket(*, conversation: Conversation, actor, ticket: Ticket) -> Conversation:
    """Link the chat to an existing ticket: a note there now, and the transcript there when it ends."""
    _require_handler(conversation, actor)
    if not can_work_ticket(actor, ticket):
        raise NotAllowed(_("You may not work on that ticket."))
    if ticket.pk == conversation.ticket_id:
        raise InvalidInput(_("This is the chat's own ticket."))
    with transaction.atomic():
        Conversation.objects.filter(pk=conversation.pk).update(linked_ticket=ticket, follow_up=True)
        ticket_services.add_note(
            ticket=ticket,
            actor=actor,
            text=_("Live chat with %(customer)s linked (chat ticket #%(number)s).")
            % {"customer": conversation.customer.name, "number": conversation.ticket_id},
        )
    conversation.refresh_from_db()
    return conversation


def end_idle_conversations(*, now: datetime | None = None, batch: int = 200) -> list[int]:
    """End open chats without a message for `CHAT_IDLE_MINUTES` (the visitor left without saying so).

    Each is ended like a visitor's own end (transcript kept, ticket solved unless kept), after a system
    line that says why; `end` claims the chat with a conditional update, so two jobs never end one twice.
    """
    now = now or clock.now()
    cutoff = now - timedelta(minutes=settings.CHAT_IDLE_MINUTES)
    stale = (
        Conversation.objects.filter(status__in=OPEN_STATUSES, created_at__lt=cutoff)
        .annotate(last_message=Max("messages__created_at"))
        .filter(Q(last_message__lt=cutoff) | Q(last_message__isnull=True))
        .order_by("pk")[:batch]
    )
    ended = []
    for conversation in stale:
        with transaction.atomic():
            _system(
                conversation,
                _("The chat ended after %(minutes)d minutes without a message.")
                % {"minutes": settings.CHAT_IDLE_MINUTES},
            )
            end(conversation=conversation, actor=None, idle=True)
        ended.append(conversation.pk)
    return ended


def end(*, conversation: Conversation, actor=None, idle: bool = False) -> Conversation:
    """End the chat (its agent or a supervisor; the visitor when `actor` is None) and store the transcript.

    The transcript becomes a note on the chat's ticket (and on a linked ticket). Unless the chat was kept
    as a ticket, its ticket is solved (also when the visitor leaves a chat only the bot answered).
    """
    if actor is not None:
        _require_handler(conversation, actor)
    with transaction.atomic():
        ended = Conversation.objects.filter(pk=conversation.pk, status__in=OPEN_STATUSES).update(
            status=ConversationStatus.ENDED, ended_at=clock.now()
        )
        conversation.refresh_from_db()
        if not ended:
            return conversation
        text = _("Chat transcript") + "\n\n" + rules.transcript(_lines(conversation, notes=True))
        note_author = actor or conversation.agent
        for ticket in filter(None, (conversation.ticket, conversation.linked_ticket)):
            if note_author is not None and can_work_ticket(note_author, ticket):
                ticket_services.add_note(ticket=ticket, actor=note_author, text=text)
        ticket = _fresh_ticket(conversation)
        if (
            not conversation.follow_up
            and note_author is not None
            and ticket.status in (Status.NEW, Status.OPEN)
            and can_work_ticket(note_author, ticket)
        ):
            conversation.ticket = ticket_services.change_status(
                ticket=ticket, actor=note_author, status=Status.SOLVED
            )
        elif actor is None and conversation.phase == Phase.BOT and not conversation.follow_up:
            # The bot answered and the visitor is done: nothing waits for a person.
            conversation.ticket = ticket_services.close_by_customer(
                ticket=ticket, customer=conversation.customer
            )
        emit(ChatEnded(conversation_id=conversation.pk, actor_id=actor.pk if actor else None, idle=idle))
    return conversation


def _lines(conversation: Conversation, *, notes: bool) -> list[tuple[str, str, str]]:
    messages = conversation.messages.select_related("author")
    if not notes:
        messages = messages.for_visitor()
    lines = []
    for m in messages:
        who = m.author.name if m.author_id else str(AuthorKind(m.author_kind).label)
        if m.author_kind == AuthorKind.NOTE:
            who = f"{who} ({AuthorKind.NOTE.label})"
        text = m.text or f"[{m.attachment_name}]"
        lines.append((timezone.localtime(m.created_at).strftime("%Y-%m-%d %H:%M:%S"), who, text))
    return lines


def email_transcript(*, conversation: Conversation, address: str) -> None:
    """Send the visitor the chat's transcript (without internal notes) by a job queued after the commit:
    SMTP never runs in the socket's database thread (with a worker; embedded, the job runs in-process)."""
    from .tasks import send_transcript

    if not rules.is_email(address):
        raise InvalidInput(_("Please enter a valid e-mail address."))
    enqueue_on_commit(send_transcript, conversation.pk, address.strip())


def mail_transcript(*, conversation_id: int, address: str) -> None:
    """The job's body: the transcript as it stands, in the chat's language."""
    conversation = Conversation.objects.select_related("site").filter(pk=conversation_id).first()
    if conversation is None:
        return
    with translation.override(conversation.language or None):
        subject = _("Your chat with %(site)s") % {"site": conversation.site.name}
        body = rules.transcript(_lines(conversation, notes=False))
    send_mail(subject, body, None, [address])


def leave_message(
    *, site: ChatSite, visitor_id: str, text: str, name: str = "", email: str = "", phone: str = "",
    client_id: str = "", language: str = "",
) -> Ticket:  # fmt: skip
    """A message left when no one can chat: a ticket through intake (the same client id twice: one ticket)."""
    clean = rules.clean_text(text)
    if clean is None:
        raise InvalidInput(_("A chat message must be 1 to 2000 characters long."))
    answers = rules.clean_prechat(
        {"fields": ["name", "email", "phone"], "required": ["email"]},
        {"name": name, "email": email, "phone": phone},
        set(),
    )
    if answers is None:
        raise InvalidInput(_("Please leave a valid e-mail address or phone number so we can answer."))
    kind, value = _identity(site, visitor_id, answers)
    result = ingest(
        InboundMessage(
            channel="chat",
            identity_kind=kind,
            identity_value=value,
            name=answers.get("name", ""),
            language=language,
            subject=_("Message left on %(site)s") % {"site": site.name},
            text=clean,
            external_id=f"chat-left:{site.key}:{visitor_id}:{client_id or uuid.uuid4().hex}"[:250],
        )
    )
    return result.ticket


# --- what supervisors see --------------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    chats: list[Conversation]  # every open chat, longest waiting first
    queue_length: int
    longest_wait: timedelta | None


def live_overview() -> Overview:
    """Every open chat, the queue's length and its longest wait (three queries)."""
    chats = list(
        Conversation.objects.filter(status__in=OPEN_STATUSES)
        .select_related("customer", "agent", "team", "site")
        .order_by("status", "-priority", "queued_at", "pk")[:500]
    )
    waiting = Conversation.objects.filter(status=ConversationStatus.QUEUED).aggregate(
        n=Count("pk"), oldest=Min("queued_at")
    )
    longest = clock.now() - waiting["oldest"] if waiting["oldest"] else None
    return Overview(chats=chats, queue_length=waiting["n"], longest_wait=longest)


# --- configuring sites -----------------------------------------------------------------------------

MANAGE = "accounts.manage_configuration"


def save_site(*, actor, site: ChatSite | None, values: dict, topics: list[tuple[str, object]]) -> ChatSite:
    """Create or change a chat site and replace its pre-chat topics ((name, team or None) in order)."""
    if not (actor.is_active and actor.is_staff and actor.has_perm(MANAGE)):
        raise NotAllowed()
    with transaction.atomic():
        if site is None:
            site = ChatSite.objects.create(**values)
        else:
            for name, value in values.items():
                setattr(site, name, value)
            site.save()
        keep = []
        for position, (name, team) in enumerate(topics):
            topic, _created = ChatTopic.objects.update_or_create(
                site=site, name=name, defaults={"team": team, "position": position}
            )
            keep.append(topic.pk)
        site.topics.exclude(pk__in=keep).delete()
    return site
