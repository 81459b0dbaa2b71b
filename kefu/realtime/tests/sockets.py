"""Helpers to drive the agent socket from sync tests (pytest-asyncio is not installed).

A test builds its session cookies synchronously, then runs an `async def scenario()` with `run(scenario)`.
Inside, `database_sync_to_async` work runs on the test's own thread, so the test sees the same database.
"""

from collections.abc import Awaitable, Callable

from asgiref.sync import async_to_sync
from channels.testing.websocket import WebsocketCommunicator
from django.conf import settings

from kefu.config.asgi import application

TIMEOUT = 2


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    async_to_sync(scenario)()


def socket(
    cookie: str | None = None, *, app=application, origin: str = "http://testserver"
) -> WebsocketCommunicator:
    """A browser tab's websocket, with the session cookie of a logged-in user (None: anonymous)."""
    headers = [(b"origin", origin.encode()), (b"host", b"testserver")]
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(app, "/ws/agent/", headers=headers)


async def connected(cookie: str, *, app=application) -> WebsocketCommunicator:
    """An accepted socket whose `hello` frame has been read."""
    communicator = socket(cookie, app=app)
    accepted, _ = await communicator.connect(timeout=TIMEOUT)
    assert accepted
    hello = await communicator.receive_json_from(timeout=TIMEOUT)
    assert hello["type"] == "hello"
    return communicator


async def next_frame(communicator: WebsocketCommunicator, kind: str) -> dict:
    """The next frame of type `kind`, skipping hints of other kinds (queue refreshes, pongs)."""
    while True:
        frame = await communicator.receive_json_from(timeout=TIMEOUT)
        if frame["type"] == kind:
            return frame


async def watch(communicator: WebsocketCommunicator, ticket_id: int) -> dict:
    """Watch a ticket and return the first presence frame (the socket's own arrival)."""
    await communicator.send_json_to({"type": "watch", "ticket": ticket_id})
    return await next_frame(communicator, "presence")


async def frames_until_quiet(communicator: WebsocketCommunicator, quiet: float = 0.3) -> list[dict]:
    """Every frame that arrives until nothing more comes for `quiet` seconds."""
    frames = []
    while not await communicator.receive_nothing(timeout=quiet):
        frames.append(await communicator.receive_json_from(timeout=TIMEOUT))
    return frames


def names(presence: dict) -> list[str]:
    return [viewer["name"] for viewer in presence["viewers"]]
