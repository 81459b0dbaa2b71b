"""Live-chat benchmark: CrossWOZ dialogues replayed as visitor/agent traffic against one real server process.

    .venv/bin/python scripts/bench_chat.py [--chats 1000] [--rate 200] [--seconds 20] [--layer memory|redis]
                                           [--idle 2000] [--database-url postgres://.../kefu_bench_chat]
                                           [--redis-url redis://127.0.0.1:6379/13] [--profile stacks.txt]

One ASGI server process (uvicorn, started as `kefu serve` starts it) serves `kefu.config.asgi` on a fresh
database (a temporary SQLite file unless --database-url names a PostgreSQL database, which is dropped and re-created). `--layer redis` uses the
Redis pub/sub layer (kefu.realtime.layers) on redis://127.0.0.1:6379/13 (or --redis-url). `--profile FILE` attaches
py-spy (on PATH or $PY_SPY; `pip install py-spy`, not a project dependency) to the server for the replay only and writes
its collapsed stacks to FILE (sampling without pausing the server; its own CPU is not counted). The script opens agent sockets (5 chats each),
seeds `--chats` active conversations, connects their visitors' sockets (resuming by token), then replays the user and
system turns of ../shared/data/zh_dialogues_crosswoz/ as visitor and agent messages at `--rate` messages per
second for `--seconds`. Latency is measured from the send to the arrival on the other side's socket.
Finally `--idle` more visitor sockets connect and say hello: how many one process holds, and its memory.
Prints one JSON object.
"""

