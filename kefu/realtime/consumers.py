"""The agent's websocket (`/ws/agent/`): who else is on this ticket, and hints that something changed.

Frames from the browser (JSON objects):
  {"type": "watch", "ticket": 12}                      join ticket 12 (after the access check)
  {"type": "unwatch", "ticket": 12}
  {"type": "typing", "ticket": 12, "replying": true}   the agent is (no longer) writing a reply
  {"type": "ping"}                                     heartbeat every 20 s; keeps the viewer entries alive
Frames to the browser:
  {"type": "hello", "user": 7}                         after connecting: the socket's own user id
  {"type": "presence", "ticket": 12, "viewers": [{"id": 7, "name": "王芳", "replying": false}, ...]}
  {"type": "ticket.changed", "ticket": 12, "what": "message"|"updated"|"assigned", "actor": 9, ...}
  {"type": "queue.changed"}                            some ticket list may have changed
  {"type": "notifications.changed"}                    this user's notifications changed (recount the bell)
  {"type": "unwatched", "ticket": 12}                  access to the ticket was lost
  {"type": "pong"}
  {"type": "error", "error": "not_found"|"invalid"|"not_watching"|"too_many", "message": "..."}

Only active staff may connect (others: accepted, then closed with 4401 so the browser stops retrying).
A ticket the user may not see answers exactly like one that does not exist.
"""

import asyncio
import functools
import json
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from kefu.accounts.permissions import is_active_staff
from kefu.tickets.access import can_view_ticket
from kefu.tickets.models import Ticket

from . import chat, connections, groups, viewers
from .broadcast import push_message

CLOSE_UNAUTHORIZED = 4401
MAX_WATCHED = 20  # tickets one socket may watch at once (a page watches one; this bounds abuse)
MAX_TICKET_ID = 2**63 - 1


@database_sync_to_async
def _may_view(user, ticket_id: int) -> bool:
    ticket = Ticket.objects.only("pk").filter(pk=ticket_id).first()
    return ticket is not None and can_view_ticket(user, ticket)


def _ticket_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdecimal():
        value = int(value)
    if isinstance(value, int) and 0 < value <= MAX_TICKET_ID:
        return value
    return None


class KefuJsonWebsocketConsumer(AsyncJsonWebsocketConsumer):
    """Channels' JSON websocket consumer with a leaner dispatch loop and without its database clean-up
    before every message.

    Channels closes stale database connections before each frame and each layer message it dispatches: a
    hop to the process's one sync thread every time (every push of every chat message). Kefu's consumers
    touch the database only inside `database_sync_to_async` and `chat_database` calls, which close stale
    connections around each call themselves, so that hop bought nothing and cost the event loop its CPU.
    """

    async def __call__(self, scope, receive, send) -> None:
        """Channels' set-up, then `dispatch_in_turn` instead of Channels' `await_many_dispatch`."""
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.base_send = send
        sources = [receive]
        if self.channel_layer is not None:
            self.channel_name = await self.channel_layer.new_channel()
            self.channel_receive = functools.partial(self.channel_layer.receive, self.channel_name)
            sources.append(self.channel_receive)
        try:
            await dispatch_in_turn(sources, self.dispatch)
        except StopConsumer:
            pass

    async def dispatch(self, message: dict) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)


async def dispatch_in_turn(
    sources: list[Callable[[], Awaitable[dict]]], dispatch: Callable[[dict], Awaitable[None]]
) -> None:
    """Dispatch what each source (the socket, the channel layer) receives, one message at a time, until a
    dispatch raises (`StopConsumer` when the socket closes).

    Channels' `await_many_dispatch` builds a new task (with a copy of the context) and a new
    `asyncio.wait` (a waiter and callbacks on every task) each time a socket wakes. A socket waits
    seconds to minutes between messages, so those objects live long enough to reach the cyclic GC's
    older generations, where thousands of sockets' worth of them made collections take hundreds of
    milliseconds (`make bench` chat). Here each source has one task for the socket's life that receives,
    then dispatches under a lock shared by both: a wake leaves behind only the next receive's coroutine
    and future. As with Channels, a source receives again only once its message is dispatched, and
    dispatches never overlap.
    """
    turn = asyncio.Lock()

    async def pump(source: Callable[[], Awaitable[dict]]) -> None:
        while True:
            message = await source()
            async with turn:
                await dispatch(message)

    tasks = [asyncio.ensure_future(pump(source)) for source in sources]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()  # the dispatch's StopConsumer or error
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)  # (the first outcome is raised above)
        # The raised exception's traceback holds this frame; without these names the frame would hold the
        # tasks that hold the exception: a reference cycle per closed socket for the cyclic GC.
        tasks = done = task = None


