"""The visitor's websocket (`/ws/chat/<site_key>/`), opened by the embedded widget on a customer's web site.

Frames from the widget (JSON objects):
  {"type": "hello", "token": "...", "last_seen": 41, "lang": "en", "page": "https://shop/…",
   "pending": [{"client_id": "c7", "text": "..."}], "survey": 5}   first frame: who I am, what I saw, what is
                                                         unacknowledged (and the rating I was asked for)
  {"type": "message", "client_id": "c8", "text": "...",
   "prechat": {"name": "...", "email": "...", "phone": "...", "topic": 3}}   a visitor message; the first one
                                                         of a chat carries the pre-chat answers
  {"type": "typing", "on": true}                         the visitor is (no longer) writing
  {"type": "read", "id": 44}                             the visitor has seen messages up to id 44
  {"type": "leave_message", "client_id": "l1", "name": "...", "email": "...", "phone": "...", "text": "..."}
  {"type": "transcript", "email": "a@example.com"}       e-mail me this chat's transcript
  {"type": "end"}                                        the visitor closes the chat
  {"type": "ping"}
Frames to the widget:
  {"type": "welcome", "token": "...", "conversation": 5|null, "agent": "王芳", "phase": "bot"|"human"|"",
   "form": {"fields": [...], "required": [...], "topics": [{"id": 3, "name": "..."}], "offline": ""|"closed"|"busy"},
   "read": 43,                                           the agent has read up to 43
   "survey": {"conversation": 4}}                        (only without an open chat) the ended chat's rating
                                                         still unanswered: answered at /chat/survey/<site_key>/
  {"type": "message", "id": 42, "author": "visitor"|"agent"|"bot"|"system", "name": "...", "text": "...",
   "file": {"name", "type", "size", "image", "url"}?}
  {"type": "ack", "client_id": "c8", "id": 43}         stored (or stored before: a re-send is acked, not stored)
  {"type": "queue", "position": 3, "minutes": 6}         you are number N in the queue, about M minutes
  {"type": "agent", "name": "王芳"}                      an agent took the chat
  {"type": "typing", "on": true}                         the agent is writing
  {"type": "read", "id": 43}                             the agent has read up to 43
  {"type": "offline", "reason": "closed"|"busy"}         no one can chat: offer to leave a message
  {"type": "left", "client_id": "l1", "ticket": 77}      the left message is stored
  {"type": "transcript_sent"}
  {"type": "ended", "survey": {"conversation": 5}?}     the chat ended (and asks the visitor for a rating)
  {"type": "pong"}
  {"type": "error", "error": "invalid"|"too_large"|"rate_limited"|"not_started"|"ended"|"form", "message": "..."}

The socket opens only from an origin the site allows (others are refused at the handshake). The visitor is
the signed token's visitor id; a visitor reaches only the open conversation of that id on that site.
"""

import json
import time
import uuid
from typing import Any

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.core import signing
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from kefu.chat import rules, services
from kefu.chat.models import ChatMessage, ChatSite, Conversation, ConversationStatus
from kefu.core.errors import DomainError, InvalidInput
from kefu.realtime import groups
from kefu.realtime.broadcast import from_socket, push_all, push_message
from kefu.realtime.chat import next_offer
from kefu.realtime.chat_work import chat_database, chat_turn
from kefu.realtime.consumers import KefuJsonWebsocketConsumer
from kefu.surveys.chat_surveys import pending_chat_survey

from . import throttle
from .files import frame as message_frame

TOKEN_SALT = "kefu.chat.visitor"
TOKEN_MAX_AGE = 60 * 60 * 24 * 30
MAX_FRAME = 8_000  # characters in one frame
MAX_PENDING = 50
REPLAY_LIMIT = 500
SIGNAL_INTERVAL = 0.25  # seconds between typing/read frames that are acted on


def make_token(site: ChatSite, visitor_id: str) -> str:
    return signing.dumps({"s": site.pk, "v": visitor_id}, salt=TOKEN_SALT, compress=True)


