"""Live-chat frames on the agent's websocket (`/ws/agent/`), an additive part of its protocol.

Frames from the browser:
  {"type": "chat.accept", "conversation": 5}
  {"type": "chat.send", "conversation": 5, "client_id": "a1", "text": "..."}
  {"type": "chat.note", "conversation": 5, "client_id": "n1", "text": "..."}   staff only, never to the visitor
  {"type": "chat.typing", "conversation": 5, "on": true}
  {"type": "chat.read", "conversation": 5, "id": 44}
  {"type": "chat.transfer", "conversation": 5, "agent": 9 | "team": 2, "note": "..."}
  {"type": "chat.convert", "conversation": 5, "subject": "..."}               keep the chat's ticket open
  {"type": "chat.link", "conversation": 5, "ticket": 123}                      link to an existing ticket
  {"type": "chat.end", "conversation": 5}
  {"type": "chat.join", "conversation": 5}                                     supervisors: watch a chat
  {"type": "chat.take", "conversation": 5}                                     supervisors: take it over
  {"type": "chat.sync", "conversation": 5}           after a reconnect: the window again (what was missed);
                                                     a supervisor's joined window follows the chat again
Frames to the browser (besides the pushes `chat.offer`, `chat.message`, `chat.ended`, `chat.queue`,
`chat.typing`, `chat.read`; every chat message and every ending is pushed by the listeners in
realtime/chat_listeners.py).
A supervisor's new socket (reload, lost network, another process) gets `chat.accepted` with `joined` for
each open chat they had joined, and follows it again (kept per user in the cache):
  {"type": "chat.accepted", "conversation": 5, "customer": "...", "profile": {...}, "messages": [...],
   "joined": false}                                    a chat window to open (also after a transfer to me)
  {"type": "chat.gone", "conversation": 5}             the chat is no longer mine (transferred, taken over)
  {"type": "chat.ack", "conversation": 5, "client_id": "a1", "id": 43}
  {"type": "chat.done", "conversation": 5, "what": "transfer"|"convert"|"link", "ticket": 123}
  {"type": "chat.error", "conversation": 5, "error": "taken"|"not_found"|"invalid", "message": "..."}
"""

import asyncio
import weakref
from dataclasses import dataclass, field
from types import SimpleNamespace
from uuid import uuid4

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Team
from kefu.chat import rules, services
from kefu.chat.models import OPEN_STATUSES, ChatMessage, Conversation
from kefu.core.errors import Conflict, DomainError, InvalidInput
from kefu.tickets.access import visible_tickets
from kefu.tickets.models import Ticket

from . import groups
from .broadcast import from_socket, push_all, push_message
from .chat_work import chat_database, chat_turn

FRAMES = (
    "chat.accept",
    "chat.send",
    "chat.note",
    "chat.typing",
    "chat.read",
    "chat.transfer",
    "chat.convert",
    "chat.link",
    "chat.end",
    "chat.join",
    "chat.take",
    "chat.sync",
)
SUPERVISOR_FRAMES = (
    "chat.sync",
    "chat.note",
    "chat.transfer",
    "chat.convert",
    "chat.link",
    "chat.end",
    "chat.join",
    "chat.take",
    "chat.sync",
)
HISTORY = 5  # previous tickets shown in the visitor's profile


def _message_frame(message: ChatMessage) -> dict:
    from kefu.connectors.webchat.files import frame

    return frame(message)


# Frames that only need the chat's own row (the busiest ones: a plain query, no joins).
LIGHT_FRAMES = ("chat.send", "chat.note", "chat.typing", "chat.read")


def _load(conversation_id, kind: str) -> Conversation | None:
    if not _positive(conversation_id):  # (also within the database's integer range)
        return None
    if kind in LIGHT_FRAMES:
        return services.load_conversation(conversation_id)
    chats = Conversation.objects.select_related("customer", "agent", "site", "ticket", "topic")
    return chats.filter(pk=conversation_id).first()


# The busy frames run on the chat threads (chat_work); the rest on the process's database thread.
_light_conversation = chat_database(_load)
_conversation_with_related = database_sync_to_async(_load)