import argparse
import asyncio
import gc
import itertools
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIALOGUES = ROOT.parent / "shared" / "data" / "zh_dialogues_crosswoz" / "test_dialogues.jsonl"
REDIS = "redis://127.0.0.1:6379/13"
ORIGIN = "https://shop.example.com"
CHATS_PER_AGENT = 5


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=200, help="messages per second, both directions together")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--layer", choices=["memory", "redis"], default="memory")
    parser.add_argument("--idle", type=int, default=2000, help="extra idle visitor sockets at the end")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default=REDIS)
    parser.add_argument("--profile", default="", help="write the server's py-spy stacks (collapsed) here")
    parser.add_argument(
        "--answered",
        action="store_true",
        help="seed the chats as answered already: no agent message is a chat's first response (which stops "
        "the ticket's SLA clock and hints every staff socket). Without it, a run with more chats than agent "
        "messages makes every agent message a first response; with few chats only the first few are",
    )
    parser.add_argument(
        "--sla",
        action="store_true",
        help="the default SLA policies, and every seeded chat ticket with its clocks (as a chat opened live "
        "has): a first response then updates them, as it does in a real deployment",
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kefu-bench-chat-"))
    env = _environment(args, work)
    try:
        _prepare_database(env, args.database_url)
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        site_key, cookies, tokens = _seed(args.chats, answered=args.answered, sla=args.sla)
        port = _free_port()
        server = _start_server(env, port, work)
        try:
            result = asyncio.run(_bench(args, port, site_key, cookies, tokens, server.pid))
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:  # an overloaded server still working off its backlog
                server.kill()
                server.wait()
        result.update(
            layer=args.layer, database="postgresql" if args.database_url else "sqlite", sla=args.sla
        )
        print(json.dumps(result, ensure_ascii=False))
    finally:
        from django.conf import settings
        from django.db import connections

        if settings.configured:  # (a refused --database-url stops before Django is set up: keep its message)
            connections.close_all()
        shutil.rmtree(work, ignore_errors=True)


# --- setting up -------------------------------------------------------------------------------------


def _environment(args, work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="kefu.config.settings",
        KEFU_VAR_DIR=str(work / "var"),
        DATABASE_URL=args.database_url or f"sqlite:///{work / 'bench.sqlite3'}",
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECRET_KEY="bench-chat-" + "x" * 40,
        PYTHONUNBUFFERED="1",
    )
    if args.layer == "redis":
        env["REDIS_URL"] = args.redis_url
    return env


def _prepare_database(env: dict[str, str], database_url: str) -> None:
    if database_url:
        name = database_url.rsplit("/", 1)[1]
        if not (name.startswith("kefu_") and name.endswith("bench") or name.startswith("kefu_bench")):
            sys.exit(
                "--database-url must name a database kefu_bench* or kefu_*bench: it is dropped and re-created"
            )
        admin = database_url.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    kefu = [sys.executable, "-m", "kefu.manage", "migrate", "--no-input", "-v", "0"]
    subprocess.run(kefu, env=env, cwd=ROOT, check=True, timeout=600)


def _seed(chats: int, *, answered: bool = False, sla: bool = False) -> tuple[str, list[str], list[str]]:
    """A chat site, online agents with 5 active chats each, and the chats themselves (bulk-inserted: the
    benchmark is about delivering messages, not about opening chats); with `sla`, the default SLA policies
    and each chat ticket's clocks. Returns the site key, the agents' session cookies and the visitors' tokens."""
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from kefu.accounts.models import User
    from kefu.chat.models import ChatMessage, ChatSite, Conversation
    from kefu.connectors.webchat.consumers import make_token
    from kefu.customers.models import Customer
    from kefu.tickets.models import Ticket

    site = ChatSite.objects.create(name="bench", allowed_origins=[ORIGIN])
    cookies, agents = [], []
    for n in range((chats + CHATS_PER_AGENT - 1) // CHATS_PER_AGENT):
        agent = User.objects.create(
            username=f"bench-agent-{n}", is_staff=True, presence="online", max_chats=CHATS_PER_AGENT
        )
        agents.append(agent)
        client = Client()
        client.force_login(agent)
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}")
    now = timezone.now()
    customers = Customer.objects.bulk_create([Customer(name=f"访客{n}") for n in range(chats)])
    tickets = Ticket.objects.bulk_create(
        [
            Ticket(subject="bench", channel="chat", status="open", customer=c, assignee=agents[n // CHATS_PER_AGENT],
                   created_at=now, updated_at=now, first_response_at=now if answered else None)
            for n, c in enumerate(customers)
        ]
    )  # fmt: skip
    conversations = Conversation.objects.bulk_create(
        [
            Conversation(site=site, customer=customers[n], visitor_id=f"v{n}", ticket=t, status="active",
                         agent=agents[n // CHATS_PER_AGENT], queued_at=now, accepted_at=now)
            for n, t in enumerate(tickets)
        ]
    )  # fmt: skip
    ChatMessage.objects.bulk_create(
        [ChatMessage(conversation=c, author_kind="visitor", text="你好") for c in conversations]
    )
    if sla:
        from kefu.sla.services import ensure_default_policies, refresh_clocks_many

        ensure_default_policies()
        ids = [ticket.pk for ticket in tickets]
        for start in range(0, len(ids), 500):
            refresh_clocks_many(ticket_ids=ids[start : start + 500])
    tokens = [make_token(site, f"v{n}") for n in range(chats)]
    return site.key, cookies, tokens


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_server(env: dict[str, str], port: int, work: Path) -> subprocess.Popen:
    # The production ASGI server (`kefu serve`'s child): uvicorn with the start-up heap frozen out of the
    # cyclic GC and full collections rarer. Plain uvicorn spent seconds in collections at 12,000 sockets.
    argv = [sys.executable, "-m", "kefu.core.management.commands._serving", "127.0.0.1", str(port)]
    log = (work / "server.log").open("w")
    server = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit((work / "server.log").read_text())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    sys.exit("the server did not start")


def _dialogues() -> list[tuple[list[str], list[str]]]:
    """(user turns, system turns) of each CrossWOZ dialogue."""
    out = []
    with DIALOGUES.open(encoding="utf-8") as lines:
        for line in lines:
            turns = json.loads(line)["turns"]
            user = [t["text"][:2000] for t in turns if t["role"] == "usr" and t["text"].strip()]
            system = [t["text"][:2000] for t in turns if t["role"] == "sys" and t["text"].strip()]
            if user and system:
                out.append((user, system))
    return out


# --- the run ----------------------------------------------------------------------------------------


class Peer:
    """One websocket; frames are dispatched to `on_frame` by a reader task."""

    def __init__(self, ws, on_frame) -> None:
        self.ws = ws
        self.on_frame = on_frame
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                self.on_frame(self, json.loads(raw))
        except Exception:  # a closed socket ends the reader
            return

    async def send(self, frame: dict) -> None:
        await self.ws.send(json.dumps(frame, ensure_ascii=False))


async def _open(port: int, path: str, on_frame, *, origin: str, cookie: str = "") -> Peer:
    from websockets.asyncio.client import connect

    headers = {"Cookie": cookie} if cookie else {}
    ws = await connect(
        f"ws://127.0.0.1:{port}{path}",
        origin=origin,
        additional_headers=headers,
        open_timeout=60,
        max_queue=None,
        ping_interval=None,  # browsers send no websocket pings (the server pings them, and they answer)
    )
    return Peer(ws, on_frame)


async def _bench(
    args, port: int, site_key: str, cookies: list[str], tokens: list[str], server_pid: int
) -> dict:
    sent: dict[str, float] = {}
    latencies = {"visitor_to_agent": [], "agent_to_visitor": []}
    events: dict[str, asyncio.Event] = {}
    chats: dict[int, dict] = {}  # conversation id -> {"visitor": Peer, "agent": Peer}
    visitors: list[Peer] = []

    errors: dict[str, int] = {}  # error frames by side and code: why a message was not delivered

    def count_error(side: str, frame: dict) -> None:
        key = f"{side}:{frame.get('error')}"
        errors[key] = errors.get(key, 0) + 1

    def at_agent(peer: Peer, frame: dict) -> None:
        if frame["type"] == "chat.error":
            count_error("agent", frame)
        elif frame["type"] == "chat.message" and frame.get("client_id") in sent:
            latencies["visitor_to_agent"].append(time.perf_counter() - sent.pop(frame["client_id"]))
        elif frame["type"] == "chat.accepted":
            chats.setdefault(frame["conversation"], {})["agent"] = peer

    def at_visitor(peer: Peer, frame: dict) -> None:
        if frame["type"] in ("error", "offline"):
            count_error("visitor", {"error": frame.get("error", frame["type"])})
        elif frame["type"] == "message" and frame.get("client_id") in sent and frame["author"] == "agent":
            latencies["agent_to_visitor"].append(time.perf_counter() - sent.pop(frame["client_id"]))
        elif frame["type"] in ("welcome", "ack") and id(peer) in events:
            if frame["type"] == "ack":
                peer.conversation = frame["id"]
            events[id(peer)].set()

    dialogues = _dialogues()
    agents = [
        await _open(port, "/ws/agent/", at_agent, origin=f"http://127.0.0.1:{port}", cookie=cookie)
        for cookie in cookies
    ]
    started = time.perf_counter()
    for n in range(args.chats):
        peer = await _open(port, f"/ws/chat/{site_key}/", at_visitor, origin=ORIGIN)
        peer.dialogue = dialogues[n % len(dialogues)]
        events[id(peer)] = asyncio.Event()
        await peer.send({"type": "hello", "token": tokens[n], "last_seen": 10**9})
        await asyncio.wait_for(events[id(peer)].wait(), 60)
        visitors.append(peer)
    events.clear()
    setup_seconds = time.perf_counter() - started
    # The client's own collections would count as latency: its thousands of sockets, frozen out of the
    # cyclic GC, are no longer walked by each collection.
    gc.collect()
    gc.freeze()

    by_conversation = await asyncio.to_thread(_conversation_of_visitors, args.chats)
    agent_of = await asyncio.to_thread(_agents_of_conversations)
    pairs = []
    for index, peer in enumerate(visitors):
        conversation = by_conversation[index]
        pairs.append((peer, agents[agent_of[conversation]], conversation))

    total = args.rate * args.seconds
    interval = 1.0 / args.rate
    order = itertools.cycle(random.Random(4).sample(range(len(pairs)), len(pairs)))
    turn = {n: 1 for n in range(len(pairs))}
    profiler = _profile(server_pid, args.profile, args.seconds + 5) if args.profile else None
    cpu_before = _cpu_seconds(server_pid)
    begin = time.perf_counter()
    for k in range(total):
        n = next(order)
        visitor, agent, conversation = pairs[n]
        user, system = visitor.dialogue
        t = turn[n]
        client_id = f"m{k}"
        sent[client_id] = time.perf_counter()
        if k % 2 == 0:
            await visitor.send({"type": "message", "client_id": client_id, "text": user[t % len(user)]})
        else:
            text = system[t % len(system)]
            await agent.send(
                {"type": "chat.send", "conversation": conversation, "client_id": client_id, "text": text}
            )
            turn[n] = t + 1
        delay = begin + (k + 1) * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    replay_seconds = time.perf_counter() - begin
    await asyncio.sleep(5)  # stragglers
    lost = len(sent)
    # the server's CPU time for the replay (and the stragglers' wait)
    replay_cpu = _cpu_seconds(server_pid) - cpu_before
    if profiler is not None:
        await asyncio.to_thread(profiler.wait, 60)

    idle_ok, rss_before = 0, _rss_mb(server_pid)
    idle_started = time.perf_counter()
    idle: list[Peer] = []
    for _ in range(args.idle):
        try:
            peer = await _open(port, f"/ws/chat/{site_key}/", lambda p, f: None, origin=ORIGIN)
            await peer.send({"type": "hello"})
            idle.append(peer)
            idle_ok += 1
        except Exception:
            break
    await asyncio.sleep(2)
    rss_after = _rss_mb(server_pid)
    idle_seconds = time.perf_counter() - idle_started
    for peer in visitors + agents + idle:
        await peer.ws.close()

    def summary(values: list[float]) -> dict:
        if not values:
            return {"n": 0}
        values = sorted(values)
        return {
            "n": len(values),
            "p50_ms": round(statistics.median(values) * 1000, 1),
            "p99_ms": round(values[min(len(values) - 1, int(len(values) * 0.99))] * 1000, 1),
            "max_ms": round(values[-1] * 1000, 1),
            "late_over_100ms": sum(1 for value in values if value > 0.1),
        }

    return {
        "chats": args.chats,
        "agent_sockets": len(agents),
        "visitor_connect_seconds": round(setup_seconds, 1),
        "messages_sent": total,
        "target_rate": args.rate,
        "achieved_rate": round(total / replay_seconds, 1),
        "server_cpu_ms_per_message": round(replay_cpu / total * 1000, 2),
        "load_average": os.getloadavg()[0],
        "not_delivered": lost,
        "error_frames": errors,
        "visitor_to_agent": summary(latencies["visitor_to_agent"]),
        "agent_to_visitor": summary(latencies["agent_to_visitor"]),
        "sockets_held": len(agents) + len(visitors) + idle_ok,
        "idle_sockets_added": idle_ok,
        "idle_connect_seconds": round(idle_seconds, 1),
        "server_rss_mb": {"with_chats": rss_before, "with_idle_too": rss_after},
    }


def _profile(pid: int, output: str, seconds: int) -> subprocess.Popen:
    """py-spy sampling the running server (all its threads) for `seconds`, without pausing it."""
    spy = os.environ.get("PY_SPY") or shutil.which("py-spy") or sys.exit("--profile needs py-spy")
    argv = [spy, "record", "--pid", str(pid), "--nonblocking", "--format", "raw", "--rate", "100",
            "--duration", str(seconds), "-o", output]  # fmt: skip
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _conversation_of_visitors(n: int) -> list[int]:
    from kefu.chat.models import Conversation

    return list(Conversation.objects.order_by("pk").values_list("pk", flat=True)[:n])


def _agents_of_conversations() -> dict[int, int]:
    from kefu.accounts.models import User
    from kefu.chat.models import Conversation

    index = {
        pk: i
        for i, pk in enumerate(
            User.objects.filter(username__startswith="bench-agent-")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    }
    return {pk: index[agent] for pk, agent in Conversation.objects.values_list("pk", "agent_id")}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (from /proc; its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


if __name__ == "__main__":
    main()