class AgentConsumer(KefuJsonWebsocketConsumer):
    """One staff browser tab. State kept here is per socket; shared state lives in `viewers` (the cache)."""

    user: Any = None

    async def connect(self) -> None:
        await self.accept()
        user = self.scope.get("user")
        if not is_active_staff(user):
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        self.user = user
        self.watching: dict[int, bool] = {}  # ticket id -> replying
        self.joined: list[str] = [groups.user(user.pk), groups.QUEUE]
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await sync_to_async(connections.connected, thread_sensitive=False)(
            user_id=user.pk, connection=self.channel_name
        )
        await database_sync_to_async(connections.came_back)(user)  # presence back if lost sockets took it
        await self.send_json({"type": "hello", "user": user.pk})
        await chat.rejoin(self)  # a supervisor follows the chats they had joined before a reload or drop

    async def disconnect(self, code: int) -> None:
        if self.user is None:
            return
        await sync_to_async(connections.disconnected, thread_sensitive=False)(
            user_id=self.user.pk, connection=self.channel_name
        )
        for ticket_id in list(self.watching):
            await self._leave(ticket_id)
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    # --- frames from the browser -------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs) -> None:
        if self.user is None:
            return
        try:
            content = json.loads(text_data or "")
        except ValueError:
            content = None
        if not isinstance(content, dict):
            await self._error("invalid")
            return
        await self.receive_json(content)

    async def receive_json(self, content: dict, **kwargs) -> None:
        kind = content.get("type")
        if kind == "ping":
            await self._heartbeat()
            return
        if kind in chat.FRAMES:
            with translation.override(self.user.language or settings.LANGUAGE_CODE):
                await chat.handle(self, content)
            return
        handler = {"watch": self._watch, "unwatch": self._unwatch, "typing": self._typing}.get(kind)
        ticket_id = _ticket_id(content.get("ticket"))
        if handler is None or ticket_id is None:
            await self._error("invalid")
            return
        await handler(ticket_id, content)

    async def _watch(self, ticket_id: int, content: dict) -> None:
        if ticket_id not in self.watching:
            if len(self.watching) >= MAX_WATCHED:
                await self._error("too_many", ticket_id)
                return
            if not await _may_view(self.user, ticket_id):
                await self._error("not_found", ticket_id)
                return
            await self.channel_layer.group_add(groups.ticket(ticket_id), self.channel_name)
            self.watching[ticket_id] = False
        change = await self._store(ticket_id)
        if change.changed:
            await self._announce(ticket_id, change.viewers)
        else:  # a second tab of someone already there: only this socket needs the list
            await self.send_json(_presence_frame(ticket_id, change.viewers))

    async def _unwatch(self, ticket_id: int, content: dict) -> None:
        if ticket_id in self.watching:
            await self._leave(ticket_id)

    async def _typing(self, ticket_id: int, content: dict) -> None:
        if ticket_id not in self.watching:
            await self._error("not_watching", ticket_id)
            return
        self.watching[ticket_id] = content.get("replying") is True
        change = await self._store(ticket_id)
        if change.changed:
            await self._announce(ticket_id, change.viewers)

    async def _heartbeat(self) -> None:
        await sync_to_async(connections.connected, thread_sensitive=False)(
            user_id=self.user.pk, connection=self.channel_name
        )
        for ticket_id in list(self.watching):
            change = await self._store(ticket_id)
            if change.changed:  # someone else's entry expired (a crashed process, a lost socket)
                await self._announce(ticket_id, change.viewers)
        await self.send_json({"type": "pong"})

    # --- frames from the channel layer -------------------------------------------------------------

    async def kefu_push(self, message: dict) -> None:
        """Forward a pushed frame; after a team or assignee change, first re-check access to the ticket."""
        if message.get("skip") == self.channel_name:  # the sending socket has its own answer already
            return
        frame = message["frame"]
        ticket_id = frame.get("ticket")
        if message.get("recheck") and ticket_id in self.watching:
            if not await _may_view(self.user, ticket_id):
                await self._leave(ticket_id)
                await self.send_json({"type": "unwatched", "ticket": ticket_id})
                return
        await self.send_json(frame)

    # --- helpers -----------------------------------------------------------------------------------

    async def _store(self, ticket_id: int) -> viewers.Change:
        return await sync_to_async(viewers.join, thread_sensitive=False)(
            ticket_id,
            connection=self.channel_name,
            user_id=self.user.pk,
            name=self.user.name,
            replying=self.watching[ticket_id],
        )

    async def _leave(self, ticket_id: int) -> None:
        self.watching.pop(ticket_id, None)
        await self.channel_layer.group_discard(groups.ticket(ticket_id), self.channel_name)
        change = await sync_to_async(viewers.leave, thread_sensitive=False)(
            ticket_id, connection=self.channel_name
        )
        if change.changed:
            await self._announce(ticket_id, change.viewers)

    async def _announce(self, ticket_id: int, people: list[viewers.Viewer]) -> None:
        message = push_message("presence", _presence_frame(ticket_id, people))
        await self.channel_layer.group_send(groups.ticket(ticket_id), message)

    async def _error(self, code: str, ticket_id: int | None = None) -> None:
        with translation.override(self.user.language or settings.LANGUAGE_CODE):
            frame = {"type": "error", "error": code, "message": str(ERROR_MESSAGES[code])}
        if ticket_id is not None:
            frame["ticket"] = ticket_id
        await self.send_json(frame)

    @classmethod
    async def encode_json(cls, content: dict) -> str:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":"))


def _presence_frame(ticket_id: int, people: list[viewers.Viewer]) -> dict:
    return {"type": "presence", "ticket": ticket_id, "viewers": [p.as_json() for p in people]}


ERROR_MESSAGES = {
    "invalid": _("The message could not be understood."),
    "not_found": _("This ticket does not exist or you may not see it."),
    "not_watching": _("Open the ticket before saying you are replying to it."),
    "too_many": _("Too many tickets are open on this connection."),
}