async def _conversation(conversation_id, kind: str) -> Conversation | None:
    load = _light_conversation if kind in LIGHT_FRAMES else _conversation_with_related
    return await load(conversation_id, kind)


@database_sync_to_async
def _may_supervise(user) -> bool:
    return services.is_supervisor(user)


def window_frame(conversation: Conversation, user, *, joined: bool = False) -> dict:
    """Everything a console window shows: the messages (with notes), the visitor's profile and history."""
    messages = [_message_frame(m) for m in conversation.messages.select_related("author")]
    customer = conversation.customer
    history = visible_tickets(user, Ticket.objects.filter(customer=customer)).exclude(
        pk=conversation.ticket_id
    )
    tickets = [
        {"id": t.pk, "subject": t.subject, "status": str(t.get_status_display())}
        for t in history.order_by("-pk")[:HISTORY]
    ]
    previous_chats = customer.chats.exclude(pk=conversation.pk).count()
    profile = {
        "name": customer.name,
        "vip": customer.is_vip,
        "email": conversation.prechat.get("email", ""),
        "phone": conversation.prechat.get("phone", ""),
        "topic": str(conversation.topic) if conversation.topic_id else "",
        "page": conversation.page_url,
        "ticket": conversation.ticket_id,
        "linked_ticket": conversation.linked_ticket_id,
        "follow_up": conversation.follow_up,
        "tickets": tickets,
        "previous_chats": previous_chats,
    }
    return {
        "conversation": conversation.pk,
        "customer": customer.name,
        "profile": profile,
        "messages": messages,
        "joined": joined,
        "agent": conversation.agent.name if conversation.agent_id else "",
    }


@database_sync_to_async
def _accept(conversation: Conversation, user) -> dict:
    conversation = services.accept(conversation=conversation, actor=user)
    return window_frame(conversation, user)


@database_sync_to_async
def _window(conversation: Conversation, user, joined: bool) -> dict:
    conversation.refresh_from_db()
    return window_frame(conversation, user, joined=joined)


@chat_database
def _send(conversation: Conversation, user, text: str, client_id: str, note: bool) -> int:
    post = services.post_note if note else services.post_agent_message
    return post(conversation=conversation, actor=user, text=text, client_id=client_id).message.pk


@database_sync_to_async
def _end(conversation: Conversation, user) -> None:
    services.end(conversation=conversation, actor=user)


@chat_database
def _read(conversation: Conversation, up_to: int) -> bool:
    return services.mark_read(conversation=conversation, by_visitor=False, up_to=up_to)


@database_sync_to_async
def _transfer(conversation: Conversation, user, content: dict) -> tuple[Conversation, dict | None]:
    """Transfer; returns the chat and the window frame for the new agent (None: back to a queue)."""
    agent_id, team_id = content.get("agent"), content.get("team")
    to_agent = to_team = None
    if _positive(agent_id):
        to_agent = get_user_model().objects.filter(pk=agent_id, is_staff=True, is_active=True).first()
        if to_agent is None:
            raise InvalidInput(_("Choose an agent or a team."))
    elif _positive(team_id):
        to_team = Team.objects.filter(pk=team_id).first()
        if to_team is None:
            raise InvalidInput(_("Choose an agent or a team."))
    else:
        raise InvalidInput(_("Choose an agent or a team."))
    note = content.get("note") if isinstance(content.get("note"), str) else ""
    conversation = services.transfer(
        conversation=conversation, actor=user, to_agent=to_agent, to_team=to_team, note=note
    )
    window = window_frame(conversation, to_agent) if to_agent is not None else None
    return conversation, window


@database_sync_to_async
def _take(conversation: Conversation, user) -> tuple[dict, int | None]:
    conversation, previous = services.take_over(conversation=conversation, actor=user)
    return window_frame(conversation, user), previous


@database_sync_to_async
def _convert(conversation: Conversation, user, subject: object) -> int:
    services.convert_to_ticket(
        conversation=conversation, actor=user, subject=subject if isinstance(subject, str) else ""
    )
    return conversation.ticket_id