def read_token(site: ChatSite, token: object) -> str | None:
    """The visitor id in a valid token for this site, else None (forged, expired or for another site)."""
    if not isinstance(token, str) or len(token) > 500:
        return None
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("s") != site.pk or not isinstance(data.get("v"), str):
        return None
    return data["v"]


def _header(scope: dict, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


def _int(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def _str(value: object, limit: int = 200) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


@database_sync_to_async
def _site(key: str) -> ChatSite | None:
    return ChatSite.objects.filter(key=key, is_active=True).select_related("team", "calendar").first()


@chat_database
def _greeting(site: ChatSite, visitor_id: str, language: str) -> tuple[Conversation | None, dict]:
    """The visitor's open chat (with its agent) and the widget's form, in one call on the chat threads:
    after a restart every widget says hello again at once, and none waits for another's queries."""
    conversation = services.open_conversation(site=site, visitor_id=visitor_id)
    if conversation is not None:
        conversation.site = site  # loaded already, with its team and calendar
    return conversation, services.widget_config(site=site, language=language)


@database_sync_to_async
def _pending_survey(site: ChatSite, visitor_id: str) -> dict | None:
    return pending_chat_survey(site=site, visitor_id=visitor_id)


@chat_database
def _missed(conversation: Conversation, last_seen: int) -> list[dict]:
    if not services.visitor_missed(conversation, last_seen):  # the usual reconnect: a cheap look-up only
        return []
    messages = (
        conversation.messages.for_visitor().filter(pk__gt=last_seen).select_related("author")[:REPLAY_LIMIT]
    )
    return [message_frame(m) for m in messages]


@database_sync_to_async
def _estimate(
    conversation: Conversation, figures: services.QueueFigures | None, move: str | None = None
) -> tuple[int, int]:
    return estimate_after_move(conversation, figures, move)


# The last queue move this process heard of and every waiting chat's place then (runs on the one database
# thread of `database_sync_to_async`): a move's thousand waiting visitors cost one query, not a thousand.
_last_move: list = [None, {}]


def estimate_after_move(
    conversation: Conversation, figures: services.QueueFigures | None, move: str | None
) -> tuple[int, int]:
    if move is None:
        return services.queue_estimate(conversation=conversation, figures=figures)
    if _last_move[0] != move:
        _last_move[:] = [move, services.queue_positions()]
    return services.queue_estimate(conversation=conversation, figures=figures, positions=_last_move[1])


@database_sync_to_async
def _start(site: ChatSite, visitor_id: str, text: str, client_id: str, language: str, prechat, page: str):
    conversation = services.start_conversation(
        site=site,
        visitor_id=visitor_id,
        text=text,
        client_id=client_id,
        language=language,
        prechat=prechat if isinstance(prechat, dict) else {},
        page_url=page,
    )
    message = conversation.messages.get()
    return Conversation.objects.select_related("site").get(pk=conversation.pk), message


class _RateLimited(Exception):
    """The visitor sent more than the rate limit allows (raised by `_post`, answered by the consumer)."""


@chat_database
def _post(
    conversation: Conversation, text: str, client_id: str, rate_key: tuple[str, str]
) -> tuple[ChatMessage, bool]:
    """Count the message against the visitor's rate limit (in this call: no thread hop of its own), store it;
    in the bot phase re-read the chat (a supervisor may have taken it over)."""
    if not throttle.allow(*rate_key):
        raise _RateLimited
    posted = services.post_visitor_message(conversation=conversation, text=text, client_id=client_id)
    if not posted.duplicate and conversation.status == ConversationStatus.BOT:  # never goes back to BOT
        conversation.refresh_from_db(fields=["agent", "status", "phase"])
    return posted.message, posted.duplicate


@chat_database
def _bot(conversation: Conversation, message: ChatMessage) -> tuple[bool, str]:
    """The bot's turn; its replies are pushed by the chat-message listener like every message."""
    turn = services.bot_turn(conversation=conversation, message=message)
    return turn.handed_over, turn.unavailable


@database_sync_to_async
def _end(conversation: Conversation) -> Conversation:
    return services.end(conversation=conversation)


@chat_database
def _read(conversation: Conversation, up_to: int) -> bool:
    return services.mark_read(conversation=conversation, by_visitor=True, up_to=up_to)


@database_sync_to_async
def _leave(site: ChatSite, visitor_id: str, content: dict, language: str) -> int:
    ticket = services.leave_message(
        site=site,
        visitor_id=visitor_id,
        text=content.get("text") if isinstance(content.get("text"), str) else "",
        name=_str(content.get("name")),
        email=_str(content.get("email")),
        phone=_str(content.get("phone")),
        client_id=rules.clean_client_id(content.get("client_id")) or "",
        language=language,
    )
    return ticket.pk


@database_sync_to_async
def _transcript(conversation: Conversation, address: str) -> None:
    services.email_transcript(conversation=conversation, address=address)


class VisitorConsumer(KefuJsonWebsocketConsumer):
    site: ChatSite | None = None
    visitor_id: str = ""
    conversation: Conversation | None = None

    async def connect(self) -> None:
        key = self.scope["url_route"]["kwargs"].get("site_key", "")
        site = await _site(key)
        if site is None or not site.allows_origin(_header(self.scope, b"origin")):
            await self.close()  # before accept: the handshake is refused (HTTP 403)
            return
        self.site = site
        self.language = "zh-hans"
        self.page = ""
        self.greeted = False
        self.waiting = False  # in the CHAT_WAITING group
        self.last_signal: dict[str, float] = {}
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.conversation is not None:
            await self.channel_layer.group_discard(groups.chat(self.conversation.pk), self.channel_name)
        if self.waiting:
            await self.channel_layer.group_discard(groups.CHAT_WAITING, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs) -> None:
        if self.site is None:
            return
        if text_data is None or len(text_data) > MAX_FRAME:
            await self._error("too_large")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            content = None
        if not isinstance(content, dict):
            await self._error("invalid")
            return
        with translation.override(self.language):  # also in the sync threads: services' messages
            await self.receive_json(content)

    async def receive_json(self, content: dict, **kwargs) -> None:
        kind = content.get("type")
        if kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind == "hello" and not self.greeted:
            await self._hello(content)
        elif not self.greeted:
            await self._error("invalid")
        elif kind == "message":
            await self._message(content.get("client_id"), content.get("text"), content.get("prechat"))
        elif kind in HANDLERS:
            async with chat_turn(self.conversation.pk if self.conversation else None):
                async with from_socket(self, skip=False):  # listeners' pushes go out when the handler is done
                    await getattr(self, HANDLERS[kind])(content)
        else:
            await self._error("invalid")

    async def _hello(self, content: dict) -> None:
        self.greeted = True
        if content.get("lang") in ("en", "zh-hans", "zh-Hans"):
            self.language = str(content["lang"]).lower()
        self.page = _str(content.get("page"), 500)
        visitor_id = read_token(self.site, content.get("token"))
        if visitor_id is None:
            visitor_id = uuid.uuid4().hex
        self.visitor_id = visitor_id
        self.conversation, form = await _greeting(self.site, visitor_id, self.language)
        conversation = self.conversation
        # Only a widget that had a chat (or was asked for a rating) and has none open now: no cost otherwise.
        survey = None
        if conversation is None and (_int(content.get("last_seen")) or _int(content.get("survey"))):
            survey = await _pending_survey(self.site, visitor_id)
        await self.send_json(
            {
                "type": "welcome",
                "token": make_token(self.site, visitor_id),
                "conversation": conversation.pk if conversation else None,
                "agent": conversation.agent.name if conversation and conversation.agent else "",
                "phase": str(conversation.phase) if conversation else "",
                "form": form,
                "read": conversation.agent_read if conversation else 0,
                **({"survey": survey} if survey else {}),
            }
        )
        if conversation is not None:
            # in the group before reading what was missed: a message stored meanwhile comes twice, not never
            await self.channel_layer.group_add(groups.chat(conversation.pk), self.channel_name)
            last_seen = _int(content.get("last_seen")) or 0
            for frame in await _missed(conversation, last_seen):
                await self.send_json({**frame, "type": "message"})
            if conversation.status == ConversationStatus.QUEUED:  # only a waiting chat has a place
                await self._send_position()
        pending = content.get("pending")
        if isinstance(pending, list):
            for item in pending[:MAX_PENDING]:
                if isinstance(item, dict):
                    await self._message(item.get("client_id"), item.get("text"), item.get("prechat"))

    async def _message(self, client_id: object, text: object, prechat: object = None) -> None:
        clean_id = rules.clean_client_id(client_id)
        clean_text = rules.clean_text(text)
        if clean_id is None or clean_text is None:
            await self._error("invalid", client_id)
            return
        if self.conversation is None:
            if not await self._within_rate():
                await self._error("rate_limited", client_id)
                return
            await self._posted(client_id, clean_id, self._start(clean_id, clean_text, prechat))
            return
        # The chat's turn: its messages are stored, acked, pushed and answered by the bot in order.
        async with chat_turn(self.conversation.pk):
            try:
                posted = await self._posted(client_id, clean_id, self._store_and_ack(clean_id, clean_text))
            except _RateLimited:
                await self._error("rate_limited", client_id)
                return
            if posted is not None and not posted[1]:
                await self._bot_turn(posted[0])

    async def _posted(self, client_id: object, clean_id: str, storing):
        """Await `storing`; a refusal becomes the widget's frame (offline, form, ended) and None."""
        try:
            return await storing
        except services.ChatUnavailable as error:
            await self.send_json({"type": "offline", "reason": error.reason, "client_id": clean_id})
        except InvalidInput as error:
            await self._error("form", client_id, str(error.message))
        except DomainError:
            await self._error("ended", client_id)
        return None

    async def _store_and_ack(self, client_id: str, text: str) -> tuple[ChatMessage, bool]:
        # the listener's pushes of this message go to everyone but this socket, after its ack
        async with from_socket(self):
            message, duplicate = await _post(
                self.conversation, text, client_id, (self.site.key, self.visitor_id)
            )
            await self.send_json({"type": "ack", "client_id": client_id, "id": message.pk})
        return message, duplicate

    async def _start(self, client_id: str, text: str, prechat: object) -> None:
        async with from_socket(self):
            self.conversation, message = await _start(
                self.site, self.visitor_id, text, client_id, self.language, prechat, self.page
            )
            await self.channel_layer.group_add(groups.chat(self.conversation.pk), self.channel_name)
            await self.send_json({"type": "ack", "client_id": client_id, "id": message.pk})
        if self.conversation.status == ConversationStatus.BOT:
            await self._bot_turn(message)
        else:
            await self._queued()

    async def _queued(self) -> None:
        """The chat now waits for a person: tell the visitor their place, and offer it to an agent."""
        await self._send_position()
        await self._offer()
        await push_all(self.channel_layer, [(groups.QUEUE, push_message("chat.queue", {}))])  # coalesced

    async def _bot_turn(self, message: ChatMessage) -> None:
        if self.conversation.status != ConversationStatus.BOT:
            return
        async with from_socket(self, skip=False):  # the bot's replies reach this socket too
            handed_over, unavailable = await _bot(self.conversation, message)
        if handed_over:
            await self._queued()
        elif unavailable:
            await self.send_json({"type": "offline", "reason": unavailable})

    async def _end(self, content: dict) -> None:
        if self.conversation is None:
            await self._error("not_started")
            return
        await _end(self.conversation)  # the ChatEnded listener tells everyone (this socket too)

    def _signal_allowed(self, kind: str) -> bool:
        """Signals like typing: at most a few per second per socket (each costs a query and a push)."""
        now = time.monotonic()
        if now - self.last_signal.get(kind, 0.0) < SIGNAL_INTERVAL:
            return False
        self.last_signal[kind] = now
        return True

    async def _typing(self, content: dict) -> None:
        on = content.get("on") is True
        if self.conversation is None or (on and not self._signal_allowed("typing")):
            return  # "stopped typing" always passes, so the agent never sees a stale indicator
        await conversation_refresh(self.conversation)
        if self.conversation.agent_id:
            frame = {"conversation": self.conversation.pk, "on": on}
            await self.channel_layer.group_send(
                groups.user(self.conversation.agent_id), push_message("chat.typing", frame)
            )

    async def _read(self, content: dict) -> None:
        up_to = _int(content.get("id"))
        if self.conversation is None or up_to is None:
            return
        if await _read(self.conversation, up_to):
            await conversation_refresh(self.conversation)
            if self.conversation.agent_id:
                frame = {"conversation": self.conversation.pk, "id": up_to}
                await self.channel_layer.group_send(
                    groups.user(self.conversation.agent_id), push_message("chat.read", frame)
                )

    async def _leave_message(self, content: dict) -> None:
        if not await self._within_rate():
            await self._error("rate_limited", content.get("client_id"))
            return
        try:
            ticket_id = await _leave(self.site, self.visitor_id, content, self.language)
        except InvalidInput as error:
            await self._error("form", content.get("client_id"), str(error.message))
            return
        await self.send_json(
            {"type": "left", "client_id": _str(content.get("client_id"), 64), "ticket": ticket_id}
        )

    async def _transcript(self, content: dict) -> None:
        if self.conversation is None:
            await self._error("not_started")
            return
        if not await self._within_rate():
            await self._error("rate_limited")
            return
        try:
            await _transcript(self.conversation, _str(content.get("email"), 254))
        except InvalidInput as error:
            await self._error("form", None, str(error.message))
            return
        await self.send_json({"type": "transcript_sent"})

    async def _offer(self) -> None:
        offer = await next_offer()
        if offer is not None:
            agent_id, frame = offer
            await self.channel_layer.group_send(groups.user(agent_id), push_message("chat.offer", frame))

    async def _send_position(
        self, figures: services.QueueFigures | None = None, move: str | None = None
    ) -> None:
        position, minutes = await _estimate(self.conversation, figures, move)
        if position:
            await self.send_json({"type": "queue", "position": position, "minutes": minutes})
            if not self.waiting:
                await self.channel_layer.group_add(groups.CHAT_WAITING, self.channel_name)
                self.waiting = True
        elif self.waiting:
            await self.channel_layer.group_discard(groups.CHAT_WAITING, self.channel_name)
            self.waiting = False

    async def _within_rate(self) -> bool:
        return await sync_to_async(throttle.allow, thread_sensitive=False)(self.site.key, self.visitor_id)

    # --- frames from the channel layer -------------------------------------------------------------

    async def kefu_push(self, message: dict) -> None:
        if message.get("skip") == self.channel_name:
            return
        await self.send_json(message["frame"])

    async def kefu_requeue(self, message: dict) -> None:
        """The queue moved (a chat was taken or left it): tell this waiting visitor their new place.

        The message carries the figures all waiting visitors share (computed once by the sender) and names
        the move, so the process's waiting visitors share one query of their places."""
        if self.conversation is not None:
            figures = message.get("figures")
            await self._send_position(
                services.QueueFigures(*figures) if figures else None, message.get("move")
            )

    async def _error(self, code: str, client_id: Any = None, text: str = "") -> None:
        with translation.override(self.language):
            frame = {"type": "error", "error": code, "message": text or str(ERROR_MESSAGES[code])}
        if isinstance(client_id, str):
            frame["client_id"] = client_id[:64]
        await self.send_json(frame)

    @classmethod
    async def encode_json(cls, content: dict) -> str:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":"))


HANDLERS = {
    "end": "_end",
    "typing": "_typing",
    "read": "_read",
    "leave_message": "_leave_message",
    "transcript": "_transcript",
}


@chat_database
def conversation_refresh(conversation: Conversation) -> None:
    conversation.refresh_from_db(fields=["agent", "status", "phase"])


ERROR_MESSAGES = {
    "invalid": _("The message could not be understood."),
    "too_large": _("The message is too long."),
    "rate_limited": _("You are sending messages too fast. Please wait a moment."),
    "not_started": _("There is no chat to end."),
    "ended": _("This chat has ended."),
    "form": _("Please check the form."),
}
