"""`kefu serve`: run Kefu the production way and supervise the server processes.

With REDIS_URL set: granian WSGI workers serve HTTP on --port and one uvicorn ASGI process serves
websockets on --port + 1 (the children get KEFU_WEBSOCKET_URL so pages know where to connect).
Without Redis: one uvicorn process serves both on --port. See `_serving.py` for why.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ._serving import Child, Layout, plan_layout

STOP_GRACE_SECONDS = 15
POLL_SECONDS = 0.2


class Command(BaseCommand):
    help = "Serve Kefu: granian WSGI for pages, uvicorn ASGI for websockets (one ASGI process without Redis)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
        parser.add_argument(
            "--port", type=int, default=8000, help="HTTP port; websockets use PORT+1 with Redis"
        )
        parser.add_argument(
            "--workers", type=int, default=2, help="granian WSGI worker processes (default 2)"
        )
        parser.add_argument(
            "--demo", action="store_true", help="demo mode: DEBUG off, any localhost name allowed"
        )
        parser.add_argument(
            "--threads", type=int, default=8, help="request threads per WSGI worker (default 8)"
        )
        parser.add_argument("--access-log", action="store_true", help="log every request")

    def handle(
        self, *args, host: str, port: int, workers: int, threads: int, demo: bool, access_log: bool, **options
    ) -> None:
        host = host.strip()
        if not host:
            raise CommandError("--host must not be empty (use 0.0.0.0 to listen on all interfaces)")
        if not 1 <= port <= 65534:
            raise CommandError(f"--port must be between 1 and 65534 (websockets may use PORT+1), not {port}")
        if not 1 <= workers <= 64:
            raise CommandError(f"--workers must be between 1 and 64, not {workers}")
        if not 1 <= threads <= 256:
            raise CommandError(f"--threads must be between 1 and 256, not {threads}")
        layout = plan_layout(
            host=host,
            port=port,
            workers=workers,
            redis_url=settings.REDIS_URL,
            demo=demo,
            environ=dict(os.environ),
            access_log=access_log,
            threads=threads,
        )
        # WhiteNoise serves static files through the finders; it only warns when this folder is missing.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        for child in layout.children:
            if child.port is not None:
                ensure_port_free(host, child.port)
        for note in layout.notes:
            self.stdout.write(note)
        code = self.run(layout)
        if code:
            raise CommandError(f"a server process exited with code {code}; stopped", returncode=code)

    def run(self, layout: Layout) -> int:
        """Start every child, wait until a signal arrives or one child dies, then stop the rest."""
        received: list[int] = []

        def on_signal(signum: int, frame: FrameType | None) -> None:
            received.append(signum)

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        procs: dict[str, subprocess.Popen] = {}
        try:
            for child in layout.children:
                procs[child.name] = start(child, layout.env)
            self.stdout.write(self.style.SUCCESS(f"Kefu is running at {layout.url}  (Ctrl-C stops it)"))
            code = self.wait(procs, received)
        finally:
            stop_all(procs, received)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return code

    def wait(self, procs: dict[str, subprocess.Popen], received: list[int]) -> int:
        while not received:
            for name, proc in procs.items():
                code = proc.poll()
                if code is not None:
                    self.stderr.write(f"{name} exited with code {code}; stopping the other processes")
                    return code if code > 0 else 1
            time.sleep(POLL_SECONDS)
        self.stdout.write(f"{signal.Signals(received[0]).name} received; stopping")
        return 0


def ensure_port_free(host: str, port: int) -> None:
    """Fail with a clear message before starting anything when the port cannot be bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            raise CommandError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc} (is it already in use?)"
            )


def start(child: Child, env: dict[str, str]) -> subprocess.Popen:
    """Start a child in its own session (signals reach it only through us); it dies if we die."""
    return subprocess.Popen(child.argv, env=env, start_new_session=True, preexec_fn=_die_with_parent)


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def stop_all(procs: dict[str, subprocess.Popen], received: list[int]) -> None:
    """Ask the children to stop, give them time to finish requests, then kill the stragglers."""
    for proc in procs.values():
        if proc.poll() is None:
            # SIGTERM whatever we received: uvicorn re-raises a SIGINT as KeyboardInterrupt after shutdown.
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for proc in procs.values():
        # A second Ctrl-C means "now": stop waiting and kill.
        while proc.poll() is None and time.monotonic() < deadline and len(received) < 2:
            time.sleep(POLL_SECONDS / 2)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
