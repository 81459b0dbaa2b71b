"""`kefu serve` and `kefu worker`: clear refusals, the right serving layout, and a real server that answers."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kefu.core.management.commands._serving import Child, Layout, plan_layout
from kefu.core.management.commands.serve import Command as ServeCommand
from kefu.core.management.commands.worker import celery_argv

START_TIMEOUT = 60
STOP_TIMEOUT = 20


def free_port_pair() -> int:
    """A port P such that P and P+1 are both free right now."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port >= 65534:
            continue
        with socket.socket() as second:
            try:
                second.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no free pair of ports")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "0"], "--port must be between 1 and 65534"),
        (["--port", "65535"], "--port must be between 1 and 65534"),
        (["--workers", "0"], "--workers must be between 1 and 64"),
        (["--threads", "0"], "--threads must be between 1 and 256"),
        (["--host", " "], "--host must not be empty"),
        (["--port", "eighty"], "invalid int value: 'eighty'"),
    ],
)
def test_serve_refuses_bad_arguments_with_a_clear_message(argv, message):
    with pytest.raises(CommandError, match=message):
        call_command("serve", *argv)


def test_serve_refuses_a_port_that_is_taken():
    # given a port someone already listens on
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        # then serve says so before starting anything
        with pytest.raises(CommandError, match=f"cannot listen on 127.0.0.1:{port}"):
            call_command("serve", "--port", str(port))


def test_without_redis_one_asgi_process_serves_everything_and_a_scheduler_runs_the_periodic_jobs():
    layout = plan_layout(host="127.0.0.1", port=9000, workers=2, redis_url="", demo=False, environ={})

    assert [child.name for child in layout.children] == ["uvicorn-asgi", "scheduler"]
    assert layout.children[1].port is None
    assert layout.children[1].argv[-2:] == ["kefu.manage", "scheduler"]
    assert layout.children[0].port == 9000
    assert "KEFU_WEBSOCKET_URL" not in layout.env
    assert any("in-memory channel layer" in note for note in layout.notes)
    assert layout.url == "http://127.0.0.1:9000/"


def test_with_redis_wsgi_serves_pages_and_asgi_the_websockets_on_the_next_port():
    layout = plan_layout(
        host="127.0.0.1", port=9000, workers=3, redis_url="redis://127.0.0.1:6379/0", demo=False, environ={}
    )

    wsgi, asgi = layout.children
    assert (wsgi.name, wsgi.port, asgi.name, asgi.port) == ("granian-wsgi", 9000, "uvicorn-asgi", 9001)
    assert wsgi.argv[-1] == "kefu.config.wsgi:application"
    assert wsgi.argv[wsgi.argv.index("--interface") + 1] == "wsgi"
    assert wsgi.argv[wsgi.argv.index("--workers") + 1] == "3"
    assert layout.env["KEFU_WEBSOCKET_URL"] == "ws://127.0.0.1:9001"


def test_an_operator_websocket_url_is_kept():
    layout = plan_layout(
        host="0.0.0.0",
        port=9000,
        workers=2,
        redis_url="redis://127.0.0.1:6379/0",
        demo=False,
        environ={"KEFU_WEBSOCKET_URL": "wss://kefu.example.com"},
    )

    assert layout.env["KEFU_WEBSOCKET_URL"] == "wss://kefu.example.com"


def test_demo_turns_debug_off_and_allows_localhost_names():
    layout = plan_layout(
        host="127.0.0.1", port=9000, workers=2, redis_url="", demo=True, environ={"DEBUG": "1"}
    )

    assert layout.env["DEBUG"] == "0"
    assert {"localhost", ".localhost", "127.0.0.1", "[::1]"} <= set(layout.env["ALLOWED_HOSTS"].split(","))
    assert layout.env["SITE_URL"] == "http://127.0.0.1:9000"


def test_worker_without_redis_exits_with_code_2_and_says_why(settings):
    settings.REDIS_URL = ""

    with pytest.raises(CommandError, match="jobs run in-process without Redis; set REDIS_URL") as excinfo:
        call_command("worker")

    assert excinfo.value.returncode == 2


def test_worker_runs_celery_with_the_solo_pool_by_default():
    argv = celery_argv(pool="solo", concurrency=1, queues="", loglevel="info")

    assert argv[1:6] == ["-m", "celery", "-A", "kefu.config.celery", "worker"]
    assert "--pool=solo" in argv


def _kefu(*args: str) -> list[str]:
    return [sys.executable, "-m", "kefu.manage", *args]


