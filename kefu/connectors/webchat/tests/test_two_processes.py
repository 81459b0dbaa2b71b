"""Two real uvicorn processes sharing PostgreSQL and Redis: the visitor on one, the agent on the other.

Each process has its own channel layer (Redis pub/sub, `kefu.realtime.layers`, on Redis DB 13), its own database
connections and its own memory, exactly as in production. Skipped on SQLite or without Redis.
"""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test import Client

from kefu.chat import services
from kefu.chat.models import ChatMessage, Conversation
from kefu.chat.tests.factories import ChatSiteFactory

REDIS = os.environ.get("KEFU_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")  # a Redis database of its own
ROOT = Path(__file__).resolve().parents[4]
START_TIMEOUT = 60
FRAME_TIMEOUT = 15  # seconds: two servers and the test share two busy cores


def _redis_is_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL shared by two processes"),
    pytest.mark.skipif(not _redis_is_up(), reason="Redis is not running at 127.0.0.1:6379"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def servers(tmp_path):
    """Two `kefu.config.asgi` processes under uvicorn on the test database; yields their ports."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": REDIS,
        "SECRET_KEY": settings.SECRET_KEY,
        "FIELD_ENCRYPTION_KEY": settings.FIELD_ENCRYPTION_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DEBUG": "0",
        "KEFU_VAR_DIR": str(tmp_path / "var"),
        "DB_CONN_MAX_AGE": "0",
        "PYTHONUNBUFFERED": "1",
    }
    processes = []
    ports = [_free_port(), _free_port()]
    try:
        for port in ports:
            log = (tmp_path / f"uvicorn-{port}.log").open("w")
            argv = [sys.executable, "-m", "uvicorn", "kefu.config.asgi:application", "--host", "127.0.0.1"]
            argv += ["--port", str(port), "--lifespan", "off", "--log-level", "warning"]
            processes.append(subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT))
        for port, process in zip(ports, processes, strict=True):
            _wait_for(port, process, tmp_path / f"uvicorn-{port}.log")
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"uvicorn on {port} exited with {process.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"uvicorn on {port} did not start:\n{log.read_text()}")


def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


class Socket:
    """A websocket client that reads frames of one type, keeping the others for later reads."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.kept: list[dict] = []

    @classmethod
    async def open(cls, port: int, path: str, *, origin: str, cookie: str = "") -> "Socket":
        from websockets.asyncio.client import connect

        headers = {"Cookie": cookie} if cookie else {}
        ws = await connect(f"ws://127.0.0.1:{port}{path}", origin=origin, additional_headers=headers)
        return cls(ws)

    async def send(self, frame: dict) -> None:
        await self.ws.send(json.dumps(frame))

    async def next(self, kind: str) -> dict:
        for index, frame in enumerate(self.kept):
            if frame["type"] == kind:
                return self.kept.pop(index)
        while True:
            frame = json.loads(await asyncio.wait_for(self.ws.recv(), FRAME_TIMEOUT))
            if frame["type"] == kind:
                return frame
            self.kept.append(frame)

    async def collect(self, kind: str, count: int) -> list[dict]:
        return [await self.next(kind) for _ in range(count)]

    async def quiet(self, seconds: float = 1.0) -> list[dict]:
        """Whatever else arrives within `seconds` (to prove nothing is delivered twice)."""
        extra = list(self.kept)
        self.kept.clear()
        try:
            while True:
                extra.append(json.loads(await asyncio.wait_for(self.ws.recv(), seconds)))
        except TimeoutError:
            return extra

    async def close(self) -> None:
        await self.ws.close()


def _online(user):
    user.presence = "online"
    user.save(update_fields=["presence"])
    return user


def test_messages_cross_two_processes_exactly_once_and_in_order(servers, agent):
    visitor_port, agent_port = servers
    origin = "https://shop.example.com"
    site = ChatSiteFactory(allowed_origins=[origin])
    cookie = _cookie(_online(agent))
    count = 15  # within the visitor's rate limit (20 per 10 s)

    async def scenario():
        staff = await Socket.open(
            agent_port, "/ws/agent/", origin=f"http://127.0.0.1:{agent_port}", cookie=cookie
        )
        await staff.next("hello")
        visitor = await Socket.open(visitor_port, f"/ws/chat/{site.key}/", origin=origin)
        await visitor.send({"type": "hello", "lang": "zh-hans"})
        await visitor.next("welcome")
        await visitor.send({"type": "message", "client_id": "c0", "text": "你好"})
        await visitor.next("ack")
        offer = await staff.next("chat.offer")  # published by the visitor's process, read in the agent's
        chat = offer["conversation"]
        await staff.send({"type": "chat.accept", "conversation": chat})
        await staff.next("chat.accepted")
        assert (await visitor.next("agent"))["name"] == "王芳"

        for n in range(1, count + 1):
            await visitor.send({"type": "message", "client_id": f"c{n}", "text": f"访客 {n}"})
            await staff.send(
                {"type": "chat.send", "conversation": chat, "client_id": f"a{n}", "text": f"客服 {n}"}
            )
        to_agent = await staff.collect("chat.message", count)
        to_visitor = await visitor.collect("message", count)
        extra_agent = [f for f in await staff.quiet() if f["type"] == "chat.message"]
        extra_visitor = [f for f in await visitor.quiet() if f["type"] == "message"]
        await visitor.close()
        await staff.close()
        return to_agent, to_visitor, extra_agent + extra_visitor

    to_agent, to_visitor, extra = asyncio.run(scenario())

    assert [f["text"] for f in to_agent] == [f"访客 {n}" for n in range(1, count + 1)]
    assert [f["text"] for f in to_visitor] == [f"客服 {n}" for n in range(1, count + 1)]
    assert [f["id"] for f in to_agent] == sorted(f["id"] for f in to_agent)
    assert extra == []  # nothing arrived twice
    assert ChatMessage.objects.count() == 1 + 2 * count


def test_two_agents_on_two_processes_accepting_the_same_chat_never_both_get_it(servers, agent, teammate):
    first_port, second_port = servers
    site = ChatSiteFactory(allowed_origins=["https://shop.example.com"])
    cookies = _cookie(agent), _cookie(teammate)
    chats = [services.start_conversation(site=site, visitor_id=f"v{n}", text="hi").pk for n in range(5)]

    async def scenario():
        sockets = [
            await Socket.open(port, "/ws/agent/", origin=f"http://127.0.0.1:{port}", cookie=cookie)
            for port, cookie in zip((first_port, second_port), cookies, strict=True)
        ]
        for s in sockets:
            await s.next("hello")
        outcomes = []
        for conversation in chats:
            await asyncio.gather(
                *(s.send({"type": "chat.accept", "conversation": conversation}) for s in sockets)
            )
            answers = await asyncio.gather(*(_accepted_or_refused(s, conversation) for s in sockets))
            outcomes.append(sorted(answers))
        for s in sockets:
            await s.close()
        return outcomes

    outcomes = asyncio.run(scenario())

    assert outcomes == [["accepted", "taken"]] * 5
    assert Conversation.objects.filter(agent__isnull=True).count() == 0


async def _accepted_or_refused(s: Socket, conversation: int) -> str:
    while True:
        frame = json.loads(await asyncio.wait_for(s.ws.recv(), FRAME_TIMEOUT))
        if frame["type"] == "chat.accepted" and frame["conversation"] == conversation:
            return "accepted"
        if frame["type"] == "chat.error" and frame.get("conversation") == conversation:
            return frame["error"]