@database_sync_to_async
def _link(conversation: Conversation, user, ticket_id: object) -> int:
    ticket = visible_tickets(user).filter(pk=ticket_id).first() if _positive(ticket_id) else None
    if ticket is None:
        raise InvalidInput(_("That ticket does not exist or you may not see it."))
    services.link_ticket(conversation=conversation, actor=user, ticket=ticket)
    return ticket.pk


@database_sync_to_async
def next_offer() -> tuple[int, dict] | None:
    """(agent id, `chat.offer` frame) for the next waiting chat, or None (the agent and visitor sockets use it)."""
    offer = services.offer_next()
    if offer is None:
        return None
    return offer.agent.pk, offer_frame(offer.conversation)


def offer_frame(conversation: Conversation) -> dict:
    first = conversation.messages.order_by("pk").first()
    return {
        "conversation": conversation.pk,
        "customer": conversation.customer.name,
        "text": first.text if first else "",
        "queued_at": conversation.queued_at.isoformat() if conversation.queued_at else "",
        "team": str(conversation.team) if conversation.team_id else "",
        "topic": str(conversation.topic) if conversation.topic_id else "",
        "vip": conversation.priority > 0,
    }


def _positive(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


async def handle(consumer, content: dict) -> None:
    """One chat frame from an agent socket (`consumer` is an AgentConsumer with a staff user)."""
    kind = content["type"]
    # The chat's turn: its work and pushes wait for what its other sockets sent before (chat_work).
    if kind == "chat.send":
        async with chat_turn(content.get("conversation")):
            answered = await _send_frame(consumer, content)  # acked and pushed when it returns
            if answered is not None:  # a first answer: recorded once the message is out
                # Still within the chat's turn: every write about one chat keeps to it, so a visitor's
                # next message never races this ticket update (SQLite has one writer).
                await record_first_response(consumer.channel_layer, *answered)
        return
    async with chat_turn(content.get("conversation")):
        conversation = await _conversation(content.get("conversation"), kind)
        if conversation is None or not await _allowed(consumer.user, kind, conversation):
            await _error(consumer, "not_found", content.get("conversation"))
            return
        # What listeners push meanwhile goes out from here once the handler is done (after its own answer);
        # the sender's own chat message is not pushed back to it (it has the ack).
        async with from_socket(consumer, skip=kind in ("chat.send", "chat.note")):
            try:
                await HANDLERS[kind](consumer, conversation, content)
            except Conflict as error:
                await _error(consumer, "taken", conversation.pk, str(error.message))
            except DomainError as error:
                await _error(consumer, "invalid", conversation.pk, str(error.message))


async def _send_frame(consumer, content: dict) -> "Answered | None":
    """An agent's chat message, the busiest frame: the chat is loaded, checked and the message stored in one
    call on a chat thread (not one for the load and one for the store); answers as `handle` would.

    Returns the chat and message when this may be the chat's first answer, still to be recorded."""
    conversation_id = content.get("conversation")
    client_id = rules.clean_client_id(content.get("client_id"))
    text = rules.clean_text(content.get("text"))
    async with from_socket(consumer):  # the message is not pushed back to this socket (it gets the ack)
        try:
            outcome, message_id, answered = await _load_and_send(
                conversation_id, consumer.user, text, client_id
            )
        except Conflict as error:
            await _error(consumer, "taken", conversation_id, str(error.message))
            return None
        except DomainError as error:
            await _error(consumer, "invalid", conversation_id, str(error.message))
            return None
        if outcome == "ack":
            ack = {
                "type": "chat.ack",
                "conversation": conversation_id,
                "client_id": client_id,
                "id": message_id,
            }
            await consumer.send_json(ack)
        else:
            await _error(consumer, outcome, conversation_id)
    return answered


Answered = tuple[Conversation, ChatMessage]


@chat_database
def _load_and_send(
    conversation_id, user, text: str | None, client_id: str | None
) -> tuple[str, int | None, Answered | None]:
    """("ack", the message id, (chat, message) when it may be the chat's first answer), or the error to
    answer: "not_found" (no such chat, or not this agent's: only its agent may write in it) before
    "invalid" (an unusable text or client id).

    A first answer's ticket update (its SLA clock stops, staff consoles hear of it) is left to the caller:
    done here, it delayed the answer's own push by its statements and jobs (in the embedded layout the jobs
    run in this thread)."""
    conversation = _load(conversation_id, "chat.send")
    if conversation is None or conversation.agent_id != user.pk:
        return "not_found", None, None
    if client_id is None or text is None:
        return "invalid", None, None
    posted = services.post_agent_message(
        conversation=conversation,
        actor=user,
        text=text,
        client_id=client_id,
        first_response=False,
    )
    pending = not posted.duplicate and services.first_response_pending(conversation)
    return "ack", posted.message.pk, (conversation, posted.message) if pending else None


# --- first answers: their tickets' updates, together under load ----------------------------------------
# A chat's first answer stops its ticket's SLA clock: an UPDATE, then the ticket's follow-up work (in the
# embedded layout a background job run at once: the SLA clocks). The answers of a process are recorded by one
# task on the database thread: alone when they come one at a time; those that arrive while it records go
# together in its next round (one transaction and one background job for all of them), so under load the
# cost of each falls instead of queueing up. Each answer's socket waits for its own, in its chat's turn.


@dataclass(eq=False)
class _FirstAnswers:
    waiting: list[tuple[Conversation, ChatMessage, asyncio.Future]] = field(default_factory=list)
    recorder: asyncio.Task | None = None


# event loop -> its first answers (tests run a loop each; a loop that goes away takes its entry with it)
_first_answers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _FirstAnswers] = (
    weakref.WeakKeyDictionary()
)
_recorders: set[asyncio.Task] = set()  # running recorders (a task needs a strong reference)


