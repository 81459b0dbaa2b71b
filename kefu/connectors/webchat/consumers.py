"""The visitor's websocket (`/ws/chat/<site_key>/`), opened by the embedded widget on a customer's web site.

Frames from the widget (JSON objects):
  {"type": "hello", "token": "...", "last_seen": 41, "lang": "en",
   "pending": [{"client_id": "c7", "text": "..."}]}     first frame: who I am, what I saw, what is unacknowledged
  {"type": "message", "client_id": "c8", "text": "..."}  a visitor message (client id de-duplicates re-sends)
  {"type": "end"}                                        the visitor closes the chat
  {"type": "ping"}
Frames to the widget:
  {"type": "welcome", "token": "...", "conversation": 5|null, "agent": "王芳"}
  {"type": "message", "id": 42, "author": "visitor"|"agent"|"bot"|"system", "name": "...", "text": "...", ...}
  {"type": "ack", "client_id": "c8", "id": 43}         stored (or stored before: a re-send is acked, not stored)
  {"type": "queue", "position": 3}                       you are number N in the queue
  {"type": "agent", "name": "王芳"}                      an agent took the chat
  {"type": "ended"}
  {"type": "pong"}
  {"type": "error", "error": "invalid"|"too_large"|"rate_limited"|"not_started"|"ended", "message": "..."}

The socket opens only from an origin the site allows (others are refused at the handshake). The visitor is
the signed token's visitor id; a visitor reaches only the open conversation of that id on that site.
"""

import json
import time
import uuid
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core import signing
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from kefu.chat import rules, services
from kefu.chat.models import ChatSite, Conversation
from kefu.core.errors import DomainError
from kefu.realtime import groups
from kefu.realtime.broadcast import push_message

TOKEN_SALT = "kefu.chat.visitor"
TOKEN_MAX_AGE = 60 * 60 * 24 * 30
MAX_FRAME = 8_000  # characters in one frame
RATE_WINDOW = 10.0  # seconds
RATE_MAX = 20  # messages per window and socket
MAX_PENDING = 50
REPLAY_LIMIT = 500


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


@database_sync_to_async
def _site(key: str) -> ChatSite | None:
    return ChatSite.objects.filter(key=key, is_active=True).select_related("team").first()


@database_sync_to_async
def _open_conversation(site: ChatSite, visitor_id: str) -> Conversation | None:
    conversation = services.open_conversation(site=site, visitor_id=visitor_id)
    if conversation is not None:
        conversation = Conversation.objects.select_related("agent").get(pk=conversation.pk)
    return conversation


@database_sync_to_async
def _missed(conversation: Conversation, last_seen: int) -> list[dict]:
    messages = conversation.messages.filter(pk__gt=last_seen).select_related("author")[:REPLAY_LIMIT]
    return [m.as_json() for m in messages]


@database_sync_to_async
def _position(conversation: Conversation) -> int:
    conversation.refresh_from_db()
    return services.queue_position(conversation=conversation)


@database_sync_to_async
def _start(site: ChatSite, visitor_id: str, text: str, client_id: str, language: str):
    conversation = services.start_conversation(
        site=site, visitor_id=visitor_id, text=text, client_id=client_id, language=language
    )
    message = conversation.messages.get()
    return conversation, message.as_json()


@database_sync_to_async
def _post(conversation: Conversation, text: str, client_id: str) -> tuple[dict, bool]:
    posted = services.post_visitor_message(conversation=conversation, text=text, client_id=client_id)
    return posted.message.as_json(), posted.duplicate


@database_sync_to_async
def _end(conversation: Conversation) -> Conversation:
    return services.end(conversation=conversation)


@database_sync_to_async
def _offer() -> tuple[int, dict] | None:
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
    }