def _get_status(url: str) -> int:
    request = urllib.request.Request(url, headers={"Accept-Language": "en"})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _wait_until_answering(url: str, server: subprocess.Popen, log: Path) -> int:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"kefu serve exited early with code {server.returncode}:\n{log.read_text()}")
        try:
            return _get_status(url)
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {START_TIMEOUT}s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def _installation(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a throwaway installation with its own SQLite database, migrated once."""
    hidden = {"DATABASE_URL", "REDIS_URL", "KEFU_WEBSOCKET_URL"}
    env = {k: v for k, v in os.environ.items() if k not in hidden}
    env.update(KEFU_VAR_DIR=str(tmp_path_factory.mktemp("serve") / "var"), DEBUG="0", PYTHONUNBUFFERED="1")
    subprocess.run(_kefu("migrate", "--no-input", "-v", "0"), env=env, check=True, timeout=300)
    return env


@pytest.fixture
def server_env(_installation: dict[str, str]) -> dict[str, str]:
    return dict(_installation)


def _serve_and_stop(env: dict[str, str], port: int, urls: list[str]) -> list[int]:
    """Start `kefu serve`, GET each URL once it answers, stop it with SIGTERM; return the statuses."""
    log = Path(env["KEFU_VAR_DIR"]) / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            _kefu("serve", "--port", str(port), "--workers", "1", "--threads", "2"),
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        statuses = [_wait_until_answering(url, server, log) for url in urls]
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=STOP_TIMEOUT)
        assert server.returncode == 0, log.read_text()
        assert "SIGTERM received; stopping" in log.read_text()
        return statuses
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_serve_answers_http_in_the_single_process_layout_and_stops_on_sigterm(server_env):
    port = free_port_pair()

    statuses = _serve_and_stop(server_env, port, [f"http://127.0.0.1:{port}/admin/login/"])

    assert statuses == [200]


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_reachable(), reason="Redis is not running on 127.0.0.1:6379")
def test_serve_answers_on_both_ports_in_the_wsgi_plus_asgi_layout(server_env):
    port = free_port_pair()
    server_env["REDIS_URL"] = "redis://127.0.0.1:6379/15"

    statuses = _serve_and_stop(
        server_env,
        port,
        [f"http://127.0.0.1:{port}/admin/login/", f"http://127.0.0.1:{port + 1}/admin/login/"],
    )

    assert statuses == [200, 200]


def _layout_of(*scripts: str) -> Layout:
    children = [
        Child(name=f"child{i}", argv=[sys.executable, "-c", code], port=0) for i, code in enumerate(scripts)
    ]
    return Layout(children=children, env=dict(os.environ), url="http://127.0.0.1:1/")


def _sleeper(pid_file: Path) -> str:
    """A child that records its pid, then sleeps far longer than any test."""
    return f"import os, pathlib, time; pathlib.Path({str(pid_file)!r}).write_text(str(os.getpid())); time.sleep(120)"


def _is_running(pid_file: Path) -> bool:
    try:
        os.kill(int(pid_file.read_text()), 0)
    except ProcessLookupError:
        return False
    return True


def test_when_one_process_dies_serve_stops_the_others_and_reports_its_code(tmp_path):
    # given two children, one of which exits with code 3 once the other is up
    pid_file = tmp_path / "sleeper.pid"
    dies = f"import pathlib, sys, time\nwhile not pathlib.Path({str(pid_file)!r}).exists(): time.sleep(0.05)\nsys.exit(3)"
    layout = _layout_of(_sleeper(pid_file), dies)

    # when serve supervises them
    started = time.monotonic()
    code = ServeCommand().run(layout)

    # then it returns the dead child's code at once, having stopped the sleeper
    assert code == 3
    assert time.monotonic() - started < START_TIMEOUT  # not the sleeper's 120 s
    assert not _is_running(pid_file)


def test_sigterm_stops_every_process_and_exits_cleanly(tmp_path):
    # given serve supervising a long-running child, with its signal handler in place
    pid_file = tmp_path / "sleeper.pid"
    layout = _layout_of(_sleeper(pid_file))
    original = signal.getsignal(signal.SIGTERM)

    def send_sigterm_once_the_child_runs() -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)

    # when SIGTERM arrives
    threading.Thread(target=send_sigterm_once_the_child_runs, daemon=True).start()
    code = ServeCommand().run(layout)

    # then serve stopped the child, exits cleanly and gives back the previous handler
    assert code == 0
    assert not _is_running(pid_file)
    assert signal.getsignal(signal.SIGTERM) is original


def test_the_websocket_server_does_not_compress_frames_and_paces_its_collections(monkeypatch):
    """Chat frames are small JSON: per-message deflate would keep zlib state (~50 KB) on every socket. The
    cyclic GC is paced by the server's event loop while it serves, and the pacing stops with it."""
    import types

    import uvicorn

    from kefu.core.management.commands import _serving

    started, pacing = [], []

    class FakeServer:
        def __init__(self, config):
            self.config = config

        async def serve(self):
            started.append((self.config, list(pacing)))

    class FakePacer:
        def __init__(self, loop):
            self.loop = loop

        def start(self):
            pacing.append("started")

        def stop(self):
            pacing.append("stopped")

    monkeypatch.setattr(uvicorn.Config, "load", lambda self: None)
    monkeypatch.setattr(uvicorn, "Server", FakeServer)
    monkeypatch.setattr(_serving, "gc", types.SimpleNamespace(collect=lambda: 0, freeze=lambda: None))
    monkeypatch.setattr(_serving, "gc_pacing", types.SimpleNamespace(CollectionPacer=FakePacer))

    _serving.run_asgi("127.0.0.1", 9001)

    config, pacing_while_serving = started[0]
    assert config.ws_per_message_deflate is False
    assert pacing_while_serving == ["started"]
    assert pacing == ["started", "stopped"]
