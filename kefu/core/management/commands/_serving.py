"""The serving layout behind `kefu serve`, as plain data, plus the ASGI child's entry point.

Ordinary HTTP goes through granian WSGI workers: Django's sync middleware costs a thread hop per
middleware under ASGI, so WSGI serves pages ~10x faster (see MEASURED.md). Websockets need ASGI and
go to one uvicorn process on the next port. The in-memory channel layer cannot cross processes, so
without Redis everything runs in that one uvicorn process instead.

Django ignores this module as a command because its name starts with an underscore.
"""

from __future__ import annotations

import asyncio
import gc
import sys
from dataclasses import dataclass, field

from kefu.core import gc_pacing

WSGI_TARGET = "kefu.config.wsgi:application"
ASGI_TARGET = "kefu.config.asgi:application"
WILDCARD_HOSTS = {"0.0.0.0", "::", "[::]", ""}
DEMO_ALLOWED_HOSTS = ["localhost", ".localhost", "127.0.0.1", "[::1]"]


@dataclass(frozen=True)
class Child:
    """One process `kefu serve` starts and supervises."""

    name: str
    argv: list[str]
    port: int | None  # None: it listens nowhere (the scheduler)


@dataclass(frozen=True)
class Layout:
    """What `kefu serve` will run: the processes, their environment, and what to tell the operator."""

    children: list[Child]
    env: dict[str, str]
    url: str
    notes: list[str] = field(default_factory=list)


def browser_host(host: str) -> str:
    """The host name a browser on this machine uses to reach a server bound to `host`."""
    if host in WILDCARD_HOSTS:
        return "localhost"
    if ":" in host and not host.startswith("["):
        return f"[{host}]"
    return host


def plan_layout(
    *,
    host: str,
    port: int,
    workers: int,
    redis_url: str,
    demo: bool,
    environ: dict[str, str],
    access_log: bool = False,
    threads: int = 8,
) -> Layout:
    """Decide the processes and the children's environment for the given options (no side effects)."""
    env = dict(environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "kefu.config.settings")
    env["PYTHONUNBUFFERED"] = "1"
    public = browser_host(host)
    url = f"http://{public}:{port}/"
    env.setdefault("SITE_URL", url.rstrip("/"))
    notes: list[str] = []
    if demo:
        env["DEBUG"] = "0"
        allowed = ["*"] if host in WILDCARD_HOSTS else [*DEMO_ALLOWED_HOSTS, public]
        current = [item.strip() for item in environ.get("ALLOWED_HOSTS", "").split(",") if item.strip()]
        env["ALLOWED_HOSTS"] = ",".join(dict.fromkeys(current + allowed))

    if not redis_url:
        notes.append(
            "REDIS_URL is empty: the in-memory channel layer cannot cross processes, so one uvicorn ASGI "
            f"process serves HTTP and websockets on port {port}"
            + (f" (--workers {workers} ignored)." if workers != 1 else ".")
        )
        notes.append("Periodic jobs (SLA sweep, mailbox polling, retraining) run in a scheduler process.")
        children = [asgi_child(host, port, access_log), scheduler_child()]
        return Layout(children=children, env=env, url=url, notes=notes)

    if "KEFU_WEBSOCKET_URL" in environ:
        notes.append(f"KEFU_WEBSOCKET_URL is set ({environ['KEFU_WEBSOCKET_URL'] or 'same origin'}): kept.")
    else:
        env["KEFU_WEBSOCKET_URL"] = f"ws://{public}:{port + 1}"
    if host in WILDCARD_HOSTS and "KEFU_WEBSOCKET_URL" not in environ:
        notes.append(
            "Bound to all interfaces: set KEFU_WEBSOCKET_URL to the websocket address browsers can reach."
        )
    notes.append(
        f"HTTP: granian WSGI, {workers} worker(s) x {threads} thread(s) on port {port}; "
        f"websockets: uvicorn ASGI on port {port + 1}."
    )
    notes.append("Background jobs go to Redis: run `kefu worker` (one or more) and one `kefu scheduler`.")
    children = [wsgi_child(host, port, workers, threads, access_log), asgi_child(host, port + 1, access_log)]
    return Layout(children=children, env=env, url=url, notes=notes)


def wsgi_child(host: str, port: int, workers: int, threads: int, access_log: bool) -> Child:
    argv = [
        sys.executable, "-m", "granian",
        "--interface", "wsgi",
        "--host", host,
        "--port", str(port),
        "--workers", str(workers),
        # Each thread runs one request at a time and may hold a database connection: keep them few.
        "--blocking-threads", str(threads),
        "--backpressure", str(threads),
        "--respawn-failed-workers",
        "--access-log" if access_log else "--no-access-log",
        WSGI_TARGET,
    ]  # fmt: skip
    return Child(name="granian-wsgi", argv=argv, port=port)


def asgi_child(host: str, port: int, access_log: bool) -> Child:
    argv = [sys.executable, "-m", "kefu.core.management.commands._serving", host, str(port)]
    if access_log:
        argv.append("--access-log")
    return Child(name="uvicorn-asgi", argv=argv, port=port)


def scheduler_child() -> Child:
    """Without Redis the periodic jobs run in-process in this child (see `kefu scheduler`)."""
    argv = [sys.executable, "-m", "kefu.manage", "scheduler"]
    return Child(name="scheduler", argv=argv, port=None)


def run_asgi(host: str, port: int, *, access_log: bool = False) -> None:
    """Serve the ASGI application with uvicorn, with the start-up heap frozen out of the cyclic GC and the
    collections paced by the event loop (see `kefu.core.gc_pacing`)."""
    import uvicorn

    config = uvicorn.Config(
        ASGI_TARGET,
        host=host.strip("[]"),
        port=port,
        lifespan="off",  # Channels' router does not speak the lifespan protocol
        access_log=access_log,
        timeout_graceful_shutdown=10,
        ws_per_message_deflate=False,  # zlib state per socket: ~50 KB of RSS each, for small JSON frames
    )
    config.load()  # import Django and every app now, so the freeze below covers them
    # Thousands of long-lived sockets make full collections slow: the start-up objects are frozen out of
    # them, and the pacer keeps full collections rare.
    gc.collect()
    gc.freeze()
    server = uvicorn.Server(config)

    async def serve() -> None:
        pacer = gc_pacing.CollectionPacer(asyncio.get_running_loop())
        pacer.start()
        try:
            await server.serve()
        finally:
            pacer.stop()

    asyncio.run(serve(), loop_factory=config.get_loop_factory())


if __name__ == "__main__":
    run_asgi(sys.argv[1], int(sys.argv[2]), access_log="--access-log" in sys.argv[3:])