class VisitorConsumer(AsyncJsonWebsocketConsumer):
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
        self.sent: list[float] = []
        self.greeted = False
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.conversation is not None:
            await self.channel_layer.group_discard(groups.chat(self.conversation.pk), self.channel_name)

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
            await self._message(content.get("client_id"), content.get("text"))
        elif kind == "end":
            await self._visitor_end()
        else:
            await self._error("invalid")

    async def _hello(self, content: dict) -> None:
        self.greeted = True
        if content.get("lang") in ("en", "zh-hans", "zh-Hans"):
            self.language = str(content["lang"]).lower()
        visitor_id = read_token(self.site, content.get("token"))
        if visitor_id is None:
            visitor_id = uuid.uuid4().hex
        self.visitor_id = visitor_id
        self.conversation = await _open_conversation(self.site, visitor_id)
        agent = self.conversation.agent.name if self.conversation and self.conversation.agent else ""
        await self.send_json(
            {
                "type": "welcome",
                "token": make_token(self.site, visitor_id),
                "conversation": self.conversation.pk if self.conversation else None,
                "agent": agent,
            }
        )
        if self.conversation is not None:
            await self.channel_layer.group_add(groups.chat(self.conversation.pk), self.channel_name)
            last_seen = content.get("last_seen")
            if isinstance(last_seen, bool) or not isinstance(last_seen, int) or last_seen < 0:
                last_seen = 0
            for frame in await _missed(self.conversation, last_seen):
                await self.send_json({**frame, "type": "message"})
            await self._send_position()
        pending = content.get("pending")
        if isinstance(pending, list):
            for item in pending[:MAX_PENDING]:
                if isinstance(item, dict):
                    await self._message(item.get("client_id"), item.get("text"))

    async def _message(self, client_id: object, text: object) -> None:
        clean_id = rules.clean_client_id(client_id)
        clean_text = rules.clean_text(text)
        if clean_id is None or clean_text is None:
            await self._error("invalid", client_id)
            return
        if not self._within_rate():
            await self._error("rate_limited", client_id)
            return
        try:
            if self.conversation is None:
                self.conversation, frame = await _start(
                    self.site, self.visitor_id, clean_text, clean_id, self.language
                )
                await self.channel_layer.group_add(groups.chat(self.conversation.pk), self.channel_name)
                await self.send_json({"type": "ack", "client_id": clean_id, "id": frame["id"]})
                await self._send_position()
                await self._offer()
                await self.channel_layer.group_send(groups.QUEUE, push_message("chat.queue", {}))
                return
            frame, duplicate = await _post(self.conversation, clean_text, clean_id)
        except DomainError:
            await self._error("ended", client_id)
            return
        await self.send_json({"type": "ack", "client_id": clean_id, "id": frame["id"]})
        if not duplicate:
            await self._push(frame)

    async def _visitor_end(self) -> None:
        if self.conversation is None:
            await self._error("not_started")
            return
        conversation = await _end(self.conversation)
        await self.channel_layer.group_send(groups.chat(conversation.pk), push_message("ended", {}))
        if conversation.agent_id:
            await self.channel_layer.group_send(
                groups.user(conversation.agent_id),
                push_message("chat.ended", {"conversation": conversation.pk}),
            )

    async def _push(self, frame: dict) -> None:
        """A new visitor message: to the agent's tabs and to the visitor's other tabs (not this one)."""
        conversation = self.conversation
        await conversation_refresh(conversation)
        if conversation.agent_id:
            await self.channel_layer.group_send(
                groups.user(conversation.agent_id), push_message("chat.message", frame)
            )
        message = push_message("message", frame)
        message["skip"] = self.channel_name
        await self.channel_layer.group_send(groups.chat(conversation.pk), message)

    async def _offer(self) -> None:
        offer = await _offer()
        if offer is not None:
            agent_id, frame = offer
            await self.channel_layer.group_send(groups.user(agent_id), push_message("chat.offer", frame))

    async def _send_position(self) -> None:
        position = await _position(self.conversation)
        if position:
            await self.send_json({"type": "queue", "position": position})

    def _within_rate(self) -> bool:
        now = time.monotonic()
        self.sent = [t for t in self.sent if now - t < RATE_WINDOW]
        if len(self.sent) >= RATE_MAX:
            return False
        self.sent.append(now)
        return True

    # --- frames from the channel layer -------------------------------------------------------------

    async def kefu_push(self, message: dict) -> None:
        if message.get("skip") == self.channel_name:
            return
        await self.send_json(message["frame"])

    async def _error(self, code: str, client_id: Any = None) -> None:
        with translation.override(self.language):
            frame = {"type": "error", "error": code, "message": str(ERROR_MESSAGES[code])}
        if isinstance(client_id, str):
            frame["client_id"] = client_id[:64]
        await self.send_json(frame)

    @classmethod
    async def encode_json(cls, content: dict) -> str:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":"))


@database_sync_to_async
def conversation_refresh(conversation: Conversation) -> None:
    conversation.refresh_from_db(fields=["agent", "status"])


ERROR_MESSAGES = {
    "invalid": _("The message could not be understood."),
    "too_large": _("The message is too long."),
    "rate_limited": _("You are sending messages too fast. Please wait a moment."),
    "not_started": _("There is no chat to end."),
    "ended": _("This chat has ended."),
}