async def record_first_response(layer, conversation: Conversation, message: ChatMessage) -> None:
    """Record a chat's first answer (its ticket's first response) and wait until it is stored; raises what
    recording it raised."""
    loop = asyncio.get_running_loop()
    state = _first_answers.setdefault(loop, _FirstAnswers())
    done = loop.create_future()
    state.waiting.append((conversation, message, done))
    if state.recorder is None:
        # A task of its own: a socket that goes away (its handler cancelled) never leaves the others waiting.
        state.recorder = loop.create_task(_record_waiting(state, layer))
        _recorders.add(state.recorder)
        state.recorder.add_done_callback(_recorders.discard)
    await done


async def _record_waiting(state: _FirstAnswers, layer) -> None:
    batch: list[tuple[Conversation, ChatMessage, asyncio.Future]] = []
    try:
        while state.waiting:
            batch, state.waiting = state.waiting, []
            answers = [(conversation, message) for conversation, message, _ in batch]
            try:
                # the tickets' pushes (staff consoles hear of the change) go out from here when it returns
                async with from_socket(SimpleNamespace(channel_name="", channel_layer=layer), skip=False):
                    failures = await _record_first_responses(answers)
            except Exception as error:  # (the database thread's call itself failed)
                failures = [error] * len(batch)
            for (_conversation, _message, done), failure in zip(batch, failures, strict=True):
                if done.cancelled():
                    continue
                if failure is None:
                    done.set_result(None)
                else:
                    done.set_exception(failure)
    finally:
        state.recorder = None
        # cancelled (the event loop closes): no socket is left waiting
        for _conversation, _message, done in batch + state.waiting:
            if not done.done():
                done.cancel()
        state.waiting = []


@database_sync_to_async  # not a busy frame's call: the chat threads stay for messages
def _record_first_responses(answers: list[tuple[Conversation, ChatMessage]]) -> list[Exception | None]:
    return services.record_first_responses(answers)


async def _allowed(user, kind: str, conversation: Conversation) -> bool:
    if kind == "chat.accept" or conversation.agent_id == user.pk:
        return True
    return kind in SUPERVISOR_FRAMES and await _may_supervise(user)


async def _on_accept(consumer, conversation: Conversation, content: dict) -> None:
    layer = consumer.channel_layer
    frame = await _accept(conversation, consumer.user)
    await consumer.send_json({"type": "chat.accepted", **frame})
    await layer.group_send(groups.chat(conversation.pk), push_message("agent", {"name": consumer.user.name}))
    await queue_moved(layer)


async def _on_send(consumer, conversation: Conversation, content: dict) -> None:
    """Store and ack; the chat-message listener pushes it to everyone else following the chat."""
    note = content["type"] == "chat.note"
    client_id = rules.clean_client_id(content.get("client_id"))
    text = rules.clean_text(content.get("text"))
    if client_id is None or text is None:
        await _error(consumer, "invalid", conversation.pk)
        return
    message_id = await _send(conversation, consumer.user, text, client_id, note)
    await consumer.send_json(
        {"type": "chat.ack", "conversation": conversation.pk, "client_id": client_id, "id": message_id}
    )


async def _on_typing(consumer, conversation: Conversation, content: dict) -> None:
    frame = {"on": content.get("on") is True}
    await consumer.channel_layer.group_send(groups.chat(conversation.pk), push_message("typing", frame))


async def _on_read(consumer, conversation: Conversation, content: dict) -> None:
    up_to = content.get("id")
    if _positive(up_to) and await _read(conversation, up_to):
        await consumer.channel_layer.group_send(
            groups.chat(conversation.pk), push_message("read", {"id": up_to})
        )


async def _on_transfer(consumer, conversation: Conversation, content: dict) -> None:
    layer = consumer.channel_layer
    previous = conversation.agent_id
    conversation, window = await _transfer(conversation, consumer.user, content)
    gone = push_message("chat.gone", {"conversation": conversation.pk})
    if previous:
        await layer.group_send(groups.user(previous), gone)
    if window is not None:
        await layer.group_send(groups.user(conversation.agent_id), push_message("chat.accepted", window))
        await layer.group_send(groups.chat(conversation.pk), push_message("agent", {"name": window["agent"]}))
    else:
        await _offer_and_hint(layer)
        await queue_moved(layer)
    await consumer.send_json({"type": "chat.done", "conversation": conversation.pk, "what": "transfer"})


async def _on_take(consumer, conversation: Conversation, content: dict) -> None:
    layer = consumer.channel_layer
    frame, previous = await _take(conversation, consumer.user)
    await consumer.send_json({"type": "chat.accepted", **frame})
    if previous:
        await layer.group_send(
            groups.user(previous), push_message("chat.gone", {"conversation": conversation.pk})
        )
    await layer.group_send(groups.chat(conversation.pk), push_message("agent", {"name": consumer.user.name}))
    await queue_moved(layer)


async def _on_join(consumer, conversation: Conversation, content: dict) -> None:
    await _follow(consumer, conversation.pk)
    await sync_to_async(_remember_joined, thread_sensitive=False)(consumer.user.pk, conversation.pk)
    frame = await _window(conversation, consumer.user, True)
    await consumer.send_json({"type": "chat.accepted", **frame})


async def _on_sync(consumer, conversation: Conversation, content: dict) -> None:
    joined = conversation.agent_id != consumer.user.pk  # a supervisor's window (only they pass `_allowed`)
    if joined:
        await _follow(consumer, conversation.pk)
    frame = await _window(conversation, consumer.user, joined)
    await consumer.send_json({"type": "chat.accepted", **frame})


async def _follow(consumer, conversation_id: int) -> None:
    group = groups.chat_staff(conversation_id)
    if group not in consumer.joined:
        await consumer.channel_layer.group_add(group, consumer.channel_name)
        consumer.joined.append(group)


# --- supervisors' joined chats survive a reconnect ------------------------------------------------------
# Which chats a supervisor joined is kept per user in the cache (shared by every ASGI process), so a new
# socket of theirs (a reload, a lost network, another server process) follows those chats again.

JOINED_TTL = 24 * 60 * 60


def _joined_key(user_id: int) -> str:
    return f"kefu:chat:joined:{int(user_id)}"


def _remember_joined(user_id: int, conversation_id: int) -> None:
    ids = set(cache.get(_joined_key(user_id)) or ())
    ids.add(conversation_id)
    cache.set(_joined_key(user_id), sorted(ids), JOINED_TTL)


@database_sync_to_async
def _still_joined(user, ids: list[int]) -> list[dict]:
    """Windows of the joined chats still open and not the user's own; forgets the others."""
    if not services.is_supervisor(user):
        cache.delete(_joined_key(user.pk))
        return []
    chats = (
        Conversation.objects.filter(pk__in=ids, status__in=OPEN_STATUSES)
        .exclude(agent=user)
        .select_related("customer", "agent", "site", "ticket", "topic")
        .order_by("pk")
    )
    windows = [window_frame(conversation, user, joined=True) for conversation in chats]
    kept = [window["conversation"] for window in windows]
    if not kept:
        cache.delete(_joined_key(user.pk))
    elif kept != sorted(ids):
        cache.set(_joined_key(user.pk), kept, JOINED_TTL)
    return windows


async def rejoin(consumer) -> None:
    """A new socket of a supervisor follows the chats they joined before and gets their windows again."""
    ids = await sync_to_async(cache.get, thread_sensitive=False)(_joined_key(consumer.user.pk))
    if not ids:
        return
    for window in await _still_joined(consumer.user, ids):
        await _follow(consumer, window["conversation"])
        await consumer.send_json({"type": "chat.accepted", **window})


async def _on_convert(consumer, conversation: Conversation, content: dict) -> None:
    ticket_id = await _convert(conversation, consumer.user, content.get("subject"))
    await consumer.send_json(
        {"type": "chat.done", "conversation": conversation.pk, "what": "convert", "ticket": ticket_id}
    )


async def _on_link(consumer, conversation: Conversation, content: dict) -> None:
    ticket_id = await _link(conversation, consumer.user, content.get("ticket"))
    await consumer.send_json(
        {"type": "chat.done", "conversation": conversation.pk, "what": "link", "ticket": ticket_id}
    )


async def _on_end(consumer, conversation: Conversation, content: dict) -> None:
    await _end(conversation, consumer.user)  # the ChatEnded listener tells everyone (this socket too)


async def _offer_and_hint(layer) -> None:
    offer = await next_offer()
    if offer is not None:
        agent_id, offered = offer
        await layer.group_send(groups.user(agent_id), push_message("chat.offer", offered))


def requeue_message() -> dict:
    """The layer message that tells waiting visitors the queue moved, with the figures they all share
    (computed once here, not once per visitor): each visitor then only counts its own place."""
    figures = services.queue_figures()
    # `move` names this move: a process's visitors share one query of every waiting chat's place for it
    return {"type": "kefu.requeue", "figures": [figures.handle_seconds, figures.agents], "move": uuid4().hex}


async def queue_moved(layer) -> None:
    """A chat left the queue (taken, ended) or went back: consoles refresh it, waiting visitors hear their place."""
    moves = [(groups.QUEUE, push_message("chat.queue", {}))]
    moves.append((groups.CHAT_WAITING, await database_sync_to_async(requeue_message)()))
    await push_all(layer, moves)  # both coalesced (broadcast.COALESCED_HINTS): thousands of sockets hear them


HANDLERS = {
    "chat.accept": _on_accept,
    "chat.send": _on_send,
    "chat.note": _on_send,
    "chat.typing": _on_typing,
    "chat.read": _on_read,
    "chat.transfer": _on_transfer,
    "chat.convert": _on_convert,
    "chat.link": _on_link,
    "chat.end": _on_end,
    "chat.join": _on_join,
    "chat.take": _on_take,
    "chat.sync": _on_sync,
}


async def _error(consumer, code: str, conversation_id, text: str = "") -> None:
    frame = {"type": "chat.error", "error": code, "message": text or str(ERRORS[code])}
    if isinstance(conversation_id, int):
        frame["conversation"] = conversation_id
    await consumer.send_json(frame)


ERRORS = {
    "taken": _("Someone else has already taken this chat, or it has ended."),
    "not_found": _("This chat does not exist or is not yours."),
    "invalid": _("The message could not be understood."),
}
